package autodiff

import (
	"fmt"

	"github.com/descentlab/descent/kernels"
)

// SoftmaxCrossEntropy returns the mean over the rows of logits (m×c) of
// −log softmax(logits)[i, labels[i]]: the cross-entropy loss of a
// classifier, fused with its softmax so that it is stable for any logits
// (it works from log-softmax, never from a probability that could round to
// 0). Its backward is (softmax − one-hot)/m. labels has one class index in
// [0, c) per row; the slice is read again by Backward, so keep it unchanged
// until then. The mean over no rows is NaN, as for Mean.
func (tp *Tape[T]) SoftmaxCrossEntropy(logits *Tensor[T], labels []int) *Tensor[T] {
	if logits.ndim != 2 {
		panic(fmt.Sprintf("autodiff: SoftmaxCrossEntropy: logits of shape %v, want a matrix (rows × classes)", logits.Shape()))
	}
	m, c := logits.dims[0], logits.dims[1]
	if len(labels) != m {
		panic(fmt.Sprintf("autodiff: SoftmaxCrossEntropy: len(labels)=%d, want one per row of logits %v", len(labels), logits.Shape()))
	}
	for i, l := range labels {
		if l < 0 || l >= c {
			panic(fmt.Sprintf("autodiff: SoftmaxCrossEntropy: labels[%d]=%d out of range [0, %d)", i, l, c))
		}
	}
	y := tp.out(1, 1, 0, logits.needsGrad)
	logp := tp.buf(m * c)
	if c > 0 {
		kernels.LogSoftmax(logp, logits.Data, c)
	}
	var s T
	for i, l := range labels {
		s += logp[i*c+l]
	}
	y.Data[0] = -s / T(m)
	if y.needsGrad {
		tp.record(node[T]{op: opSoftmaxCE, out: y, a: logits, labels: labels, aux: logp})
	}
	return y
}

func (tp *Tape[T]) backSoftmaxCE(n *node[T]) {
	m, c := n.a.dims[0], n.a.dims[1]
	dst := tp.gradDst(n.a)
	kernels.Exp(dst, n.aux) // softmax
	for i, l := range n.labels {
		dst[i*c+l] -= 1
	}
	kernels.Scale(n.out.grad[0]/T(m), dst)
	tp.gradDone(n.a, dst)
}

// MSE returns the mean of (pred − target)² over all elements (equal
// shapes); NaN for empty tensors, as for Mean. target may itself require a
// gradient.
func (tp *Tape[T]) MSE(pred, target *Tensor[T]) *Tensor[T] {
	sameShape("MSE", pred, target)
	y := tp.out(1, 1, 0, pred.needsGrad || target.needsGrad)
	d := tp.buf(pred.Len())
	kernels.Sub(d, pred.Data, target.Data)
	y.Data[0] = kernels.Dot(d, d) / T(len(d))
	if y.needsGrad {
		tp.record(node[T]{op: opMSE, out: y, a: pred, b: target, aux: d})
	}
	return y
}

func (tp *Tape[T]) backMSE(n *node[T]) {
	g := 2 * n.out.grad[0] / T(len(n.aux))
	if needs(n.a) {
		dst := tp.gradDst(n.a)
		kernels.MulScalar(dst, n.aux, g)
		tp.gradDone(n.a, dst)
	}
	if needs(n.b) {
		dst := tp.gradDst(n.b)
		kernels.MulScalar(dst, n.aux, -g)
		tp.gradDone(n.b, dst)
	}
}
