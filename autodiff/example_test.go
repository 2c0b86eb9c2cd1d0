package autodiff_test

import (
	"fmt"

	"github.com/descentlab/descent/autodiff"
)

// A linear model's loss and its gradients: d loss/d w = 2/n · xᵀ(xw − y).
func Example() {
	x := autodiff.New([]float64{1, 2, 3, 4}, 2, 2) // two samples, two features
	w := autodiff.New([]float64{0.5, -1}, 2, 1).RequireGrad()
	y := autodiff.New([]float64{1, 0}, 2, 1)

	tp := autodiff.NewTape[float64]()
	loss := tp.MSE(tp.MatMul(x, w), y)
	if err := tp.Backward(loss); err != nil {
		panic(err)
	}
	fmt.Printf("loss %.4g\n", loss.Item())
	fmt.Printf("d loss/d w %.4g\n", w.Grad())
	// Output:
	// loss 6.25
	// d loss/d w [-10 -15]
}

// GradCheck holds the tape's gradients against central differences.
func ExampleGradCheck() {
	a := autodiff.New([]float64{0.3, -1.2, 2.0, 0.7}, 2, 2).RequireGrad()
	f := func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] {
		return tp.Sum(tp.Tanh(tp.MatMul(a, a)))
	}
	res, err := autodiff.GradCheck(f, []*autodiff.Tensor[float64]{a}, 1e-6, 1e-6)
	fmt.Println(err, res.MaxRelErr < 1e-6)
	// Output: <nil> true
}
