package optim

import (
	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
)

// AdagradConfig holds the hyperparameters of Adagrad, named as
// torch.optim.Adagrad's. Start from DefaultAdagrad.
type AdagradConfig struct {
	LR, LRDecay, WeightDecay, InitialAccumulatorValue, Eps float64
}

// DefaultAdagrad returns torch's defaults: lr 1e-2, eps 1e-10.
func DefaultAdagrad() AdagradConfig { return AdagradConfig{LR: 1e-2, Eps: 1e-10} }

// Adagrad (Duchi et al., 2011) with the equations of torch.optim.Adagrad:
// for each parameter p with gradient g, on step t,
//
//	γ̃ = γ / (1 + (t − 1)·η)       (learning-rate decay η)
//	g ← g + λ·p
//	s ← s + g²                      (s starts at the initial accumulator value)
//	p ← p − γ̃·g/(√s + ε)
type Adagrad[T autodiff.Float] struct {
	base[T]
	cfg AdagradConfig
}

// NewAdagrad returns an Adagrad optimizer.
func NewAdagrad[T autodiff.Float](cfg AdagradConfig, groups ...Group[T]) *Adagrad[T] {
	checkHyper("NewAdagrad", "LRDecay", cfg.LRDecay, cfg.LRDecay >= 0, ">= 0")
	checkHyper("NewAdagrad", "InitialAccumulatorValue", cfg.InitialAccumulatorValue, cfg.InitialAccumulatorValue >= 0, ">= 0")
	checkHyper("NewAdagrad", "Eps", cfg.Eps, cfg.Eps >= 0, ">= 0")
	return &Adagrad[T]{base: newBase("NewAdagrad", cfg.LR, cfg.WeightDecay, groups, 1, T(cfg.InitialAccumulatorValue)), cfg: cfg}
}

// Step applies one update to every parameter.
func (o *Adagrad[T]) Step() {
	o.step++
	for gi := range o.groups {
		g := &o.groups[gi]
		clr := g.lr / (1 + float64(o.step-1)*o.cfg.LRDecay)
		a := kernels.AdagradArgs[T]{LR: T(clr), Eps: T(o.cfg.Eps), WeightDecay: T(g.wd)}
		for i, p := range g.params {
			kernels.AdagradStep(p.Data, p.Grad(), g.state[0][i], a)
		}
	}
}
