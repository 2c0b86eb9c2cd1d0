package optim

import (
	"fmt"
	"slices"
	"sync/atomic"
)

// LRGroups is what a schedule drives: the learning rates of an optimizer's parameter groups.
type LRGroups interface {
	NumGroups() int
	GroupLR(i int) float64
	SetGroupLR(i int, lr float64)
}

// Scheduler is a learning-rate schedule with the semantics of torch.optim.lr_scheduler.
//
// A constructor captures each group's learning rate as its base LR (torch's initial_lr) and sets
// the epoch-0 learning rate at once, as torch's constructors do by calling step() once: after
// construction Epoch() is 0 and the optimizer holds the epoch-0 value.
//
// Step advances one epoch (or one iteration, if that is how the caller steps it, as for OneCycleLR
// or a warm-up) and sets every group's learning rate. LastLR returns a copy of the learning rates
// the last Step (or the constructor) set, torch's get_last_lr().
//
// MarshalBinary saves everything the schedule needs to continue (its settings, epoch, base LRs and
// counters, floats bit for bit) under a kind tag and a format version. UnmarshalBinary restores such
// a state into a schedule of the same kind over an optimizer with the same number of groups, sets
// the optimizer's learning rates to the restored LastLR, and from then on Step continues exactly as
// the saved schedule would have. As torch's load_state_dict, it restores the settings too, so the
// schedule it restores into may have been built with any valid arguments. On error the schedule is
// left unchanged.
type Scheduler interface {
	Step()
	LastLR() []float64
	Epoch() int
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
}

// schedChild is what SequentialLR needs of the schedules it runs: every Scheduler of this package.
type schedChild interface {
	Scheduler
	schedCoreOf() *schedCore
	// restart moves the schedule to its epoch 0 and sets the learning rates, torch's step(0).
	restart()
}

// schedSeq numbers schedules in the order they are built, so that SequentialLR can tell which of
// its schedules was built first and so holds torch's initial_lr.
var schedSeq atomic.Uint64

// schedCore is the part every schedule shares.
type schedCore struct {
	opt   LRGroups
	seq   uint64
	epoch int
	base  []float64 // torch's base_lrs (initial_lr of each group)
	last  []float64 // torch's _last_lr
}

func newSchedCore(fn string, opt LRGroups) schedCore {
	if opt == nil {
		panic("optim: " + fn + ": opt is nil")
	}
	n := opt.NumGroups()
	if n < 1 {
		panic(fmt.Sprintf("optim: %s: opt.NumGroups()=%d, want >= 1", fn, n))
	}
	base := make([]float64, n)
	for i := range base {
		base[i] = opt.GroupLR(i)
	}
	return schedCore{opt: opt, seq: schedSeq.Add(1), base: base, last: slices.Clone(base)}
}

// LastLR returns a copy of the learning rates last set, one per group (torch's get_last_lr()).
func (c *schedCore) LastLR() []float64 { return slices.Clone(c.last) }

// Epoch returns the number of steps taken since construction (torch's last_epoch).
func (c *schedCore) Epoch() int { return c.epoch }

func (c *schedCore) schedCoreOf() *schedCore { return c }

// set computes each group's learning rate with lr and hands it to the optimizer.
func (c *schedCore) set(lr func(i int) float64) {
	for i := range c.last {
		c.last[i] = lr(i)
		c.opt.SetGroupLR(i, c.last[i])
	}
}

// push hands the last learning rates to the optimizer again (after a restore).
func (c *schedCore) push() {
	for i, v := range c.last {
		c.opt.SetGroupLR(i, v)
	}
}
