// Package gonumblas is a drop-in gonum BLAS backed by descent's kernels:
// Implementation embeds gonum's pure-Go blas/gonum.Implementation and
// replaces the routines that package kernels does faster (Sgemm, Dgemm and
// the unit-stride level-1 routines), so that
//
//	blas64.Use(gonumblas.Implementation{})
//	blas32.Use(gonumblas.Implementation{})
//
// speeds up gonum's mat package with no other change. Every call that
// kernels does not cover (non-unit strides, ConjTrans aside, or invalid
// arguments, which gonum reports with its own panic messages) goes to gonum.
package gonumblas

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/descentlab/descent/kernels"
)

// Implementation is gonum's BLAS with descent's kernels in its hot routines.
// The zero value is ready to use.
type Implementation struct {
	gonum.Implementation
}

var (
	_ blas.Float32 = Implementation{}
	_ blas.Float64 = Implementation{}
)

func trans(t blas.Transpose) (kernels.Transpose, bool) {
	switch t {
	case blas.NoTrans:
		return kernels.NoTrans, true
	case blas.Trans, blas.ConjTrans: // the same for real matrices
		return kernels.Trans, true
	}
	return 0, false
}

// gemmOK reports whether a gemm call is valid and has work, with the
// checks gonum makes (so that gonum, called otherwise, panics or returns
// exactly as it would on its own).
func gemmOK(tA, tB blas.Transpose, m, n, k, la, lda, lb, ldb, lc, ldc int) (kernels.Transpose, kernels.Transpose, bool) {
	ta, okA := trans(tA)
	tb, okB := trans(tB)
	if !okA || !okB || m <= 0 || n <= 0 || k < 0 {
		return 0, 0, false
	}
	ar, ac := m, k
	if ta == kernels.Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb == kernels.Trans {
		br, bc = n, k
	}
	if lda < max(1, ac) || ldb < max(1, bc) || ldc < max(1, n) {
		return 0, 0, false
	}
	need := func(r, c, ld int) int {
		if r == 0 || c == 0 {
			return 0
		}
		return (r-1)*ld + c
	}
	if la < need(ar, ac, lda) || lb < need(br, bc, ldb) || lc < need(m, n, ldc) {
		return 0, 0, false
	}
	return ta, tb, true
}

// disjoint reports whether c shares no memory with a or b (kernels
// refuses an output that overlaps an input; gonum does not check).
func disjoint[T float32 | float64](c []T, in ...[]T) bool {
	var z T
	size := unsafe.Sizeof(z)
	if len(c) == 0 {
		return true
	}
	pc := uintptr(unsafe.Pointer(unsafe.SliceData(c)))
	for _, x := range in {
		if len(x) == 0 {
			continue
		}
		px := uintptr(unsafe.Pointer(unsafe.SliceData(x)))
		if pc < px+uintptr(len(x))*size && px < pc+uintptr(len(c))*size {
			return false
		}
	}
	return true
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C with kernels.Gemm.
func (impl Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ta, tb, ok := gemmOK(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if !ok || !disjoint(c, a, b) {
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	kernels.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C with kernels.Gemm.
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb, ok := gemmOK(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if !ok || !disjoint(c, a, b) {
		impl.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	kernels.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// unit reports whether a level-1 call on n elements with these strides is
// one kernels covers: unit strides, n > 0, and slices long enough.
func unit(n int, lens ...int) bool {
	if n <= 0 {
		return false
	}
	for _, l := range lens {
		if l < n {
			return false
		}
	}
	return true
}

// Ddot returns Σ x[i]·y[i].
func (impl Implementation) Ddot(n int, x []float64, incX int, y []float64, incY int) float64 {
	if incX != 1 || incY != 1 || !unit(n, len(x), len(y)) {
		return impl.Implementation.Ddot(n, x, incX, y, incY)
	}
	return kernels.Dot(x[:n], y[:n])
}

// Sdot returns Σ x[i]·y[i].
func (impl Implementation) Sdot(n int, x []float32, incX int, y []float32, incY int) float32 {
	if incX != 1 || incY != 1 || !unit(n, len(x), len(y)) {
		return impl.Implementation.Sdot(n, x, incX, y, incY)
	}
	return kernels.Dot(x[:n], y[:n])
}

// Daxpy sets y[i] += alpha·x[i].
func (impl Implementation) Daxpy(n int, alpha float64, x []float64, incX int, y []float64, incY int) {
	if incX != 1 || incY != 1 || !unit(n, len(x), len(y)) || !sameOrDisjoint(y[:n], x[:n]) {
		impl.Implementation.Daxpy(n, alpha, x, incX, y, incY)
		return
	}
	kernels.Axpy(alpha, x[:n], y[:n])
}

// Saxpy sets y[i] += alpha·x[i].
func (impl Implementation) Saxpy(n int, alpha float32, x []float32, incX int, y []float32, incY int) {
	if incX != 1 || incY != 1 || !unit(n, len(x), len(y)) || !sameOrDisjoint(y[:n], x[:n]) {
		impl.Implementation.Saxpy(n, alpha, x, incX, y, incY)
		return
	}
	kernels.Axpy(alpha, x[:n], y[:n])
}

func sameOrDisjoint[T float32 | float64](y, x []T) bool {
	return unsafe.SliceData(x) == unsafe.SliceData(y) || disjoint(y, x)
}

// Dscal sets x[i] *= alpha (and x[i] = 0 when alpha is 0, as gonum).
func (impl Implementation) Dscal(n int, alpha float64, x []float64, incX int) {
	if incX != 1 || !unit(n, len(x)) {
		impl.Implementation.Dscal(n, alpha, x, incX)
		return
	}
	if alpha == 0 { // as gonum: zero, even where x holds NaN or Inf
		clear(x[:n])
		return
	}
	kernels.Scale(alpha, x[:n])
}

// Sscal sets x[i] *= alpha (and x[i] = 0 when alpha is 0, as gonum).
func (impl Implementation) Sscal(n int, alpha float32, x []float32, incX int) {
	if incX != 1 || !unit(n, len(x)) {
		impl.Implementation.Sscal(n, alpha, x, incX)
		return
	}
	if alpha == 0 { // as gonum: zero, even where x holds NaN or Inf
		clear(x[:n])
		return
	}
	kernels.Scale(alpha, x[:n])
}

// Dnrm2 returns the Euclidean norm of x, without overflow.
func (impl Implementation) Dnrm2(n int, x []float64, incX int) float64 {
	if incX != 1 || !unit(n, len(x)) {
		return impl.Implementation.Dnrm2(n, x, incX)
	}
	return kernels.Nrm2(x[:n])
}

// Snrm2 returns the Euclidean norm of x, without overflow.
func (impl Implementation) Snrm2(n int, x []float32, incX int) float32 {
	if incX != 1 || !unit(n, len(x)) {
		return impl.Implementation.Snrm2(n, x, incX)
	}
	return kernels.Nrm2(x[:n])
}

// Dasum returns Σ |x[i]|.
func (impl Implementation) Dasum(n int, x []float64, incX int) float64 {
	if incX != 1 || !unit(n, len(x)) {
		return impl.Implementation.Dasum(n, x, incX)
	}
	return kernels.Asum(x[:n])
}

// Sasum returns Σ |x[i]|.
func (impl Implementation) Sasum(n int, x []float32, incX int) float32 {
	if incX != 1 || !unit(n, len(x)) {
		return impl.Implementation.Sasum(n, x, incX)
	}
	return kernels.Asum(x[:n])
}
