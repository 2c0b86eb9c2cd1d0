package optim_test

import (
	"fmt"
	"math"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/optim"
)

// Adam on f(x, y) = x² + 10y², with the gradient written in by hand (in a
// model, Backward writes it).
func Example() {
	p := autodiff.New([]float64{3, -2}, 2).RequireGrad()
	opt := optim.NewAdam(optim.AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, optim.Params(p))
	for step := 0; step < 500; step++ {
		opt.ZeroGrad()
		g := p.Grad()
		g[0], g[1] = 2*p.Data[0], 20*p.Data[1]
		opt.Step()
	}
	fmt.Printf("|x| < 1e-3: %v, |y| < 1e-3: %v\n", math.Abs(p.Data[0]) < 1e-3, math.Abs(p.Data[1]) < 1e-3)
	// Output: |x| < 1e-3: true, |y| < 1e-3: true
}
