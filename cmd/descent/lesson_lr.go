package main

import (
	"fmt"
	"io"
	"math/rand/v2"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/descentlab/descent/nn"
	"github.com/descentlab/descent/optim"
)

// The learning-rate lesson trains one fixed model, the 64 → 32 → 10 tanh
// MLP with Xavier-uniform weights (the same weights for every run) on the
// digits with plain SGD, batch 32, at constant learning rates that are too
// small, right, too large (the loss bounces and stalls) and divergent (the
// first steps throw the tanh units into saturation and the logits grow:
// the loss rises to tens and keeps rising). Then the divergent rate again
// as the peak of a schedule, a linear warm-up over the first quarter of the
// run (optim.LinearLR from 1% of the peak) followed by a cosine decay to 0
// (optim.CosineAnnealingLR), both stepped every batch under
// optim.SequentialLR; and the too-large rate under optim.ReduceLROnPlateau,
// which halves it whenever the mean loss of half an epoch has not improved
// for two half-epochs in a row (patience 1).
const (
	lessonLRSmall     = 0.01
	lessonLRRight     = 0.5
	lessonLRLarge     = 2.0
	lessonLRDivergent = 3.0
	lessonLRBatch     = 32
	lessonLRPlateauF  = 0.5
	lessonLRPlateauP  = 1
)

type lessonLRRun struct {
	name string
	run  *lessonRun
}

type lessonLRResult struct {
	epochs, stepsPerEpoch, steps, warmup int
	runs                                 []*lessonLRRun
}

// Indices of the runs in lessonLRResult.runs.
const (
	lessonLRIdxSmall = iota
	lessonLRIdxRight
	lessonLRIdxLarge
	lessonLRIdxDivergent
	lessonLRIdxWarmup
	lessonLRIdxPlateau
)

func lessonLR(cfg lessonConfig) *lessonLRResult {
	train, _ := nn.Digits()
	r := &lessonLRResult{epochs: 20, stepsPerEpoch: train.Len() / lessonLRBatch}
	if cfg.quick {
		r.epochs = 12
	}
	r.steps = r.epochs * r.stepsPerEpoch
	r.warmup = r.steps / 4
	half := r.stepsPerEpoch / 2
	for i, name := range []string{
		fmt.Sprintf("lr %g (too small)", lessonLRSmall),
		fmt.Sprintf("lr %g (right)", lessonLRRight),
		fmt.Sprintf("lr %g (too large)", lessonLRLarge),
		fmt.Sprintf("lr %g (divergent)", lessonLRDivergent),
		fmt.Sprintf("warm-up + cosine, peak %g", lessonLRDivergent),
		fmt.Sprintf("ReduceLROnPlateau from %g", lessonLRLarge),
	} {
		lr := []float64{lessonLRSmall, lessonLRRight, lessonLRLarge, lessonLRDivergent, lessonLRDivergent, lessonLRLarge}[i]
		rng := rand.New(rand.NewPCG(cfg.seed, 0x6c72))
		model := nn.MLP([]int{64, 32, 10}, func() nn.Layer[float32] { return nn.Tanh[float32]{} }, nn.XavierUniform, rng)
		opt := optim.NewSGD(optim.SGDConfig{LR: lr}, optim.Params(model.Params()...))
		loop := &lessonLoop{model: model, opt: opt, data: train, batch: lessonLRBatch, seed: cfg.seed}
		switch i {
		case lessonLRIdxWarmup:
			s := optim.NewSequentialLR(opt, []optim.Scheduler{
				optim.NewLinearLR(opt, 0.01, 1, r.warmup),
				optim.NewCosineAnnealingLR(opt, r.steps-r.warmup, 0),
			}, []int{r.warmup})
			loop.afterStep = func(int, float64) { s.Step() }
		case lessonLRIdxPlateau:
			pc := optim.DefaultPlateau()
			pc.Factor, pc.Patience = lessonLRPlateauF, lessonLRPlateauP
			s := optim.NewReduceLROnPlateau(opt, pc)
			sum := 0.0
			loop.afterStep = func(step int, loss float64) {
				sum += loss
				if step%half == 0 {
					s.Step(sum / float64(half))
					sum = 0
				}
			}
		}
		r.runs = append(r.runs, &lessonLRRun{name: name, run: loop.run(r.steps)})
	}
	return r
}

// epochLoss returns the mean loss of run i's first or last epoch.
func (r *lessonLRResult) epochLoss(i int, last bool) float64 {
	l := r.runs[i].run.losses
	if last {
		return lessonMean(l, len(l)-r.stepsPerEpoch, len(l))
	}
	return lessonMean(l, 0, r.stepsPerEpoch)
}

func (r *lessonLRResult) table(w io.Writer) error {
	fmt.Fprintf(w, "64-32-10 tanh MLP on the digits, plain SGD, batch %d, %d epochs (%d steps); warm-up %d steps\n\n",
		lessonLRBatch, r.epochs, r.steps, r.warmup)
	tw := lessonTable(w)
	fmt.Fprint(tw, "run\tfirst epoch loss\tlargest loss\tlast epoch loss\tfinal lr\t\n")
	for i, x := range r.runs {
		big := 0.0
		for _, l := range x.run.losses {
			big = max(big, l)
		}
		last := fmt.Sprintf("%.3f", r.epochLoss(i, true))
		if x.run.diverged > 0 {
			last = fmt.Sprintf("non-finite at step %d", x.run.diverged)
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3g\t%s\t%.3g\t\n", x.name, r.epochLoss(i, false), big, last, x.run.lrs[len(x.run.lrs)-1])
	}
	return tw.Flush()
}

const (
	lessonLRW = 8 * vg.Inch
	lessonLRH = 7 * vg.Inch
)

func (r *lessonLRResult) plot(path string) error {
	win := max(1, r.stepsPerEpoch/4)
	top := newPlot(fmt.Sprintf("training loss (mean of every %d batches)", win), "", "cross-entropy")
	lessonLogY(top)
	bottom := newPlot("learning rate", "epoch", "learning rate")
	lessonLogY(bottom)
	// Failures warm (red, orange), the fixes cool (blue, purple).
	colors := []int{6, 1, 3, 0, 2, 4}
	for i, x := range r.runs {
		c := seriesColor(colors[i])
		lessonLine(top, lessonFinite(lessonSmooth(x.run.losses, win, 1/float64(r.stepsPerEpoch)), true), c, vg.Points(1.4), x.name)
		var lrs plotter.XYs
		for s, lr := range x.run.lrs {
			lrs = append(lrs, plotter.XY{X: float64(s+1) / float64(r.stepsPerEpoch), Y: lr})
		}
		lessonLine(bottom, lessonFinite(lrs, true), c, vg.Points(1.4), "")
	}
	top.Legend.Top = true
	top.Legend.TextStyle.Font.Size = vg.Points(9)
	top.Y.Max = max(top.Y.Max, 1e3) // room for the legend
	bottom.Y.Min = 1e-3             // the cosine's last steps go on towards 0
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Min, p.X.Max = 0, float64(r.epochs)
	}
	return lessonSaveTiles([][]*plot.Plot{{top}, {bottom}}, lessonLRW, lessonLRH, path)
}

func runLessonLR(cfg lessonConfig, w io.Writer) (string, error) {
	r := lessonLR(cfg)
	if err := r.table(w); err != nil {
		return "", err
	}
	path := cfg.picture("learning-rate")
	return path, r.plot(path)
}
