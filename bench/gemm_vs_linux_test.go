//go:build peers

package bench

import (
	"runtime"
	"testing"
	"time"

	"github.com/descentlab/descent/kernels"
)

// BenchmarkGemmVsOpenBLAS measures descent's GEMM against OpenBLAS the way
// a shared, noisy machine still allows: the two are called alternately,
// in batches of about 100 µs (one call each for the big shapes; see
// vsBatch), on one locked thread, and each side's time is its thread CPU
// time. Whatever slows the machine during the run slows both sides
// alike, so the reported ratio holds still where separate benchmarks of
// each (BenchmarkGemm) drift by 15% or more from one run to the next.
//
//	BenchmarkGemmVsOpenBLAS/isa=avx512/peer=openblas-skylakex/dtype=f32/shape=1024x1024x1024/t=NN
//
// reports x-openblas (descent's GFLOP/s over OpenBLAS's: above 1 is
// faster) and both GFLOP/s. One goroutine each: descent with SetThreads(1),
// OpenBLAS with openblas_set_num_threads(1). OPENBLAS_CORETYPE picks
// OpenBLAS's kernels and names the peer (Debian's 0.3.21 runs its Haswell
// AVX2 kernels on Zen 4 and 5 unless told SkylakeX).
func BenchmarkGemmVsOpenBLAS(b *testing.B) {
	peer, ok := gemmPeers["openblas"]
	if !ok {
		b.Fatal("bench: the openblas peer is not registered")
	}
	defer kernels.SetThreads(kernels.SetThreads(1))
	peer.threads(1)
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	for _, l := range kernels.Available() {
		if l == kernels.Generic {
			continue
		}
		b.Run("isa="+string(l)+"/peer="+gemmPeerName("openblas"), func(b *testing.B) {
			if err := kernels.SetISA(l); err != nil {
				b.Fatal(err)
			}
			b.Run("dtype=f32", func(b *testing.B) {
				for _, s := range gemmShapes() {
					b.Run(s.String(), func(b *testing.B) { benchVs(b, s, ownGemm[float32], peer.f32) })
				}
			})
			b.Run("dtype=f64", func(b *testing.B) {
				for _, s := range gemmShapes() {
					b.Run(s.String(), func(b *testing.B) { benchVs(b, s, ownGemm[float64], peer.f64) })
				}
			})
		})
	}
}

func benchVs[T kernels.Float](b *testing.B, s gemmShape, own, peer gemmFunc[T]) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	a, bb, c, lda, ldb := gemmOperands[T](s)
	call := func(f gemmFunc[T], reps int) float64 {
		t0 := threadCPUSeconds()
		for range reps {
			f(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n)
		}
		return threadCPUSeconds() - t0
	}
	call(own, 1) // warm caches and buffer pools on both sides
	call(peer, 1)
	batch := vsBatch(call(own, 8) / 8)
	b.ResetTimer()
	var tOwn, tPeer float64
	for i := 0; i < b.N; i += batch {
		r := min(batch, b.N-i)
		tOwn += call(own, r)
		tPeer += call(peer, r)
	}
	flops := 2 * float64(s.m) * float64(s.k) * float64(s.n) * float64(b.N)
	if tOwn <= 0 || tPeer <= 0 {
		b.Fatalf("thread CPU time did not advance (descent %g s, OpenBLAS %g s)", tOwn, tPeer)
	}
	b.ReportMetric(tPeer/tOwn, "x-openblas")
	b.ReportMetric(flops/tOwn/1e9, "GFLOP/s")
	b.ReportMetric(flops/tPeer/1e9, "openblas-GFLOP/s")
	b.ReportMetric(float64(batch), "calls/batch")
}

// vsBatch is how many calls of one side benchVs times with one pair of
// clock reads, for calls that take perCall seconds each: enough for about
// 100 µs. Reading CLOCK_THREAD_CPUTIME_ID is a system call, and on the VM
// these benchmarks were tuned on one read took 1.3-1.4 µs, which a span
// timed call by call pays about once: more than a whole 32³ float32
// product (0.35 µs), 40% of a 64×128×10 one as measured so. Timed call
// by call, the small shapes' ratios were pulled towards 1 (64³ float32
// read 1.00 where batches read 0.98 over six runs).
func vsBatch(perCall float64) int {
	if perCall <= 0 {
		return 1 << 12
	}
	return max(1, min(1<<12, int(100e-6/perCall)))
}

// BenchmarkGemmScaling measures what a second goroutine buys, for descent
// and for OpenBLAS (its own thread pool) in the same run: for each square
// shape, descent with one thread and with two, alternately, call by call,
// on the wall clock; then OpenBLAS the same way, as many times. (Not all
// four interleaved: OpenBLAS's idle worker threads spin for about 2^28
// cycles after a call, and would take the second core from descent's next
// call; so descent's calls also start only after openblasIdle.) It
// reports each side's speedup (one-thread time over two-thread time) and
// x-openblas at two threads. On a machine whose cores slow down when both
// run AVX-512, or share an L3 with others, the speedup OpenBLAS reaches is
// the yardstick for descent's.
//
//	BenchmarkGemmScaling/isa=avx512/peer=openblas-skylakex/dtype=f32/shape=1024x1024x1024/t=NN
func BenchmarkGemmScaling(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs GOMAXPROCS >= 2")
	}
	peer, ok := gemmPeers["openblas"]
	if !ok {
		b.Fatal("bench: the openblas peer is not registered")
	}
	defer kernels.SetThreads(kernels.SetThreads(0))
	defer peer.threads(1)
	l := kernels.ISA()
	b.Run("isa="+string(l)+"/peer="+gemmPeerName("openblas"), func(b *testing.B) {
		for _, s := range gemmShapes() {
			if s.m < 512 || s.m != s.n || s.n != s.k {
				continue
			}
			b.Run("dtype=f32/"+s.String(), func(b *testing.B) { benchScaling(b, s, ownGemm[float32], peer.f32, peer.threads) })
			b.Run("dtype=f64/"+s.String(), func(b *testing.B) { benchScaling(b, s, ownGemm[float64], peer.f64, peer.threads) })
		}
	})
}

func benchScaling[T kernels.Float](b *testing.B, s gemmShape, own, peer gemmFunc[T], peerThreads func(int)) {
	a, bb, c, lda, ldb := gemmOperands[T](s)
	call := func(f gemmFunc[T]) time.Duration {
		t0 := time.Now()
		f(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n)
		return time.Since(t0)
	}
	var t [4]time.Duration // own 1, own 2, peer 1, peer 2
	run := func(i int) time.Duration {
		if i < 2 {
			kernels.SetThreads(i + 1)
			return call(own)
		}
		peerThreads(i - 1)
		return call(peer)
	}
	for i := range t { // warm both sides and both thread counts
		run(i)
	}
	time.Sleep(openblasIdle)
	calls := 0
	for b.Loop() {
		t[0] += run(0)
		t[1] += run(1)
		calls++
	}
	for range calls {
		t[2] += run(2)
		t[3] += run(3)
	}
	time.Sleep(openblasIdle) // for whatever runs next
	b.ReportMetric(float64(t[0])/float64(t[1]), "own-speedup")
	b.ReportMetric(float64(t[2])/float64(t[3]), "openblas-speedup")
	b.ReportMetric(float64(t[3])/float64(t[1]), "x-openblas")
}

// openblasIdle outlasts the spinning of OpenBLAS's idle threads (its
// default THREAD_TIMEOUT, 2^28 cycles: about 75 ms at 3.5 GHz).
const openblasIdle = 200 * time.Millisecond
