package autodiff

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descentlab/descent/kernels"
)

func checkAffine[T Float](op string, x, gamma, beta *Tensor[T]) (m, n int) {
	if x.ndim != 2 {
		panic(fmt.Sprintf("autodiff: %s: x of shape %v, want a matrix (batch × features)", op, x.Shape()))
	}
	m, n = x.dims[0], x.dims[1]
	if gamma.Len() != n {
		mismatch(op, x, gamma, "want gamma with one element per column of x")
	}
	if beta.Len() != n {
		mismatch(op, x, beta, "want beta with one element per column of x")
	}
	return m, n
}

// BatchNorm normalises each column of x (batch × features) with the
// batch's own mean and biased variance, then scales by gamma and shifts by
// beta: y = γ·(x − μ)/√(σ² + eps) + β, as torch.nn.BatchNorm1d does in
// training mode. It also returns the batch mean and biased variance (valid
// until Reset) so that the caller can update running statistics. The
// backward pass differentiates through μ and σ² as well.
func (tp *Tape[T]) BatchNorm(x, gamma, beta *Tensor[T], eps T) (y *Tensor[T], mean, variance []T) {
	m, n := checkAffine("BatchNorm", x, gamma, beta)
	if m == 0 {
		panic("autodiff: BatchNorm: empty batch")
	}
	y = tp.out(m, n, 2, x.needsGrad || gamma.needsGrad || beta.needsGrad)
	mean, variance = tp.buf(n), tp.buf(n)
	xhat, invstd := tp.buf(m*n), tp.buf(n)
	inv := 1 / T(m)
	copy(mean, x.Data[:n])
	for i := 1; i < m; i++ {
		kernels.Add(mean, mean, x.Data[i*n:(i+1)*n])
	}
	kernels.Scale(inv, mean)
	t := scratch(&tp.tmp, n)
	clear(variance)
	for i := 0; i < m; i++ {
		xr := xhat[i*n : (i+1)*n]
		kernels.Sub(xr, x.Data[i*n:(i+1)*n], mean)
		kernels.Mul(t, xr, xr)
		kernels.Add(variance, variance, t)
	}
	kernels.Scale(inv, variance)
	for j, v := range variance {
		invstd[j] = T(1 / math.Sqrt(float64(v)+float64(eps)))
	}
	for i := 0; i < m; i++ {
		xr, yr := xhat[i*n:(i+1)*n], y.Data[i*n:(i+1)*n]
		kernels.Mul(xr, xr, invstd)
		kernels.Mul(yr, xr, gamma.Data)
		kernels.Add(yr, yr, beta.Data)
	}
	if y.needsGrad {
		tp.record(node[T]{op: opBatchNorm, out: y, a: x, b: gamma, c: beta, aux: xhat, aux2: invstd})
	}
	return y, mean, variance
}

// affineGrads sets sg = Σ_rows d y ⊙ x̂ (d γ) and sb = Σ_rows d y (d β).
func affineGrads[T Float](dy, xhat, sg, sb, t []T, m, n int) {
	clear(sg)
	clear(sb)
	for i := 0; i < m; i++ {
		dyr := dy[i*n : (i+1)*n]
		kernels.Mul(t, dyr, xhat[i*n:(i+1)*n])
		kernels.Add(sg, sg, t)
		kernels.Add(sb, sb, dyr)
	}
}

func (tp *Tape[T]) giveAffine(gamma, beta *Tensor[T], sg, sb []T) {
	if needs(gamma) {
		dst := tp.gradDst(gamma)
		copy(dst, sg)
		tp.gradDone(gamma, dst)
	}
	if needs(beta) {
		dst := tp.gradDst(beta)
		copy(dst, sb)
		tp.gradDone(beta, dst)
	}
}

// backBatchNorm is the backward of BatchNorm and BatchNormEval: both give
// γ and β the same gradients; they differ in x's, where training mode also
// differentiates through the batch statistics.
func (tp *Tape[T]) backBatchNorm(nd *node[T]) {
	x, gamma, beta := nd.a, nd.b, nd.c
	m, n := x.dims[0], x.dims[1]
	dy, xhat, invstd := nd.out.grad, nd.aux, nd.aux2
	w := scratch(&tp.tmp, 4*n)
	sg, sb, k, t := w[:n], w[n:2*n], w[2*n:3*n], w[3*n:]
	affineGrads(dy, xhat, sg, sb, t, m, n)
	tp.giveAffine(gamma, beta, sg, sb)
	if !needs(x) {
		return
	}
	kernels.Mul(k, gamma.Data, invstd)
	dst := tp.gradDst(x)
	if nd.op == opBatchNormEval { // fixed statistics: d x = d y · γ/σ
		for i := 0; i < m; i++ {
			kernels.Mul(dst[i*n:(i+1)*n], dy[i*n:(i+1)*n], k)
		}
		tp.gradDone(x, dst)
		return
	}
	// d x = γ/σ · (d y − Σd y/m − x̂·Σ(d y x̂)/m), the batch statistics'
	// own dependence on x included.
	inv := 1 / T(m)
	kernels.Scale(inv, sg)
	kernels.Scale(inv, sb)
	for i := 0; i < m; i++ {
		dr := dst[i*n : (i+1)*n]
		kernels.Mul(t, xhat[i*n:(i+1)*n], sg)
		kernels.Sub(dr, dy[i*n:(i+1)*n], t)
		kernels.Sub(dr, dr, sb)
		kernels.Mul(dr, dr, k)
	}
	tp.gradDone(x, dst)
}

// BatchNormEval is BatchNorm in evaluation mode: each column is normalised
// with the given running mean and variance instead of the batch's, so the
// output of a row does not depend on the rest of the batch.
func (tp *Tape[T]) BatchNormEval(x, gamma, beta *Tensor[T], runMean, runVar []T, eps T) *Tensor[T] {
	m, n := checkAffine("BatchNormEval", x, gamma, beta)
	if len(runMean) != n || len(runVar) != n {
		panic(fmt.Sprintf("autodiff: BatchNormEval: len(runMean)=%d, len(runVar)=%d, want %d (columns of x %v)", len(runMean), len(runVar), n, x.Shape()))
	}
	y := tp.out(m, n, 2, x.needsGrad || gamma.needsGrad || beta.needsGrad)
	xhat, invstd := tp.buf(m*n), tp.buf(n)
	for j, v := range runVar {
		invstd[j] = T(1 / math.Sqrt(float64(v)+float64(eps)))
	}
	for i := 0; i < m; i++ {
		xr, yr := xhat[i*n:(i+1)*n], y.Data[i*n:(i+1)*n]
		kernels.Sub(xr, x.Data[i*n:(i+1)*n], runMean)
		kernels.Mul(xr, xr, invstd)
		kernels.Mul(yr, xr, gamma.Data)
		kernels.Add(yr, yr, beta.Data)
	}
	if y.needsGrad {
		tp.record(node[T]{op: opBatchNormEval, out: y, a: x, b: gamma, c: beta, aux: xhat, aux2: invstd})
	}
	return y
}

// Dropout zeroes each element of x with probability p and scales the rest
// by 1/(1−p) (inverted dropout, as torch.nn.Dropout in training mode), so
// that the expected output equals x. The mask comes from rng: the same seed
// gives the same masks. p must be in [0, 1].
func (tp *Tape[T]) Dropout(x *Tensor[T], p float64, rng *rand.Rand) *Tensor[T] {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("autodiff: Dropout: p=%v, want a probability in [0, 1]", p))
	}
	y := tp.like(x, x.needsGrad)
	mask := tp.buf(x.Len())
	keep := T(0)
	if p < 1 {
		keep = T(1 / (1 - p))
	}
	for i := range mask {
		if rng.Float64() < p {
			mask[i] = 0
		} else {
			mask[i] = keep
		}
	}
	kernels.Mul(y.Data, x.Data, mask)
	if y.needsGrad {
		tp.record(node[T]{op: opDropout, out: y, a: x, aux: mask})
	}
	return y
}

func (tp *Tape[T]) backDropout(n *node[T]) {
	dst := tp.gradDst(n.a)
	kernels.Mul(dst, n.out.grad, n.aux)
	tp.gradDone(n.a, dst)
}
