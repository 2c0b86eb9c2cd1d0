//go:build peers

package bench

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/descentlab/descent/kernels"
)

// BenchmarkGemmVsGo measures descent's GEMM against the Go peers, gonum's
// Sgemm/Dgemm and vek's MatMul, called alternately, call by call, on the
// wall clock, at the same number of threads on both sides:
//
//	BenchmarkGemmVsGo/peer=gonum/threads=1/dtype=f32/shape=1024x1024x1024/t=NN
//
// threads=1 runs with GOMAXPROCS(1) and SetThreads(1): the peers start
// their goroutines as usual (gonum above its blocking threshold, vek
// always), and they all share the one P, so each side has one core.
// threads=2 gives both sides two (GOMAXPROCS(2), SetThreads(2)). It
// reports x-gonum or x-vek (descent's GFLOP/s over the peer's), both
// GFLOP/s, and as ns/op descent's call alone. Every name ends in the
// GOMAXPROCS of the start (-2), whatever threads= says. BenchmarkGemm's
// isa=gonum and isa=vek rows measure the peers as they come, with every
// core, against one-goroutine descent.
func BenchmarkGemmVsGo(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer kernels.SetThreads(kernels.SetThreads(1))
	shapes := []gemmShape{{256, 256, 256, kernels.NoTrans, kernels.NoTrans}, {1024, 1024, 1024, kernels.NoTrans, kernels.NoTrans}}
	for _, p := range []string{"gonum", "vek"} {
		peer, ok := gemmPeers[p]
		if !ok {
			b.Fatalf("bench: the %s peer is not registered", p)
		}
		for _, threads := range []int{1, 2} {
			if threads > runtime.NumCPU() {
				continue
			}
			b.Run(fmt.Sprintf("peer=%s/threads=%d", p, threads), func(b *testing.B) {
				for _, s := range shapes {
					b.Run("dtype=f32/"+s.String(), func(b *testing.B) { benchVsGo(b, threads, p, s, ownGemm[float32], peer.f32) })
					b.Run("dtype=f64/"+s.String(), func(b *testing.B) { benchVsGo(b, threads, p, s, ownGemm[float64], peer.f64) })
				}
			})
		}
	}
}

func benchVsGo[T kernels.Float](b *testing.B, threads int, name string, s gemmShape, own, peer gemmFunc[T]) {
	// Set here, in the leaf, for every run of it: the testing package
	// runs a leaf benchmark again for each -count and sets GOMAXPROCS
	// back to its -cpu value in between, so a setting made once by the
	// parent held for the first run only (threads=1 then ran the peers on
	// two cores from the second run on: vek 38 and 76 GFLOP/s in one
	// -count 2 run).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
	defer kernels.SetThreads(kernels.SetThreads(threads))
	if got := runtime.GOMAXPROCS(0); got != threads {
		b.Fatalf("GOMAXPROCS is %d, want %d", got, threads)
	}
	a, bb, c, lda, ldb := gemmOperands[T](s)
	call := func(f gemmFunc[T]) time.Duration {
		t0 := time.Now()
		f(s.tA, s.tB, s.m, s.n, s.k, a, lda, bb, ldb, c, s.n)
		return time.Since(t0)
	}
	call(own) // warm caches and buffer pools on both sides
	call(peer)
	var tOwn, tPeer time.Duration
	first := true
	for b.Loop() {
		// Who goes first alternates, so neither side always finds the
		// caches as the other left them.
		if first {
			tOwn += call(own)
			tPeer += call(peer)
		} else {
			tPeer += call(peer)
			tOwn += call(own)
		}
		first = !first
	}
	flops := 2 * float64(s.m) * float64(s.k) * float64(s.n) * float64(b.N)
	b.ReportMetric(tOwn.Seconds()*1e9/float64(b.N), "ns/op") // descent's call alone
	b.ReportMetric(tPeer.Seconds()/tOwn.Seconds(), "x-"+name)
	b.ReportMetric(flops/tOwn.Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(flops/tPeer.Seconds()/1e9, name+"-GFLOP/s")
}
