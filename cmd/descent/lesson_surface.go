package main

import (
	"math/rand/v2"

	"gonum.org/v1/plot/plotter"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/optim"
)

// lessonSurface is a function of two variables evaluated at many points at
// once: x and y are vectors of coordinates and the result is the vector of
// values, recorded on tp. Summing the values gives a loss whose gradient
// with respect to (x[i], y[i]) is the gradient of f at point i alone, so
// that one tape runs a whole grid of independent descents (every optimizer
// of optim updates element by element).
type lessonSurface func(tp *autodiff.Tape[float64], x, y *autodiff.Tensor[float64]) *autodiff.Tensor[float64]

// lessonConst returns a constant vector of n copies of v.
func lessonConst(n int, v float64) *autodiff.Tensor[float64] {
	t := autodiff.Zeros[float64](n)
	for i := range t.Data {
		t.Data[i] = v
	}
	return t
}

// lessonEval writes f at the points (xs[i], ys[i]) to z.
func lessonEval(f lessonSurface, xs, ys, z []float64) {
	tp := autodiff.NewTape[float64]()
	x := autodiff.New(append([]float64(nil), xs...), len(xs))
	y := autodiff.New(append([]float64(nil), ys...), len(ys))
	copy(z, f(tp, x, y).Data)
}

// lessonNewOpt builds an optimizer over the coordinates being descended.
type lessonNewOpt func(ps ...*autodiff.Tensor[float64]) optim.Optimizer

// lessonDescend runs steps steps of the optimizer newOpt builds on f from
// the points (x0[i], y0[i]) and returns the path of each point (its start
// first). With noise > 0 every gradient element gets N(0, noise²) added
// before each step, drawn from rng: stochastic gradient descent's noise,
// without the data.
func lessonDescend(f lessonSurface, x0, y0 []float64, newOpt lessonNewOpt, steps int, noise float64, rng *rand.Rand) []plotter.XYs {
	n := len(x0)
	x := autodiff.New(append([]float64(nil), x0...), n).RequireGrad()
	y := autodiff.New(append([]float64(nil), y0...), n).RequireGrad()
	opt := newOpt(x, y)
	paths := make([]plotter.XYs, n)
	for i := range paths {
		paths[i] = make(plotter.XYs, 1, steps+1)
		paths[i][0] = plotter.XY{X: x0[i], Y: y0[i]}
	}
	tp := autodiff.NewTape[float64]()
	for range steps {
		tp.Reset()
		opt.ZeroGrad()
		loss := tp.Sum(f(tp, x, y))
		if err := tp.Backward(loss); err != nil {
			panic(err) // the surfaces are built from x and y: a programming error
		}
		if noise > 0 {
			for _, g := range [][]float64{x.Grad(), y.Grad()} {
				for i := range g {
					g[i] += noise * rng.NormFloat64()
				}
			}
		}
		opt.Step()
		for i := range paths {
			paths[i] = append(paths[i], plotter.XY{X: x.Data[i], Y: y.Data[i]})
		}
	}
	return paths
}

// lessonGD, lessonMomentum and lessonAdam are the optimizers the surface
// lessons compare.
func lessonGD(lr float64) lessonNewOpt {
	return func(ps ...*autodiff.Tensor[float64]) optim.Optimizer {
		return optim.NewSGD(optim.SGDConfig{LR: lr}, optim.Params(ps...))
	}
}

func lessonMomentum(lr, mu float64) lessonNewOpt {
	return func(ps ...*autodiff.Tensor[float64]) optim.Optimizer {
		return optim.NewSGD(optim.SGDConfig{LR: lr, Momentum: mu}, optim.Params(ps...))
	}
}

func lessonAdam(lr float64) lessonNewOpt {
	return func(ps ...*autodiff.Tensor[float64]) optim.Optimizer {
		cfg := optim.DefaultAdam()
		cfg.LR = lr
		return optim.NewAdam(cfg, optim.Params(ps...))
	}
}
