package kernels_test

import (
	"fmt"

	"github.com/descentlab/descent/kernels"
)

func Example() {
	x := []float32{1, 2, 3, 4}
	y := []float32{10, 20, 30, 40}
	kernels.Axpy(2, x, y) // y += 2x
	fmt.Println(y, kernels.Dot(x, x), kernels.Max(y), kernels.ArgMax(y))

	logits := []float64{1, 2, 3, 1000, 1000, 1000} // two rows of three
	p := make([]float64, len(logits))
	kernels.Softmax(p, logits, 3)
	fmt.Printf("%.4f\n", p)
	// Output:
	// [12 24 36 48] 30 48 3
	// [0.0900 0.2447 0.6652 0.3333 0.3333 0.3333]
}

func ExampleSetISA() {
	// Tests and benchmarks can pin a level; every machine has Generic.
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	if err := kernels.SetISA(kernels.Generic); err != nil {
		panic(err)
	}
	fmt.Println(kernels.ISA())
	fmt.Println(kernels.SetISA("sse9"))
	// Output:
	// generic
	// kernels: unknown instruction set "sse9" (want one of generic, avx2, avx512, neon)
}
