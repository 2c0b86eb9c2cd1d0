package autodiff

import (
	"errors"
	"fmt"

	"github.com/descentlab/descent/kernels"
)

// opKind names a recorded operation; backward dispatches on it (a switch,
// not a closure per op, so that recording allocates nothing).
type opKind uint8

const (
	opMatMul opKind = iota + 1
	opAddRow
	opAdd
	opSub
	opMul
	opScale
	opSum
	opMean
	opReLU
	opSigmoid
	opTanh
	opSoftmax
	opLogSoftmax
	opSoftmaxCE
	opMSE
	opBatchNorm
	opBatchNormEval
	opDropout
)

// node is one recorded operation: its output, its inputs and what its
// backward step needs from the forward pass.
type node[T Float] struct {
	op      opKind
	out     *Tensor[T]
	a, b, c *Tensor[T]
	s       T
	labels  []int
	aux     []T // saved forward values (log-probabilities, differences, x̂, masks)
	aux2    []T // a second saved vector (per-column inverse standard deviations)
}

// Tape records operations as they run forward, and replays their backward
// steps in reverse. A Tape is not safe for concurrent use.
//
// Reset starts a new pass and keeps every buffer: a forward pass with the
// same sequence of shapes reuses the previous pass's output tensors, so that
// training allocates only in its first step.
type Tape[T Float] struct {
	nodes []node[T]
	outs  []*Tensor[T] // output tensors handed out, reused in order after Reset
	nOut  int
	bufs  [][]T // saved-value buffers, reused in order after Reset
	nBuf  int
	acc   []T // where a contribution is formed before it is added to a gradient that already has one
	tmp   []T // a backward step's own temporary
	spent bool
}

// NewTape returns an empty tape.
func NewTape[T Float]() *Tape[T] { return &Tape[T]{} }

// Reset forgets the recorded operations and starts a new forward pass. The
// tensors the previous pass returned are reused by this one: do not keep
// them across Reset.
func (tp *Tape[T]) Reset() {
	clear(tp.nodes) // drop references to the caller's tensors and label slices
	tp.nodes = tp.nodes[:0]
	tp.nOut = 0
	tp.nBuf = 0
	tp.spent = false
}

// Len returns the number of operations recorded since the last Reset.
func (tp *Tape[T]) Len() int { return len(tp.nodes) }

// out returns an output tensor of the given shape (ndim 0, 1 or 2), reusing
// the one handed out at this position in the previous pass when it has the
// same size. Its gradient, if it needs one, is zero.
func (tp *Tape[T]) out(rows, cols, ndim int, needsGrad bool) *Tensor[T] {
	n := rows * cols
	var t *Tensor[T]
	if tp.nOut < len(tp.outs) && cap(tp.outs[tp.nOut].Data) >= n {
		t = tp.outs[tp.nOut]
		t.Data = t.Data[:n]
	} else {
		t = &Tensor[T]{Data: make([]T, n)}
		if tp.nOut < len(tp.outs) {
			tp.outs[tp.nOut] = t
		} else {
			tp.outs = append(tp.outs, t)
		}
	}
	tp.nOut++
	switch ndim {
	case 0:
		t.dims, t.ndim = [2]int{}, 0
	case 1:
		t.dims, t.ndim = [2]int{cols}, 1
	default:
		t.dims, t.ndim = [2]int{rows, cols}, 2
	}
	t.needsGrad = needsGrad
	t.state = gradZero
	if needsGrad {
		if cap(t.grad) < n {
			t.grad = make([]T, n)
		}
		t.grad = t.grad[:n]
	}
	return t
}

// like returns an output of a's shape.
func (tp *Tape[T]) like(a *Tensor[T], needsGrad bool) *Tensor[T] {
	return tp.out(a.Rows(), a.Cols(), a.ndim, needsGrad)
}

// buf returns a saved-value buffer of length n, reused across passes.
func (tp *Tape[T]) buf(n int) []T {
	if tp.nBuf < len(tp.bufs) && cap(tp.bufs[tp.nBuf]) >= n {
		b := tp.bufs[tp.nBuf][:n]
		tp.nBuf++
		return b
	}
	b := make([]T, n)
	if tp.nBuf < len(tp.bufs) {
		tp.bufs[tp.nBuf] = b
	} else {
		tp.bufs = append(tp.bufs, b)
	}
	tp.nBuf++
	return b
}

func (tp *Tape[T]) record(n node[T]) {
	if tp.spent {
		panic("autodiff: recording on a tape after Backward; call Reset first")
	}
	tp.nodes = append(tp.nodes, n)
}

// scratch returns *p grown to length n.
func scratch[T Float](p *[]T, n int) []T {
	if cap(*p) < n {
		*p = make([]T, n)
	}
	return (*p)[:n]
}

// gradDst returns where a backward step writes its contribution to t's
// gradient: t's buffer itself if it holds nothing yet this pass (the common
// case: the contribution is written, not added), else the accumulator,
// which gradDone adds in.
func (tp *Tape[T]) gradDst(t *Tensor[T]) []T {
	if t.state == gradZero {
		return t.grad
	}
	return scratch(&tp.acc, len(t.grad))
}

func (tp *Tape[T]) gradDone(t *Tensor[T], dst []T) {
	if t.state == gradZero {
		t.state = gradSet
		return
	}
	kernels.Add(t.grad, t.grad, dst)
}

// gemmBeta returns the beta with which a GEMM adds its product into t's
// gradient: 0 overwrites a gradient that holds nothing yet (BLAS does not
// read C then), 1 accumulates.
func gemmBeta[T Float](t *Tensor[T]) T {
	if t.state == gradZero {
		t.state = gradSet
		return 0
	}
	return 1
}

// ErrSpent is returned by Backward on a tape whose backward pass already
// ran: its saved values may have been overwritten. Reset it and run the
// forward pass again.
var ErrSpent = errors.New("autodiff: Backward on a spent tape (Backward already ran since the last Reset; Reset and run the forward pass again)")

// Backward seeds d loss/d loss = 1 and walks the tape in reverse, adding
// each operation's contribution to its inputs' gradients. Parameters (leaf
// tensors that require a gradient) accumulate across calls until their
// ZeroGrad, as in PyTorch; the gradients of the tape's own outputs start
// from zero on every pass.
//
// loss must be a one-element tensor recorded on this tape (use BackwardWith
// for a non-scalar output). Backward may run once per Reset.
func (tp *Tape[T]) Backward(loss *Tensor[T]) error {
	if loss.Len() != 1 {
		return fmt.Errorf("autodiff: Backward: loss has shape %v, want a single element (use BackwardWith to seed a non-scalar output)", loss.Shape())
	}
	return tp.backward("Backward", loss, nil)
}

// BackwardWith is Backward from an output of any shape, seeded with the
// gradient seed (d loss / d y), which must have y's length.
func (tp *Tape[T]) BackwardWith(y *Tensor[T], seed []T) error {
	if len(seed) != y.Len() {
		return fmt.Errorf("autodiff: BackwardWith: len(seed)=%d, want %d for output of shape %v", len(seed), y.Len(), y.Shape())
	}
	return tp.backward("BackwardWith", y, seed)
}

func (tp *Tape[T]) backward(fn string, y *Tensor[T], seed []T) error {
	if tp.spent {
		return ErrSpent
	}
	if !y.needsGrad {
		return fmt.Errorf("autodiff: %s: the output does not depend on any tensor that requires a gradient", fn)
	}
	found := false
	for i := len(tp.nodes) - 1; i >= 0; i-- {
		if tp.nodes[i].out == y {
			found = true
			break
		}
	}
	if !found {
		return fmt.Errorf("autodiff: %s: the output was not recorded on this tape since its last Reset", fn)
	}
	tp.spent = true
	if seed == nil {
		y.grad[0] = 1
	} else {
		copy(y.grad, seed)
	}
	y.state = gradSet
	for i := len(tp.nodes) - 1; i >= 0; i-- {
		n := &tp.nodes[i]
		if !n.out.needsGrad || n.out.state != gradSet {
			continue // no path from this op to the output
		}
		tp.backwardNode(n)
	}
	return nil
}

// needs reports whether input t of an op wants a gradient contribution.
func needs[T Float](t *Tensor[T]) bool { return t != nil && t.needsGrad }

func (tp *Tape[T]) backwardNode(n *node[T]) {
	switch n.op {
	case opMatMul:
		tp.backMatMul(n)
	case opAddRow:
		tp.backAddRow(n)
	case opAdd, opSub:
		tp.backAddSub(n)
	case opMul:
		tp.backMul(n)
	case opScale:
		tp.backScale(n)
	case opSum, opMean:
		tp.backSum(n)
	case opReLU:
		tp.backReLU(n)
	case opSigmoid:
		tp.backSigmoid(n)
	case opTanh:
		tp.backTanh(n)
	case opSoftmax:
		tp.backSoftmax(n)
	case opLogSoftmax:
		tp.backLogSoftmax(n)
	case opSoftmaxCE:
		tp.backSoftmaxCE(n)
	case opMSE:
		tp.backMSE(n)
	case opBatchNorm, opBatchNormEval:
		tp.backBatchNorm(n)
	case opDropout:
		tp.backDropout(n)
	default:
		panic(fmt.Sprintf("autodiff: internal error: no backward for op %d", n.op))
	}
}
