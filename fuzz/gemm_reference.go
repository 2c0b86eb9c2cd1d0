package fuzz

import (
	"math"

	"github.com/descentlab/descent/kernels"
)

// Gemm sets C = alpha·op(A)·op(B) + beta·C on row-major matrices, with
// op(X) = X, or Xᵀ when transX is true: the textbook triple loop in
// float64, C not read when beta is 0 (BLAS's rule). It returns, for each
// element of C (row-major, m×n, no padding), Σ|alpha·op(A)(i,p)·op(B)(p,j)| +
// |beta·C(i,j)|, the magnitude its rounding error bound scales with.
func Gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) (abs []float64) {
	abs = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			for p := 0; p < k && alpha != 0; p++ {
				var av, bv float64
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
				sa += math.Abs(av * bv)
			}
			v, va := alpha*s, math.Abs(alpha)*sa
			if beta != 0 {
				v += beta * c[i*ldc+j]
				va += math.Abs(beta * c[i*ldc+j])
			}
			c[i*ldc+j] = v
			abs[i*n+j] = va
		}
	}
	return abs
}

// GemmBound is the error allowed in one element of a T GEMM with inner
// dimension k whose terms have magnitude abs (from Gemm): γ_{k+2} in T
// (k multiply-adds, the scaling by alpha and the addition of beta·C), twice
// over for the float64 reference's own rounding and the blocked summation
// order, plus a tiny absolute floor for the products that underflow.
func GemmBound[T kernels.Float](k int, abs float64) float64 {
	return 2*Gamma(k+2, Unit[T]())*abs + 1e-300
}
