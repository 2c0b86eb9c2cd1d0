package optim

import (
	"fmt"
	"math"

	"github.com/descentlab/descent/autodiff"
)

// Optimizer is what every optimizer of this package does. It is also an
// LRGroups, so that any schedule can drive it.
type Optimizer interface {
	// Step updates every parameter from its current gradient.
	Step()
	// ZeroGrad resets every parameter's gradient to zero (without touching
	// memory: see autodiff.Tensor.ZeroGrad).
	ZeroGrad()
	// LR returns the learning rate of the first group; SetLR sets every
	// group's.
	LR() float64
	SetLR(lr float64)
	LRGroups
	// MarshalBinary saves the optimizer's state (step count, per-group
	// learning rate and weight decay, hyperparameters and every state
	// buffer, bit for bit); UnmarshalBinary restores it into an optimizer of
	// the same kind, element type and options over the same number of
	// parameters with the same numbers of elements (shapes are not stored:
	// a 3×4 state restores into a 4×3 parameter), or says what differs.
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
}

// Group is a set of parameters that share a learning rate and a weight
// decay. Build one with Params; a group that sets neither takes the
// optimizer's.
type Group[T autodiff.Float] struct {
	Params       []*autodiff.Tensor[T]
	lr, wd       float64
	setLR, setWD bool
}

// Params returns a group of the given parameters with the optimizer's
// learning rate and weight decay.
func Params[T autodiff.Float](ps ...*autodiff.Tensor[T]) Group[T] {
	return Group[T]{Params: ps}
}

// WithLR returns g with its own learning rate.
func (g Group[T]) WithLR(lr float64) Group[T] {
	g.lr, g.setLR = lr, true
	return g
}

// WithWeightDecay returns g with its own weight decay (0 for the usual "no
// decay on biases and normalisation parameters").
func (g Group[T]) WithWeightDecay(wd float64) Group[T] {
	g.wd, g.setWD = wd, true
	return g
}

// SplitDecay returns two groups of ps: the matrices (weights), which take
// the optimizer's weight decay, and the vectors and scalars (biases,
// BatchNorm's gamma and beta), which take none — the usual recipe.
func SplitDecay[T autodiff.Float](ps []*autodiff.Tensor[T]) []Group[T] {
	var w, b []*autodiff.Tensor[T]
	for _, p := range ps {
		if len(p.Shape()) == 2 {
			w = append(w, p)
		} else {
			b = append(b, p)
		}
	}
	return []Group[T]{Params(w...), Params(b...).WithWeightDecay(0)}
}

// group is a Group resolved against the optimizer's defaults, with its
// state: state[k][i] is state buffer k of parameter i.
type group[T autodiff.Float] struct {
	params []*autodiff.Tensor[T]
	lr, wd float64
	state  [][][]T
}

// base is what the optimizers share: groups, per-parameter state buffers,
// the step count.
type base[T autodiff.Float] struct {
	kind   string
	groups []group[T]
	step   int64
}

func checkHyper(fn, name string, v float64, ok bool, want string) {
	if !ok || math.IsNaN(v) {
		panic(fmt.Sprintf("optim: %s: %s=%v, want %s", fn, name, v, want))
	}
}

// newBase resolves the groups and allocates nStates state buffers per
// parameter, filled with init.
func newBase[T autodiff.Float](fn string, lr, wd float64, groups []Group[T], nStates int, init T) base[T] {
	if len(groups) == 0 {
		panic(fmt.Sprintf("optim: %s: no parameter groups (pass optim.Params(model.Params()...))", fn))
	}
	b := base[T]{kind: fn[len("New"):]}
	seen := map[*autodiff.Tensor[T]]bool{}
	for gi, g := range groups {
		r := group[T]{params: g.Params, lr: lr, wd: wd, state: make([][][]T, nStates)}
		if g.setLR {
			r.lr = g.lr
		}
		if g.setWD {
			r.wd = g.wd
		}
		checkHyper(fn, fmt.Sprintf("group %d learning rate", gi), r.lr, r.lr >= 0, ">= 0")
		checkHyper(fn, fmt.Sprintf("group %d weight decay", gi), r.wd, r.wd >= 0, ">= 0")
		for pi, p := range g.Params {
			if p == nil || !p.RequiresGrad() {
				panic(fmt.Sprintf("optim: %s: group %d parameter %d does not require a gradient", fn, gi, pi))
			}
			if seen[p] {
				panic(fmt.Sprintf("optim: %s: group %d parameter %d (%v) appears twice", fn, gi, pi, p))
			}
			seen[p] = true
		}
		for k := range r.state {
			r.state[k] = make([][]T, len(g.Params))
			for i, p := range g.Params {
				s := make([]T, len(p.Data))
				if init != 0 {
					for j := range s {
						s[j] = init
					}
				}
				r.state[k][i] = s
			}
		}
		b.groups = append(b.groups, r)
	}
	return b
}

// ZeroGrad resets every parameter's gradient.
func (b *base[T]) ZeroGrad() {
	for gi := range b.groups {
		for _, p := range b.groups[gi].params {
			p.ZeroGrad()
		}
	}
}

// LR returns the first group's learning rate.
func (b *base[T]) LR() float64 { return b.groups[0].lr }

// SetLR sets every group's learning rate.
func (b *base[T]) SetLR(lr float64) {
	for i := range b.groups {
		b.SetGroupLR(i, lr)
	}
}

// NumGroups returns the number of parameter groups.
func (b *base[T]) NumGroups() int { return len(b.groups) }

// GroupLR returns group i's learning rate.
func (b *base[T]) GroupLR(i int) float64 { return b.groups[i].lr }

// SetGroupLR sets group i's learning rate (>= 0).
func (b *base[T]) SetGroupLR(i int, lr float64) {
	checkHyper("SetGroupLR", "lr", lr, lr >= 0, ">= 0")
	b.groups[i].lr = lr
}

// Steps returns the number of steps taken.
func (b *base[T]) Steps() int64 { return b.step }
