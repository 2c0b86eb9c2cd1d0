package autodiff

import (
	"fmt"

	"github.com/descentlab/descent/kernels"
)

// ReLU returns max(a, 0) elementwise; its gradient is d y where a > 0, else 0.
func (tp *Tape[T]) ReLU(a *Tensor[T]) *Tensor[T] {
	y := tp.like(a, a.needsGrad)
	kernels.ReLU(y.Data, a.Data)
	if y.needsGrad {
		tp.record(node[T]{op: opReLU, out: y, a: a})
	}
	return y
}

func (tp *Tape[T]) backReLU(n *node[T]) {
	dst := tp.gradDst(n.a)
	kernels.ReLUGrad(dst, n.a.Data, n.out.grad)
	tp.gradDone(n.a, dst)
}

// Sigmoid returns 1/(1+e^−a) elementwise; d a = d y·y·(1−y).
func (tp *Tape[T]) Sigmoid(a *Tensor[T]) *Tensor[T] {
	y := tp.like(a, a.needsGrad)
	kernels.Sigmoid(y.Data, a.Data)
	if y.needsGrad {
		tp.record(node[T]{op: opSigmoid, out: y, a: a})
	}
	return y
}

func (tp *Tape[T]) backSigmoid(n *node[T]) {
	y := n.out.Data
	t := scratch(&tp.tmp, len(y))
	kernels.Mul(t, y, y)
	kernels.Sub(t, y, t) // y − y² = y(1−y)
	dst := tp.gradDst(n.a)
	kernels.Mul(dst, n.out.grad, t)
	tp.gradDone(n.a, dst)
}

// Tanh returns tanh(a) elementwise; d a = d y·(1−y²).
func (tp *Tape[T]) Tanh(a *Tensor[T]) *Tensor[T] {
	y := tp.like(a, a.needsGrad)
	kernels.Tanh(y.Data, a.Data)
	if y.needsGrad {
		tp.record(node[T]{op: opTanh, out: y, a: a})
	}
	return y
}

func (tp *Tape[T]) backTanh(n *node[T]) {
	y := n.out.Data
	t := scratch(&tp.tmp, len(y))
	kernels.Mul(t, y, y)
	kernels.MulScalar(t, t, -1)
	kernels.AddScalar(t, t, 1) // 1 − y²
	dst := tp.gradDst(n.a)
	kernels.Mul(dst, n.out.grad, t)
	tp.gradDone(n.a, dst)
}

func checkRows[T Float](op string, a *Tensor[T]) (rows, cols int) {
	if a.ndim == 0 {
		panic(fmt.Sprintf("autodiff: %s: shape %v: want a vector or a matrix (softmax runs along each row)", op, a.Shape()))
	}
	return a.Rows(), a.Cols()
}

// Softmax returns the softmax of each row of a (of a vector: of the whole
// vector), computed stably. d a = y ⊙ (d y − ⟨d y, y⟩) row by row.
func (tp *Tape[T]) Softmax(a *Tensor[T]) *Tensor[T] {
	_, cols := checkRows("Softmax", a)
	y := tp.like(a, a.needsGrad)
	if cols > 0 {
		kernels.Softmax(y.Data, a.Data, cols)
	}
	if y.needsGrad {
		tp.record(node[T]{op: opSoftmax, out: y, a: a})
	}
	return y
}

func (tp *Tape[T]) backSoftmax(n *node[T]) {
	rows, cols := n.a.Rows(), n.a.Cols()
	y, dy := n.out.Data, n.out.grad
	dst := tp.gradDst(n.a)
	for i := 0; i < rows; i++ {
		yr, dyr, dr := y[i*cols:(i+1)*cols], dy[i*cols:(i+1)*cols], dst[i*cols:(i+1)*cols]
		kernels.AddScalar(dr, dyr, -kernels.Dot(dyr, yr))
		kernels.Mul(dr, dr, yr)
	}
	tp.gradDone(n.a, dst)
}

// LogSoftmax returns log(softmax) of each row of a, computed stably.
// d a = d y − softmax·Σ d y, row by row.
func (tp *Tape[T]) LogSoftmax(a *Tensor[T]) *Tensor[T] {
	_, cols := checkRows("LogSoftmax", a)
	y := tp.like(a, a.needsGrad)
	if cols > 0 {
		kernels.LogSoftmax(y.Data, a.Data, cols)
	}
	if y.needsGrad {
		tp.record(node[T]{op: opLogSoftmax, out: y, a: a})
	}
	return y
}

func (tp *Tape[T]) backLogSoftmax(n *node[T]) {
	rows, cols := n.a.Rows(), n.a.Cols()
	y, dy := n.out.Data, n.out.grad
	dst := tp.gradDst(n.a)
	p := scratch(&tp.tmp, cols)
	for i := 0; i < rows; i++ {
		yr, dyr, dr := y[i*cols:(i+1)*cols], dy[i*cols:(i+1)*cols], dst[i*cols:(i+1)*cols]
		kernels.Exp(p, yr)
		s := kernels.Sum(dyr)
		copy(dr, dyr)
		kernels.Axpy(-s, p, dr)
	}
	tp.gradDone(n.a, dst)
}
