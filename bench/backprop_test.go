package bench

import (
	"fmt"
	"testing"
)

// BenchmarkBackprop times a training step of the 784-128-10 MLP (float32,
// Adam) at batch 64 and 256, in three sub-benchmarks: pass=forward
// (Backprop.BenchForward), pass=backward (BenchBackward: ns/op is the
// backward alone, with the metric bwd/fwd) and pass=step (BenchStep: the
// whole step, with its GEMM share, step/gemm, tape/gemm and update-share).
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
		b.Run(fmt.Sprintf("batch=%d/input=%s/pass=forward", batch, c.input), bp.BenchForward)
		b.Run(fmt.Sprintf("batch=%d/input=%s/pass=backward", batch, c.input), bp.BenchBackward)
		b.Run(fmt.Sprintf("batch=%d/input=%s/pass=step", batch, c.input), bp.BenchStep)
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
