package optim

import (
	"math"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
)

// AdamConfig holds the hyperparameters of Adam and AdamW, named as
// torch.optim.Adam's. Start from DefaultAdam.
type AdamConfig struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	AMSGrad                            bool
}

// DefaultAdam returns torch's defaults: lr 1e-3, betas (0.9, 0.999), eps
// 1e-8, no weight decay, no amsgrad. Eps = 0 is accepted, as in torch, but a
// parameter whose gradient and moments are all zero then becomes NaN
// (0/0).
func DefaultAdam() AdamConfig {
	return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Adam is the optimizer of Kingma & Ba (2015) with the equations of
// torch.optim.Adam (and, with decoupled weight decay, torch.optim.AdamW,
// Loshchilov & Hutter 2019): for each parameter p with gradient g, on step
// t, with learning rate γ and weight decay λ,
//
//	g ← g + λ·p                  (Adam: L2 penalty)   p ← p·(1 − γλ)   (AdamW)
//	m ← β₁·m + (1 − β₁)·g
//	v ← β₂·v + (1 − β₂)·g²
//	v̂max ← max(v̂max, v)          (amsgrad; then v̂max replaces v below)
//	p ← p − (γ/(1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
type Adam[T autodiff.Float] struct {
	base[T]
	cfg       AdamConfig
	decoupled bool
}

// NewAdam returns an Adam optimizer (weight decay as an L2 penalty).
func NewAdam[T autodiff.Float](cfg AdamConfig, groups ...Group[T]) *Adam[T] {
	return newAdam("NewAdam", cfg, false, groups)
}

// NewAdamW returns an AdamW optimizer (decoupled weight decay; torch's
// default weight decay for AdamW is 0.01, set it in cfg).
func NewAdamW[T autodiff.Float](cfg AdamConfig, groups ...Group[T]) *Adam[T] {
	return newAdam("NewAdamW", cfg, true, groups)
}

func newAdam[T autodiff.Float](fn string, cfg AdamConfig, decoupled bool, groups []Group[T]) *Adam[T] {
	checkHyper(fn, "Beta1", cfg.Beta1, cfg.Beta1 >= 0 && cfg.Beta1 < 1, "[0, 1)")
	checkHyper(fn, "Beta2", cfg.Beta2, cfg.Beta2 >= 0 && cfg.Beta2 < 1, "[0, 1)")
	checkHyper(fn, "Eps", cfg.Eps, cfg.Eps >= 0, ">= 0")
	n := 2
	if cfg.AMSGrad {
		n = 3
	}
	return &Adam[T]{base: newBase(fn, cfg.LR, cfg.WeightDecay, groups, n, 0), cfg: cfg, decoupled: decoupled}
}

// Step applies one update to every parameter.
func (o *Adam[T]) Step() {
	o.step++
	t := float64(o.step)
	bc1 := 1 - math.Pow(o.cfg.Beta1, t)
	bc2 := 1 - math.Pow(o.cfg.Beta2, t)
	for gi := range o.groups {
		g := &o.groups[gi]
		a := kernels.AdamArgs[T]{Beta1: T(o.cfg.Beta1), Beta2: T(o.cfg.Beta2), Eps: T(o.cfg.Eps),
			Decay: 1, StepSize: T(g.lr / bc1), BC2Sqrt: T(math.Sqrt(bc2))}
		if o.decoupled {
			a.Decay = T(1 - g.lr*g.wd)
		} else {
			a.WeightDecay = T(g.wd)
		}
		for i, p := range g.params {
			var vmax []T
			if o.cfg.AMSGrad {
				vmax = g.state[2][i]
			}
			kernels.AdamStep(p.Data, p.Grad(), g.state[0][i], g.state[1][i], vmax, a)
		}
	}
}
