package optim

import (
	"fmt"
	"math"
)

// FixedLR keeps every group at its base learning rate: no schedule at all,
//
//	lr = base_lr
//
// torch has no class for it (ConstantLR with factor=1 or total_iters=0 behaves the same); it is
// useful as a stage of a SequentialLR, e.g. a warm-up followed by a constant learning rate.
type FixedLR struct {
	schedCore
}

// NewFixedLR returns a FixedLR over opt.
func NewFixedLR(opt LRGroups) *FixedLR {
	s := &FixedLR{schedCore: newSchedCore("NewFixedLR", opt)}
	s.apply()
	return s
}

// Step advances one epoch; the learning rates stay at their base values.
func (s *FixedLR) Step() { s.epoch++; s.apply() }

func (s *FixedLR) restart() { s.epoch = 0; s.apply() }

func (s *FixedLR) apply() { s.set(func(i int) float64 { return s.base[i] }) }

// MarshalBinary saves the schedule's state (see Scheduler).
func (s *FixedLR) MarshalBinary() ([]byte, error) { return s.encode("FixedLR").b, nil }

// UnmarshalBinary restores a state saved by MarshalBinary (see Scheduler).
func (s *FixedLR) UnmarshalBinary(data []byte) error {
	t := *s
	if err := t.decode("FixedLR", data, func(*schedReader) error { return nil }); err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}

// ConstantLR multiplies each group's learning rate by factor until the epoch reaches totalIters,
// then restores it (torch.optim.lr_scheduler.ConstantLR), in torch's closed form:
//
//	lr = base_lr * (factor + (last_epoch >= total_iters) * (1 - factor))
//
// With factor 1 or totalIters 0 it is no schedule at all (see also FixedLR).
type ConstantLR struct {
	schedCore
	factor     float64
	totalIters int
}

// NewConstantLR returns a ConstantLR over opt, which it sets to the epoch-0 learning rates. torch's
// defaults are factor=1/3, totalIters=5. It panics unless 0 <= factor <= 1 and totalIters >= 0.
func NewConstantLR(opt LRGroups, factor float64, totalIters int) *ConstantLR {
	if err := checkConstantLR(factor, totalIters); err != nil {
		panic("optim: NewConstantLR: " + err.Error())
	}
	s := &ConstantLR{schedCore: newSchedCore("NewConstantLR", opt), factor: factor, totalIters: totalIters}
	s.apply()
	return s
}

func checkConstantLR(factor float64, totalIters int) error {
	if !(factor >= 0 && factor <= 1) {
		return fmt.Errorf("factor=%v, want 0 <= factor <= 1", factor)
	}
	if totalIters < 0 {
		return fmt.Errorf("totalIters=%d, want >= 0", totalIters)
	}
	return nil
}

// Step advances one epoch and sets the learning rates.
func (s *ConstantLR) Step() { s.epoch++; s.apply() }

func (s *ConstantLR) restart() { s.epoch = 0; s.apply() }

func (s *ConstantLR) apply() {
	f := s.factor
	if s.epoch >= s.totalIters {
		f = s.factor + (1 - s.factor) // as torch computes it, which may differ from 1 by rounding
	}
	s.set(func(i int) float64 { return s.base[i] * f })
}

// MarshalBinary saves the schedule's state (see Scheduler).
func (s *ConstantLR) MarshalBinary() ([]byte, error) {
	w := s.encode("ConstantLR")
	w.f64(s.factor)
	w.int(s.totalIters)
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary (see Scheduler).
func (s *ConstantLR) UnmarshalBinary(data []byte) error {
	t := *s
	err := t.decode("ConstantLR", data, func(r *schedReader) error {
		t.factor, t.totalIters = r.f64(), r.int()
		return checkConstantLR(t.factor, t.totalIters)
	})
	if err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}

// LinearLR scales each group's learning rate by a factor that moves linearly from startFactor to
// endFactor over totalIters epochs and then stays at endFactor (torch.optim.lr_scheduler.LinearLR);
// with endFactor 1 it is a linear warm-up. torch's closed form:
//
//	lr = base_lr * (start_factor + (end_factor - start_factor) * min(total_iters, last_epoch) / total_iters)
//
// torch's step() uses an equivalent recursive form; the two agree to rounding.
type LinearLR struct {
	schedCore
	startFactor, endFactor float64
	totalIters             int
}

// NewLinearLR returns a LinearLR over opt, which it sets to the epoch-0 learning rates. torch's
// defaults are startFactor=1/3, endFactor=1, totalIters=5. As torch, it panics unless
// 0 < startFactor <= 1 and 0 <= endFactor <= 1; and unless totalIters >= 1.
func NewLinearLR(opt LRGroups, startFactor, endFactor float64, totalIters int) *LinearLR {
	if err := checkLinearLR(startFactor, endFactor, totalIters); err != nil {
		panic("optim: NewLinearLR: " + err.Error())
	}
	s := &LinearLR{schedCore: newSchedCore("NewLinearLR", opt),
		startFactor: startFactor, endFactor: endFactor, totalIters: totalIters}
	s.apply()
	return s
}

func checkLinearLR(startFactor, endFactor float64, totalIters int) error {
	if !(startFactor > 0 && startFactor <= 1) {
		return fmt.Errorf("startFactor=%v, want 0 < startFactor <= 1", startFactor)
	}
	if !(endFactor >= 0 && endFactor <= 1) {
		return fmt.Errorf("endFactor=%v, want 0 <= endFactor <= 1", endFactor)
	}
	if totalIters < 1 {
		return fmt.Errorf("totalIters=%d, want >= 1", totalIters)
	}
	return nil
}

// Step advances one epoch and sets the learning rates.
func (s *LinearLR) Step() { s.epoch++; s.apply() }

func (s *LinearLR) restart() { s.epoch = 0; s.apply() }

func (s *LinearLR) apply() {
	f := s.startFactor + (s.endFactor-s.startFactor)*float64(min(s.totalIters, s.epoch))/float64(s.totalIters)
	s.set(func(i int) float64 { return s.base[i] * f })
}

// MarshalBinary saves the schedule's state (see Scheduler).
func (s *LinearLR) MarshalBinary() ([]byte, error) {
	w := s.encode("LinearLR")
	w.f64(s.startFactor)
	w.f64(s.endFactor)
	w.int(s.totalIters)
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary (see Scheduler).
func (s *LinearLR) UnmarshalBinary(data []byte) error {
	t := *s
	err := t.decode("LinearLR", data, func(r *schedReader) error {
		t.startFactor, t.endFactor, t.totalIters = r.f64(), r.f64(), r.int()
		return checkLinearLR(t.startFactor, t.endFactor, t.totalIters)
	})
	if err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}

// LambdaLR sets each group's learning rate to its base learning rate times a function of the epoch
// (torch.optim.lr_scheduler.LambdaLR):
//
//	lr = base_lr * lr_lambda(last_epoch)
//
// The function cannot be saved: MarshalBinary saves the epoch, base and last learning rates only,
// and UnmarshalBinary continues with the function the LambdaLR was built with (torch's state_dict
// likewise leaves out lambdas and functions). Restore into a LambdaLR built with the same function.
type LambdaLR struct {
	schedCore
	fn func(epoch int) float64
}

// NewLambdaLR returns a LambdaLR over opt, which it sets to the epoch-0 learning rates. It panics
// if fn is nil.
func NewLambdaLR(opt LRGroups, fn func(epoch int) float64) *LambdaLR {
	if fn == nil {
		panic("optim: NewLambdaLR: fn is nil")
	}
	s := &LambdaLR{schedCore: newSchedCore("NewLambdaLR", opt), fn: fn}
	s.apply()
	return s
}

// Step advances one epoch and sets the learning rates.
func (s *LambdaLR) Step() { s.epoch++; s.apply() }

func (s *LambdaLR) restart() { s.epoch = 0; s.apply() }

func (s *LambdaLR) apply() {
	f := s.fn(s.epoch)
	s.set(func(i int) float64 { return s.base[i] * f })
}

// MarshalBinary saves the epoch and the base and last learning rates; not the function.
func (s *LambdaLR) MarshalBinary() ([]byte, error) { return s.encode("LambdaLR").b, nil }

// UnmarshalBinary restores a state saved by MarshalBinary; the function stays the one s was built
// with.
func (s *LambdaLR) UnmarshalBinary(data []byte) error {
	t := *s
	if err := t.decode("LambdaLR", data, func(*schedReader) error { return nil }); err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}

// checkFinite reports a float argument that is NaN or infinite.
func checkFinite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s=%v, want finite", name, v)
	}
	return nil
}
