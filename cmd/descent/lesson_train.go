package main

import (
	"math"

	"gonum.org/v1/plot/plotter"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/nn"
	"github.com/descentlab/descent/optim"
)

// lessonLoop is the training loop of the network lessons: mini-batches of
// the embedded digits' training split, softmax cross-entropy, one optimizer
// step per batch, the loss checked with autodiff.CheckFinite before each
// step (a run that goes non-finite stops there).
type lessonLoop struct {
	model nn.Layer[float32]
	opt   optim.Optimizer
	data  *nn.Dataset
	batch int
	seed  uint64 // of the batch order
	// afterBackward, if set, runs between Backward and the optimizer step
	// (steps count from 1): clipping, measuring gradients.
	afterBackward func(step int)
	// afterStep, if set, runs after each step with the batch's loss: a
	// schedule's Step.
	afterStep func(step int, loss float64)
}

// lessonRun is what a lessonLoop measured.
type lessonRun struct {
	losses   []float64 // the loss of each step's batch, before the step
	lrs      []float64 // the learning rate each step used
	diverged int       // the step whose loss was not finite, 0 if none
	err      error     // CheckFinite's report of it
}

// run trains for steps steps (or until the loss is not finite).
func (l *lessonLoop) run(steps int) *lessonRun {
	r := &lessonRun{}
	f := l.data.Features
	batches := nn.NewBatches(l.data.Len(), l.batch, true, l.seed, true)
	xbuf := make([]float32, l.batch*f)
	y := make([]int, l.batch)
	tp := autodiff.NewTape[float32]()
	for step := 1; step <= steps; step++ {
		if !batches.Next() {
			batches.Reset()
			batches.Next()
		}
		idx := batches.Indices()
		x := autodiff.New(xbuf[:len(idx)*f], len(idx), f)
		nn.Gather(l.data, idx, x.Data, y[:len(idx)])
		tp.Reset()
		l.opt.ZeroGrad()
		loss := nn.CrossEntropy(tp, l.model.Forward(tp, x), y[:len(idx)])
		r.losses = append(r.losses, float64(loss.Item()))
		r.lrs = append(r.lrs, l.opt.LR())
		if err := autodiff.CheckFinite("loss", loss); err != nil {
			r.diverged, r.err = step, err
			return r
		}
		if err := tp.Backward(loss); err != nil {
			panic(err) // the loss comes from the model's parameters
		}
		if l.afterBackward != nil {
			l.afterBackward(step)
		}
		l.opt.Step()
		if l.afterStep != nil {
			l.afterStep(step, r.losses[len(r.losses)-1])
		}
	}
	return r
}

// lessonSmooth returns the mean of each window of w values of v as points
// (x = the window's last step scaled by xScale), dropping anything from
// the first non-finite value on, so that noisy mini-batch losses read as
// curves.
func lessonSmooth(v []float64, w int, xScale float64) plotter.XYs {
	var xys plotter.XYs
	for lo := 0; lo+w <= len(v); lo += w {
		s := 0.0
		for _, x := range v[lo : lo+w] {
			s += x
		}
		if math.IsNaN(s) || math.IsInf(s, 0) {
			break
		}
		xys = append(xys, plotter.XY{X: float64(lo+w) * xScale, Y: s / float64(w)})
	}
	return xys
}

// lessonMean returns the mean of v[lo:hi] (clamped to v).
func lessonMean(v []float64, lo, hi int) float64 {
	lo, hi = max(lo, 0), min(hi, len(v))
	if hi <= lo {
		return math.NaN()
	}
	s := 0.0
	for _, x := range v[lo:hi] {
		s += x
	}
	return s / float64(hi-lo)
}
