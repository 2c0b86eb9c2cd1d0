package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/nn"
	"github.com/descentlab/descent/optim"
)

// `descent linreg` fits y ≈ w·x + b to the digits' ink data (inkData in
// surface.go: right-half ink against standardised left-half ink) with
// autodiff and optim.NewSGD three ways: batch gradient descent (all 1,437
// images per update), SGD (one image per update) and mini-batches, with the
// same learning rate and the same number of epochs, and compares each with
// the exact least-squares fit.

// linregMethod is one way of batching the data.
type linregMethod struct {
	name  string
	batch int
}

// linregRun is what one method did.
type linregRun struct {
	linregMethod
	updates int
	epochs  int
	loss    []float64       // full-data training loss after each epoch, epoch 0 first
	elapsed []time.Duration // training time (evaluation excluded) at each epoch
	w, b    float64
}

func runLinreg(args []string, stdout io.Writer) error {
	fs := newFlags("linreg", stdout)
	epochs := fs.Int("epochs", 40, "passes over the 1,437 training images, the same for every method")
	lr := fs.Float64("lr", 0.2, "learning rate of every method (its initial one, with -decay)")
	decay := fs.Bool("decay", true, "decay every method's learning rate linearly to 0 over its updates (false: constant)")
	batch := fs.Int("batch", 32, "mini-batch size of the third method")
	seed := fs.Uint64("seed", 1, "seed of the shuffling of SGD and mini-batches")
	out := fs.String("o", "linreg.png", "write the loss curves to `file` (.png or .svg)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *epochs < 1:
		return usageError{fmt.Errorf("-epochs=%d must be at least 1", *epochs)}
	case !(*lr > 0) || math.IsInf(*lr, 0):
		return usageError{fmt.Errorf("-lr=%g must be positive and finite", *lr)}
	case *batch < 1:
		return usageError{fmt.Errorf("-batch=%d must be at least 1", *batch)}
	}
	// A bad file name fails before the run, not after it.
	if ext := strings.ToLower(filepath.Ext(*out)); ext != ".png" && ext != ".svg" {
		return usageError{fmt.Errorf("-o=%s: want a .png or .svg file name", *out)}
	}
	if st, err := os.Stat(filepath.Dir(*out)); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	} else if !st.IsDir() {
		return fmt.Errorf("write %s: %s is not a directory", *out, filepath.Dir(*out))
	}
	d := loadInk()
	n := len(d.x)
	w, b, best := d.leastSquares()
	fmt.Fprintf(stdout, "y = w·x + b: right-half ink (%% of full) against left-half ink (standardised), %d digits images\n", n)
	fmt.Fprintf(stdout, "least squares (exact): w = %.4f, b = %.4f, loss %.6f\n", w, b, best)
	schedule := "constant"
	if *decay {
		schedule = "decaying linearly to 0"
	}
	fmt.Fprintf(stdout, "every method: lr %g %s, %d epochs, from w = b = 0\n\n", *lr, schedule, *epochs)
	methods := []linregMethod{{"batch GD", n}, {"SGD", 1}, {fmt.Sprintf("mini-batch %d", *batch), *batch}}
	runs := make([]*linregRun, len(methods))
	for i, m := range methods {
		runs[i] = fitLinreg(d, m, *epochs, *lr, *decay, *seed)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "method\tbatch\tupdates\tepochs\tfinal loss\tabove least squares\tw\tb\ttime")
	for _, r := range runs {
		final := r.loss[len(r.loss)-1]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.6f\t%.3f%%\t%.4f\t%.4f\t%v\n", r.name, r.batch, r.updates, r.epochs, final,
			100*(final-best)/best, r.w, r.b, r.elapsed[len(r.elapsed)-1].Round(time.Microsecond))
	}
	tw.Flush()
	if err := saveLinregPlot(runs, best, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

// fitLinreg trains a Linear(1, 1) layer from zero weights on d with m's
// batch size for epochs epochs, with decay the learning rate falling
// linearly from lr to 0 over the run's updates. Without the decay, the
// noise of SGD's one-image gradients keeps its loss about a fraction
// 2·lr/(1−lr) above the least-squares loss (x is standardised, so the
// Hessian is 2·I and the gradient noise at the optimum is about 4·loss·I);
// with it every method ends within a small fraction of a percent.
func fitLinreg(d *inkData, m linregMethod, epochs int, lr float64, decay bool, seed uint64) *linregRun {
	n := len(d.x)
	size := min(m.batch, n)
	lin := nn.NewLinear[float64](1, 1, nn.Normal(0), rand.New(rand.NewPCG(seed, 0)))
	lin.W.Data[0], lin.B.Data[0] = 0, 0
	opt := optim.NewSGD(optim.SGDConfig{LR: lr}, optim.Params(lin.Params()...))
	batches := nn.NewBatches(n, size, size < n, seed, false)
	total := epochs * batches.NumBatches()
	tp := autodiff.NewTape[float64]()
	xs, ys := make([]float64, size), make([]float64, size)
	r := &linregRun{linregMethod: m, epochs: epochs}
	r.linregMethod.batch = size
	r.loss = append(r.loss, d.loss(0, 0))
	r.elapsed = append(r.elapsed, 0)
	var spent time.Duration
	for e := range epochs {
		if e > 0 {
			batches.Reset()
		}
		start := time.Now()
		for batches.Next() {
			idx := batches.Indices()
			k := len(idx)
			for j, i := range idx {
				xs[j], ys[j] = d.x[i], d.y[i]
			}
			x := autodiff.New(xs[:k], k, 1)
			y := autodiff.New(ys[:k], k, 1)
			if decay {
				opt.SetLR(lr * (1 - float64(r.updates)/float64(total)))
			}
			tp.Reset()
			opt.ZeroGrad()
			loss := nn.MSE(tp, lin.Forward(tp, x), y)
			if err := tp.Backward(loss); err != nil {
				panic(err) // a programming error: the tape is fresh
			}
			opt.Step()
			r.updates++
		}
		spent += time.Since(start)
		r.loss = append(r.loss, d.loss(lin.W.Data[0], lin.B.Data[0]))
		r.elapsed = append(r.elapsed, spent)
	}
	r.w, r.b = lin.W.Data[0], lin.B.Data[0]
	return r
}

// linregW, linregH are the size of the picture: two panels side by side.
const (
	linregW = 11 * vg.Inch
	linregH = 4.5 * vg.Inch
)

// saveLinregPlot draws each method's loss above the least-squares loss on
// a log scale, against epochs (left) and training time (right).
func saveLinregPlot(runs []*linregRun, best float64, path string) error {
	byEpoch := newPlot("Loss against epochs", "epoch", "loss − least-squares loss")
	byTime := newPlot("Loss against training time", "training time (ms, log scale)", "loss − least-squares loss")
	for _, p := range []*plot.Plot{byEpoch, byTime} {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Legend.Top = true
	}
	byTime.X.Scale = plot.LogScale{}
	byTime.X.Tick.Marker = plot.LogTicks{Prec: -1}
	floor := best * 1e-7 // a log scale has no zero: excess below this is drawn at it
	for i, r := range runs {
		// The time panel starts at the end of the first epoch: a log
		// scale has no zero.
		ep, tm := make(plotter.XYs, len(r.loss)), make(plotter.XYs, 0, len(r.loss))
		for k, l := range r.loss {
			excess := math.Max(l-best, floor)
			ep[k] = plotter.XY{X: float64(k), Y: excess}
			if k > 0 {
				ms := math.Max(float64(r.elapsed[k])/float64(time.Millisecond), 1e-3)
				tm = append(tm, plotter.XY{X: ms, Y: excess})
			}
		}
		for _, pl := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{byEpoch, ep}, {byTime, tm}} {
			l, err := plotter.NewLine(pl.xys)
			if err != nil {
				return fmt.Errorf("plot %s: %w", r.name, err)
			}
			l.Color = seriesColor(i)
			l.Width = vg.Points(1.5)
			pl.p.Add(l)
			pl.p.Legend.Add(r.name, l)
		}
	}
	// One percent of the least-squares loss: the target.
	for _, p := range []*plot.Plot{byEpoch, byTime} {
		l, _ := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: best / 100}, {X: p.X.Max, Y: best / 100}})
		l.Color = seriesColor(6)
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("1% of the least-squares loss", l)
	}
	plots := [][]*plot.Plot{{byEpoch, byTime}}
	return saveCanvas(linregW, linregH, path, func(dc draw.Canvas) {
		t := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(12), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
		canvases := plot.Align(plots, t, dc)
		byEpoch.Draw(canvases[0][0])
		byTime.Draw(canvases[0][1])
	})
}
