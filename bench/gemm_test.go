package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/descentlab/descent/kernels"
)

// GEMM benchmarks: BenchmarkGemm/isa=<level or peer>/dtype=<t>/shape=MxKxN/t=<op(A)op(B)>,
// each reporting GFLOP/s (2·M·K·N per call) and %peak (of this machine's
// FMA peak measured by the assembly probe, peak.go, at the same level; for
// the peers at the best level). One goroutine (kernels.SetThreads(1), and
// the peers' own thread counts set to one where they have one), so the
// figures compare single-core code. BenchmarkGemmThreads measures the
// split over goroutines.

type gemmShape struct {
	m, k, n int
	tA, tB  kernels.Transpose
}

func (s gemmShape) String() string {
	return fmt.Sprintf("shape=%dx%dx%d/t=%c%c", s.m, s.k, s.n, s.tA, s.tB)
}

// gemmShapes: squares 32..2048, and the 784-128-10 MLP at batch 64 and
// 256: forward X·W (NN), backward Xᵀ·dY for the weight gradient (TN) and
// dY·Wᵀ for the input gradient (NT), for both layers.
func gemmShapes() []gemmShape {
	var out []gemmShape
	for _, s := range []int{32, 64, 128, 256, 512, 1024, 2048} {
		if s == 2048 && testing.Short() {
			continue
		}
		out = append(out, gemmShape{s, s, s, kernels.NoTrans, kernels.NoTrans})
	}
	for _, batch := range []int{64, 256} {
		out = append(out,
			gemmShape{batch, 784, 128, kernels.NoTrans, kernels.NoTrans}, // layer 1 forward
			gemmShape{batch, 128, 10, kernels.NoTrans, kernels.NoTrans},  // layer 2 forward
			gemmShape{784, batch, 128, kernels.Trans, kernels.NoTrans},   // dW1 = Xᵀ·dY
			gemmShape{128, batch, 10, kernels.Trans, kernels.NoTrans},    // dW2 = Hᵀ·dY
			gemmShape{batch, 128, 784, kernels.NoTrans, kernels.Trans},   // dX = dY·W1ᵀ
			gemmShape{batch, 10, 128, kernels.NoTrans, kernels.Trans},    // dH = dY·W2ᵀ
		)
	}
	return out
}

// gemmFunc is one implementation: C = A·B (alpha 1, beta 0) with the
// shapes' transposes, dense leading dimensions.
type gemmFunc[T kernels.Float] func(tA, tB kernels.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int)

type gemmImpl struct {
	f32 gemmFunc[float32]
	f64 gemmFunc[float64]
	// threads sets the implementation's own thread count, if it has one.
	threads func(n int)
	// nnOnly: the implementation multiplies untransposed operands only, so
	// it gets no sub-benchmarks for the transposed shapes.
	nnOnly bool
}

// gemmPeers is filled by gemm_peers_cgo.go (OpenBLAS) and
// gemm_peers_test.go (gonum, vek) under the peers tag.
var gemmPeers = map[string]gemmImpl{}

var gemmPeerOrder = []string{"openblas", "gonum", "vek"}

func ownGemm[T kernels.Float](tA, tB kernels.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	kernels.Gemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
}

func gemmOperands[T kernels.Float](s gemmShape) (a, b, c []T, lda, ldb int) {
	rng := rand.New(rand.NewPCG(uint64(s.m), uint64(s.k*7919+s.n)))
	a, b, c = make([]T, s.m*s.k), make([]T, s.k*s.n), make([]T, s.m*s.n)
	for i := range a {
		a[i] = T(rng.Float64()*2 - 1)
	}
	for i := range b {
		b[i] = T(rng.Float64()*2 - 1)
	}
	lda, ldb = s.k, s.n
	if s.tA == kernels.Trans {
		lda = s.m
	}
	if s.tB == kernels.Trans {
		ldb = s.k
	}
	return a, b, c, lda, ldb
}

func benchGemmShape[T kernels.Float](b *testing.B, f gemmFunc[T], s gemmShape, peak float64) {
	a, bb, c, lda, ldb := gemmOperands[T](s)
	f(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n) // warm pools and caches
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n)
	}
	g := 2 * float64(s.m) * float64(s.k) * float64(s.n) * float64(b.N) / b.Elapsed().Seconds() / 1e9
	b.ReportMetric(g, "GFLOP/s")
	if peak > 0 {
		b.ReportMetric(100*g/peak, "%peak")
	}
}

func benchGemmTypes(b *testing.B, im gemmImpl, peakLevel kernels.Level) {
	if im.f32 != nil {
		b.Run("dtype=f32", func(b *testing.B) {
			for _, s := range gemmShapes() {
				if im.nnOnly && (s.tA != kernels.NoTrans || s.tB != kernels.NoTrans) {
					continue
				}
				b.Run(s.String(), func(b *testing.B) { benchGemmShape(b, im.f32, s, Peak(peakLevel, false)) })
			}
		})
	}
	if im.f64 != nil {
		b.Run("dtype=f64", func(b *testing.B) {
			for _, s := range gemmShapes() {
				if im.nnOnly && (s.tA != kernels.NoTrans || s.tB != kernels.NoTrans) {
					continue
				}
				b.Run(s.String(), func(b *testing.B) { benchGemmShape(b, im.f64, s, Peak(peakLevel, true)) })
			}
		})
	}
}

func bestLevel() kernels.Level {
	av := kernels.Available()
	return av[len(av)-1]
}

func BenchmarkGemm(b *testing.B) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	for _, l := range kernels.Available() {
		b.Run("isa="+string(l), func(b *testing.B) {
			if err := kernels.SetISA(l); err != nil {
				b.Fatal(err)
			}
			benchGemmTypes(b, gemmImpl{f32: ownGemm[float32], f64: ownGemm[float64]}, l)
		})
	}
	kernels.SetISA(prev)
	for _, p := range gemmPeerOrder {
		im, ok := gemmPeers[p]
		if !ok {
			continue
		}
		if im.threads != nil {
			im.threads(1)
		}
		b.Run("isa="+gemmPeerName(p), func(b *testing.B) { benchGemmTypes(b, im, bestLevel()) })
	}
}

// BenchmarkGemmThreads runs the best level with 1, 2, ... goroutines (up to
// GOMAXPROCS) on the squares and the MLP shapes: /threads=2 against
// /threads=1 is the parallel speed-up.
func BenchmarkGemmThreads(b *testing.B) {
	defer kernels.SetThreads(kernels.SetThreads(0))
	maxThreads := kernels.Threads()
	for _, s := range gemmShapes() {
		for t := 1; t <= maxThreads; t++ {
			b.Run(fmt.Sprintf("isa=%s/dtype=f32/%v/threads=%d", kernels.ISA(), s, t), func(b *testing.B) {
				kernels.SetThreads(t)
				benchGemmShape(b, ownGemm[float32], s, 0)
			})
			b.Run(fmt.Sprintf("isa=%s/dtype=f64/%v/threads=%d", kernels.ISA(), s, t), func(b *testing.B) {
				kernels.SetThreads(t)
				benchGemmShape(b, ownGemm[float64], s, 0)
			})
		}
	}
}

// TestGemmZeroAllocs: a GEMM call at steady state allocates nothing, at
// every level, one goroutine or several.
func TestGemmZeroAllocs(t *testing.T) {
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	defer kernels.SetThreads(kernels.SetThreads(0))
	for _, l := range kernels.Available() {
		kernels.SetISA(l)
		for _, threads := range []int{1, 2} {
			kernels.SetThreads(threads)
			for _, s := range []gemmShape{{256, 256, 256, kernels.NoTrans, kernels.NoTrans}, {64, 128, 784, kernels.NoTrans, kernels.Trans}} {
				a, bb, c, lda, ldb := gemmOperands[float32](s)
				ownGemm(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n)
				if n := testing.AllocsPerRun(10, func() { ownGemm(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n) }); n != 0 {
					t.Errorf("isa=%s threads=%d %v: %v allocations per call", l, threads, s, n)
				}
			}
		}
	}
}

// gemmPeerName is the isa= key of a peer; OpenBLAS's carries the kernel
// set OPENBLAS_CORETYPE forces (Debian's 0.3.21 does not recognise Zen 5
// and runs its AVX2 Haswell kernels unless told SkylakeX).
func gemmPeerName(p string) string {
	if p == "openblas" {
		if ct := os.Getenv("OPENBLAS_CORETYPE"); ct != "" {
			return "openblas-" + strings.ToLower(ct)
		}
	}
	return p
}
