package bench

import (
	"testing"
	"time"
	"unsafe"
)

// BenchmarkVsCopy holds the streaming kernels (the suite's big entries) at
// n = 2^24 float32 against Go's copy of 2^24 float32, the bandwidth
// yardstick of BenchmarkCopy, timed alternately call by call in the same
// run, so that the machine's drift between separate benchmarks (20-40% on
// a shared host) cancels:
//
//	BenchmarkVsCopy/kernel=Add/dtype=f32/n=16777216
//
// reports x-copy, the kernel's bytes per second (b.SetBytes's count: each
// operand read or written once) over copy's; the target is 0.9.
// Skipped under -short.
func BenchmarkVsCopy(b *testing.B) {
	if testing.Short() {
		b.Skip("2^24-element slices: not under -short")
	}
	for _, e := range suite {
		if !e.spec.big {
			continue
		}
		b.Run("kernel="+e.spec.name+"/dtype=f32/"+shape{n: bigSize}.String(), func(b *testing.B) {
			a := operands[float32](e.spec, shape{n: bigSize})
			run := e.own.f32(a)
			src, dst := input[float32](bigSize, roleX), scratch[float32](bigSize, 2)
			run(1) // warm: page in every operand
			copy(dst, src)
			var tRun, tCopy time.Duration
			for b.Loop() {
				t0 := time.Now()
				run(1)
				t1 := time.Now()
				copy(dst, src)
				tRun += t1.Sub(t0)
				tCopy += time.Since(t1)
			}
			var z float32
			own := float64(b.N*e.spec.elems*bigSize*int(unsafe.Sizeof(z))) / tRun.Seconds()
			cp := float64(b.N*2*bigSize*int(unsafe.Sizeof(z))) / tCopy.Seconds()
			b.ReportMetric(own/cp, "x-copy")
			b.ReportMetric(own/1e9, "GB/s")
			b.ReportMetric(cp/1e9, "copy-GB/s")
		})
	}
}
