package optim

import (
	"math"
	"slices"
	"testing"
)

func TestReduceLROnPlateau(t *testing.T) {
	nan := math.NaN()
	tenth := 0.1 // a variable, so that tenth*tenth rounds as the schedule's float64 arithmetic does
	tests := []struct {
		name    string
		cfg     func(*PlateauConfig)
		metrics []float64
		want    []float64 // group 0's lr after each step; the base LRs are 1 and 0.5
		want1   []float64 // group 1's, if not half of group 0's
	}{
		{
			name:    "min rel patience 2",
			cfg:     func(c *PlateauConfig) { c.Patience, c.Factor = 2, 0.5 },
			metrics: []float64{10, 9, 9, 9, 9, 9, 9, 9},
			want:    []float64{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25},
		},
		{
			name:    "min rel threshold",
			cfg:     func(c *PlateauConfig) { c.Patience, c.Threshold = 0, 0.1 },
			metrics: []float64{10, 9.5, 8.9, 8.5},          // 9.5 is not < 10*0.9; 8.9 is; 8.5 is not < 8.9*0.9
			want:    []float64{1, 0.1, 0.1, tenth * tenth}, // the reduction at 9.5 is in the same step
		},
		{
			name:    "min abs threshold",
			cfg:     func(c *PlateauConfig) { c.Patience, c.Threshold, c.ThresholdMode = 0, 0.5, ThresholdAbs },
			metrics: []float64{10, 9.6, 9.4, 9},
			want:    []float64{1, 0.1, 0.1, tenth * tenth},
		},
		{
			name:    "max rel threshold",
			cfg:     func(c *PlateauConfig) { c.Mode, c.Patience, c.Threshold = PlateauMax, 0, 0.1 },
			metrics: []float64{10, 10.5, 11.5, 12.5},
			want:    []float64{1, 0.1, 0.1, tenth * tenth},
		},
		{
			name: "max abs threshold patience 1",
			cfg: func(c *PlateauConfig) {
				c.Mode, c.Patience, c.Threshold, c.ThresholdMode = PlateauMax, 1, 1, ThresholdAbs
			},
			metrics: []float64{1, 1.5, 1.9, 2.1, 2.5, 2.9},
			want:    []float64{1, 1, 0.1, 0.1, 0.1, tenth * tenth},
		},
		{
			name:    "max mode ignores falling metric",
			cfg:     func(c *PlateauConfig) { c.Mode, c.Patience = PlateauMax, 1 },
			metrics: []float64{5, 4, 3, 6, 7},
			want:    []float64{1, 1, 0.1, 0.1, 0.1},
		},
		{
			name:    "cooldown",
			cfg:     func(c *PlateauConfig) { c.Patience, c.Factor, c.Cooldown = 0, 0.5, 2 },
			metrics: []float64{5, 5, 5, 5, 5, 5, 5},
			want:    []float64{1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25},
		},
		{
			name:    "min lr floor per group",
			cfg:     func(c *PlateauConfig) { c.Patience, c.MinLR = 0, []float64{0.05, 0.2} },
			metrics: []float64{5, 5, 5, 5},
			want:    []float64{1, 0.1, 0.05, 0.05},
			want1:   []float64{0.5, 0.2, 0.2, 0.2},
		},
		{
			name:    "min lr floor",
			cfg:     func(c *PlateauConfig) { c.Patience, c.MinLR = 0, []float64{0.03} },
			metrics: []float64{5, 5, 5, 5},
			want:    []float64{1, 0.1, 0.03, 0.03},
			want1:   []float64{0.5, 0.05, 0.03, 0.03},
		},
		{
			name:    "eps suppresses small changes",
			cfg:     func(c *PlateauConfig) { c.Patience, c.Factor, c.Eps = 0, 0.5, 0.3 },
			metrics: []float64{5, 5, 5},
			want:    []float64{1, 0.5, 0.5}, // 1 -> 0.5 changes by 0.5 > eps; 0.5 -> 0.25 by 0.25 <= eps
			want1:   []float64{0.5, 0.5, 0.5},
		},
		{
			name:    "NaN is a bad epoch",
			cfg:     func(c *PlateauConfig) { c.Patience = 1 },
			metrics: []float64{1, nan, nan, 0.5, nan, nan},
			want:    []float64{1, 1, 0.1, 0.1, 0.1, tenth * tenth},
		},
		{
			name:    "NaN first",
			cfg:     func(c *PlateauConfig) { c.Patience = 0 },
			metrics: []float64{nan, 3, 3},
			want:    []float64{0.1, 0.1, tenth * tenth},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := &schedFakeGroups{lrs: []float64{1, 0.5}}
			cfg := DefaultPlateau()
			tt.cfg(&cfg)
			s := NewReduceLROnPlateau(opt, cfg)
			if got := s.LastLR(); !slices.Equal(got, []float64{1, 0.5}) || s.Epoch() != 0 {
				t.Fatalf("after construction: LastLR()=%v, Epoch()=%d", got, s.Epoch())
			}
			for i, m := range tt.metrics {
				s.Step(m)
				want1 := tt.want[i] * 0.5
				if tt.want1 != nil {
					want1 = tt.want1[i]
				}
				if got := s.LastLR(); got[0] != tt.want[i] || got[1] != want1 || !slices.Equal(got, opt.lrs) {
					t.Errorf("step %d (metric %v): LastLR()=%v, optimizer %v, want [%v %v]", i+1, m, got, opt.lrs, tt.want[i], want1)
				}
				if s.Epoch() != i+1 {
					t.Errorf("step %d: Epoch()=%d", i+1, s.Epoch())
				}
				if math.IsNaN(s.Best()) {
					t.Errorf("step %d: best is NaN", i+1)
				}
			}
		})
	}
}

func TestReduceLROnPlateauCounters(t *testing.T) {
	opt := newSchedFake()
	cfg := DefaultPlateau()
	cfg.Patience, cfg.Cooldown = 2, 1
	s := NewReduceLROnPlateau(opt, cfg)
	if !math.IsInf(s.Best(), 1) {
		t.Errorf("initial best %v, want +Inf", s.Best())
	}
	steps := []struct {
		metric   float64
		bad      int
		cooldown bool
	}{
		{3, 0, false}, {3, 1, false}, {3, 2, false}, {3, 0, true}, {3, 0, false}, {2, 0, false},
	}
	for i, st := range steps {
		s.Step(st.metric)
		if s.NumBadEpochs() != st.bad || s.InCooldown() != st.cooldown {
			t.Errorf("step %d: NumBadEpochs()=%d InCooldown()=%v, want %d %v",
				i+1, s.NumBadEpochs(), s.InCooldown(), st.bad, st.cooldown)
		}
	}
	if s.Best() != 2 {
		t.Errorf("best %v, want 2", s.Best())
	}
}
