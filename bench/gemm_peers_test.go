//go:build peers

package bench

import (
	"math"
	"testing"

	"github.com/viterin/vek"
	"github.com/viterin/vek/vek32"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/descentlab/descent/kernels"
)

// The GEMM peers, under isa=openblas (or openblas-skylakex with
// OPENBLAS_CORETYPE=SkylakeX), isa=gonum and isa=vek. OpenBLAS runs on one
// thread (openblas_set_num_threads(1)) like descent under SetThreads(1);
// gonum's Sgemm/Dgemm splits work over goroutines only above its own
// blocking threshold, and vek's MatMul always runs its parallel version:
// both are measured as they come.
func init() {
	gemmPeers["openblas"] = gemmImpl{f32: openblasSgemm, f64: openblasDgemm, threads: openblasSetThreads}
	gemmPeers["gonum"] = gemmImpl{
		f32: func(tA, tB kernels.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			gonum.Implementation{}.Sgemm(blas.Transpose(tA), blas.Transpose(tB), m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
		},
		f64: func(tA, tB kernels.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
			gonum.Implementation{}.Dgemm(blas.Transpose(tA), blas.Transpose(tB), m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
		},
	}
	// vek multiplies untransposed dense matrices only: the NN shapes (its
	// functions panic on anything else, so a transposed shape is a bug).
	gemmPeers["vek"] = gemmImpl{
		nnOnly: true,
		f32: func(tA, tB kernels.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			if tA != kernels.NoTrans || tB != kernels.NoTrans {
				panic("bench: vek has no transposed GEMM")
			}
			vek32.MatMul_Into(c, a, b, k)
		},
		f64: func(tA, tB kernels.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
			if tA != kernels.NoTrans || tB != kernels.NoTrans {
				panic("bench: vek has no transposed GEMM")
			}
			vek.MatMul_Into(c, a, b, k)
		},
	}
}

// TestGemmPeersAgree: every peer computes the same products as descent.
func TestGemmPeersAgree(t *testing.T) {
	t.Logf("OpenBLAS core: %s", openblasCore())
	for _, name := range gemmPeerOrder {
		im := gemmPeers[name]
		for _, s := range gemmShapes() {
			if s.m*s.n*s.k > 1<<24 || im.nnOnly && (s.tA != kernels.NoTrans || s.tB != kernels.NoTrans) {
				continue
			}
			a, b, c, lda, ldb := gemmOperands[float64](s)
			want := make([]float64, len(c))
			ownGemm(s.tA, s.tB, s.m, s.n, s.k, a, lda, b, ldb, want, s.n)
			im.f64(s.tA, s.tB, s.m, s.n, s.k, a, lda, b, ldb, c, s.n)
			for i := range c {
				if math.Abs(c[i]-want[i]) > 1e-12*float64(s.k) {
					t.Fatalf("%s %v: c[%d] = %g, descent %g", name, s, i, c[i], want[i])
				}
			}
		}
	}
}
