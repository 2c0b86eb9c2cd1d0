//go:build peers

package bench

import (
	"runtime"
	"testing"
	"time"

	"github.com/descentlab/descent/kernels"
)

// BenchmarkVsPeers sets descent's kernels (at the best level this machine
// has) against each peer that has the same kernel, the way a shared, noisy
// machine still allows: the two run alternately in blocks of calls of about
// 20 µs each, on one locked thread, and each side's time is the sum of its
// blocks. Whatever slows the machine during the run slows both sides alike,
// so the ratio holds still where the separate benchmarks (BenchmarkAxpy
// ... with isa=gcc) drift by 10-40% at n=1000 from one run to the next.
//
//	BenchmarkVsPeers/kernel=Exp/peer=gcc/dtype=f32/n=1000
//
// reports x-peer (the peer's time over descent's: above 1, descent is
// faster) and both sides' ns per call. The inputs are the suite's, shared by
// both sides; the peers' semantics are checked by TestPeersAgree.
func BenchmarkVsPeers(b *testing.B) {
	for _, e := range suite {
		b.Run("kernel="+e.spec.name, func(b *testing.B) {
			for _, p := range peerOrder {
				im, ok := peers[p][e.spec.name]
				if !ok {
					continue
				}
				b.Run("peer="+p, func(b *testing.B) {
					if im.f32 != nil {
						b.Run("dtype=f32", func(b *testing.B) { vsShapes(b, e.spec, e.own.f32, im.f32) })
					}
					if im.f64 != nil {
						b.Run("dtype=f64", func(b *testing.B) { vsShapes(b, e.spec, e.own.f64, im.f64) })
					}
				})
			}
		})
	}
}

// vsBlock is the time one side's block of calls aims at: long against the
// clock's overhead, short against the machine's slow drifts.
const vsBlock = 20 * time.Microsecond

func vsShapes[T kernels.Float](b *testing.B, k kernelSpec, own, peer prep[T]) {
	for _, s := range k.shapes() {
		b.Run(s.String(), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			a := operands[T](k, s)
			runOwn, runPeer := own(a), peer(a)
			timed := func(run loop, reps int) time.Duration {
				t0 := time.Now()
				run(reps)
				return time.Since(t0)
			}
			// Calibrate the block length on descent's side (and warm both).
			reps := 1
			for timed(runOwn, reps) < vsBlock && reps < 1<<20 {
				reps *= 2
			}
			timed(runPeer, reps)
			var tOwn, tPeer time.Duration
			calls := 0
			for b.Loop() {
				tOwn += timed(runOwn, reps)
				tPeer += timed(runPeer, reps)
				calls += reps
			}
			b.ReportMetric(float64(tPeer)/float64(tOwn), "x-peer")
			b.ReportMetric(float64(tOwn.Nanoseconds())/float64(calls), "own-ns/call")
			b.ReportMetric(float64(tPeer.Nanoseconds())/float64(calls), "peer-ns/call")
		})
	}
}
