package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/descentlab/descent/kernels"
)

// `descent sweep` trains the same model from the same initial weights, on
// the same batches, once per learning rate, and draws the runs' curves in
// one picture: the learning rate is the hyperparameter that matters most,
// and this shows why.

const sweepDefaultLRs = "0.1,0.01,0.001,0.0001"

// sweepRun is one learning rate's run.
type sweepRun struct {
	lr       float64
	history  []epochStats
	diverged *nonFiniteError // nil if the run finished
}

func runSweep(args []string, stdout io.Writer) error {
	f := newTrainFlags("sweep", stdout, "sweep.png", false)
	lrList := f.fs.String("lrs", sweepDefaultLRs, "comma-separated learning `rates`, one run each")
	f.fs.Usage = func() {
		fmt.Fprintf(f.fs.Output(), "usage: descent sweep [flags]\n\n"+
			"Trains the model of `descent train` once per learning rate, from the same initial weights\n"+
			"and on the same batches (no schedule, no clipping, no weight decay but adamw's), prints\n"+
			"the final training loss, test accuracy and best epoch of each, and draws their curves.\n"+
			"A run whose loss becomes NaN or infinite stops there and is marked diverged.\n\n")
		f.fs.PrintDefaults()
	}
	cfg, err := f.parse(args)
	if err != nil {
		return err
	}
	lrs, err := parseLRList(*lrList)
	if err != nil {
		return usageError{err}
	}
	if err := checkOutputDir("o", f.out); err != nil {
		return err
	}
	defer kernels.SetThreads(kernels.SetThreads(f.threads))
	d, err := loadTrainData(cfg.data, cfg.hidden)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "data      %s: %d training and %d test samples of %d features, %d classes\n",
		d.name, d.train.Len(), d.test.Len(), d.train.Features, d.train.Classes)
	fmt.Fprintf(stdout, "model     MLP %s, ReLU, He-uniform init, float32, seed %d (the same initial weights for every run)\n",
		joinIntList(d.sizes, "-"), cfg.seed)
	fmt.Fprintf(stdout, "training  %s, weight decay %g, batch %d, %d epochs, no schedule\n\n", cfg.opt, cfg.wd, cfg.batch, cfg.epochs)
	fmt.Fprintf(stdout, "%10s  %16s  %8s  %10s  %13s\n", "lr", "final train loss", "test acc", "best epoch", "best test acc")

	var runs []sweepRun
	for _, lr := range lrs {
		c := cfg
		c.lr, c.schedule = lr, "none"
		t, err := newTrainer(c, d)
		if err != nil {
			return err
		}
		bar := newEpochBar(fmt.Sprintf("lr %g  ", lr))
		t.OnStep = bar.step
		r := sweepRun{lr: lr}
		err = t.fit()
		bar.abort()
		if err != nil && !errors.As(err, &r.diverged) {
			return err
		}
		r.history = t.History
		runs = append(runs, r)
		printSweepRow(stdout, r)
	}

	curves := make([]trainCurve, len(runs))
	for i, r := range runs {
		curves[i] = trainCurve{name: "lr " + strconv.FormatFloat(r.lr, 'g', -1, 64), history: r.history}
		if r.diverged != nil {
			curves[i].name += fmt.Sprintf(" (diverged in epoch %d)", r.diverged.Epoch)
		}
	}
	title := fmt.Sprintf("Learning-rate sweep: MLP %s on %s, %s, batch %d", joinIntList(d.sizes, "-"), d.name, cfg.opt, cfg.batch)
	if err := saveCurvesPlot(title, curves, f.out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwrote %s\n", f.out)
	return nil
}

func printSweepRow(w io.Writer, r sweepRun) {
	loss, acc, bestEpoch, bestAcc := "-", "-", "-", "-"
	if len(r.history) > 0 {
		last, best := r.history[len(r.history)-1], bestTrainEpoch(r.history)
		loss = fmt.Sprintf("%.6f", last.TrainLoss)
		acc = fmt.Sprintf("%.2f%%", 100*last.TestAcc)
		bestEpoch = strconv.Itoa(best.Epoch)
		bestAcc = fmt.Sprintf("%.2f%%", 100*best.TestAcc)
	}
	if r.diverged != nil {
		loss = fmt.Sprintf("diverged (ep %d)", r.diverged.Epoch)
	}
	fmt.Fprintf(w, "%10s  %16s  %8s  %10s  %13s\n", strconv.FormatFloat(r.lr, 'g', -1, 64), loss, acc, bestEpoch, bestAcc)
}

// parseLRList reads a comma-separated list of positive learning rates.
func parseLRList(s string) ([]float64, error) {
	var lrs []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("-lrs %q: want a comma-separated list of positive learning rates", s)
		}
		lrs = append(lrs, v)
	}
	return lrs, nil
}
