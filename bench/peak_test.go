package bench

import (
	"testing"

	"github.com/descentlab/descent/kernels"
)

// BenchmarkPeak reports the FMA peak of every assembly level, one goroutine.
func BenchmarkPeak(b *testing.B) {
	for _, l := range kernels.Available() {
		for _, f64 := range []bool{false, true} {
			p, ok := peakProbes()[peakKey{l, f64}]
			if !ok {
				continue
			}
			dt := "f32"
			if f64 {
				dt = "f64"
			}
			b.Run("isa="+string(l)+"/dtype="+dt, func(b *testing.B) {
				const iters = 1 << 12
				for b.Loop() {
					p.run(iters)
				}
				b.ReportMetric(float64(b.N)*iters*float64(p.flops)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestPeak: the probe gives a plausible figure at every assembly level
// (more than a scalar core could do, and f64 about half of f32).
func TestPeak(t *testing.T) {
	for _, l := range kernels.Available() {
		p32, p64 := Peak(l, false), Peak(l, true)
		if _, ok := peakProbes()[peakKey{l, false}]; !ok {
			if p32 != 0 || p64 != 0 {
				t.Errorf("%s: no probe, but Peak = %g, %g", l, p32, p64)
			}
			continue
		}
		t.Logf("%s: FMA peak %.1f GFLOP/s f32, %.1f f64 (one goroutine)", l, p32, p64)
		if p32 < 10 || p64 < 5 {
			t.Errorf("%s: implausible peak %g / %g GFLOP/s", l, p32, p64)
		}
		if r := p32 / p64; r < 1.5 || r > 2.5 {
			t.Errorf("%s: f32/f64 peak ratio %.2f, want about 2", l, r)
		}
	}
}
