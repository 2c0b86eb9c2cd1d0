package optim

import (
	"math"
	"strings"
	"testing"
)

func TestOneCycleLRCos(t *testing.T) {
	opt := newSchedFake()
	maxLRs := []float64{1, 0.5}
	s := NewOneCycleLR(opt, schedOneCycle(maxLRs, 100, func(c *OneCycleConfig) { c.PctStart = 0.25 }))
	lrs := schedRun(t, s, opt, 100) // stepping to totalSteps itself is allowed, as in torch
	for g, m := range maxLRs {
		initial, final := m/25, m/25/1e4
		cos := func(start, end, pct float64) float64 { return end + (start-end)/2*(math.Cos(math.Pi*pct)+1) }
		checks := []struct {
			step      int
			want, rel float64
		}{
			{0, initial, 1e-12},                 // max_lr / div_factor
			{12, (initial + m) / 2, 1e-12},      // halfway up
			{24, m, 0},                          // the peak: float(pct_start*total_steps) - 1
			{60, cos(m, final, 36.0/75), 1e-12}, // on the way down
			{99, final, 0},                      // initial_lr / final_div_factor
			{100, final, 0},                     // torch extrapolates past the end; held here
		}
		for _, c := range checks {
			if got := lrs[c.step][g]; !schedClose(got, c.want, c.rel) {
				t.Errorf("group %d step %d: lr=%v, want %v", g, c.step, got, c.want)
			}
		}
		for i := 1; i <= 24; i++ {
			if !(lrs[i][g] > lrs[i-1][g]) {
				t.Errorf("group %d: lr falls at step %d in phase 1", g, i)
			}
		}
		for i := 25; i <= 99; i++ {
			if !(lrs[i][g] < lrs[i-1][g]) {
				t.Errorf("group %d: lr rises at step %d in phase 2", g, i)
			}
		}
	}
	// One step more is an error, as torch's ValueError, and changes nothing.
	before := append([]float64(nil), opt.lrs...)
	func() {
		defer func() {
			msg, _ := recover().(string)
			if want := "optim: OneCycleLR.Step: tried to step 101 times, TotalSteps=100"; msg != want {
				t.Errorf("panic %q, want %q", msg, want)
			}
		}()
		s.Step()
	}()
	if s.Epoch() != 100 || opt.lrs[0] != before[0] || opt.lrs[1] != before[1] {
		t.Errorf("after the panic: epoch %d, lrs %v, want 100, %v", s.Epoch(), opt.lrs, before)
	}
}

func TestOneCycleLRLinear(t *testing.T) {
	opt := newSchedFake()
	s := NewOneCycleLR(opt, OneCycleConfig{MaxLR: []float64{2}, TotalSteps: 100, PctStart: 0.25,
		Anneal: AnnealLinear, DivFactor: 10, FinalDivFactor: 100})
	lrs := schedRun(t, s, opt, 100)
	initial, final := 0.2, 0.2/100
	lin := func(start, end, pct float64) float64 { return (end-start)*pct + start }
	for step, want := range map[int]float64{
		0:  initial,
		12: lin(initial, 2, 0.5),
		24: 2,
		60: lin(2, final, 36.0/75),
		99: lin(2, final, 1),
	} {
		for g := range 2 {
			if got := lrs[step][g]; got != want {
				t.Errorf("group %d step %d: lr=%v, want %v", g, step, got, want)
			}
		}
	}
	if got := lrs[99][0]; math.Abs(got-final) > 1e-15 {
		t.Errorf("final lr=%v, want %v", got, final)
	}
	// torch's step 100 would be (final-2)*76/75 + 2 < 0; the final learning rate is held instead.
	if lrs[100][0] != lrs[99][0] {
		t.Errorf("step 100: lr=%v, want step 99's %v", lrs[100][0], lrs[99][0])
	}
}

func TestOneCycleLRThreePhase(t *testing.T) {
	opt := newSchedFake()
	s := NewOneCycleLR(opt, schedOneCycle([]float64{1}, 100, func(c *OneCycleConfig) { c.PctStart, c.ThreePhase = 0.25, true }))
	lrs := schedRun(t, s, opt, 99)
	initial, final := 1.0/25, 1.0/25/1e4
	// Phase ends: 0.25*100-1 = 24, 2*0.25*100-2 = 48, 99.
	for step, c := range map[int]struct{ want, rel float64 }{
		0:  {initial, 1e-12},
		24: {1, 0},
		36: {(1 + initial) / 2, 1e-12},
		48: {initial, 0},
		99: {final, 0},
	} {
		if got := lrs[step][0]; !schedClose(got, c.want, c.rel) {
			t.Errorf("step %d: lr=%v, want %v", step, got, c.want)
		}
	}
}

func TestOneCycleLRShortRun(t *testing.T) {
	// pct_start*total_steps < 1: phase 1 ends before step 0, which torch handles by the last phase.
	opt := newSchedFake()
	s := NewOneCycleLR(opt, schedOneCycle([]float64{1}, 1))
	if got := s.LastLR()[0]; got != 1.0/25/1e4 {
		t.Errorf("lr=%v, want min_lr", got)
	}
	s.Step()
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "TotalSteps=1") {
			t.Errorf("panic %q", msg)
		}
	}()
	s.Step()
}
