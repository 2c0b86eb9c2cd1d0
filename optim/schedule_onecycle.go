package optim

import (
	"fmt"
	"math"
	"slices"
)

// Anneal is how OneCycleLR moves between two learning rates within a phase.
type Anneal int

const (
	// AnnealCos follows half a cosine: end + (start - end) / 2 * (cos(pi * pct) + 1).
	AnnealCos Anneal = iota
	// AnnealLinear is a straight line: (end - start) * pct + start.
	AnnealLinear
)

func (a Anneal) String() string {
	switch a {
	case AnnealCos:
		return "cos"
	case AnnealLinear:
		return "linear"
	}
	return fmt.Sprintf("Anneal(%d)", int(a))
}

// OneCycleConfig holds the settings of OneCycleLR, named as torch.optim.lr_scheduler.OneCycleLR's
// arguments. Start from DefaultOneCycle and set MaxLR and TotalSteps.
type OneCycleConfig struct {
	// MaxLR is the peak learning rate: one value for every group, or one per group (torch's max_lr,
	// a float or a list). Required.
	MaxLR []float64
	// TotalSteps is the number of steps in the cycle (torch's total_steps, or epochs *
	// steps_per_epoch). Required.
	TotalSteps int
	// PctStart is the fraction of the steps spent raising the learning rate (torch's pct_start).
	PctStart float64
	// Anneal is the annealing strategy (torch's anneal_strategy).
	Anneal Anneal
	// DivFactor sets initial_lr = max_lr / DivFactor (torch's div_factor).
	DivFactor float64
	// FinalDivFactor sets min_lr = initial_lr / FinalDivFactor (torch's final_div_factor).
	FinalDivFactor float64
	// ThreePhase selects torch's three_phase schedule: up to max_lr, back down to initial_lr
	// symmetrically, then down to min_lr.
	ThreePhase bool
}

// DefaultOneCycle returns torch's defaults: PctStart 0.3, AnnealCos, DivFactor 25, FinalDivFactor
// 1e4, two phases. MaxLR and TotalSteps are left for the caller to set.
func DefaultOneCycle() OneCycleConfig {
	return OneCycleConfig{PctStart: 0.3, Anneal: AnnealCos, DivFactor: 25, FinalDivFactor: 1e4}
}

// OneCycleLR is the 1cycle policy of Smith and Topin (torch.optim.lr_scheduler.OneCycleLR): the
// learning rate rises from initial_lr to max_lr and then falls to min_lr, over TotalSteps steps;
// Step is meant to be called after every batch. With
//
//	initial_lr = max_lr / div_factor
//	min_lr     = initial_lr / final_div_factor
//
// the phases, as torch's _schedule_phases, are (end_step is a float64, as in torch)
//
//	two phases:   [0, pct_start*total_steps - 1]: initial_lr -> max_lr
//	              [.., total_steps - 1]:          max_lr -> min_lr
//	three phases: [0, pct_start*total_steps - 1]:   initial_lr -> max_lr
//	              [.., 2*pct_start*total_steps - 2]: max_lr -> initial_lr
//	              [.., total_steps - 1]:            initial_lr -> min_lr
//
// and at step s, in the first phase whose end_step >= s (or the last phase), with start_step the
// end_step of the phase before (0 for the first),
//
//	pct = (s - start_step) / (end_step - start_step)
//	cos:    lr = end + (start - end) / 2 * (cos(pi * pct) + 1)
//	linear: lr = (end - start) * pct + start
//
// The base learning rates the optimizer had are ignored, as in torch; initial_lr plays their part.
// As torch, Step may be called TotalSteps times (the last call, in a loop that steps after every
// batch, sets a learning rate that is never used); one more call is a programmer error and panics
// (torch raises ValueError), leaving the schedule unchanged. At step TotalSteps torch extrapolates
// the last phase past its end (pct > 1), which with linear annealing goes below zero, a learning
// rate optimizers refuse; this type holds the final learning rate there instead (pct = 1).
// Every other step is torch's value.
//
// torch also cycles momentum (or Adam's beta1) inversely to the learning rate by default
// (cycle_momentum); this type does not: it drives learning rates only.
type OneCycleLR struct {
	schedCore
	totalSteps     int
	maxLRs         []float64
	minLRs         []float64
	pctStart       float64
	anneal         Anneal
	divFactor      float64
	finalDivFactor float64
	threePhase     bool
	phases         []oneCyclePhase
}

// oneCyclePhase goes from start to end (indices into [initial, max, min]) until step endStep.
type oneCyclePhase struct {
	endStep    float64
	start, end int
}

// NewOneCycleLR returns a OneCycleLR over opt, which it sets to the step-0 learning rates
// (initial_lr). It panics if TotalSteps < 1; if MaxLR has neither one value nor one per group, or a
// value that is not positive and finite; unless 0 <= PctStart <= 1; if DivFactor or
// FinalDivFactor is not positive and finite; if the anneal strategy is unknown; or if a phase has
// length zero (e.g. PctStart*TotalSteps == 1, where torch divides by zero).
func NewOneCycleLR(opt LRGroups, cfg OneCycleConfig) *OneCycleLR {
	core := newSchedCore("NewOneCycleLR", opt)
	maxLRs := slices.Clone(cfg.MaxLR)
	if len(maxLRs) == 1 {
		maxLRs = slices.Repeat(maxLRs, len(core.base))
	}
	s := &OneCycleLR{schedCore: core, totalSteps: cfg.TotalSteps, maxLRs: maxLRs, pctStart: cfg.PctStart,
		anneal: cfg.Anneal, divFactor: cfg.DivFactor, finalDivFactor: cfg.FinalDivFactor, threePhase: cfg.ThreePhase}
	if err := s.check(); err != nil {
		panic("optim: NewOneCycleLR: " + err.Error())
	}
	s.base = make([]float64, len(s.maxLRs))
	s.minLRs = make([]float64, len(s.maxLRs))
	for i, m := range s.maxLRs {
		s.base[i] = m / s.divFactor
		s.minLRs[i] = s.base[i] / s.finalDivFactor
	}
	s.apply()
	return s
}

// check validates the settings and builds the phases.
func (s *OneCycleLR) check() error {
	if s.totalSteps < 1 {
		return fmt.Errorf("TotalSteps=%d, want >= 1", s.totalSteps)
	}
	if len(s.maxLRs) != len(s.base) {
		return fmt.Errorf("len(MaxLR)=%d, want 1 or one per param group (%d)", len(s.maxLRs), len(s.base))
	}
	for i, m := range s.maxLRs {
		if !(m > 0) || math.IsInf(m, 1) {
			return fmt.Errorf("MaxLR[%d]=%v, want finite and > 0", i, m)
		}
	}
	if !(s.pctStart >= 0 && s.pctStart <= 1) {
		return fmt.Errorf("PctStart=%v, want 0 <= PctStart <= 1", s.pctStart)
	}
	if s.anneal != AnnealCos && s.anneal != AnnealLinear {
		return fmt.Errorf("Anneal=%v, want AnnealCos or AnnealLinear", s.anneal)
	}
	if !(s.divFactor > 0) || math.IsInf(s.divFactor, 1) {
		return fmt.Errorf("DivFactor=%v, want finite and > 0", s.divFactor)
	}
	if !(s.finalDivFactor > 0) || math.IsInf(s.finalDivFactor, 1) {
		return fmt.Errorf("FinalDivFactor=%v, want finite and > 0", s.finalDivFactor)
	}
	const initial, peak, floor = 0, 1, 2
	t := float64(s.totalSteps)
	// float64(x*t) rounds the product before the subtraction, as Python
	// does; without it Go may fuse x*t − 1 into one FMA (arm64 does), which
	// moves phase boundaries such as 0.1·10 − 1 off zero.
	end := float64(s.pctStart * t)
	if s.threePhase {
		s.phases = []oneCyclePhase{
			{end - 1, initial, peak},
			{2*end - 2, peak, initial},
			{t - 1, initial, floor},
		}
	} else {
		s.phases = []oneCyclePhase{
			{end - 1, initial, peak},
			{t - 1, peak, floor},
		}
	}
	start := 0.0
	for i, p := range s.phases {
		if p.endStep == start {
			return fmt.Errorf("phase %d of TotalSteps=%d, PctStart=%v, ThreePhase=%v is empty (torch divides by zero)",
				i+1, s.totalSteps, s.pctStart, s.threePhase)
		}
		start = p.endStep
	}
	return nil
}

// Step advances one step and sets the learning rates. It panics if the schedule has already taken
// TotalSteps steps.
func (s *OneCycleLR) Step() {
	if s.epoch >= s.totalSteps {
		panic(fmt.Sprintf("optim: OneCycleLR.Step: tried to step %d times, TotalSteps=%d", s.epoch+1, s.totalSteps))
	}
	s.epoch++
	s.apply()
}

func (s *OneCycleLR) restart() { s.epoch = 0; s.apply() }

func (s *OneCycleLR) apply() {
	step := float64(s.epoch)
	s.set(func(i int) float64 {
		lrs := [3]float64{s.base[i], s.maxLRs[i], s.minLRs[i]}
		start := 0.0
		for k, p := range s.phases {
			if step <= p.endStep || k == len(s.phases)-1 {
				pct := (step - start) / (p.endStep - start)
				if pct > 1 { // only at step TotalSteps: see the type's doc
					pct = 1
				}
				a, b := lrs[p.start], lrs[p.end]
				if s.anneal == AnnealLinear {
					return (b-a)*pct + a
				}
				return b + (a-b)/2.0*(math.Cos(math.Pi*pct)+1)
			}
			start = p.endStep
		}
		panic("unreachable")
	})
}

// MarshalBinary saves the schedule's state (see Scheduler).
func (s *OneCycleLR) MarshalBinary() ([]byte, error) {
	w := s.encode("OneCycleLR")
	w.int(s.totalSteps)
	w.f64s(s.maxLRs)
	w.f64s(s.minLRs)
	w.f64(s.pctStart)
	w.int(int(s.anneal))
	w.f64(s.divFactor)
	w.f64(s.finalDivFactor)
	w.bool(s.threePhase)
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary (see Scheduler).
func (s *OneCycleLR) UnmarshalBinary(data []byte) error {
	t := *s
	err := t.decode("OneCycleLR", data, func(r *schedReader) error {
		t.totalSteps, t.maxLRs, t.minLRs = r.int(), r.f64s(), r.f64s()
		t.pctStart, t.anneal, t.divFactor, t.finalDivFactor = r.f64(), Anneal(r.int()), r.f64(), r.f64()
		t.threePhase = r.bool()
		if r.err != nil {
			return nil
		}
		if len(t.minLRs) != len(t.maxLRs) {
			return fmt.Errorf("%d min LRs for %d max LRs", len(t.minLRs), len(t.maxLRs))
		}
		if err := checkLRs("min LR", t.minLRs); err != nil {
			return err
		}
		return t.check()
	})
	if err != nil {
		return err
	}
	if t.epoch > t.totalSteps {
		return fmt.Errorf("optim: restore OneCycleLR: invalid state: step %d > TotalSteps=%d", t.epoch, t.totalSteps)
	}
	*s = t
	s.push()
	return nil
}
