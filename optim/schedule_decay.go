package optim

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// StepLR decays each group's learning rate by gamma every stepSize epochs
// (torch.optim.lr_scheduler.StepLR), in torch's closed form:
//
//	lr = base_lr * gamma ** (last_epoch // step_size)
//
// torch's step() multiplies the current learning rate by gamma at each multiple of step_size
// instead; the two agree to rounding.
type StepLR struct {
	schedCore
	stepSize int
	gamma    float64
}

// NewStepLR returns a StepLR over opt, which it sets to the epoch-0 learning rates. It panics if
// stepSize < 1 or gamma is negative or not finite.
func NewStepLR(opt LRGroups, stepSize int, gamma float64) *StepLR {
	if err := checkStepLR(stepSize, gamma); err != nil {
		panic("optim: NewStepLR: " + err.Error())
	}
	s := &StepLR{schedCore: newSchedCore("NewStepLR", opt), stepSize: stepSize, gamma: gamma}
	s.apply()
	return s
}

func checkStepLR(stepSize int, gamma float64) error {
	if stepSize < 1 {
		return fmt.Errorf("stepSize=%d, want >= 1", stepSize)
	}
	return checkGamma(gamma)
}

func checkGamma(gamma float64) error {
	if !(gamma >= 0) || math.IsInf(gamma, 1) {
		return fmt.Errorf("gamma=%v, want finite and >= 0", gamma)
	}
	return nil
}

// Step advances one epoch and sets the learning rates.
func (s *StepLR) Step() { s.epoch++; s.apply() }

func (s *StepLR) restart() { s.epoch = 0; s.apply() }

func (s *StepLR) apply() {
	f := math.Pow(s.gamma, float64(s.epoch/s.stepSize))
	s.set(func(i int) float64 { return s.base[i] * f })
}

// MarshalBinary saves the schedule's state (see Scheduler).
func (s *StepLR) MarshalBinary() ([]byte, error) {
	w := s.encode("StepLR")
	w.int(s.stepSize)
	w.f64(s.gamma)
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary (see Scheduler).
func (s *StepLR) UnmarshalBinary(data []byte) error {
	t := *s
	err := t.decode("StepLR", data, func(r *schedReader) error {
		t.stepSize, t.gamma = r.int(), r.f64()
		return checkStepLR(t.stepSize, t.gamma)
	})
	if err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}

// MultiStepLR decays each group's learning rate by gamma once the epoch reaches each milestone
// (torch.optim.lr_scheduler.MultiStepLR), in torch's closed form:
//
//	lr = base_lr * gamma ** bisect_right(milestones, last_epoch)
//
// Milestones may come in any order and may repeat: a milestone given twice applies gamma twice,
// as torch's Counter of milestones does.
type MultiStepLR struct {
	schedCore
	milestones []int // sorted
	gamma      float64
}

// NewMultiStepLR returns a MultiStepLR over opt, which it sets to the epoch-0 learning rates. It
// panics if a milestone is negative or gamma is negative or not finite.
func NewMultiStepLR(opt LRGroups, milestones []int, gamma float64) *MultiStepLR {
	m := slices.Clone(milestones)
	slices.Sort(m)
	if err := checkMultiStepLR(m, gamma); err != nil {
		panic("optim: NewMultiStepLR: " + err.Error())
	}
	s := &MultiStepLR{schedCore: newSchedCore("NewMultiStepLR", opt), milestones: m, gamma: gamma}
	s.apply()
	return s
}

// checkMultiStepLR checks sorted milestones.
func checkMultiStepLR(milestones []int, gamma float64) error {
	if len(milestones) > 0 && milestones[0] < 0 {
		return fmt.Errorf("milestones contains %d, want >= 0", milestones[0])
	}
	if !slices.IsSorted(milestones) {
		return fmt.Errorf("milestones=%v, want sorted", milestones)
	}
	return checkGamma(gamma)
}

// Step advances one epoch and sets the learning rates.
func (s *MultiStepLR) Step() { s.epoch++; s.apply() }

func (s *MultiStepLR) restart() { s.epoch = 0; s.apply() }

func (s *MultiStepLR) apply() {
	// bisect_right: how many milestones are <= epoch.
	k := sort.Search(len(s.milestones), func(i int) bool { return s.milestones[i] > s.epoch })
	f := math.Pow(s.gamma, float64(k))
	s.set(func(i int) float64 { return s.base[i] * f })
}

// MarshalBinary saves the schedule's state (see Scheduler).
func (s *MultiStepLR) MarshalBinary() ([]byte, error) {
	w := s.encode("MultiStepLR")
	w.ints(s.milestones)
	w.f64(s.gamma)
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary (see Scheduler).
func (s *MultiStepLR) UnmarshalBinary(data []byte) error {
	t := *s
	err := t.decode("MultiStepLR", data, func(r *schedReader) error {
		t.milestones, t.gamma = r.ints(), r.f64()
		return checkMultiStepLR(t.milestones, t.gamma)
	})
	if err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}

// ExponentialLR decays each group's learning rate by gamma every epoch
// (torch.optim.lr_scheduler.ExponentialLR), in torch's closed form:
//
//	lr = base_lr * gamma ** last_epoch
type ExponentialLR struct {
	schedCore
	gamma float64
}

// NewExponentialLR returns an ExponentialLR over opt, which it sets to the epoch-0 learning
// rates. It panics if gamma is negative or not finite.
func NewExponentialLR(opt LRGroups, gamma float64) *ExponentialLR {
	if err := checkGamma(gamma); err != nil {
		panic("optim: NewExponentialLR: " + err.Error())
	}
	s := &ExponentialLR{schedCore: newSchedCore("NewExponentialLR", opt), gamma: gamma}
	s.apply()
	return s
}

// Step advances one epoch and sets the learning rates.
func (s *ExponentialLR) Step() { s.epoch++; s.apply() }

func (s *ExponentialLR) restart() { s.epoch = 0; s.apply() }

func (s *ExponentialLR) apply() {
	f := math.Pow(s.gamma, float64(s.epoch))
	s.set(func(i int) float64 { return s.base[i] * f })
}

// MarshalBinary saves the schedule's state (see Scheduler).
func (s *ExponentialLR) MarshalBinary() ([]byte, error) {
	w := s.encode("ExponentialLR")
	w.f64(s.gamma)
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary (see Scheduler).
func (s *ExponentialLR) UnmarshalBinary(data []byte) error {
	t := *s
	err := t.decode("ExponentialLR", data, func(r *schedReader) error {
		t.gamma = r.f64()
		return checkGamma(t.gamma)
	})
	if err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}
