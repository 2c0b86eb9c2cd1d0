package bench

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkBackprop times a training step of the 784-128-10 MLP (float32,
// Adam) at batch 64 and 256, in three sub-benchmarks:
//
//   - pass=forward: the forward pass with the loss; ns/op is its time.
//   - pass=backward: forward then backward each iteration, each timed with
//     the monotonic clock; ns/op is the backward's time alone, and the
//     metric bwd/fwd is backward over forward measured in the same
//     iterations (the Baur–Strassen ratio).
//   - pass=step: forward, backward and the optimizer's update; ns/op is the
//     step. Each iteration also runs the step's GEMMs alone (same shapes,
//     same operands) and times them, so the metrics gemm-share (GEMM time
//     over step time), step/gemm, tape/gemm (forward and backward on the
//     tape over their GEMMs alone: what the tape adds) and update-share
//     (the optimizer's share of the step) compare within one run.
//
// With input=data the batch needs no gradient, as in training, so backward
// computes only the first layer's weight gradient: its GEMM work is
// (784·128 + 2·128·10)/(784·128 + 128·10) ≈ 1.01× the forward's, and
// bwd/fwd comes out near 1. With input=grad the input requires a gradient
// too, as every deeper layer's input does, and backward does the textbook
// 2× the forward's GEMM work.
func BenchmarkBackprop(b *testing.B) {
	for _, c := range []struct {
		batch int
		input string
	}{{64, "data"}, {256, "data"}, {64, "grad"}, {256, "grad"}} {
		batch := c.batch
		bp := NewBackprop([]int{784, 128, 10}, batch, c.input == "grad")
		bp.Forward()
		bp.Backward()
		bp.Update()
		b.Run(fmt.Sprintf("batch=%d/input=%s/pass=forward", batch, c.input), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bp.Forward()
			}
		})
		b.Run(fmt.Sprintf("batch=%d/input=%s/pass=backward", batch, c.input), func(b *testing.B) {
			b.ReportAllocs()
			var fwd, bwd time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				bp.Forward()
				t1 := time.Now()
				bp.Backward()
				t2 := time.Now()
				fwd += t1.Sub(t0)
				bwd += t2.Sub(t1)
				n++
			}
			b.ReportMetric(float64(bwd.Nanoseconds())/float64(n), "ns/op")
			b.ReportMetric(float64(bwd)/float64(fwd), "bwd/fwd")
		})
		b.Run(fmt.Sprintf("batch=%d/input=%s/pass=step", batch, c.input), func(b *testing.B) {
			b.ReportAllocs()
			var tape, update, gemm time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				bp.Forward()
				bp.Backward()
				t1 := time.Now()
				bp.Update()
				t2 := time.Now()
				bp.GEMMs()
				t3 := time.Now()
				tape += t1.Sub(t0)
				update += t2.Sub(t1)
				gemm += t3.Sub(t2)
				n++
			}
			step := tape + update
			b.ReportMetric(float64(step.Nanoseconds())/float64(n), "ns/op")
			b.ReportMetric(float64(gemm)/float64(step), "gemm-share")
			b.ReportMetric(float64(step)/float64(gemm), "step/gemm")
			b.ReportMetric(float64(tape)/float64(gemm), "tape/gemm")
			b.ReportMetric(float64(update)/float64(step), "update-share")
		})
	}
}

// TestBackpropAllocs: the benchmarked step allocates nothing.
func TestBackpropAllocs(t *testing.T) {
	bp := NewBackprop([]int{784, 128, 10}, 64, true)
	step := func() { bp.Forward(); bp.Backward(); bp.Update() }
	step()
	if a := testing.AllocsPerRun(5, step); a != 0 {
		t.Fatalf("a training step allocates %v times", a)
	}
	l0 := bp.Loss()
	for i := 0; i < 20; i++ {
		step()
	}
	if !(bp.Loss() < l0) {
		t.Fatalf("the benchmarked step does not train: loss %v then %v", l0, bp.Loss())
	}
}
