package optim

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"sort"
)

// SequentialLR runs schedules one after another, switching at the milestones
// (torch.optim.lr_scheduler.SequentialLR), e.g. a LinearLR warm-up for 5 epochs and then a
// CosineAnnealingLR:
//
//	idx = bisect_right(milestones, last_epoch)
//	if idx > 0 and milestones[idx-1] == last_epoch: schedulers[idx].step(0)  # starts at its epoch 0
//	else:                                          schedulers[idx].step()
//
// So at a milestone the next schedule starts from its own epoch 0, and the learning rate is that
// schedule's. As in torch, every schedule works from the same base learning rates, torch's
// initial_lr: the learning rates the optimizer had before the first of them was built (a OneCycleLR
// instead sets initial_lr to its max_lr/div_factor for schedules built after it). NewSequentialLR
// rebases the schedules accordingly, so they may be built in any order over the same optimizer, and
// then restarts schedulers[0] at its epoch 0.
//
// The schedules must be of this package, other than SequentialLR (torch cannot restart a
// SequentialLR at a milestone either), and must drive opt. SequentialLR owns them afterwards: do not
// step them yourself.
type SequentialLR struct {
	schedCore
	scheds     []schedChild
	milestones []int
}

// NewSequentialLR returns a SequentialLR over opt running schedulers[i] from epoch milestones[i-1]
// on. It panics if there is no schedule, if len(milestones) != len(schedulers)-1, if the
// milestones are not strictly increasing from at least 1, or if a schedule is nil, is not of this
// package, is a SequentialLR, or drives another optimizer.
func NewSequentialLR(opt LRGroups, schedulers []Scheduler, milestones []int) *SequentialLR {
	const fn = "optim: NewSequentialLR: "
	if len(schedulers) == 0 {
		panic(fn + "no schedulers")
	}
	if len(milestones) != len(schedulers)-1 {
		panic(fmt.Sprintf(fn+"len(milestones)=%d, want len(schedulers)-1=%d", len(milestones), len(schedulers)-1))
	}
	if err := checkMilestones(milestones); err != nil {
		panic(fn + err.Error())
	}
	s := &SequentialLR{schedCore: newSchedCore("NewSequentialLR", opt), milestones: slices.Clone(milestones)}
	for i, sc := range schedulers {
		c, ok := sc.(schedChild)
		switch {
		case sc == nil:
			panic(fmt.Sprintf(fn+"schedulers[%d] is nil", i))
		case !ok:
			panic(fmt.Sprintf(fn+"schedulers[%d] is a %T, want a schedule of package optim", i, sc))
		}
		if _, nested := sc.(*SequentialLR); nested {
			panic(fmt.Sprintf(fn+"schedulers[%d] is a SequentialLR, which cannot be restarted at a milestone", i))
		}
		if !sameLRGroups(c.schedCoreOf().opt, opt) {
			panic(fmt.Sprintf(fn+"schedulers[%d] drives another optimizer", i))
		}
		s.scheds = append(s.scheds, c)
	}
	// Rebase as torch's initial_lr would: set by the first schedule built, overwritten by OneCycleLR.
	order := slices.Clone(s.scheds)
	slices.SortFunc(order, func(a, b schedChild) int {
		return cmp.Compare(a.schedCoreOf().seq, b.schedCoreOf().seq)
	})
	var initial []float64
	for _, c := range order {
		core := c.schedCoreOf()
		switch {
		case isOneCycle(c):
			initial = core.base
		case initial == nil:
			initial = core.base
		default:
			core.base = slices.Clone(initial)
		}
	}
	s.base = slices.Clone(initial)
	s.scheds[0].restart()
	copy(s.last, s.scheds[0].schedCoreOf().last)
	return s
}

func isOneCycle(c schedChild) bool {
	_, ok := c.(*OneCycleLR)
	return ok
}

// sameLRGroups reports whether a and b are the same optimizer, as far as Go can tell: values of a
// type that cannot be compared are taken to be the same.
func sameLRGroups(a, b LRGroups) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb {
		return false
	}
	if !ta.Comparable() {
		return true
	}
	return a == b
}

func checkMilestones(m []int) error {
	for i, v := range m {
		if v < 1 || (i > 0 && v <= m[i-1]) {
			return fmt.Errorf("milestones=%v, want strictly increasing and >= 1", m)
		}
	}
	return nil
}

// Step advances one epoch, starting the next schedule at a milestone, and sets the learning rates.
func (s *SequentialLR) Step() {
	s.epoch++
	idx := sort.Search(len(s.milestones), func(i int) bool { return s.milestones[i] > s.epoch })
	c := s.scheds[idx]
	if idx > 0 && s.milestones[idx-1] == s.epoch {
		c.restart()
	} else {
		c.Step()
	}
	copy(s.last, c.schedCoreOf().last)
}

func (s *SequentialLR) restart() { panic("optim: SequentialLR cannot be restarted") }

// MarshalBinary saves the state of the SequentialLR and of all its schedules (see Scheduler).
func (s *SequentialLR) MarshalBinary() ([]byte, error) {
	w := s.encode("SequentialLR")
	w.ints(s.milestones)
	w.int(len(s.scheds))
	for i, c := range s.scheds {
		b, err := c.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("optim: save SequentialLR: schedulers[%d]: %w", i, err)
		}
		w.bytes(b)
	}
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary into s and its schedules, which must be
// of the same kinds in the same order (see Scheduler).
func (s *SequentialLR) UnmarshalBinary(data []byte) error {
	t := *s
	var states [][]byte
	err := t.decode("SequentialLR", data, func(r *schedReader) error {
		t.milestones = r.ints()
		n := r.length(8)
		for range n {
			states = append(states, r.bytes())
		}
		if r.err != nil {
			return nil
		}
		if n != len(s.scheds) {
			return fmt.Errorf("state has %d schedulers, SequentialLR has %d", n, len(s.scheds))
		}
		if len(t.milestones) != n-1 {
			return fmt.Errorf("%d milestones for %d schedulers", len(t.milestones), n)
		}
		return checkMilestones(t.milestones)
	})
	if err != nil {
		return err
	}
	// Restore every schedule, or none.
	saved := make([][]byte, len(s.scheds))
	for i, c := range s.scheds {
		if saved[i], err = c.MarshalBinary(); err != nil {
			return fmt.Errorf("optim: restore SequentialLR: schedulers[%d]: %w", i, err)
		}
	}
	for i, c := range s.scheds {
		if err := c.UnmarshalBinary(states[i]); err != nil {
			for j := range i {
				_ = s.scheds[j].UnmarshalBinary(saved[j]) // restores what it saved a moment ago
			}
			s.push()
			return fmt.Errorf("optim: restore SequentialLR: schedulers[%d]: %w", i, err)
		}
	}
	*s = t
	s.push()
	return nil
}
