package optim

import (
	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
)

// SGDConfig holds the hyperparameters of SGD, named as torch.optim.SGD's.
type SGDConfig struct {
	LR, Momentum, Dampening, WeightDecay float64
	Nesterov                             bool
}

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and L2 weight decay, as torch.optim.SGD: for each
// parameter p with gradient g, on step t,
//
//	g ← g + λ·p                           (weight decay λ)
//	b ← g                        (t = 1)  (momentum μ ≠ 0)
//	b ← μ·b + (1 − τ)·g          (t > 1)  (dampening τ)
//	g ← g + μ·b  (Nesterov)  or  g ← b
//	p ← p − γ·g                           (learning rate γ)
type SGD[T autodiff.Float] struct {
	base[T]
	cfg SGDConfig
}

// NewSGD returns an SGD optimizer over the groups. It panics on a negative
// hyperparameter, and on Nesterov without momentum or with dampening (as
// torch does).
func NewSGD[T autodiff.Float](cfg SGDConfig, groups ...Group[T]) *SGD[T] {
	checkHyper("NewSGD", "Momentum", cfg.Momentum, cfg.Momentum >= 0, ">= 0")
	checkHyper("NewSGD", "Dampening", cfg.Dampening, cfg.Dampening >= 0, ">= 0")
	if cfg.Nesterov && (cfg.Momentum <= 0 || cfg.Dampening != 0) {
		panic("optim: NewSGD: Nesterov momentum requires Momentum > 0 and Dampening = 0")
	}
	n := 0
	if cfg.Momentum != 0 {
		n = 1
	}
	return &SGD[T]{base: newBase("NewSGD", cfg.LR, cfg.WeightDecay, groups, n, 0), cfg: cfg}
}

// Step applies one update to every parameter.
func (o *SGD[T]) Step() {
	o.step++
	for gi := range o.groups {
		g := &o.groups[gi]
		a := kernels.SGDArgs[T]{LR: T(g.lr), Momentum: T(o.cfg.Momentum), Dampening: T(o.cfg.Dampening),
			WeightDecay: T(g.wd), Nesterov: o.cfg.Nesterov, First: o.step == 1}
		for i, p := range g.params {
			var buf []T
			if len(g.state) > 0 {
				buf = g.state[0][i]
			}
			kernels.SGDStep(p.Data, p.Grad(), buf, a)
		}
	}
}
