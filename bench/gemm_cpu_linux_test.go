package bench

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/descentlab/descent/kernels"
)

// BenchmarkGemmCPU is BenchmarkGemm timed in the calling thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID) rather than wall time, so that its GFLOP/s do
// not drop when other processes share the cores: the figure to compare
// implementations by on a busy machine. One goroutine, locked to its
// thread (descent with SetThreads(1), OpenBLAS with one thread; vek's
// MatMul and gonum's large products may run goroutines of their own, whose
// time this does not see, so read their figures from BenchmarkGemm).
func BenchmarkGemmCPU(b *testing.B) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	run := func(b *testing.B, im gemmImpl) {
		if im.f32 != nil {
			b.Run("dtype=f32", func(b *testing.B) {
				for _, s := range gemmShapes() {
					b.Run(s.String(), func(b *testing.B) { benchGemmCPU(b, im.f32, s) })
				}
			})
		}
		if im.f64 != nil {
			b.Run("dtype=f64", func(b *testing.B) {
				for _, s := range gemmShapes() {
					b.Run(s.String(), func(b *testing.B) { benchGemmCPU(b, im.f64, s) })
				}
			})
		}
	}
	for _, l := range kernels.Available() {
		b.Run("isa="+string(l), func(b *testing.B) {
			if err := kernels.SetISA(l); err != nil {
				b.Fatal(err)
			}
			run(b, gemmImpl{f32: ownGemm[float32], f64: ownGemm[float64]})
		})
	}
	kernels.SetISA(prev)
	for _, p := range gemmPeerOrder {
		if im, ok := gemmPeers[p]; ok && p == "openblas" {
			im.threads(1)
			b.Run("isa="+gemmPeerName(p), func(b *testing.B) { run(b, im) })
		}
	}
}

func threadCPUSeconds() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return float64(ts.Sec) + float64(ts.Nsec)*1e-9
}

func benchGemmCPU[T kernels.Float](b *testing.B, f gemmFunc[T], s gemmShape) {
	// Each sub-benchmark runs on a goroutine of its own: lock it to its
	// thread so that the clock read is this goroutine's.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	a, bb, c, lda, ldb := gemmOperands[T](s)
	f(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n)
	b.ReportAllocs()
	b.ResetTimer()
	t0 := threadCPUSeconds()
	for b.Loop() {
		f(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n)
	}
	cpu := threadCPUSeconds() - t0
	b.ReportMetric(2*float64(s.m)*float64(s.k)*float64(s.n)*float64(b.N)/cpu/1e9, "GFLOP/s")
	b.ReportMetric(cpu/float64(b.N)*1e9, "cpu-ns/op")
}
