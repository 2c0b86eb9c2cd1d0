package optim

import (
	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
)

// RMSpropConfig holds the hyperparameters of RMSprop, named as
// torch.optim.RMSprop's. Start from DefaultRMSprop.
type RMSpropConfig struct {
	LR, Alpha, Eps, WeightDecay, Momentum float64
	Centered                              bool
}

// DefaultRMSprop returns torch's defaults: lr 1e-2, alpha 0.99, eps 1e-8.
func DefaultRMSprop() RMSpropConfig { return RMSpropConfig{LR: 1e-2, Alpha: 0.99, Eps: 1e-8} }

// RMSprop (Hinton's lecture 6e) with the equations of torch.optim.RMSprop:
// for each parameter p with gradient g,
//
//	g ← g + λ·p
//	v ← α·v + (1 − α)·g²
//	ḡ ← α·ḡ + (1 − α)·g,  ṽ = v − ḡ²      (centered; else ṽ = v)
//	b ← μ·b + g/(√ṽ + ε),  p ← p − γ·b      (momentum μ > 0)
//	p ← p − γ·g/(√ṽ + ε)                    (otherwise)
type RMSprop[T autodiff.Float] struct {
	base[T]
	cfg RMSpropConfig
}

// NewRMSprop returns an RMSprop optimizer.
func NewRMSprop[T autodiff.Float](cfg RMSpropConfig, groups ...Group[T]) *RMSprop[T] {
	checkHyper("NewRMSprop", "Alpha", cfg.Alpha, cfg.Alpha >= 0 && cfg.Alpha <= 1, "[0, 1]")
	checkHyper("NewRMSprop", "Eps", cfg.Eps, cfg.Eps >= 0, ">= 0")
	checkHyper("NewRMSprop", "Momentum", cfg.Momentum, cfg.Momentum >= 0, ">= 0")
	// state 0: v; 1: ḡ (centered); 2: momentum buffer. Unused ones stay
	// empty-length so that a checkpoint holds only what the options use.
	b := newBase("NewRMSprop", cfg.LR, cfg.WeightDecay, groups, 3, 0)
	for gi := range b.groups {
		if !cfg.Centered {
			clear(b.groups[gi].state[1])
		}
		if cfg.Momentum == 0 {
			clear(b.groups[gi].state[2])
		}
	}
	return &RMSprop[T]{base: b, cfg: cfg}
}

// Step applies one update to every parameter.
func (o *RMSprop[T]) Step() {
	o.step++
	for gi := range o.groups {
		g := &o.groups[gi]
		a := kernels.RMSpropArgs[T]{LR: T(g.lr), Alpha: T(o.cfg.Alpha), Eps: T(o.cfg.Eps),
			WeightDecay: T(g.wd), Momentum: T(o.cfg.Momentum), Centered: o.cfg.Centered}
		for i, p := range g.params {
			var gavg, buf []T
			if o.cfg.Centered {
				gavg = g.state[1][i]
			}
			if o.cfg.Momentum != 0 {
				buf = g.state[2][i]
			}
			kernels.RMSpropStep(p.Data, p.Grad(), g.state[0][i], gavg, buf, a)
		}
	}
}
