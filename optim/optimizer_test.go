package optim

import (
	"math"
	"testing"

	"github.com/descentlab/descent/autodiff"
)

type newOpt func(ps ...*autodiff.Tensor[float64]) Optimizer

func optimizers(sgdLR, adamLR, rmsLR, adagradLR float64) map[string]newOpt {
	return map[string]newOpt{
		"SGD": func(ps ...*autodiff.Tensor[float64]) Optimizer {
			return NewSGD(SGDConfig{LR: sgdLR}, Params(ps...))
		},
		"SGD-momentum": func(ps ...*autodiff.Tensor[float64]) Optimizer {
			return NewSGD(SGDConfig{LR: sgdLR, Momentum: 0.9}, Params(ps...))
		},
		"SGD-nesterov": func(ps ...*autodiff.Tensor[float64]) Optimizer {
			return NewSGD(SGDConfig{LR: sgdLR, Momentum: 0.9, Nesterov: true}, Params(ps...))
		},
		"Adam": func(ps ...*autodiff.Tensor[float64]) Optimizer {
			c := DefaultAdam()
			c.LR = adamLR
			return NewAdam(c, Params(ps...))
		},
		"AdamW-amsgrad": func(ps ...*autodiff.Tensor[float64]) Optimizer {
			c := DefaultAdam()
			c.LR, c.AMSGrad = adamLR, true
			return NewAdamW(c, Params(ps...))
		},
		"RMSprop": func(ps ...*autodiff.Tensor[float64]) Optimizer {
			c := DefaultRMSprop()
			c.LR = rmsLR
			return NewRMSprop(c, Params(ps...))
		},
		"RMSprop-centered-momentum": func(ps ...*autodiff.Tensor[float64]) Optimizer {
			c := DefaultRMSprop()
			c.LR, c.Centered, c.Momentum = rmsLR/10, true, 0.9
			return NewRMSprop(c, Params(ps...))
		},
		"Adagrad": func(ps ...*autodiff.Tensor[float64]) Optimizer {
			c := DefaultAdagrad()
			c.LR = adagradLR
			return NewAdagrad(c, Params(ps...))
		},
	}
}

// minimise runs opt on f from x0 (grad computes ∇f) and returns the final
// point.
func minimise(mk newOpt, x0 []float64, grad func(x, g []float64), steps int) []float64 {
	x := autodiff.New(append([]float64(nil), x0...), len(x0)).RequireGrad()
	opt := mk(x)
	for i := 0; i < steps; i++ {
		opt.ZeroGrad()
		grad(x.Data, x.Grad())
		opt.Step()
	}
	return x.Data
}

// TestConvergeBowl: every optimizer reaches the minimum of an elongated
// quadratic bowl f = (x² + 10y²)/2 from (3, −2).
func TestConvergeBowl(t *testing.T) {
	grad := func(x, g []float64) { g[0], g[1] = x[0], 10*x[1] }
	for name, mk := range optimizers(0.05, 0.05, 0.001, 0.5) {
		x := minimise(mk, []float64{3, -2}, grad, 5000)
		if d := math.Hypot(x[0], x[1]); !(d < 1e-3) {
			t.Errorf("%s: ended at %v, %.3g from the minimum", name, x, d)
		}
	}
}

// TestConvergeRosenbrock: every optimizer reaches the minimum (1, 1) of
// Rosenbrock's valley f = (1−x)² + 100(y−x²)² from (−1.5, 2).
func TestConvergeRosenbrock(t *testing.T) {
	grad := func(x, g []float64) {
		g[0] = -2*(1-x[0]) - 400*x[0]*(x[1]-x[0]*x[0])
		g[1] = 200 * (x[1] - x[0]*x[0])
	}
	for name, mk := range optimizers(1e-3, 0.02, 1e-3, 0.5) {
		x := minimise(mk, []float64{-1.5, 2}, grad, 40000)
		if d := math.Hypot(x[0]-1, x[1]-1); !(d < 1e-2) {
			t.Errorf("%s: ended at %v, %.3g from the minimum", name, x, d)
		}
	}
}
