package main

import (
	"fmt"
	"math"
	"time"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/nn"
	"github.com/descentlab/descent/optim"
)

// The training loop of `descent train` and `descent sweep`, kept apart from
// their flags so that any command (a lesson, say) can train any classifier
// of package nn with it: a model, its data, an optimizer, an optional
// schedule and clipping, and callbacks after every batch and every epoch.

// epochStats is one epoch of a run: a row of the table, a point of the
// curves, and what a checkpoint keeps of the epochs behind it.
type epochStats struct {
	Epoch     int     // counting from 1
	TrainLoss float64 // the mean loss over the epoch's batches, weighted by their sizes
	TestLoss  float64 // on the whole test set after the epoch (NaN without one)
	TestAcc   float64 // fraction of the test set classified right (NaN without one)
	LR        float64 // the learning rate at the epoch's start
	Rate      float64 // training throughput, samples/s (not reproducible: a measurement)
}

// stepInfo is what fit tells OnStep after every batch.
type stepInfo struct {
	Epoch, Step, Steps int     // Step counts from 1 to Steps within the epoch
	Loss               float64 // this batch's loss
	MeanLoss           float64 // the mean loss of the epoch's batches so far
	Rate               float64 // samples/s since the epoch began
}

// trainer is one training run. fit trains it until Epochs epochs are done,
// counting those in History (restored from a checkpoint), so that a run
// resumed after epoch k starts with epoch k+1 and continues exactly as the
// run it was saved from would have.
type trainer[T autodiff.Float] struct {
	Model       nn.Layer[T]
	Train, Test *nn.Dataset // Test may be nil: no evaluation
	Opt         optim.Optimizer
	Sched       *lrSchedule // nil: the learning rate stays where it is
	Clip        float64     // bound on the gradients' global L2 norm; 0: no clipping
	Batches     *nn.Batches // over Train; its position is the run's position
	Epochs      int         // the epoch to stop after
	History     []epochStats

	// OnStep, if set, is called after every optimizer step.
	OnStep func(s stepInfo)
	// OnEpoch, if set, is called after every epoch (the schedule has
	// stepped, History ends with s); an error stops fit and is returned.
	OnEpoch func(s epochStats) error
}

// nonFiniteError stops a run whose loss or gradient norm is NaN or
// infinite, and says where: "epoch 3, step 17: loss is NaN".
type nonFiniteError struct {
	Epoch, Step int
	What        string
}

func (e *nonFiniteError) Error() string {
	return fmt.Sprintf("epoch %d, step %d: %s", e.Epoch, e.Step, e.What)
}

// fit trains until t.Epochs epochs are done. A non-finite loss (checked
// with autodiff.CheckFinite before the backward pass) stops it with a
// *nonFiniteError before the optimizer steps on it; so does a non-finite
// gradient norm when clipping is on (without clipping the norm is not
// computed, and a non-finite gradient shows as a non-finite loss a step
// later).
func (t *trainer[T]) fit() error {
	f := t.Train.Features
	steps := t.Batches.NumBatches()
	if steps == 0 {
		return fmt.Errorf("data set %s has no samples", t.Train.Name)
	}
	var xbuf []T
	var ybuf []int
	tp := autodiff.NewTape[T]()
	params := t.Model.Params()
	var eval evaluator[T]

	for epoch := len(t.History) + 1; epoch <= t.Epochs; epoch++ {
		nn.SetTraining(t.Model, true)
		lr := t.Opt.LR()
		start := time.Now()
		var sum float64
		seen, step := 0, 0
		for t.Batches.Next() {
			step++
			idx := t.Batches.Indices()
			n := len(idx)
			if len(ybuf) < n { // the first batch is the largest: this allocates once
				xbuf, ybuf = make([]T, n*f), make([]int, n)
			}
			x := autodiff.New(xbuf[:n*f], n, f)
			y := ybuf[:n]
			nn.Gather(t.Train, idx, x.Data, y)
			tp.Reset()
			t.Opt.ZeroGrad()
			loss := nn.CrossEntropy(tp, t.Model.Forward(tp, x), y)
			if err := autodiff.CheckFinite("loss", loss); err != nil {
				return &nonFiniteError{epoch, step, fmt.Sprintf("loss is %v", loss.Item())}
			}
			if err := tp.Backward(loss); err != nil {
				return fmt.Errorf("epoch %d, step %d: %w", epoch, step, err)
			}
			if t.Clip > 0 {
				if norm, err := optim.ClipGradNorm(params, t.Clip, true); err != nil {
					return &nonFiniteError{epoch, step, fmt.Sprintf("gradient norm is %v", norm)}
				}
			}
			t.Opt.Step()
			if t.Sched != nil {
				t.Sched.afterStep()
			}
			l := float64(loss.Item())
			sum += l * float64(n)
			seen += n
			if t.OnStep != nil {
				t.OnStep(stepInfo{Epoch: epoch, Step: step, Steps: steps, Loss: l, MeanLoss: sum / float64(seen),
					Rate: float64(seen) / time.Since(start).Seconds()})
			}
		}
		t.Batches.Reset()
		s := epochStats{Epoch: epoch, TrainLoss: sum / float64(seen), LR: lr,
			Rate: float64(seen) / time.Since(start).Seconds(), TestLoss: math.NaN(), TestAcc: math.NaN()}
		if t.Test != nil {
			nn.SetTraining(t.Model, false)
			s.TestLoss, s.TestAcc = eval.run(t.Model, t.Test)
			nn.SetTraining(t.Model, true)
		}
		if t.Sched != nil {
			t.Sched.afterEpoch(s.TrainLoss)
		}
		t.History = append(t.History, s)
		if t.OnEpoch != nil {
			if err := t.OnEpoch(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// evalChunk bounds the rows evaluated at once, and so the memory evaluation
// takes on a large test set.
const evalChunk = 1000

// evaluator computes the loss and accuracy of a model on a data set, in
// chunks, reusing its tape and buffers from one epoch to the next.
type evaluator[T autodiff.Float] struct {
	tp *autodiff.Tape[T]
	x  []T
	y  []int
}

func (e *evaluator[T]) run(model nn.Layer[T], d *nn.Dataset) (loss, acc float64) {
	if e.tp == nil {
		e.tp = autodiff.NewTape[T]()
	}
	n, f := d.Len(), d.Features
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	idx := make([]int, 0, evalChunk)
	var lossSum, right float64
	for lo := 0; lo < n; lo += evalChunk {
		hi := min(lo+evalChunk, n)
		idx = idx[:0]
		for i := lo; i < hi; i++ {
			idx = append(idx, i)
		}
		m := hi - lo
		if cap(e.x) < m*f {
			e.x, e.y = make([]T, m*f), make([]int, m)
		}
		x := autodiff.New(e.x[:m*f], m, f)
		y := e.y[:m]
		nn.Gather(d, idx, x.Data, y)
		e.tp.Reset()
		logits := model.Forward(e.tp, x)
		lossSum += float64(nn.CrossEntropy(e.tp, logits, y).Item()) * float64(m)
		right += math.Round(nn.Accuracy(logits, y) * float64(m))
	}
	return lossSum / float64(n), right / float64(n)
}
