package optim

import (
	"fmt"
	"math"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
)

// ClipGradNorm scales the gradients of params together so that their
// global L2 norm (the norm of all their elements as one vector) is at most
// maxNorm, as torch.nn.utils.clip_grad_norm_: each gradient is multiplied
// by maxNorm/(norm + 1e-6) when that is below 1. It returns the norm before
// clipping. Each parameter's norm is computed without overflow (kernels.Nrm2)
// and they are combined in float64.
//
// If the norm is NaN or ±Inf and errorIfNonfinite is set, ClipGradNorm
// returns an error and leaves the gradients alone; otherwise it returns the
// non-finite norm and scales as torch does (which fills them with NaN), so
// the caller can test the norm and skip the step.
func ClipGradNorm[T autodiff.Float](params []*autodiff.Tensor[T], maxNorm float64, errorIfNonfinite bool) (float64, error) {
	if !(maxNorm > 0) {
		panic(fmt.Sprintf("optim: ClipGradNorm: maxNorm=%v, want > 0", maxNorm))
	}
	norm := GradNorm(params)
	if errorIfNonfinite && (math.IsNaN(norm) || math.IsInf(norm, 0)) {
		return norm, fmt.Errorf("optim: ClipGradNorm: the total gradient norm is %v", norm)
	}
	coef := maxNorm / (norm + 1e-6)
	if coef < 1 || math.IsNaN(coef) {
		for _, p := range params {
			if p.RequiresGrad() {
				kernels.Scale(T(coef), p.Grad())
			}
		}
	}
	return norm, nil
}

// GradNorm returns the global L2 norm of the gradients of params (those
// that require one).
func GradNorm[T autodiff.Float](params []*autodiff.Tensor[T]) float64 {
	// Combined like Nrm2 itself: scale by the largest norm so far, so that
	// no square overflows.
	scale, ssq := 0.0, 1.0
	for _, p := range params {
		if !p.RequiresGrad() {
			continue
		}
		n := float64(kernels.Nrm2(p.Grad()))
		switch {
		case math.IsNaN(n) || math.IsInf(n, 0):
			return n
		case n == 0:
		case n > scale:
			ssq = 1 + ssq*(scale/n)*(scale/n)
			scale = n
		default:
			ssq += (n / scale) * (n / scale)
		}
	}
	return scale * math.Sqrt(ssq)
}

// ClipGradValue clamps every gradient element of params to [−clip, clip],
// as torch.nn.utils.clip_grad_value_ (NaN stays NaN).
func ClipGradValue[T autodiff.Float](params []*autodiff.Tensor[T], clip float64) {
	if !(clip > 0) {
		panic(fmt.Sprintf("optim: ClipGradValue: clip=%v, want > 0", clip))
	}
	for _, p := range params {
		if p.RequiresGrad() {
			g := p.Grad()
			kernels.Clamp(g, g, T(-clip), T(clip))
		}
	}
}
