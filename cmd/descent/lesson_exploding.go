package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/descent/nn"
	"github.com/descentlab/descent/optim"
)

// The exploding lesson trains a 10-layer ReLU MLP of width 32 on the digits
// in float32 three ways: weights drawn from N(0, 1), which multiplies the
// activations by about √(32/2) = 4 at every layer (He's N(0, 2/32) keeps
// them level); the same with the gradients' global norm clipped to 1
// (optim.ClipGradNorm) before each step; and He-normal weights. The first
// step of the unclipped run moves the weights by a gradient of norm ~10⁶,
// after which the activations overflow float32 and the loss is NaN: the
// loop catches it with autodiff.CheckFinite at the step it happens.
const (
	lessonExpDepth = 10 // weight matrices
	lessonExpWidth = 32
	lessonExpStd   = 1.0
	lessonExpClip  = 1.0
	lessonExpBatch = 32
	lessonExpLR    = 0.01
	lessonExpMu    = 0.9
)

type lessonExpRun struct {
	name     string
	gradNorm float64 // global gradient norm on the first batch (before clipping)
	maxNorm  float64 // largest gradient norm seen
	run      *lessonRun
	clipped  int // steps whose gradient was clipped
}

type lessonExpResult struct {
	steps int
	runs  []*lessonExpRun
}

func lessonExploding(cfg lessonConfig) *lessonExpResult {
	train, _ := nn.Digits()
	r := &lessonExpResult{steps: 400}
	if cfg.quick {
		r.steps = 40
	}
	sizes := []int{64}
	for range lessonExpDepth - 1 {
		sizes = append(sizes, lessonExpWidth)
	}
	sizes = append(sizes, 10)
	relu := func() nn.Layer[float32] { return nn.ReLU[float32]{} }
	for _, c := range []struct {
		name string
		init nn.Init
		clip bool
	}{
		{fmt.Sprintf("N(0, %g²) init", lessonExpStd), nn.Normal(lessonExpStd), false},
		{fmt.Sprintf("N(0, %g²) init, clip norm %g", lessonExpStd, lessonExpClip), nn.Normal(lessonExpStd), true},
		{"He-normal init", nn.HeNormal, false},
	} {
		rng := rand.New(rand.NewPCG(cfg.seed, 0x657870))
		model := nn.MLP(sizes, relu, c.init, rng)
		params := model.Params()
		opt := optim.NewSGD(optim.SGDConfig{LR: lessonExpLR, Momentum: lessonExpMu}, optim.Params(params...))
		er := &lessonExpRun{name: c.name}
		loop := &lessonLoop{model: model, opt: opt, data: train, batch: lessonExpBatch, seed: cfg.seed,
			afterBackward: func(step int) {
				var norm float64
				if c.clip {
					norm, _ = optim.ClipGradNorm(params, lessonExpClip, false)
					if norm > lessonExpClip {
						er.clipped++
					}
				} else {
					norm = optim.GradNorm(params)
				}
				if step == 1 {
					er.gradNorm = norm
				}
				if !(norm <= er.maxNorm) {
					er.maxNorm = norm
				}
			}}
		er.run = loop.run(r.steps)
		r.runs = append(r.runs, er)
	}
	return r
}

func (r *lessonExpResult) table(w io.Writer) error {
	fmt.Fprintf(w, "%d-layer ReLU MLP of width %d on the digits, float32; SGD lr %g momentum %g, batch %d, %d steps\n\n",
		lessonExpDepth, lessonExpWidth, lessonExpLR, lessonExpMu, lessonExpBatch, r.steps)
	tw := lessonTable(w)
	fmt.Fprint(tw, "run\tloss, step 1\t‖g‖, step 1\tlargest ‖g‖\tsteps clipped\tnon-finite at step\tloss, last 10 steps\t\n")
	for _, e := range r.runs {
		div := "never"
		if e.run.diverged > 0 {
			div = fmt.Sprint(e.run.diverged)
		}
		n := len(e.run.losses)
		final := lessonMean(e.run.losses, n-10, n)
		if e.run.diverged > 0 {
			final = e.run.losses[n-1]
		}
		fmt.Fprintf(tw, "%s\t%.3g\t%.3g\t%.3g\t%d\t%s\t%.3g\t\n", e.name, e.run.losses[0], e.gradNorm, e.maxNorm, e.clipped, div, final)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range r.runs {
		if e.run.err != nil {
			fmt.Fprintf(w, "\n%s: step %d: %v", e.name, e.run.diverged, e.run.err)
		}
	}
	fmt.Fprintln(w)
	return nil
}

const (
	lessonExpW = 7 * vg.Inch
	lessonExpH = 4.5 * vg.Inch
)

func (r *lessonExpResult) plot(path string) error {
	p := newPlot("loss per step; × marks the step the loss became NaN or Inf", "step (log scale)", "cross-entropy")
	lessonLogY(p)
	for i, e := range r.runs {
		var xys plotter.XYs
		for s, l := range e.run.losses {
			xys = append(xys, plotter.XY{X: float64(s + 1), Y: l})
		}
		xys = lessonFinite(xys, true)
		name := e.name
		if e.run.diverged > 0 {
			name += fmt.Sprintf(": non-finite at step %d", e.run.diverged)
		}
		lessonLine(p, xys, seriesColor(i), vg.Points(1.4), name)
		if e.run.diverged > 0 && len(xys) > 0 {
			// Mark the divergence at the top of the last finite loss's
			// decade, where the curve stops.
			y := math.Pow(10, math.Ceil(math.Log10(xys[len(xys)-1].Y)))
			lessonDots(p, plotter.XYs{{X: float64(e.run.diverged), Y: y}}, seriesColor(i), draw.CrossGlyph{}, vg.Points(6), "")
			l, err := plotter.NewLine(plotter.XYs{{X: float64(e.run.diverged), Y: xys[len(xys)-1].Y}, {X: float64(e.run.diverged), Y: y}})
			if err == nil {
				l.Color, l.Dashes = seriesColor(i), []vg.Length{vg.Points(3), vg.Points(3)}
				p.Add(l)
			}
		}
	}
	// A log step axis spreads out the first steps, where the unclipped run
	// ends; the top is left free for the legend.
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, lessonLogTicks{}
	p.X.Min, p.Y.Max = 1, 1e40
	p.Legend.Top = true
	return lessonSaveTiles([][]*plot.Plot{{p}}, lessonExpW, lessonExpH, path)
}

func runLessonExploding(cfg lessonConfig, w io.Writer) (string, error) {
	r := lessonExploding(cfg)
	if err := r.table(w); err != nil {
		return "", err
	}
	path := cfg.picture("exploding")
	return path, r.plot(path)
}
