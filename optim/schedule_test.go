package optim

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// schedFakeGroups is an optimizer as far as a schedule can tell: two groups with different base LRs.
type schedFakeGroups struct{ lrs []float64 }

func newSchedFake() *schedFakeGroups { return &schedFakeGroups{lrs: []float64{0.05, 0.2}} }

func (f *schedFakeGroups) NumGroups() int               { return len(f.lrs) }
func (f *schedFakeGroups) GroupLR(i int) float64        { return f.lrs[i] }
func (f *schedFakeGroups) SetGroupLR(i int, lr float64) { f.lrs[i] = lr }

// schedOneCycle returns torch's defaults with MaxLR and TotalSteps set and edit applied.
func schedOneCycle(maxLR []float64, totalSteps int, edit ...func(*OneCycleConfig)) OneCycleConfig {
	c := DefaultOneCycle()
	c.MaxLR, c.TotalSteps = maxLR, totalSteps
	for _, e := range edit {
		e(&c)
	}
	return c
}

// schedPlateau returns torch's defaults with edit applied.
func schedPlateau(edit func(*PlateauConfig)) PlateauConfig {
	c := DefaultPlateau()
	edit(&c)
	return c
}

// schedRun steps s until epoch n and returns the learning rates of every epoch 0..n, checking on
// the way that the optimizer holds LastLR and that Epoch counts.
func schedRun(t *testing.T, s Scheduler, opt *schedFakeGroups, n int) [][]float64 {
	t.Helper()
	var lrs [][]float64
	for e := 0; e <= n; e++ {
		if e > 0 {
			s.Step()
		}
		if got := s.Epoch(); got != e {
			t.Fatalf("Epoch()=%d after %d steps", got, e)
		}
		last := s.LastLR()
		if !slices.Equal(last, opt.lrs) {
			t.Fatalf("epoch %d: LastLR()=%v, optimizer has %v", e, last, opt.lrs)
		}
		lrs = append(lrs, last)
	}
	return lrs
}

// schedClose reports whether got is want exactly (rel == 0) or within rel, relatively.
func schedClose(got, want, rel float64) bool {
	if got == want {
		return true
	}
	return rel > 0 && math.Abs(got-want) <= rel*math.Abs(want)
}

func TestSchedulesClosedForm(t *testing.T) {
	const epochs = 200
	restartsAt := map[int]bool{0: true, 10: true, 30: true, 70: true, 150: true, 310: true}
	tests := []struct {
		name  string
		new   func(LRGroups) Scheduler
		want  func(base float64, e int) float64
		rel   float64         // 0: exact
		spots map[int]float64 // hand-derived values for group 0 (base 0.05), within 1e-12
	}{
		{
			name:  "FixedLR",
			new:   func(o LRGroups) Scheduler { return NewFixedLR(o) },
			want:  func(b float64, e int) float64 { return b },
			spots: map[int]float64{0: 0.05, 199: 0.05},
		},
		{
			name: "ConstantLR",
			new:  func(o LRGroups) Scheduler { return NewConstantLR(o, 0.5, 4) },
			want: func(b float64, e int) float64 {
				if e < 4 {
					return b * 0.5
				}
				return b * (0.5 + (1 - 0.5))
			},
			spots: map[int]float64{0: 0.025, 3: 0.025, 4: 0.05, 100: 0.05},
		},
		{
			name:  "StepLR",
			new:   func(o LRGroups) Scheduler { return NewStepLR(o, 30, 0.1) },
			want:  func(b float64, e int) float64 { return b * math.Pow(0.1, float64(e/30)) },
			spots: map[int]float64{0: 0.05, 29: 0.05, 30: 0.005, 59: 0.005, 60: 0.0005, 90: 0.00005},
		},
		{
			name: "MultiStepLR",
			new:  func(o LRGroups) Scheduler { return NewMultiStepLR(o, []int{80, 30, 150, 150}, 0.1) },
			want: func(b float64, e int) float64 {
				k := 0
				for _, m := range []int{30, 80, 150, 150} {
					if e >= m {
						k++
					}
				}
				return b * math.Pow(0.1, float64(k))
			},
			spots: map[int]float64{0: 0.05, 29: 0.05, 30: 0.005, 79: 0.005, 80: 0.0005, 149: 0.0005, 150: 0.000005},
		},
		{
			name:  "ExponentialLR",
			new:   func(o LRGroups) Scheduler { return NewExponentialLR(o, 0.9) },
			want:  func(b float64, e int) float64 { return b * math.Pow(0.9, float64(e)) },
			spots: map[int]float64{0: 0.05, 1: 0.045, 2: 0.0405, 3: 0.03645},
		},
		{
			name: "LinearLR",
			new:  func(o LRGroups) Scheduler { return NewLinearLR(o, 0.25, 1, 4) },
			want: func(b float64, e int) float64 {
				return b * (0.25 + 0.75*float64(min(e, 4))/4)
			},
			rel:   1e-12,
			spots: map[int]float64{0: 0.0125, 1: 0.021875, 2: 0.03125, 3: 0.040625, 4: 0.05, 50: 0.05},
		},
		{
			name: "CosineAnnealingLR",
			new:  func(o LRGroups) Scheduler { return NewCosineAnnealingLR(o, 10, 0.001) },
			want: func(b float64, e int) float64 {
				return 0.001 + (b-0.001)*(1+math.Cos(math.Pi*float64(e)/10))/2
			},
			rel:   1e-12,
			spots: map[int]float64{0: 0.05, 5: 0.0255, 10: 0.001, 15: 0.0255, 20: 0.05},
		},
		{
			name: "CosineAnnealingWarmRestarts",
			new:  func(o LRGroups) Scheduler { return NewCosineAnnealingWarmRestarts(o, 10, 2, 0) },
			want: func(b float64, e int) float64 {
				// Periods 10, 20, 40, 80, 160 starting at epochs 0, 10, 30, 70, 150.
				start, ti := 0, 10
				for e >= start+ti {
					start, ti = start+ti, ti*2
				}
				return b * (1 + math.Cos(math.Pi*float64(e-start)/float64(ti))) / 2
			},
			rel: 1e-12,
			// Restarts at 10, 30, 70; the middles of the periods at 5, 20, 50, 110.
			spots: map[int]float64{0: 0.05, 5: 0.025, 10: 0.05, 20: 0.025, 30: 0.05, 50: 0.025, 70: 0.05, 110: 0.025, 150: 0.05},
		},
		{
			name:  "LambdaLR",
			new:   func(o LRGroups) Scheduler { return NewLambdaLR(o, func(e int) float64 { return 1 / float64(e+1) }) },
			want:  func(b float64, e int) float64 { return b * (1 / float64(e+1)) },
			spots: map[int]float64{0: 0.05, 1: 0.025, 4: 0.01},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := newSchedFake()
			base := slices.Clone(opt.lrs)
			s := tt.new(opt)
			lrs := schedRun(t, s, opt, epochs)
			for e, row := range lrs {
				for g, got := range row {
					if want := tt.want(base[g], e); !schedClose(got, want, tt.rel) {
						t.Errorf("epoch %d group %d: lr=%v, want %v", e, g, got, want)
					}
				}
			}
			for e, want := range tt.spots {
				if got := lrs[e][0]; !schedClose(got, want, 1e-12) {
					t.Errorf("epoch %d: lr=%v, want %v", e, got, want)
				}
			}
			if tt.name == "CosineAnnealingWarmRestarts" {
				for e := 1; e <= epochs; e++ {
					if restarted := lrs[e][0] == base[0]; restarted != restartsAt[e] {
						t.Errorf("epoch %d: restart=%v, want %v", e, restarted, restartsAt[e])
					}
				}
			}
		})
	}
}

func TestSequentialLRWarmupThenCosine(t *testing.T) {
	want := func(b float64, e int) float64 {
		if e < 5 {
			return b * (0.1 + 0.9*float64(e)/5)
		}
		return b * (1 + math.Cos(math.Pi*float64(e-5)/20)) / 2
	}
	// torch: every schedule works from initial_lr, whichever was built first.
	for _, warmupFirst := range []bool{true, false} {
		opt := newSchedFake()
		base := slices.Clone(opt.lrs)
		var warm, cos Scheduler
		if warmupFirst {
			warm = NewLinearLR(opt, 0.1, 1, 5)
			cos = NewCosineAnnealingLR(opt, 20, 0)
		} else {
			cos = NewCosineAnnealingLR(opt, 20, 0)
			warm = NewLinearLR(opt, 0.1, 1, 5)
		}
		s := NewSequentialLR(opt, []Scheduler{warm, cos}, []int{5})
		for e, row := range schedRun(t, s, opt, 60) {
			for g, got := range row {
				if w := want(base[g], e); !schedClose(got, w, 1e-12) {
					t.Errorf("warmupFirst=%v epoch %d group %d: lr=%v, want %v", warmupFirst, e, g, got, w)
				}
			}
		}
		if got := cos.Epoch(); got != 55 {
			t.Errorf("cosine Epoch()=%d at epoch 60, want 55", got)
		}
	}
}

func TestSequentialLRThreeStages(t *testing.T) {
	opt := newSchedFake()
	warm := NewConstantLR(opt, 0.5, 100) // cut short by the milestone
	step := NewStepLR(opt, 3, 0.5)
	hold := NewFixedLR(opt)
	s := NewSequentialLR(opt, []Scheduler{warm, step, hold}, []int{2, 8})
	want := []float64{0.025, 0.025, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.05, 0.05}
	for e, row := range schedRun(t, s, opt, len(want)-1) {
		if row[0] != want[e] {
			t.Errorf("epoch %d: lr=%v, want %v", e, row[0], want[e])
		}
	}
}

func TestSequentialLRWithOneCycle(t *testing.T) {
	// A OneCycleLR keeps its own learning rates; a schedule built after it starts from its initial_lr.
	opt := newSchedFake()
	oc := NewOneCycleLR(opt, schedOneCycle([]float64{1}, 10, func(c *OneCycleConfig) { c.PctStart = 0.5 }))
	hold := NewFixedLR(opt)
	s := NewSequentialLR(opt, []Scheduler{oc, hold}, []int{10})
	lrs := schedRun(t, s, opt, 12)
	if !schedClose(lrs[0][0], 1.0/25, 1e-12) || lrs[4][0] != 1 || lrs[9][0] != 1.0/25/1e4 ||
		lrs[10][0] != 1.0/25 || lrs[12][1] != 1.0/25 {
		t.Errorf("lrs=%v", lrs)
	}
}

func TestSchedulePanics(t *testing.T) {
	opt := newSchedFake()
	other := newSchedFake()
	tests := []struct {
		want string
		f    func()
	}{
		{"optim: NewStepLR: stepSize=0, want >= 1", func() { NewStepLR(opt, 0, 0.1) }},
		{"optim: NewStepLR: gamma=NaN", func() { NewStepLR(opt, 1, math.NaN()) }},
		{"optim: NewStepLR: opt is nil", func() { NewStepLR(nil, 1, 0.1) }},
		{"optim: NewMultiStepLR: milestones contains -1", func() { NewMultiStepLR(opt, []int{3, -1}, 0.1) }},
		{"optim: NewExponentialLR: gamma=-1", func() { NewExponentialLR(opt, -1) }},
		{"optim: NewConstantLR: factor=1.5", func() { NewConstantLR(opt, 1.5, 5) }},
		{"optim: NewConstantLR: totalIters=-1", func() { NewConstantLR(opt, 0.5, -1) }},
		{"optim: NewLinearLR: startFactor=0,", func() { NewLinearLR(opt, 0, 1, 5) }},
		{"optim: NewLinearLR: endFactor=2,", func() { NewLinearLR(opt, 0.5, 2, 5) }},
		{"optim: NewLinearLR: totalIters=0,", func() { NewLinearLR(opt, 0.5, 1, 0) }},
		{"optim: NewLambdaLR: fn is nil", func() { NewLambdaLR(opt, nil) }},
		{"optim: NewCosineAnnealingLR: tMax=0,", func() { NewCosineAnnealingLR(opt, 0, 0) }},
		{"optim: NewCosineAnnealingLR: etaMin=-1,", func() { NewCosineAnnealingLR(opt, 10, -1) }},
		{"optim: NewCosineAnnealingWarmRestarts: t0=0,", func() { NewCosineAnnealingWarmRestarts(opt, 0, 1, 0) }},
		{"optim: NewCosineAnnealingWarmRestarts: tMult=0,", func() { NewCosineAnnealingWarmRestarts(opt, 10, 0, 0) }},
		{"optim: NewOneCycleLR: TotalSteps=0,", func() { NewOneCycleLR(opt, schedOneCycle([]float64{1}, 0)) }},
		{"optim: NewOneCycleLR: TotalSteps=0,", func() { NewOneCycleLR(opt, OneCycleConfig{}) }},
		{"optim: NewOneCycleLR: MaxLR[0]=0,", func() { NewOneCycleLR(opt, schedOneCycle([]float64{0}, 10)) }},
		{"optim: NewOneCycleLR: len(MaxLR)=0, want 1 or one per param group (2)", func() {
			NewOneCycleLR(opt, schedOneCycle(nil, 10))
		}},
		{"optim: NewOneCycleLR: len(MaxLR)=3, want 1 or one per param group (2)", func() {
			NewOneCycleLR(opt, schedOneCycle([]float64{1, 2, 3}, 10))
		}},
		{"optim: NewOneCycleLR: PctStart=1.5,", func() {
			NewOneCycleLR(opt, schedOneCycle([]float64{1}, 10, func(c *OneCycleConfig) { c.PctStart = 1.5 }))
		}},
		{"optim: NewOneCycleLR: DivFactor=0,", func() {
			NewOneCycleLR(opt, OneCycleConfig{MaxLR: []float64{1}, TotalSteps: 10})
		}},
		{"optim: NewOneCycleLR: FinalDivFactor=-1,", func() {
			NewOneCycleLR(opt, schedOneCycle([]float64{1}, 10, func(c *OneCycleConfig) { c.FinalDivFactor = -1 }))
		}},
		{"optim: NewOneCycleLR: Anneal=Anneal(7),", func() {
			NewOneCycleLR(opt, schedOneCycle([]float64{1}, 10, func(c *OneCycleConfig) { c.Anneal = 7 }))
		}},
		{"optim: NewOneCycleLR: phase 1 of TotalSteps=10, PctStart=0.1", func() {
			NewOneCycleLR(opt, schedOneCycle([]float64{1}, 10, func(c *OneCycleConfig) { c.PctStart = 0.1 }))
		}},
		{"optim: NewOneCycleLR: phase 2 of TotalSteps=10, PctStart=1", func() {
			NewOneCycleLR(opt, schedOneCycle([]float64{1}, 10, func(c *OneCycleConfig) { c.PctStart = 1 }))
		}},
		{"optim: NewSequentialLR: no schedulers", func() { NewSequentialLR(opt, nil, nil) }},
		{"optim: NewSequentialLR: len(milestones)=0, want len(schedulers)-1=1", func() {
			NewSequentialLR(opt, []Scheduler{NewFixedLR(opt), NewFixedLR(opt)}, nil)
		}},
		{"optim: NewSequentialLR: milestones=[5 5], want strictly increasing", func() {
			NewSequentialLR(opt, []Scheduler{NewFixedLR(opt), NewFixedLR(opt), NewFixedLR(opt)}, []int{5, 5})
		}},
		{"optim: NewSequentialLR: milestones=[0], want strictly increasing and >= 1", func() {
			NewSequentialLR(opt, []Scheduler{NewFixedLR(opt), NewFixedLR(opt)}, []int{0})
		}},
		{"optim: NewSequentialLR: schedulers[1] drives another optimizer", func() {
			NewSequentialLR(opt, []Scheduler{NewFixedLR(opt), NewFixedLR(other)}, []int{3})
		}},
		{"optim: NewSequentialLR: schedulers[0] is nil", func() { NewSequentialLR(opt, []Scheduler{nil}, nil) }},
		{"optim: NewSequentialLR: schedulers[0] is a SequentialLR", func() {
			inner := NewSequentialLR(opt, []Scheduler{NewFixedLR(opt)}, nil)
			NewSequentialLR(opt, []Scheduler{inner}, nil)
		}},
		{"optim: NewReduceLROnPlateau: Factor=1, want 0 < Factor < 1", func() {
			NewReduceLROnPlateau(opt, schedPlateau(func(c *PlateauConfig) { c.Factor = 1 }))
		}},
		{"optim: NewReduceLROnPlateau: Factor=0, want 0 < Factor < 1", func() { NewReduceLROnPlateau(opt, PlateauConfig{}) }},
		{"optim: NewReduceLROnPlateau: Patience=-1", func() {
			NewReduceLROnPlateau(opt, schedPlateau(func(c *PlateauConfig) { c.Patience = -1 }))
		}},
		{"optim: NewReduceLROnPlateau: Cooldown=-1", func() {
			NewReduceLROnPlateau(opt, schedPlateau(func(c *PlateauConfig) { c.Cooldown = -1 }))
		}},
		{"optim: NewReduceLROnPlateau: Threshold=-1", func() {
			NewReduceLROnPlateau(opt, schedPlateau(func(c *PlateauConfig) { c.Threshold = -1 }))
		}},
		{"optim: NewReduceLROnPlateau: Eps=NaN", func() {
			NewReduceLROnPlateau(opt, schedPlateau(func(c *PlateauConfig) { c.Eps = math.NaN() }))
		}},
		{"optim: NewReduceLROnPlateau: Mode=PlateauMode(2)", func() {
			NewReduceLROnPlateau(opt, schedPlateau(func(c *PlateauConfig) { c.Mode = 2 }))
		}},
		{"optim: NewReduceLROnPlateau: ThresholdMode=ThresholdMode(2)", func() {
			NewReduceLROnPlateau(opt, schedPlateau(func(c *PlateauConfig) { c.ThresholdMode = 2 }))
		}},
		{"optim: NewReduceLROnPlateau: len(MinLR)=3, want 0, 1 or one per param group (2)", func() {
			NewReduceLROnPlateau(opt, schedPlateau(func(c *PlateauConfig) { c.MinLR = []float64{0, 0, 0} }))
		}},
		{"optim: NewReduceLROnPlateau: MinLR[0]=-1,", func() {
			NewReduceLROnPlateau(opt, schedPlateau(func(c *PlateauConfig) { c.MinLR = []float64{-1} }))
		}},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.HasPrefix(msg, tt.want) {
					t.Errorf("panic %q, want prefix %q", r, tt.want)
				}
			}()
			tt.f()
		}()
	}
}

// Every kind, as the second schedule of a SequentialLR, starts from its own epoch 0 at the milestone
// and then runs as it would alone.
func TestSequentialLRStartsEveryKindAtEpochZero(t *testing.T) {
	for _, k := range schedKinds {
		if k.name == "SequentialLR" {
			continue
		}
		opt := newSchedFake()
		first := NewConstantLR(opt, 0.5, 100)
		s := NewSequentialLR(opt, []Scheduler{first, k.new(opt)}, []int{3})
		aloneOpt := newSchedFake()
		alone := k.new(aloneOpt)
		lrs := schedRun(t, s, opt, 3+40)
		for e := 3; e < len(lrs); e++ {
			if e > 3 {
				alone.Step()
			}
			if !slices.Equal(lrs[e], alone.LastLR()) {
				t.Errorf("%s: epoch %d of the sequence: lr %v, alone at epoch %d: %v", k.name, e, lrs[e], e-3, alone.LastLR())
			}
		}
	}
}
