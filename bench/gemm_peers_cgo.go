//go:build peers

package bench

// OpenBLAS through cgo, for the GEMM peer benchmarks (gemm_peers_test.go):
// Debian's libopenblas-dev (0.3.21, pthread build). cgo is not allowed in
// test files, hence this file.

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import (
	"unsafe"

	"github.com/descentlab/descent/kernels"
)

func openblasTrans(t kernels.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == kernels.Trans {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

// openblasSgemm is cblas_sgemm(RowMajor, ...) with alpha 1, beta 0.
func openblasSgemm(tA, tB kernels.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	C.cblas_sgemm(C.CblasRowMajor, openblasTrans(tA), openblasTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		1, (*C.float)(unsafe.Pointer(unsafe.SliceData(a))), C.blasint(lda),
		(*C.float)(unsafe.Pointer(unsafe.SliceData(b))), C.blasint(ldb),
		0, (*C.float)(unsafe.Pointer(unsafe.SliceData(c))), C.blasint(ldc))
}

// openblasDgemm is cblas_dgemm(RowMajor, ...) with alpha 1, beta 0.
func openblasDgemm(tA, tB kernels.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	C.cblas_dgemm(C.CblasRowMajor, openblasTrans(tA), openblasTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		1, (*C.double)(unsafe.Pointer(unsafe.SliceData(a))), C.blasint(lda),
		(*C.double)(unsafe.Pointer(unsafe.SliceData(b))), C.blasint(ldb),
		0, (*C.double)(unsafe.Pointer(unsafe.SliceData(c))), C.blasint(ldc))
}

// openblasSetThreads sets OpenBLAS's own thread pool size.
func openblasSetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// openblasCore names the kernel set OpenBLAS picked (e.g. "Haswell").
func openblasCore() string { return C.GoString(C.openblas_get_corename()) }
