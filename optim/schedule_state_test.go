package optim

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// schedKinds builds one schedule of every kind that implements Scheduler.
var schedKinds = []struct {
	name  string
	new   func(LRGroups) Scheduler
	steps int // taken before saving
	more  int // taken after restoring
}{
	{"FixedLR", func(o LRGroups) Scheduler { return NewFixedLR(o) }, 3, 5},
	{"ConstantLR", func(o LRGroups) Scheduler { return NewConstantLR(o, 1.0/3, 5) }, 3, 5},
	{"StepLR", func(o LRGroups) Scheduler { return NewStepLR(o, 3, 0.7) }, 5, 10},
	{"MultiStepLR", func(o LRGroups) Scheduler { return NewMultiStepLR(o, []int{2, 6, 9}, 0.3) }, 4, 10},
	{"ExponentialLR", func(o LRGroups) Scheduler { return NewExponentialLR(o, 0.95) }, 7, 10},
	{"LinearLR", func(o LRGroups) Scheduler { return NewLinearLR(o, 0.1, 0.9, 7) }, 3, 10},
	{"LambdaLR", func(o LRGroups) Scheduler {
		return NewLambdaLR(o, func(e int) float64 { return math.Sqrt(float64(e + 1)) })
	}, 3, 10},
	{"CosineAnnealingLR", func(o LRGroups) Scheduler { return NewCosineAnnealingLR(o, 13, 1e-4) }, 7, 30},
	{"CosineAnnealingWarmRestarts", func(o LRGroups) Scheduler {
		return NewCosineAnnealingWarmRestarts(o, 3, 2, 1e-3)
	}, 11, 40},
	{"OneCycleLR", func(o LRGroups) Scheduler {
		return NewOneCycleLR(o, schedOneCycle([]float64{0.9, 0.4}, 50, func(c *OneCycleConfig) { c.ThreePhase = true }))
	}, 20, 30},
	{"SequentialLR", func(o LRGroups) Scheduler {
		return NewSequentialLR(o, []Scheduler{
			NewLinearLR(o, 0.2, 1, 4),
			NewCosineAnnealingWarmRestarts(o, 5, 1, 0),
			NewExponentialLR(o, 0.9),
		}, []int{4, 12})
	}, 6, 20},
}

func TestScheduleSaveRestore(t *testing.T) {
	for _, k := range schedKinds {
		t.Run(k.name, func(t *testing.T) {
			// The never-stopped run.
			optA := newSchedFake()
			a := k.new(optA)
			for range k.steps {
				a.Step()
			}
			state, err := a.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			// A fresh schedule over a fresh optimizer.
			optB := newSchedFake()
			b := k.new(optB)
			if err := b.UnmarshalBinary(state); err != nil {
				t.Fatal(err)
			}
			schedSame(t, "restored", a, b, optA, optB)
			for i := range k.more {
				a.Step()
				b.Step()
				schedSame(t, fmt.Sprintf("step %d after restoring", i+1), a, b, optA, optB)
			}
			sa, _ := a.MarshalBinary()
			sb, _ := b.MarshalBinary()
			if !bytes.Equal(sa, sb) {
				t.Errorf("states differ after continuing")
			}
		})
	}
}

// schedSame checks that two schedules and their optimizers agree bit for bit.
func schedSame(t *testing.T, when string, a, b Scheduler, optA, optB *schedFakeGroups) {
	t.Helper()
	la, lb := a.LastLR(), b.LastLR()
	for i := range la {
		if math.Float64bits(la[i]) != math.Float64bits(lb[i]) ||
			math.Float64bits(optA.lrs[i]) != math.Float64bits(optB.lrs[i]) {
			t.Fatalf("%s: LastLR %v vs %v, optimizers %v vs %v", when, la, lb, optA.lrs, optB.lrs)
		}
	}
	if a.Epoch() != b.Epoch() {
		t.Fatalf("%s: Epoch %d vs %d", when, a.Epoch(), b.Epoch())
	}
}

func TestScheduleRestoreOneCycleLimit(t *testing.T) {
	optA, optB := newSchedFake(), newSchedFake()
	a := NewOneCycleLR(optA, schedOneCycle([]float64{1}, 10))
	for range 9 {
		a.Step()
	}
	state, _ := a.MarshalBinary()
	b := NewOneCycleLR(optB, schedOneCycle([]float64{3}, 1000)) // other settings: the state's win, as in torch
	if err := b.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	a.Step()
	b.Step()
	schedSame(t, "step 10", a, b, optA, optB)
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "TotalSteps=10") {
			t.Errorf("panic %q, want the restored totalSteps", msg)
		}
	}()
	b.Step()
}

func TestReduceLROnPlateauSaveRestore(t *testing.T) {
	metrics := []float64{5, 4, 4.5, 4.2, 4.1, 4.0, 4.05, math.NaN(), 3.9, 3.95, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3}
	cfg := DefaultPlateau()
	cfg.Patience, cfg.Cooldown, cfg.Factor, cfg.MinLR, cfg.Threshold = 1, 2, 0.3, []float64{1e-3, 1e-2}, 0.01
	for cut := range len(metrics) {
		optA, optB := newSchedFake(), newSchedFake()
		a := NewReduceLROnPlateau(optA, cfg)
		for _, m := range metrics[:cut] {
			a.Step(m)
		}
		state, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b := NewReduceLROnPlateau(optB, DefaultPlateau()) // defaults: the state's settings win, as in torch
		if err := b.UnmarshalBinary(state); err != nil {
			t.Fatal(err)
		}
		for i, m := range metrics[cut:] {
			if math.Float64bits(a.Best()) != math.Float64bits(b.Best()) || a.NumBadEpochs() != b.NumBadEpochs() ||
				a.InCooldown() != b.InCooldown() || a.Epoch() != b.Epoch() ||
				!slices.Equal(a.LastLR(), b.LastLR()) || !slices.Equal(optA.lrs, optB.lrs) {
				t.Fatalf("cut %d, step %d: the restored schedule differs", cut, cut+i)
			}
			a.Step(m)
			b.Step(m)
		}
		sa, _ := a.MarshalBinary()
		sb, _ := b.MarshalBinary()
		if !bytes.Equal(sa, sb) || !slices.Equal(optA.lrs, optB.lrs) {
			t.Fatalf("cut %d: states differ at the end", cut)
		}
	}
}

func TestScheduleRestoreErrors(t *testing.T) {
	opt := newSchedFake()
	stepState, _ := NewStepLR(newSchedFake(), 30, 0.1).MarshalBinary()
	threeGroups := &schedFakeGroups{lrs: []float64{1, 2, 3}}
	cosState, _ := NewCosineAnnealingLR(threeGroups, 10, 0).MarshalBinary()
	plateauState, _ := NewReduceLROnPlateau(newSchedFake(), DefaultPlateau()).MarshalBinary()
	seqState, _ := NewSequentialLR(opt, []Scheduler{NewFixedLR(opt), NewStepLR(opt, 2, 0.5)}, []int{3}).MarshalBinary()

	badVersion := slices.Clone(stepState)
	badVersion[4] = 9
	badGamma := slices.Clone(stepState)
	copy(badGamma[len(badGamma)-8:], []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}) // NaN

	tests := []struct {
		s    interface{ UnmarshalBinary([]byte) error }
		data []byte
		want string
	}{
		{NewCosineAnnealingLR(opt, 10, 0), stepState, "optim: restore CosineAnnealingLR: state is for StepLR"},
		{NewStepLR(opt, 10, 0.5), cosState, "optim: restore StepLR: state is for CosineAnnealingLR"},
		{NewCosineAnnealingLR(opt, 10, 0), cosState, "optim: restore CosineAnnealingLR: state has 3 param groups, optimizer has 2"},
		{NewReduceLROnPlateau(threeGroups, DefaultPlateau()), plateauState, "optim: restore ReduceLROnPlateau: state has 2 param groups, optimizer has 3"},
		{NewStepLR(opt, 10, 0.5), plateauState, "optim: restore StepLR: state is for ReduceLROnPlateau"},
		{NewReduceLROnPlateau(opt, DefaultPlateau()), stepState, "optim: restore ReduceLROnPlateau: state is for StepLR"},
		{NewStepLR(opt, 10, 0.5), badVersion, "optim: restore StepLR: state format version 9, want 1"},
		{NewStepLR(opt, 10, 0.5), stepState[:len(stepState)-3], "optim: restore StepLR: truncated state"},
		{NewStepLR(opt, 10, 0.5), append(slices.Clone(stepState), 0), "optim: restore StepLR: 1 trailing bytes"},
		{NewStepLR(opt, 10, 0.5), []byte("{}"), "optim: restore StepLR: not a schedule state"},
		{NewStepLR(opt, 10, 0.5), nil, "optim: restore StepLR: not a schedule state"},
		{NewStepLR(opt, 10, 0.5), badGamma, "optim: restore StepLR: invalid state: gamma=NaN, want finite and >= 0"},
		{
			NewSequentialLR(opt, []Scheduler{NewFixedLR(opt), NewCosineAnnealingLR(opt, 5, 0)}, []int{3}), seqState,
			"optim: restore SequentialLR: schedulers[1]: optim: restore CosineAnnealingLR: state is for StepLR",
		},
		{
			NewSequentialLR(opt, []Scheduler{NewFixedLR(opt)}, nil), seqState,
			"optim: restore SequentialLR: invalid state: state has 2 schedulers, SequentialLR has 1",
		},
	}
	for _, tt := range tests {
		before, _ := tt.s.(interface{ MarshalBinary() ([]byte, error) }).MarshalBinary()
		err := tt.s.UnmarshalBinary(tt.data)
		if err == nil || err.Error() != tt.want {
			t.Errorf("error %v, want %q", err, tt.want)
		}
		after, _ := tt.s.(interface{ MarshalBinary() ([]byte, error) }).MarshalBinary()
		if !bytes.Equal(before, after) {
			t.Errorf("%q: a failed restore changed the schedule", tt.want)
		}
	}
}

func TestSequentialLRRestoreRollsBack(t *testing.T) {
	opt := newSchedFake()
	src := NewSequentialLR(opt, []Scheduler{NewLinearLR(opt, 0.5, 1, 2), NewStepLR(opt, 2, 0.5)}, []int{3})
	for range 5 {
		src.Step()
	}
	state, _ := src.MarshalBinary()

	opt2 := newSchedFake()
	first := NewLinearLR(opt2, 0.5, 1, 2)
	second := NewCosineAnnealingLR(opt2, 7, 0)
	dst := NewSequentialLR(opt2, []Scheduler{first, second}, []int{3})
	dst.Step()
	firstBefore, _ := first.MarshalBinary()
	lrsBefore := slices.Clone(opt2.lrs)
	if err := dst.UnmarshalBinary(state); err == nil {
		t.Fatal("restored a StepLR state into a CosineAnnealingLR")
	}
	firstAfter, _ := first.MarshalBinary()
	if !bytes.Equal(firstBefore, firstAfter) || !slices.Equal(lrsBefore, opt2.lrs) || dst.Epoch() != 1 {
		t.Errorf("a failed restore changed the schedules or the optimizer: lrs %v, want %v", opt2.lrs, lrsBefore)
	}
}

func TestScheduleRestoreCorrupt(t *testing.T) {
	for _, k := range schedKinds {
		opt := newSchedFake()
		s := k.new(opt)
		for range k.steps {
			s.Step()
		}
		state, _ := s.MarshalBinary()
		for n := range len(state) {
			if err := k.new(newSchedFake()).UnmarshalBinary(state[:n]); err == nil {
				t.Errorf("%s: restored from the first %d of %d bytes", k.name, n, len(state))
			}
		}
		for i := range state {
			bad := slices.Clone(state)
			bad[i] ^= 0xff
			_ = k.new(newSchedFake()).UnmarshalBinary(bad) // may fail, must not panic
		}
	}
	lrState, _ := NewFixedLR(newSchedFake()).MarshalBinary()
	// The last LR of group 1 is the last 8 bytes.
	copy(lrState[len(lrState)-8:], []byte{0, 0, 0, 0, 0, 0, 0xf0, 0xbf}) // -1
	err := NewFixedLR(newSchedFake()).UnmarshalBinary(lrState)
	if want := "optim: restore FixedLR: invalid state: last LR[1]=-1, want finite and >= 0"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
