package fuzz_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descentlab/descent/autodiff"
	. "github.com/descentlab/descent/fuzz"
	"github.com/descentlab/descent/kernels"
	"github.com/descentlab/descent/optim"
)

// The optimizers against the naive references, over whole trajectories:
// the same starting parameters and the same sequence of gradients, every
// option combination, every level, both element types.
//
// Tolerances, relative to max(1, |p|) per element after optimSteps steps:
// float64 1e-12 (each step adds a few float64 roundings, and the kernels'
// FMAs and the references' separate multiplies and adds differ by an ulp
// or so per operation; Adam's m/√v is a well-conditioned ratio, so nothing
// amplifies them); float32 2e-5 (the same operations at float32's 6e-8, a
// few dozen per step, over 6 steps, with learning rates up to 0.1 on
// gradients of order 1).
const (
	optimSteps   = 6
	optimTol64   = 1e-12
	optimTol32   = 2e-5
	optimNParams = 3
)

// refOptimizer is a reference: one parameter vector at a time.
type refOptimizer interface{ Step(p, g []float64) }

type optimCase struct {
	name string
	ref  func() refOptimizer
	f32  func(ps []*autodiff.Tensor[float32]) optim.Optimizer
	f64  func(ps []*autodiff.Tensor[float64]) optim.Optimizer
}

func optimCases() []optimCase {
	var cs []optimCase
	for _, mom := range []float64{0, 0.9} {
		for _, damp := range []float64{0, 0.3} {
			for _, nest := range []bool{false, true} {
				for _, wd := range []float64{0, 0.01} {
					if nest && (mom == 0 || damp != 0) {
						continue
					}
					cfg := optim.SGDConfig{LR: 0.05, Momentum: mom, Dampening: damp, WeightDecay: wd, Nesterov: nest}
					cs = append(cs, optimCase{
						name: fmt.Sprintf("SGD/momentum=%g/dampening=%g/nesterov=%v/wd=%g", mom, damp, nest, wd),
						ref: func() refOptimizer {
							return &RefSGD{LR: cfg.LR, Momentum: mom, Dampening: damp, WeightDecay: wd, Nesterov: nest}
						},
						f32: func(ps []*autodiff.Tensor[float32]) optim.Optimizer { return optim.NewSGD(cfg, optim.Params(ps...)) },
						f64: func(ps []*autodiff.Tensor[float64]) optim.Optimizer { return optim.NewSGD(cfg, optim.Params(ps...)) },
					})
				}
			}
		}
	}
	for _, decoupled := range []bool{false, true} {
		for _, ams := range []bool{false, true} {
			for _, wd := range []float64{0, 0.05} {
				cfg := optim.AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd, AMSGrad: ams}
				name, newOpt32, newOpt64 := "Adam", optim.NewAdam[float32], optim.NewAdam[float64]
				if decoupled {
					name, newOpt32, newOpt64 = "AdamW", optim.NewAdamW[float32], optim.NewAdamW[float64]
				}
				cs = append(cs, optimCase{
					name: fmt.Sprintf("%s/amsgrad=%v/wd=%g", name, ams, wd),
					ref: func() refOptimizer {
						return &RefAdam{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps, WeightDecay: wd, AMSGrad: ams, Decoupled: decoupled}
					},
					f32: func(ps []*autodiff.Tensor[float32]) optim.Optimizer { return newOpt32(cfg, optim.Params(ps...)) },
					f64: func(ps []*autodiff.Tensor[float64]) optim.Optimizer { return newOpt64(cfg, optim.Params(ps...)) },
				})
			}
		}
	}
	for _, centered := range []bool{false, true} {
		for _, mom := range []float64{0, 0.8} {
			for _, wd := range []float64{0, 0.02} {
				cfg := optim.RMSpropConfig{LR: 0.01, Alpha: 0.99, Eps: 1e-8, WeightDecay: wd, Momentum: mom, Centered: centered}
				cs = append(cs, optimCase{
					name: fmt.Sprintf("RMSprop/centered=%v/momentum=%g/wd=%g", centered, mom, wd),
					ref: func() refOptimizer {
						return &RefRMSprop{LR: cfg.LR, Alpha: cfg.Alpha, Eps: cfg.Eps, WeightDecay: wd, Momentum: mom, Centered: centered}
					},
					f32: func(ps []*autodiff.Tensor[float32]) optim.Optimizer {
						return optim.NewRMSprop(cfg, optim.Params(ps...))
					},
					f64: func(ps []*autodiff.Tensor[float64]) optim.Optimizer {
						return optim.NewRMSprop(cfg, optim.Params(ps...))
					},
				})
			}
		}
	}
	for _, decay := range []float64{0, 0.1} {
		for _, wd := range []float64{0, 0.03} {
			for _, init := range []float64{0, 0.1} {
				cfg := optim.AdagradConfig{LR: 0.1, LRDecay: decay, WeightDecay: wd, InitialAccumulatorValue: init, Eps: 1e-10}
				cs = append(cs, optimCase{
					name: fmt.Sprintf("Adagrad/lr_decay=%g/wd=%g/init=%g", decay, wd, init),
					ref: func() refOptimizer {
						return &RefAdagrad{LR: cfg.LR, LRDecay: decay, WeightDecay: wd, InitialAccumulatorValue: init, Eps: cfg.Eps}
					},
					f32: func(ps []*autodiff.Tensor[float32]) optim.Optimizer {
						return optim.NewAdagrad(cfg, optim.Params(ps...))
					},
					f64: func(ps []*autodiff.Tensor[float64]) optim.Optimizer {
						return optim.NewAdagrad(cfg, optim.Params(ps...))
					},
				})
			}
		}
	}
	return cs
}

// optimData is a fixed problem: parameter vectors of awkward lengths (so
// that the kernels' vector loops and tails both run) and a gradient for
// each step.
type optimData struct {
	p0    [][]float64
	grads [][][]float64 // [step][param][i]
}

func newOptimData(seed uint64) optimData {
	rng := rand.New(rand.NewPCG(seed, 11))
	lens := []int{1, 37, 130}
	var d optimData
	for _, n := range lens[:optimNParams] {
		p := make([]float64, n)
		for i := range p {
			p[i] = float64(float32(2*rng.Float64() - 1)) // representable in float32: both types start equal
		}
		d.p0 = append(d.p0, p)
	}
	for s := 0; s < optimSteps; s++ {
		var gs [][]float64
		for _, n := range lens[:optimNParams] {
			g := make([]float64, n)
			for i := range g {
				g[i] = float64(float32(rng.NormFloat64()))
				if i%17 == 3 {
					g[i] = 0 // zero gradients: Adam's and RMSprop's 0/(0+eps) paths
				}
			}
			gs = append(gs, g)
		}
		d.grads = append(d.grads, gs)
	}
	return d
}

func (d optimData) reference(c optimCase) [][]float64 {
	var out [][]float64
	for pi, p0 := range d.p0 {
		p := append([]float64(nil), p0...)
		ref := c.ref()
		for s := range d.grads {
			ref.Step(p, d.grads[s][pi])
		}
		out = append(out, p)
	}
	return out
}

func runOptim[T kernels.Float](d optimData, newOpt func([]*autodiff.Tensor[T]) optim.Optimizer) [][]float64 {
	var ps []*autodiff.Tensor[T]
	for _, p0 := range d.p0 {
		t := autodiff.Zeros[T](len(p0)).RequireGrad()
		for i, v := range p0 {
			t.Data[i] = T(v)
		}
		ps = append(ps, t)
	}
	opt := newOpt(ps)
	for s := range d.grads {
		opt.ZeroGrad()
		for pi, p := range ps {
			g := p.Grad()
			for i, v := range d.grads[s][pi] {
				g[i] = T(v)
			}
		}
		opt.Step()
	}
	var out [][]float64
	for _, p := range ps {
		out = append(out, widen(p.Data))
	}
	return out
}

func compareTrajectory(t *testing.T, what string, got, want [][]float64, tol float64) {
	t.Helper()
	for pi := range want {
		for i := range want[pi] {
			d := math.Abs(got[pi][i] - want[pi][i])
			if !(d <= tol*math.Max(1, math.Abs(want[pi][i]))) {
				t.Errorf("%s: param %d[%d] = %.17g, reference %.17g (error %.3g > %.3g)", what, pi, i, got[pi][i], want[pi][i], d, tol)
				return
			}
		}
	}
}

func TestOptimizersAgainstReference(t *testing.T) {
	d := newOptimData(1)
	for _, c := range optimCases() {
		want := d.reference(c)
		eachLevel(t, func(l kernels.Level) {
			compareTrajectory(t, fmt.Sprintf("%s/isa=%s/f64", c.name, l), runOptim(d, c.f64), want, optimTol64)
			compareTrajectory(t, fmt.Sprintf("%s/isa=%s/f32", c.name, l), runOptim(d, c.f32), want, optimTol32)
		})
	}
}
