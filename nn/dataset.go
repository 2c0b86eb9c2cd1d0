package nn

import (
	"fmt"
	"math"
)

// A Dataset is a labelled classification data set held in memory: sample i has the features
// X[i*Features : (i+1)*Features] and the class label Y[i] in [0, Classes).
type Dataset struct {
	X        []float32 // row-major, len(Y)*Features values
	Y        []int     // class labels, each in [0, Classes)
	Features int       // values per sample
	Classes  int       // number of classes
	Name     string    // for messages and reports, e.g. "digits/train"
}

// Len returns the number of samples.
func (d *Dataset) Len() int { return len(d.Y) }

// Row returns the features of sample i. The slice aliases d.X (its capacity ends with the row, so
// appending to it never overwrites the next sample). It panics if i is out of range.
func (d *Dataset) Row(i int) []float32 {
	if i < 0 || i >= len(d.Y) {
		panic(fmt.Sprintf("nn: Dataset.Row: i=%d out of range [0,%d)", i, len(d.Y)))
	}
	lo, hi := i*d.Features, (i+1)*d.Features
	return d.X[lo:hi:hi]
}

// Subset returns a new Dataset holding copies of the samples idx, in that order (an index may
// repeat). It shares nothing with d. It panics if an index is out of range.
func (d *Dataset) Subset(idx []int) *Dataset {
	s := &Dataset{
		X:        make([]float32, len(idx)*d.Features),
		Y:        make([]int, len(idx)),
		Features: d.Features,
		Classes:  d.Classes,
		Name:     d.Name,
	}
	for j, i := range idx {
		if i < 0 || i >= len(d.Y) {
			panic(fmt.Sprintf("nn: Dataset.Subset: idx[%d]=%d out of range [0,%d)", j, i, len(d.Y)))
		}
		copy(s.X[j*d.Features:(j+1)*d.Features], d.X[i*d.Features:(i+1)*d.Features])
		s.Y[j] = d.Y[i]
	}
	return s
}

// Validate reports whether d is consistent: positive Features and Classes, len(X) ==
// len(Y)*Features, every label in [0, Classes) and every feature finite. The data set readers
// call it before returning; call it on a Dataset built by hand before training on it.
func (d *Dataset) Validate() error {
	switch {
	case d.Features < 1:
		return fmt.Errorf("data set %q: Features=%d, want >= 1", d.Name, d.Features)
	case d.Classes < 1:
		return fmt.Errorf("data set %q: Classes=%d, want >= 1", d.Name, d.Classes)
	case len(d.Y) > math.MaxInt/d.Features || len(d.X) != len(d.Y)*d.Features:
		return fmt.Errorf("data set %q: len(X)=%d, want len(Y)*Features = %d*%d",
			d.Name, len(d.X), len(d.Y), d.Features)
	}
	for i, y := range d.Y {
		if y < 0 || y >= d.Classes {
			return fmt.Errorf("data set %q: sample %d: label %d out of range [0,%d)", d.Name, i, y, d.Classes)
		}
	}
	for k, v := range d.X {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("data set %q: sample %d, feature %d: %v is not finite",
				d.Name, k/d.Features, k%d.Features, v)
		}
	}
	return nil
}
