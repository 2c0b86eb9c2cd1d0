package autodiff

import (
	"fmt"
	"math"
)

// GradCheckResult reports how far the tape's gradients are from central
// finite differences.
type GradCheckResult struct {
	// MaxRelErr is the largest, over the inputs, of ‖e‖₂ /
	// max(‖analytic‖₂, ‖numeric‖₂) (0 when both are 0), where e_j is
	// |analytic_j − numeric_j| less the rounding error of the central
	// difference (gradCheckNoise), and 0 when within it.
	MaxRelErr float64
	// Input is the index of that input; Index, Analytic and Numeric
	// describe its element with the largest absolute difference.
	Input, Index      int
	Analytic, Numeric float64
}

// gradCheckNoise bounds, in units of |f|, the rounding error of a loss
// evaluation that a central difference divides by 2h: 16 float64 ulps,
// for losses that are sums of a few rounded terms (more than the 2–4 a
// dot product of the sizes the tests use accrues).
const gradCheckNoise = 16 * 0x1p-53

// GradCheck compares the gradients Backward computes for f with central
// differences (f(x+h) − f(x−h))/2h, element by element, for every input,
// in float64, as torch.autograd.gradcheck does. f must build its scalar
// loss on the given tape from the inputs, deterministically (reseed any
// random source inside f). Every input must require a gradient. h is the
// step (1e-6 suits float64 losses of moderate curvature) and tol the largest
// relative error accepted; GradCheck returns an error describing the worst
// element when the error exceeds tol, or when f misbehaves.
//
// The relative error is taken over each input's whole gradient, so that a
// tiny component does not dominate; its worst element is reported to help
// find a wrong backward. A difference within the rounding error of the
// central difference itself, about ε·(|f(x+h)|+|f(x−h)|)/2h, is not
// counted: a gradient of 5e-5 on a loss of order 1 is resolved to only
// about 1e-10 with h = 1e-6, which is 2e-6 of it, and no backward can be
// blamed for that (the fuzz target found such a Softmax).
func GradCheck(f func(tp *Tape[float64]) *Tensor[float64], inputs []*Tensor[float64], h, tol float64) (GradCheckResult, error) {
	var res GradCheckResult
	if !(h > 0) || !(tol > 0) {
		return res, fmt.Errorf("autodiff: GradCheck: h=%v and tol=%v must be positive", h, tol)
	}
	for i, in := range inputs {
		if !in.needsGrad {
			return res, fmt.Errorf("autodiff: GradCheck: input %d (%v) does not require a gradient", i, in)
		}
		in.ZeroGrad()
	}
	tp := NewTape[float64]()
	loss := f(tp)
	if loss == nil || loss.Len() != 1 {
		return res, fmt.Errorf("autodiff: GradCheck: f must return a scalar loss")
	}
	if err := tp.Backward(loss); err != nil {
		return res, fmt.Errorf("autodiff: GradCheck: %w", err)
	}
	analytic := make([][]float64, len(inputs))
	for i, in := range inputs {
		analytic[i] = append([]float64(nil), in.Grad()...)
	}
	eval := func() float64 {
		tp.Reset()
		return f(tp).Item()
	}
	res.Input = -1
	for i, in := range inputs {
		numeric := make([]float64, len(in.Data))
		noise := make([]float64, len(in.Data))
		for j := range in.Data {
			x := in.Data[j]
			in.Data[j] = x + h
			fp := eval()
			in.Data[j] = x - h
			fm := eval()
			in.Data[j] = x
			numeric[j] = (fp - fm) / (2 * h)
			noise[j] = gradCheckNoise * (math.Abs(fp) + math.Abs(fm)) / (2 * h)
		}
		var dd, aa, nn, worst float64
		wi := 0
		for j, a := range analytic[i] {
			d := a - numeric[j]
			if e := math.Abs(d) - noise[j]; e > 0 || math.IsNaN(e) {
				dd += e * e
			}
			aa += a * a
			nn += numeric[j] * numeric[j]
			if ad := math.Abs(d); ad > worst || math.IsNaN(ad) {
				worst, wi = ad, j
			}
		}
		rel := 0.0
		switch {
		case math.IsNaN(dd) || math.IsNaN(aa) || math.IsNaN(nn) || math.IsInf(dd, 0):
			rel = math.Inf(1) // a NaN or infinite gradient fails any tolerance
		case aa > 0 || nn > 0:
			rel = math.Sqrt(dd) / math.Sqrt(math.Max(aa, nn))
		}
		if res.Input < 0 || rel > res.MaxRelErr {
			res.MaxRelErr, res.Input = rel, i
			if len(numeric) > 0 {
				res.Index, res.Analytic, res.Numeric = wi, analytic[i][wi], numeric[wi]
			}
		}
	}
	if res.MaxRelErr > tol {
		return res, fmt.Errorf("autodiff: GradCheck: input %d: relative error %.3g > %.3g; worst element %d: analytic %.10g, numeric %.10g",
			res.Input, res.MaxRelErr, tol, res.Index, res.Analytic, res.Numeric)
	}
	return res, nil
}
