package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/nn"
	"github.com/descentlab/descent/optim"
)

// A 64-32-10 MLP learns the embedded digits with mini-batch Adam.
func Example() {
	train, test := nn.Digits()
	rng := rand.New(rand.NewPCG(1, 2))
	model := nn.MLP([]int{64, 32, 10}, func() nn.Layer[float32] { return nn.ReLU[float32]{} }, nn.HeUniform, rng)
	opt := optim.NewAdam(optim.AdamConfig{LR: 3e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, optim.Params(model.Params()...))

	batches := nn.NewBatches(train.Len(), 32, true, 1, true) // drop the short last batch: one shape
	x, y := autodiff.Zeros[float32](32, train.Features), make([]int, 32)
	tp := autodiff.NewTape[float32]()
	for epoch := 0; epoch < 15; epoch++ {
		for batches.Next() {
			nn.Gather(train, batches.Indices(), x.Data, y)
			tp.Reset()
			opt.ZeroGrad()
			loss := nn.CrossEntropy(tp, model.Forward(tp, x), y)
			if err := tp.Backward(loss); err != nil {
				panic(err)
			}
			opt.Step()
		}
		batches.Reset()
	}
	tp.Reset()
	logits := model.Forward(tp, autodiff.New(test.X, test.Len(), test.Features))
	fmt.Println(nn.Accuracy(logits, test.Y) > 0.95)
	// Output: true
}
