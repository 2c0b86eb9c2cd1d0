package main

import (
	"fmt"

	"github.com/descentlab/descent/optim"
)

// trainSchedules are the values of -schedule, and trainScheduleHelp says what
// each does with the run's -lr and -epochs.
var trainSchedules = []string{"none", "step", "cosine", "warmup-cosine", "onecycle", "plateau"}

const trainScheduleHelp = `learning-rate schedule; its parameters follow from -lr and -epochs:
  none           -lr throughout
  step           -lr × 0.1 every ⌈epochs/3⌉ epochs
  cosine         cosine from -lr down to 0 over the epochs, stepped every epoch
  warmup-cosine  linear warm-up from -lr/10 to -lr over the first 10% of the steps,
                 then cosine down to 0, stepped after every batch
  onecycle       1cycle: up from -lr/25 to -lr over 30% of the steps, then cosine down
                 to -lr/2.5e5, stepped after every batch
  plateau        -lr × 0.1 when the epoch's training loss has not improved (by 0.01%)
                 for 2 epochs (independent of -epochs, so a resumed run may extend it)`

// lrSchedule drives the learning rate of a training run: a schedule of
// package optim stepped after every batch or after every epoch, or a
// ReduceLROnPlateau fed the epoch's training loss.
type lrSchedule struct {
	name     string
	perStep  optim.Scheduler
	perEpoch optim.Scheduler
	plateau  *optim.ReduceLROnPlateau
	// horizon: the schedule is shaped by the run's length, so a checkpoint
	// of it only continues a run of the same length.
	horizon bool
}

// newTrainSchedule returns the schedule named name (one of trainSchedules) over
// opt for a run of epochs epochs of steps batches each, setting opt's
// learning rate for the first step; nil for "none".
func newTrainSchedule(name string, opt optim.Optimizer, epochs, steps int) (*lrSchedule, error) {
	if epochs < 1 || steps < 1 {
		return nil, fmt.Errorf("schedule %s: %d epochs of %d steps", name, epochs, steps)
	}
	lr := opt.LR()
	total := epochs * steps
	s := &lrSchedule{name: name, horizon: true}
	switch name {
	case "none":
		return nil, nil
	case "step":
		s.perEpoch = optim.NewStepLR(opt, (epochs+2)/3, 0.1)
	case "cosine":
		s.perEpoch = optim.NewCosineAnnealingLR(opt, epochs, 0)
	case "warmup-cosine":
		if total < 2 {
			return nil, fmt.Errorf("-schedule warmup-cosine needs at least 2 steps, the run has %d", total)
		}
		warm := max(1, total/10)
		s.perStep = optim.NewSequentialLR(opt, []optim.Scheduler{
			optim.NewLinearLR(opt, 0.1, 1, warm),
			optim.NewCosineAnnealingLR(opt, total-warm, 0),
		}, []int{warm})
	case "onecycle":
		if !(lr > 0) {
			return nil, fmt.Errorf("-schedule onecycle needs -lr > 0, have %v", lr)
		}
		cfg := optim.DefaultOneCycle()
		cfg.MaxLR = []float64{lr}
		cfg.TotalSteps = total
		s.perStep = optim.NewOneCycleLR(opt, cfg)
	case "plateau":
		cfg := optim.DefaultPlateau()
		cfg.Patience = 2 // not from -epochs: -resume may change -epochs for this schedule
		s.plateau = optim.NewReduceLROnPlateau(opt, cfg)
		s.horizon = false
	default:
		return nil, fmt.Errorf("unknown schedule %q (want one of %v)", name, trainSchedules)
	}
	return s, nil
}

// afterStep is called after every optimizer step.
func (s *lrSchedule) afterStep() {
	if s.perStep != nil {
		s.perStep.Step()
	}
}

// afterEpoch is called after every epoch with its mean training loss.
func (s *lrSchedule) afterEpoch(trainLoss float64) {
	switch {
	case s.perEpoch != nil:
		s.perEpoch.Step()
	case s.plateau != nil:
		s.plateau.Step(trainLoss)
	}
}

type ckptState interface {
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
}

func (s *lrSchedule) state() ckptState {
	switch {
	case s.perStep != nil:
		return s.perStep
	case s.perEpoch != nil:
		return s.perEpoch
	}
	return s.plateau
}

// MarshalBinary saves the schedule's state (for a checkpoint).
func (s *lrSchedule) MarshalBinary() ([]byte, error) { return s.state().MarshalBinary() }

// UnmarshalBinary restores a state saved by MarshalBinary, and the
// optimizer's learning rate with it.
func (s *lrSchedule) UnmarshalBinary(b []byte) error { return s.state().UnmarshalBinary(b) }
