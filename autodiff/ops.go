package autodiff

import (
	"fmt"

	"github.com/descentlab/descent/kernels"
)

func mismatch[T Float](op string, a, b *Tensor[T], want string) {
	panic(fmt.Sprintf("autodiff: %s: shapes %v and %v: %s", op, a.Shape(), b.Shape(), want))
}

func sameShape[T Float](op string, a, b *Tensor[T]) {
	if a.ndim != b.ndim || a.dims != b.dims {
		mismatch(op, a, b, "want equal shapes")
	}
}

// MatMul returns a·b for matrices a (m×k) and b (k×n). Its backward is two
// GEMMs with transpose flags: d a = d y·bᵀ and d b = aᵀ·d y, each run only
// when that input needs a gradient.
func (tp *Tape[T]) MatMul(a, b *Tensor[T]) *Tensor[T] {
	if a.ndim != 2 || b.ndim != 2 || a.dims[1] != b.dims[0] {
		mismatch("MatMul", a, b, "want matrices m×k and k×n")
	}
	m, k, n := a.dims[0], a.dims[1], b.dims[1]
	y := tp.out(m, n, 2, a.needsGrad || b.needsGrad)
	// max(1, ·): BLAS wants a leading dimension of at least 1 even for an
	// empty matrix; with k = 0 the product is zero, and beta = 0 writes it.
	kernels.Gemm(kernels.NoTrans, kernels.NoTrans, m, n, k, 1, a.Data, max(1, k), b.Data, max(1, n), 0, y.Data, max(1, n))
	if y.needsGrad {
		tp.record(node[T]{op: opMatMul, out: y, a: a, b: b})
	}
	return y
}

func (tp *Tape[T]) backMatMul(n *node[T]) {
	a, b, dy := n.a, n.b, n.out.grad
	m, k, nn := a.dims[0], a.dims[1], b.dims[1]
	if needs(a) { // d a (m×k) = d y (m×n) · bᵀ
		kernels.Gemm(kernels.NoTrans, kernels.Trans, m, k, nn, 1, dy, max(1, nn), b.Data, max(1, nn), gemmBeta(a), a.grad, max(1, k))
	}
	if needs(b) { // d b (k×n) = aᵀ · d y
		kernels.Gemm(kernels.Trans, kernels.NoTrans, k, nn, m, 1, a.Data, max(1, k), dy, max(1, nn), gemmBeta(b), b.grad, max(1, nn))
	}
}

// AddRow returns a + bias with bias (a vector of a's column count, or a
// 1×cols matrix) added to every row of the matrix a: the bias of a linear
// layer. Its backward sums d y over the rows for the bias.
func (tp *Tape[T]) AddRow(a, bias *Tensor[T]) *Tensor[T] {
	if a.ndim != 2 || bias.Len() != a.dims[1] || (bias.ndim == 2 && bias.dims[0] != 1) {
		mismatch("AddRow", a, bias, "want a matrix m×n and a bias of n")
	}
	m, n := a.dims[0], a.dims[1]
	y := tp.out(m, n, 2, a.needsGrad || bias.needsGrad)
	for i := 0; i < m; i++ {
		kernels.Add(y.Data[i*n:(i+1)*n], a.Data[i*n:(i+1)*n], bias.Data)
	}
	if y.needsGrad {
		tp.record(node[T]{op: opAddRow, out: y, a: a, b: bias})
	}
	return y
}

func (tp *Tape[T]) backAddRow(nd *node[T]) {
	a, bias, dy := nd.a, nd.b, nd.out.grad
	if needs(a) {
		dst := tp.gradDst(a)
		copy(dst, dy)
		tp.gradDone(a, dst)
	}
	if needs(bias) {
		m, n := a.dims[0], a.dims[1]
		dst := tp.gradDst(bias)
		if m == 0 {
			clear(dst)
		} else {
			copy(dst, dy[:n])
		}
		for i := 1; i < m; i++ {
			kernels.Add(dst, dst, dy[i*n:(i+1)*n])
		}
		tp.gradDone(bias, dst)
	}
}

// Add returns a + b (equal shapes).
func (tp *Tape[T]) Add(a, b *Tensor[T]) *Tensor[T] {
	sameShape("Add", a, b)
	y := tp.like(a, a.needsGrad || b.needsGrad)
	kernels.Add(y.Data, a.Data, b.Data)
	if y.needsGrad {
		tp.record(node[T]{op: opAdd, out: y, a: a, b: b})
	}
	return y
}

// Sub returns a − b (equal shapes).
func (tp *Tape[T]) Sub(a, b *Tensor[T]) *Tensor[T] {
	sameShape("Sub", a, b)
	y := tp.like(a, a.needsGrad || b.needsGrad)
	kernels.Sub(y.Data, a.Data, b.Data)
	if y.needsGrad {
		tp.record(node[T]{op: opSub, out: y, a: a, b: b})
	}
	return y
}

func (tp *Tape[T]) backAddSub(n *node[T]) {
	dy := n.out.grad
	if needs(n.a) {
		dst := tp.gradDst(n.a)
		copy(dst, dy)
		tp.gradDone(n.a, dst)
	}
	if needs(n.b) {
		dst := tp.gradDst(n.b)
		if n.op == opSub {
			kernels.MulScalar(dst, dy, -1)
		} else {
			copy(dst, dy)
		}
		tp.gradDone(n.b, dst)
	}
}

// Mul returns the elementwise product a ⊙ b (equal shapes).
func (tp *Tape[T]) Mul(a, b *Tensor[T]) *Tensor[T] {
	sameShape("Mul", a, b)
	y := tp.like(a, a.needsGrad || b.needsGrad)
	kernels.Mul(y.Data, a.Data, b.Data)
	if y.needsGrad {
		tp.record(node[T]{op: opMul, out: y, a: a, b: b})
	}
	return y
}

func (tp *Tape[T]) backMul(n *node[T]) {
	dy := n.out.grad
	if needs(n.a) {
		dst := tp.gradDst(n.a)
		kernels.Mul(dst, dy, n.b.Data)
		tp.gradDone(n.a, dst)
	}
	if needs(n.b) {
		dst := tp.gradDst(n.b)
		kernels.Mul(dst, dy, n.a.Data)
		tp.gradDone(n.b, dst)
	}
}

// Scale returns s·a.
func (tp *Tape[T]) Scale(a *Tensor[T], s T) *Tensor[T] {
	y := tp.like(a, a.needsGrad)
	kernels.MulScalar(y.Data, a.Data, s)
	if y.needsGrad {
		tp.record(node[T]{op: opScale, out: y, a: a, s: s})
	}
	return y
}

func (tp *Tape[T]) backScale(n *node[T]) {
	dst := tp.gradDst(n.a)
	kernels.MulScalar(dst, n.out.grad, n.s)
	tp.gradDone(n.a, dst)
}

// Sum returns the scalar sum of a's elements.
func (tp *Tape[T]) Sum(a *Tensor[T]) *Tensor[T] {
	y := tp.out(1, 1, 0, a.needsGrad)
	y.Data[0] = kernels.Sum(a.Data)
	if y.needsGrad {
		tp.record(node[T]{op: opSum, out: y, a: a, s: 1})
	}
	return y
}

// Mean returns the scalar mean of a's elements (NaN for an empty tensor).
func (tp *Tape[T]) Mean(a *Tensor[T]) *Tensor[T] {
	y := tp.out(1, 1, 0, a.needsGrad)
	inv := 1 / T(a.Len())
	y.Data[0] = kernels.Sum(a.Data) * inv
	if y.needsGrad {
		tp.record(node[T]{op: opMean, out: y, a: a, s: inv})
	}
	return y
}

func (tp *Tape[T]) backSum(n *node[T]) {
	dst := tp.gradDst(n.a)
	g := n.out.grad[0] * n.s
	for i := range dst {
		dst[i] = g
	}
	tp.gradDone(n.a, dst)
}
