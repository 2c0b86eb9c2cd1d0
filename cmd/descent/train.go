package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
	"github.com/descentlab/descent/nn"
	"github.com/descentlab/descent/optim"
)

// `descent train` trains a multilayer perceptron (ReLU, He-uniform
// initialisation, float32) on the embedded digits or on MNIST-format IDX
// files, prints a row per epoch, draws the curves, and can save and resume
// checkpoints.

// trainOptimizers are the values of -opt.
var trainOptimizers = []string{"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"}

// trainDefaultLR is each optimizer's learning rate when -lr is not given.
var trainDefaultLR = map[string]float64{
	"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05,
	"adam": 3e-3, "adamw": 3e-3, "rmsprop": 3e-3, "adagrad": 0.05,
}

// adamwDefaultWD is AdamW's weight decay when -wd is not given (torch's default).
const adamwDefaultWD = 0.01

// Defaults of train and sweep.
const (
	trainDefaultEpochs = 20
	trainDefaultBatch  = 32
	trainDefaultSeed   = 1
	trainDefaultOpt    = "adam"
)

// trainConfig is one run's settings, resolved from the flags.
type trainConfig struct {
	data     string // IDX directory; "" for the embedded digits
	hidden   []int  // hidden layer sizes; nil for the data set's default
	opt      string
	lr, wd   float64
	batch    int
	epochs   int
	schedule string
	clip     float64
	seed     uint64
}

// trainData is a run's data and the network's sizes for it.
type trainData struct {
	name        string // "digits", or the IDX directory's base name ("mnist", "fashion-mnist")
	train, test *nn.Dataset
	sizes       []int // the MLP's layer sizes, input to output
}

// loadTrainData reads the data (the embedded digits when dir is "") and
// sizes the network: hidden layers as given, or 32 units for the digits
// and 128 for IDX data.
func loadTrainData(dir string, hidden []int) (*trainData, error) {
	d := &trainData{}
	def := 32
	if dir == "" {
		d.name = "digits"
		d.train, d.test = nn.Digits()
	} else {
		st, err := os.Stat(dir)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("-data %s: no such directory", dir)
			}
			return nil, fmt.Errorf("-data %s: %w", dir, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("-data %s: not a directory", dir)
		}
		if d.train, d.test, err = nn.LoadMNIST(dir); err != nil {
			return nil, err
		}
		d.name = filepath.Base(filepath.Clean(dir))
		def = 128
	}
	if hidden == nil {
		hidden = []int{def}
	}
	d.sizes = append(append([]int{d.train.Features}, hidden...), d.train.Classes)
	return d, nil
}

// newTrainer builds a run: the model's weights and the batch order from
// cfg.seed (so every run with the same seed starts from the same weights),
// the optimizer and the schedule.
func newTrainer(cfg trainConfig, d *trainData) (*trainer[float32], error) {
	rng := rand.New(rand.NewPCG(cfg.seed, 1))
	model := nn.MLP(d.sizes, func() nn.Layer[float32] { return nn.ReLU[float32]{} }, nn.HeUniform, rng)
	opt, err := newTrainOptimizer(cfg.opt, cfg.lr, cfg.wd, model.Params())
	if err != nil {
		return nil, err
	}
	batches := nn.NewBatches(d.train.Len(), cfg.batch, true, cfg.seed, false)
	sched, err := newTrainSchedule(cfg.schedule, opt, cfg.epochs, batches.NumBatches())
	if err != nil {
		return nil, err
	}
	return &trainer[float32]{Model: model, Train: d.train, Test: d.test, Opt: opt, Sched: sched,
		Clip: cfg.clip, Batches: batches, Epochs: cfg.epochs}, nil
}

// newTrainOptimizer returns the optimizer named name (one of trainOptimizers)
// over params, weight decay on the weight matrices only (optim.SplitDecay).
func newTrainOptimizer(name string, lr, wd float64, params []*autodiff.Tensor[float32]) (optim.Optimizer, error) {
	groups := optim.SplitDecay(params)
	switch name {
	case "sgd", "momentum", "nesterov":
		c := optim.SGDConfig{LR: lr, WeightDecay: wd}
		if name != "sgd" {
			c.Momentum, c.Nesterov = 0.9, name == "nesterov"
		}
		return optim.NewSGD(c, groups...), nil
	case "adam", "adamw":
		c := optim.DefaultAdam()
		c.LR, c.WeightDecay = lr, wd
		if name == "adamw" {
			return optim.NewAdamW(c, groups...), nil
		}
		return optim.NewAdam(c, groups...), nil
	case "rmsprop":
		c := optim.DefaultRMSprop()
		c.LR, c.WeightDecay = lr, wd
		return optim.NewRMSprop(c, groups...), nil
	case "adagrad":
		c := optim.DefaultAdagrad()
		c.LR, c.WeightDecay = lr, wd
		return optim.NewAdagrad(c, groups...), nil
	}
	return nil, fmt.Errorf("unknown optimizer %q (want one of %s)", name, strings.Join(trainOptimizers, ", "))
}

// checkpointConfig is what a checkpoint of the run records and a resumed
// run must repeat: every setting but the number of epochs, which may grow,
// unless the schedule is shaped by it.
func checkpointConfig(cfg trainConfig, d *trainData, sched *lrSchedule) []configItem {
	c := []configItem{
		{"data", d.name},
		{"sizes", joinIntList(d.sizes, "-")},
		{"dtype", "float32"},
		{"opt", cfg.opt},
		{"lr", formatFloatExact(cfg.lr)},
		{"wd", formatFloatExact(cfg.wd)},
		{"batch", strconv.Itoa(cfg.batch)},
		{"schedule", cfg.schedule},
		{"clip", formatFloatExact(cfg.clip)},
		{"seed", strconv.FormatUint(cfg.seed, 10)},
	}
	if sched != nil && sched.horizon {
		c = append(c, configItem{"epochs", strconv.Itoa(cfg.epochs)})
	}
	return c
}

func formatFloatExact(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func joinIntList(v []int, sep string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}

// parseIntList reads a comma-separated list of positive integers.
func parseIntList(flagName, s string) ([]int, error) {
	var v []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-%s %q: want a comma-separated list of positive integers", flagName, s)
		}
		v = append(v, n)
	}
	return v, nil
}

// trainFlags are the flags train and sweep share.
type trainFlags struct {
	data, hidden, opt string
	epochs, batch     int
	seed              uint64
	threads           int
	out               string
	lr, wd, clip      float64
	schedule          string
	lrSet, wdSet      bool
	trainOnly         bool    // -lr, -wd, -schedule and -clip are defined (train, not sweep)
	resume            *string // train's -resume: unset flags default to the checkpoint's settings
	fs                *flag.FlagSet
}

func newTrainFlags(name string, stdout io.Writer, defaultOut string, train bool) *trainFlags {
	f := &trainFlags{fs: newFlags(name, stdout), trainOnly: train}
	fs := f.fs
	fs.StringVar(&f.data, "data", "", "`dir`ectory of MNIST or Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], ...);\ndefault: the embedded 8x8 digits (1437 train, 360 test samples)")
	fs.StringVar(&f.hidden, "hidden", "", "comma-separated hidden layer `sizes` (default 32 for the digits, 128 with -data)")
	fs.StringVar(&f.opt, "opt", trainDefaultOpt, "`name` of the optimizer: "+strings.Join(trainOptimizers, "|")+"\n(momentum and nesterov: SGD with momentum 0.9; the others with torch's defaults)")
	if train {
		fs.Float64Var(&f.lr, "lr", 0, "learning `rate` (default 0.1 sgd, 0.05 momentum and nesterov, 0.003 adam, adamw\nand rmsprop, 0.05 adagrad: what reaches about 97% on the digits in 20 epochs)")
		fs.Float64Var(&f.wd, "wd", 0, "weight `decay` on the weight matrices, not the biases (adamw: decoupled,\ndefault 0.01; the others: an L2 penalty)")
		fs.StringVar(&f.schedule, "schedule", "none", "`name` of the "+trainScheduleHelp)
		fs.Float64Var(&f.clip, "clip", 0, "clip the gradients to this global L2 `norm` before each step (0: off)")
	}
	fs.IntVar(&f.batch, "batch", trainDefaultBatch, "mini-batch `size`")
	fs.IntVar(&f.epochs, "epochs", trainDefaultEpochs, "`number` of epochs (passes over the training set)")
	fs.Uint64Var(&f.seed, "seed", trainDefaultSeed, "`seed` of the initial weights and of the batch order")
	fs.IntVar(&f.threads, "threads", 0, "`n` goroutines per kernel call at most (kernels.SetThreads; 0: GOMAXPROCS);\nthe results do not depend on it")
	fs.StringVar(&f.out, "o", defaultOut, "write the curves to this PNG (or .svg) `file`")
	return f
}

// parse parses args and resolves the settings of a run (not yet -lr for sweep).
func (f *trainFlags) parse(args []string) (trainConfig, error) {
	if err := parse(f.fs, args); err != nil {
		return trainConfig{}, err
	}
	if f.resume != nil && *f.resume != "" {
		if err := f.defaultsFrom(*f.resume); err != nil {
			return trainConfig{}, err
		}
	}
	f.fs.Visit(func(fl *flag.Flag) {
		f.lrSet = f.lrSet || fl.Name == "lr"
		f.wdSet = f.wdSet || fl.Name == "wd"
	})
	cfg := trainConfig{data: f.data, opt: f.opt, batch: f.batch, epochs: f.epochs, seed: f.seed,
		lr: f.lr, wd: f.wd, clip: f.clip, schedule: f.schedule}
	usage := func(format string, a ...any) (trainConfig, error) {
		return trainConfig{}, usageError{fmt.Errorf(format, a...)}
	}
	if !slices.Contains(trainOptimizers, f.opt) {
		return usage("-opt %q: want one of %s", f.opt, strings.Join(trainOptimizers, ", "))
	}
	if f.hidden != "" {
		h, err := parseIntList("hidden", f.hidden)
		if err != nil {
			return usage("%v", err)
		}
		cfg.hidden = h
	}
	switch {
	case f.batch < 1:
		return usage("-batch %d: want at least 1", f.batch)
	case f.epochs < 1:
		return usage("-epochs %d: want at least 1", f.epochs)
	case f.threads < 0:
		return usage("-threads %d: want 0 (all) or more", f.threads)
	case !(f.lr >= 0) || math.IsInf(f.lr, 0):
		return usage("-lr %v: want a finite rate >= 0", f.lr)
	case !(f.wd >= 0) || math.IsInf(f.wd, 0):
		return usage("-wd %v: want a finite decay >= 0", f.wd)
	case !(f.clip >= 0) || math.IsInf(f.clip, 0):
		return usage("-clip %v: want a finite norm > 0, or 0 for none", f.clip)
	}
	if f.trainOnly && !slices.Contains(trainSchedules, f.schedule) {
		return usage("-schedule %q: want one of %s", f.schedule, strings.Join(trainSchedules, ", "))
	}
	if ext := strings.ToLower(filepath.Ext(f.out)); ext != ".png" && ext != ".svg" {
		return usage("-o %q: want a .png or .svg file name", f.out)
	}
	if !f.lrSet {
		cfg.lr = trainDefaultLR[f.opt]
	}
	if !f.wdSet && f.opt == "adamw" {
		cfg.wd = adamwDefaultWD
	}
	return cfg, nil
}

// defaultsFrom sets every flag the command line left unset that the
// checkpoint at path records (its optimizer, rate, decay, batch, schedule,
// clipping, seed, hidden sizes, and the length of a run whose schedule is
// shaped by it) to the checkpoint's value. -data names a directory, which a
// checkpoint does not record (only the data set's name), so a run on MNIST
// must give it again; flags given explicitly are checked against the
// checkpoint as before, by loadCheckpoint.
func (f *trainFlags) defaultsFrom(path string) error {
	saved, err := checkpointSettings(path)
	if err != nil {
		return err
	}
	given := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	for _, c := range saved {
		name, value := c.Key, c.Value
		if name == "sizes" { // input-hidden...-output
			parts := strings.Split(value, "-")
			if len(parts) < 3 {
				continue
			}
			name, value = "hidden", strings.Join(parts[1:len(parts)-1], ",")
		}
		if name == "data" || given[name] || f.fs.Lookup(name) == nil {
			continue
		}
		if err := f.fs.Set(name, value); err != nil {
			return fmt.Errorf("load checkpoint %s: its %s %q: %w", path, c.Key, c.Value, err)
		}
	}
	return nil
}

func runTrain(args []string, stdout io.Writer) error {
	f := newTrainFlags("train", stdout, "train.png", true)
	save := f.fs.String("save", "", "save a checkpoint to `file` after every epoch (atomically)")
	resume := f.fs.String("resume", "", "continue the run saved in checkpoint `file`, bit for bit: the flags it was made with\nbecome the defaults (all but -data, which must be given again for MNIST); a flag given\nhere must agree with them, but for -o, -save, -threads and -epochs, the total to reach\n(which must also be the same with -schedule step, cosine, warmup-cosine or onecycle)")
	f.resume = resume
	f.fs.Usage = func() {
		fmt.Fprintf(f.fs.Output(), "usage: descent train [flags]\n\n"+
			"Trains a multilayer perceptron (ReLU, He-uniform weights, float32, softmax cross-entropy)\n"+
			"and prints, per epoch, the training loss, the test loss and accuracy, the learning rate\n"+
			"and the throughput; then writes the curves to -o.\n\n")
		f.fs.PrintDefaults()
	}
	cfg, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := checkOutputDir("o", f.out); err != nil {
		return err
	}
	if err := checkOutputDir("save", *save); err != nil {
		return err
	}
	defer kernels.SetThreads(kernels.SetThreads(f.threads))

	d, err := loadTrainData(cfg.data, cfg.hidden)
	if err != nil {
		return err
	}
	t, err := newTrainer(cfg, d)
	if err != nil {
		return err
	}
	ckcfg := checkpointConfig(cfg, d, t.Sched)
	if *resume != "" {
		if err := loadCheckpoint(*resume, ckcfg, t); err != nil {
			return err
		}
	}

	fmt.Fprintf(stdout, "data      %s: %d training and %d test samples of %d features, %d classes\n",
		d.name, d.train.Len(), d.test.Len(), d.train.Features, d.train.Classes)
	fmt.Fprintf(stdout, "model     MLP %s, ReLU, He-uniform init, float32, seed %d\n", joinIntList(d.sizes, "-"), cfg.seed)
	fmt.Fprintf(stdout, "training  %s, lr %g, weight decay %g, batch %d, %d epochs, schedule %s, clip %s\n",
		cfg.opt, cfg.lr, cfg.wd, cfg.batch, cfg.epochs, cfg.schedule, trainClipText(cfg.clip))
	if *resume != "" {
		fmt.Fprintf(stdout, "resumed   from %s after epoch %d\n", *resume, len(t.History))
	}
	fmt.Fprintln(stdout)
	tbl := newEpochTable(stdout)
	for _, s := range t.History {
		tbl.row(s)
	}
	bar := newEpochBar("")
	t.OnStep = bar.step
	t.OnEpoch = func(s epochStats) error {
		tbl.row(s)
		if *save != "" {
			return saveCheckpoint(*save, ckcfg, t)
		}
		return nil
	}
	if err := t.fit(); err != nil {
		bar.abort()
		var nf *nonFiniteError
		if errors.As(err, &nf) {
			return fmt.Errorf("%w (lower -lr, or bound the gradients with -clip)", err)
		}
		return err
	}
	if len(t.History) == 0 {
		return nil
	}
	last, best := t.History[len(t.History)-1], bestTrainEpoch(t.History)
	fmt.Fprintf(stdout, "\ntest accuracy %.2f%% after epoch %d (best %.2f%% after epoch %d)\n",
		100*last.TestAcc, last.Epoch, 100*best.TestAcc, best.Epoch)
	title := fmt.Sprintf("MLP %s on %s, %s lr %g, batch %d", joinIntList(d.sizes, "-"), d.name, cfg.opt, cfg.lr, cfg.batch)
	if cfg.schedule != "none" {
		title += ", " + cfg.schedule
	}
	if err := saveTrainPlot(title, t.History, f.out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", f.out)
	if *save != "" {
		fmt.Fprintf(stdout, "checkpoint %s holds epoch %d\n", *save, last.Epoch)
	}
	return nil
}

// checkOutputDir returns an error if the directory a file is to be written
// in does not exist, so that a run fails before it trains, not after.
func checkOutputDir(flagName, path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("-%s %s: no directory %s to write it in", flagName, path, dir)
	}
	return nil
}

func trainClipText(c float64) string {
	if c == 0 {
		return "off"
	}
	return fmt.Sprintf("norm %g", c)
}

// bestTrainEpoch returns the epoch of the highest test accuracy (the first, on a tie).
func bestTrainEpoch(h []epochStats) epochStats {
	best := h[0]
	for _, s := range h[1:] {
		if s.TestAcc > best.TestAcc {
			best = s
		}
	}
	return best
}

// epochTable prints a row per epoch as it ends, in fixed-width columns so
// that rows line up without waiting for the last.
type epochTable struct{ w io.Writer }

func newEpochTable(w io.Writer) *epochTable {
	fmt.Fprintf(w, "%5s  %10s  %10s  %8s  %10s  %10s\n", "epoch", "train loss", "test loss", "test acc", "lr", "samples/s")
	return &epochTable{w}
}

func (t *epochTable) row(s epochStats) {
	fmt.Fprintf(t.w, "%5d  %10.6f  %10.6f  %7.2f%%  %10.3g  %10.0f\n",
		s.Epoch, s.TrainLoss, s.TestLoss, 100*s.TestAcc, s.LR, s.Rate)
}

// epochBar shows each epoch's progress on a terminal (progressOut): a bar
// per epoch whose description is the epoch's mean loss so far and the
// throughput. It shows nothing elsewhere, where the table's rows are the
// log.
type epochBar struct {
	prefix string
	on     bool
	p      progress
}

func newEpochBar(prefix string) *epochBar {
	f, ok := progressOut.(*os.File)
	return &epochBar{prefix: prefix, on: ok && term.IsTerminal(int(f.Fd()))}
}

func (b *epochBar) step(s stepInfo) {
	if !b.on {
		return
	}
	if b.p == nil {
		b.p = newProgress(progressOut, s.Steps)
	}
	b.p.start(fmt.Sprintf("%sepoch %d: loss %.4f, %s samples/s", b.prefix, s.Epoch, s.MeanLoss, shortRate(s.Rate)))
	if s.Step == s.Steps {
		b.p.done()
		b.p = nil
	}
}

// shortRate formats a throughput in few characters: 950, 12.3k, 4.56M.
func shortRate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.3gM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.3gk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}

// abort clears a bar left unfinished by an error.
func (b *epochBar) abort() {
	if b.p != nil {
		b.p.done()
		b.p = nil
	}
}
