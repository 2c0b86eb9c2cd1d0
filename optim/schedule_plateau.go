package optim

import (
	"fmt"
	"math"
	"slices"
)

// PlateauMode says whether ReduceLROnPlateau watches a metric that should fall or rise.
type PlateauMode int

const (
	// PlateauMin: lower is better (a loss); torch's mode="min".
	PlateauMin PlateauMode = iota
	// PlateauMax: higher is better (an accuracy); torch's mode="max".
	PlateauMax
)

func (m PlateauMode) String() string {
	switch m {
	case PlateauMin:
		return "min"
	case PlateauMax:
		return "max"
	}
	return fmt.Sprintf("PlateauMode(%d)", int(m))
}

// ThresholdMode says how ReduceLROnPlateau's threshold measures a significant improvement.
type ThresholdMode int

const (
	// ThresholdRel: relative to the best value so far; torch's threshold_mode="rel".
	ThresholdRel ThresholdMode = iota
	// ThresholdAbs: an absolute difference; torch's threshold_mode="abs".
	ThresholdAbs
)

func (m ThresholdMode) String() string {
	switch m {
	case ThresholdRel:
		return "rel"
	case ThresholdAbs:
		return "abs"
	}
	return fmt.Sprintf("ThresholdMode(%d)", int(m))
}

// PlateauConfig holds the settings of ReduceLROnPlateau, named as
// torch.optim.lr_scheduler.ReduceLROnPlateau's arguments. Start from DefaultPlateau.
type PlateauConfig struct {
	// Mode says whether the metric should fall or rise (torch's mode).
	Mode PlateauMode
	// Factor multiplies the learning rate at a reduction (torch's factor).
	Factor float64
	// Patience is how many bad epochs are tolerated before a reduction (torch's patience).
	Patience int
	// Threshold is the improvement that counts (torch's threshold).
	Threshold float64
	// ThresholdMode says how Threshold applies (torch's threshold_mode).
	ThresholdMode ThresholdMode
	// Cooldown is how many epochs after a reduction bad epochs are ignored (torch's cooldown).
	Cooldown int
	// MinLR is the floor of the learning rate: none (0), one value for every group, or one per
	// group (torch's min_lr, a float or a list).
	MinLR []float64
	// Eps is the smallest change of learning rate worth making (torch's eps).
	Eps float64
}

// DefaultPlateau returns torch's defaults: PlateauMin, Factor 0.1, Patience 10, Threshold 1e-4,
// ThresholdRel, Cooldown 0, MinLR 0, Eps 1e-8.
func DefaultPlateau() PlateauConfig {
	return PlateauConfig{Mode: PlateauMin, Factor: 0.1, Patience: 10, Threshold: 1e-4,
		ThresholdMode: ThresholdRel, Eps: 1e-8}
}

// ReduceLROnPlateau multiplies the learning rates by a factor when a metric has stopped improving
// for a while (torch.optim.lr_scheduler.ReduceLROnPlateau). Its Step takes the metric, so it is not
// a Scheduler. It does not change the learning rates when built. Each Step(metric) does exactly
// what torch's step(metrics) does:
//
//	last_epoch += 1
//	if is_better(metric, best): best = metric; num_bad_epochs = 0
//	else:                       num_bad_epochs += 1
//	if cooldown_counter > 0:    cooldown_counter -= 1; num_bad_epochs = 0  # in cooldown
//	if num_bad_epochs > patience:
//	    for each group: new_lr = max(old_lr * factor, min_lr)
//	                    if old_lr - new_lr > eps: lr = new_lr
//	    cooldown_counter = cooldown; num_bad_epochs = 0
//
// with best starting at +Inf (mode min) or -Inf (mode max) and
//
//	min, rel: is_better = metric < best * (1 - threshold)
//	min, abs: is_better = metric < best - threshold
//	max, rel: is_better = metric > best * (1 + threshold)
//	max, abs: is_better = metric > best + threshold
//
// old_lr is read from the optimizer at each reduction, as torch does, so a learning rate changed by
// someone else is reduced from its new value. A NaN metric is never better (every comparison with
// NaN is false, in torch as here), so it counts as a bad epoch and never becomes the best.
type ReduceLROnPlateau struct {
	schedCore
	mode            PlateauMode
	factor          float64
	patience        int
	threshold       float64
	thresholdMode   ThresholdMode
	cooldown        int
	minLRs          []float64
	eps             float64
	best            float64
	numBadEpochs    int
	cooldownCounter int
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau over opt. It panics unless 0 < Factor < 1
// (torch only requires Factor < 1; a Factor <= 0 would drop straight to MinLR), Patience >= 0,
// Cooldown >= 0, Threshold and Eps are finite and >= 0, MinLR has no value, one, or one per group,
// each finite and >= 0, and the modes are known.
func NewReduceLROnPlateau(opt LRGroups, cfg PlateauConfig) *ReduceLROnPlateau {
	core := newSchedCore("NewReduceLROnPlateau", opt)
	minLRs := slices.Clone(cfg.MinLR)
	switch len(minLRs) {
	case 0:
		minLRs = make([]float64, len(core.base))
	case 1:
		minLRs = slices.Repeat(minLRs, len(core.base))
	}
	s := &ReduceLROnPlateau{schedCore: core, mode: cfg.Mode, factor: cfg.Factor, patience: cfg.Patience,
		threshold: cfg.Threshold, thresholdMode: cfg.ThresholdMode, cooldown: cfg.Cooldown, minLRs: minLRs,
		eps: cfg.Eps}
	if err := s.check(); err != nil {
		panic("optim: NewReduceLROnPlateau: " + err.Error())
	}
	s.best = s.worst()
	return s
}

func (s *ReduceLROnPlateau) check() error {
	switch {
	case s.mode != PlateauMin && s.mode != PlateauMax:
		return fmt.Errorf("Mode=%v, want PlateauMin or PlateauMax", s.mode)
	case s.thresholdMode != ThresholdRel && s.thresholdMode != ThresholdAbs:
		return fmt.Errorf("ThresholdMode=%v, want ThresholdRel or ThresholdAbs", s.thresholdMode)
	case !(s.factor > 0 && s.factor < 1):
		return fmt.Errorf("Factor=%v, want 0 < Factor < 1", s.factor)
	case s.patience < 0:
		return fmt.Errorf("Patience=%d, want >= 0", s.patience)
	case s.cooldown < 0:
		return fmt.Errorf("Cooldown=%d, want >= 0", s.cooldown)
	case !(s.threshold >= 0) || math.IsInf(s.threshold, 1):
		return fmt.Errorf("Threshold=%v, want finite and >= 0", s.threshold)
	case !(s.eps >= 0) || math.IsInf(s.eps, 1):
		return fmt.Errorf("Eps=%v, want finite and >= 0", s.eps)
	case len(s.minLRs) != len(s.last):
		return fmt.Errorf("len(MinLR)=%d, want 0, 1 or one per param group (%d)", len(s.minLRs), len(s.last))
	}
	for i, m := range s.minLRs {
		if !(m >= 0) || math.IsInf(m, 1) {
			return fmt.Errorf("MinLR[%d]=%v, want finite and >= 0", i, m)
		}
	}
	return nil
}

// worst is torch's mode_worse, where best starts.
func (s *ReduceLROnPlateau) worst() float64 {
	if s.mode == PlateauMax {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

func (s *ReduceLROnPlateau) isBetter(a, best float64) bool {
	switch {
	case s.mode == PlateauMin && s.thresholdMode == ThresholdRel:
		return a < best*(1.0-s.threshold)
	case s.mode == PlateauMin:
		return a < best-s.threshold
	case s.thresholdMode == ThresholdRel:
		return a > best*(s.threshold+1.0)
	default:
		return a > best+s.threshold
	}
}

// Step records one epoch's metric and reduces the learning rates if it has plateaued.
func (s *ReduceLROnPlateau) Step(metric float64) {
	s.epoch++
	if s.isBetter(metric, s.best) {
		s.best = metric
		s.numBadEpochs = 0
	} else {
		s.numBadEpochs++
	}
	if s.cooldownCounter > 0 {
		s.cooldownCounter--
		s.numBadEpochs = 0
	}
	if s.numBadEpochs > s.patience {
		for i := range s.last {
			old := s.opt.GroupLR(i)
			lr := old * s.factor
			if s.minLRs[i] > lr { // Python's max(old*factor, min_lr)
				lr = s.minLRs[i]
			}
			if old-lr > s.eps {
				s.opt.SetGroupLR(i, lr)
			}
		}
		s.cooldownCounter = s.cooldown
		s.numBadEpochs = 0
	}
	for i := range s.last {
		s.last[i] = s.opt.GroupLR(i)
	}
}

// Best returns the best metric seen so far (+Inf or -Inf before any).
func (s *ReduceLROnPlateau) Best() float64 { return s.best }

// NumBadEpochs returns the number of bad epochs since the last improvement or reduction.
func (s *ReduceLROnPlateau) NumBadEpochs() int { return s.numBadEpochs }

// InCooldown reports whether bad epochs are being ignored after a reduction.
func (s *ReduceLROnPlateau) InCooldown() bool { return s.cooldownCounter > 0 }

// MarshalBinary saves the settings, epoch, learning rates, best metric and counters, floats bit for
// bit.
func (s *ReduceLROnPlateau) MarshalBinary() ([]byte, error) {
	w := s.encode("ReduceLROnPlateau")
	w.int(int(s.mode))
	w.int(int(s.thresholdMode))
	w.f64(s.factor)
	w.int(s.patience)
	w.f64(s.threshold)
	w.int(s.cooldown)
	w.f64s(s.minLRs)
	w.f64(s.eps)
	w.f64(s.best)
	w.int(s.numBadEpochs)
	w.int(s.cooldownCounter)
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary into a ReduceLROnPlateau over an
// optimizer with as many groups, and sets the optimizer's learning rates to the saved ones (which
// is where this schedule keeps its progress). On error s is left unchanged.
func (s *ReduceLROnPlateau) UnmarshalBinary(data []byte) error {
	t := *s
	err := t.decode("ReduceLROnPlateau", data, func(r *schedReader) error {
		t.mode, t.thresholdMode = PlateauMode(r.int()), ThresholdMode(r.int())
		t.factor, t.patience, t.threshold, t.cooldown = r.f64(), r.int(), r.f64(), r.int()
		t.minLRs, t.eps, t.best = r.f64s(), r.f64(), r.f64()
		t.numBadEpochs, t.cooldownCounter = r.int(), r.int()
		if r.err != nil {
			return nil
		}
		if t.numBadEpochs < 0 || t.cooldownCounter < 0 {
			return fmt.Errorf("numBadEpochs=%d, cooldownCounter=%d", t.numBadEpochs, t.cooldownCounter)
		}
		return t.check()
	})
	if err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}
