package nn

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// smallDataset is 4 samples of 3 features: sample i holds 10i, 10i+1, 10i+2, with label i%2.
func smallDataset() *Dataset {
	d := &Dataset{Features: 3, Classes: 2, Name: "small"}
	for i := range 4 {
		d.X = append(d.X, float32(10*i), float32(10*i+1), float32(10*i+2))
		d.Y = append(d.Y, i%2)
	}
	return d
}

func TestDatasetRowAndSubset(t *testing.T) {
	d := smallDataset()
	if d.Len() != 4 {
		t.Fatalf("Len = %d, want 4", d.Len())
	}
	row := d.Row(2)
	if !slices.Equal(row, []float32{20, 21, 22}) {
		t.Fatalf("Row(2) = %v", row)
	}
	_ = append(row, -1) // the row's capacity ends with it: the next sample is untouched
	if d.X[9] != 30 {
		t.Fatalf("append to Row(2) overwrote sample 3: %v", d.X)
	}

	s := d.Subset([]int{3, 1, 3})
	if !slices.Equal(s.X, []float32{30, 31, 32, 10, 11, 12, 30, 31, 32}) || !slices.Equal(s.Y, []int{1, 1, 1}) {
		t.Fatalf("Subset = %v %v", s.X, s.Y)
	}
	if s.Features != 3 || s.Classes != 2 || s.Name != "small" {
		t.Fatalf("Subset lost its metadata: %+v", s)
	}
	s.X[0], s.Y[0] = -5, 0
	if d.X[9] != 30 || d.Y[3] != 1 {
		t.Fatal("Subset shares memory with its source")
	}
	if e := d.Subset(nil); e.Len() != 0 || len(e.X) != 0 {
		t.Fatalf("empty Subset = %+v", e)
	}
}

func TestDatasetPanics(t *testing.T) {
	d := smallDataset()
	for name, f := range map[string]func(){
		"Row(4)":         func() { d.Row(4) },
		"Row(-1)":        func() { d.Row(-1) },
		"Subset([0 -1])": func() { d.Subset([]int{0, -1}) },
		"Subset([7])":    func() { d.Subset([]int{7}) },
	} {
		msg := catchPanic(f)
		if !strings.Contains(msg, "out of range") {
			t.Errorf("%s: panic %q, want an out of range message", name, msg)
		}
	}
}

func TestDatasetValidate(t *testing.T) {
	if err := smallDataset().Validate(); err != nil {
		t.Fatalf("valid data set: %v", err)
	}
	for _, tc := range []struct {
		name  string
		spoil func(d *Dataset)
		want  string
	}{
		{"features", func(d *Dataset) { d.Features = 0 }, "Features=0"},
		{"classes", func(d *Dataset) { d.Classes = 0 }, "Classes=0"},
		{"len", func(d *Dataset) { d.X = d.X[:11] }, "len(X)=11"},
		{"label", func(d *Dataset) { d.Y[2] = 2 }, "sample 2: label 2 out of range [0,2)"},
		{"negative label", func(d *Dataset) { d.Y[1] = -1 }, "label -1"},
		{"nan", func(d *Dataset) { d.X[4] = float32(math.NaN()) }, "sample 1, feature 1: NaN is not finite"},
		{"inf", func(d *Dataset) { d.X[0] = float32(math.Inf(-1)) }, "not finite"},
	} {
		d := smallDataset()
		tc.spoil(d)
		err := d.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"small"`) {
			t.Errorf("%s: Validate() = %v, want an error naming the data set and containing %q", tc.name, err, tc.want)
		}
	}
}

// catchPanic runs f and returns the message it panicked with, or "" if it did not panic.
func catchPanic(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}
