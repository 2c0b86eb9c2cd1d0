package kernels

import (
	"fmt"
	"unsafe"
)

// Transpose says whether a GEMM operand is used as stored or transposed.
type Transpose byte

// The two operand forms, named as BLAS names them.
const (
	NoTrans Transpose = 'N' // use the matrix as stored
	Trans   Transpose = 'T' // use its transpose
)

func (t Transpose) valid() bool { return t == NoTrans || t == Trans }

// Gemm computes C = alpha·op(A)·op(B) + beta·C (BLAS gemm) on row-major
// matrices: op(A) is m×k, op(B) is k×n and C is m×n, where op(X) is X for
// NoTrans and Xᵀ for Trans. Element (i, j) of C is c[i*ldc+j]; A as stored
// has rows of length lda (k columns used for NoTrans, m for Trans), and B
// likewise with ldb, so sub-matrix views are passed with the parent's
// leading dimension.
//
// As in BLAS, beta = 0 means C is not read (NaN or Inf in C do not
// propagate), and alpha = 0 or k = 0 only scales C by beta. C must not
// overlap A or B.
//
// The product is computed in the BLIS way (packed panels, a register-blocked
// microkernel per instruction set, see gemm_driver.go) and split over up to
// Threads() goroutines along M and N only, so the result is bitwise the same
// for any number of threads. Within one instruction-set level it is also
// deterministic from call to call.
func Gemm[T Float](tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	checkGemmOverlap(a, b, c)
	table[T]().gemm.run(tA == Trans, tB == Trans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// MatMul sets dst = a·b for dense row-major matrices: a is m×k, b is k×n
// and dst is m×n, each stored without padding (len(a) = m*k and so on).
// dst must not overlap a or b.
func MatMul[T Float](dst, a, b []T, m, k, n int) {
	if m < 0 || k < 0 || n < 0 {
		panic(fmt.Sprintf("kernels.MatMul: negative dimension m=%d k=%d n=%d", m, k, n))
	}
	if len(a) != m*k {
		panic(fmt.Sprintf("kernels.MatMul: len(a)=%d != m*k=%d", len(a), m*k))
	}
	if len(b) != k*n {
		panic(fmt.Sprintf("kernels.MatMul: len(b)=%d != k*n=%d", len(b), k*n))
	}
	if len(dst) != m*n {
		panic(fmt.Sprintf("kernels.MatMul: len(dst)=%d != m*n=%d", len(dst), m*n))
	}
	Gemm(NoTrans, NoTrans, m, n, k, 1, a, max(k, 1), b, max(n, 1), 0, dst, max(n, 1))
}

// checkGemm checks the arguments as BLAS does (in the row-major convention
// of CBLAS), panicking with a message that names the first bad one.
func checkGemm(tA, tB Transpose, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	fail := func(format string, args ...any) {
		panic("kernels.Gemm: " + fmt.Sprintf(format, args...))
	}
	if !tA.valid() {
		fail("tA=%q: want NoTrans or Trans", byte(tA))
	}
	if !tB.valid() {
		fail("tB=%q: want NoTrans or Trans", byte(tB))
	}
	if m < 0 {
		fail("m=%d < 0", m)
	}
	if n < 0 {
		fail("n=%d < 0", n)
	}
	if k < 0 {
		fail("k=%d < 0", k)
	}
	// Rows and columns of each operand as stored.
	ar, ac := m, k
	if tA == Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB == Trans {
		br, bc = n, k
	}
	if lda < max(1, ac) {
		fail("lda=%d < max(1, %d)", lda, ac)
	}
	if ldb < max(1, bc) {
		fail("ldb=%d < max(1, %d)", ldb, bc)
	}
	if ldc < max(1, n) {
		fail("ldc=%d < max(1, n=%d)", ldc, n)
	}
	need := func(rows, cols, ld int) int {
		if rows == 0 || cols == 0 {
			return 0
		}
		return (rows-1)*ld + cols
	}
	if want := need(ar, ac, lda); la < want {
		fail("len(a)=%d < %d needed for a %d×%d matrix with lda=%d", la, want, ar, ac, lda)
	}
	if want := need(br, bc, ldb); lb < want {
		fail("len(b)=%d < %d needed for a %d×%d matrix with ldb=%d", lb, want, br, bc, ldb)
	}
	if want := need(m, n, ldc); lc < want {
		fail("len(c)=%d < %d needed for a %d×%d matrix with ldc=%d", lc, want, m, n, ldc)
	}
}

// checkGemmOverlap panics if c shares memory with a or b: C is written
// while A and B are still being read.
func checkGemmOverlap[T Float](a, b, c []T) {
	if overlaps(c, a) {
		panic("kernels.Gemm: c overlaps a")
	}
	if overlaps(c, b) {
		panic("kernels.Gemm: c overlaps b")
	}
}

func overlaps[T Float](x, y []T) bool {
	if len(x) == 0 || len(y) == 0 {
		return false
	}
	var z T
	size := unsafe.Sizeof(z)
	px := uintptr(unsafe.Pointer(unsafe.SliceData(x)))
	py := uintptr(unsafe.Pointer(unsafe.SliceData(y)))
	return px < py+uintptr(len(y))*size && py < px+uintptr(len(x))*size
}

// scaleMatrix sets C = beta·C, never reading C when beta is 0.
func scaleMatrix[T Float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
