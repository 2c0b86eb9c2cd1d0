package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// runCmd runs the command line args in process and returns its exit
// status, stdout and stderr.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = run(args, &out, &errs)
	return code, out.String(), errs.String()
}

// wantFail checks that a run exits with code and a one-line message on
// stderr containing each of want.
func wantFail(t *testing.T, code int, stderr string, wantCode int, want ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, wantCode, stderr)
	}
	if wantCode == 1 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("stderr is not one line:\n%s", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
}

var epochRow = regexp.MustCompile(`(?m)^\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)%\s+(\S+)\s+\d+$`)

// epochRows returns the rows of train's table without the throughput
// column (a measurement, different in every run), keyed by epoch.
func epochRows(t *testing.T, out string) map[int]string {
	t.Helper()
	rows := map[int]string{}
	for _, m := range epochRow.FindAllStringSubmatch(out, -1) {
		e, _ := strconv.Atoi(m[1])
		rows[e] = strings.Join(m[2:], " ")
	}
	return rows
}

// TestTrainDigits: the default run reaches 95% test accuracy on the
// digits, prints a row per epoch and writes its picture.
func TestTrainDigits(t *testing.T) {
	png := filepath.Join(t.TempDir(), "train.png")
	code, out, errs := runCmd(t, "train", "-o", png)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	rows := epochRows(t, out)
	if len(rows) != trainDefaultEpochs {
		t.Fatalf("%d epoch rows, want %d:\n%s", len(rows), trainDefaultEpochs, out)
	}
	m := regexp.MustCompile(`test accuracy ([\d.]+)% after epoch (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no final accuracy line:\n%s", out)
	}
	if acc, _ := strconv.ParseFloat(m[1], 64); acc < 95 {
		t.Errorf("test accuracy %.2f%%, want >= 95%%:\n%s", acc, out)
	}
	for _, want := range []string{"MLP 64-32-10", "adam, lr 0.003", "samples/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if w, h := pngSize(t, png); w != pixels(trainPlotW) || h != pixels(trainPlotH) {
		t.Errorf("png %dx%d, want %dx%d", w, h, pixels(trainPlotW), pixels(trainPlotH))
	}
}

// TestTrainOptions runs each optimizer and schedule briefly: they train
// (the loss falls) and the run ends cleanly.
func TestTrainOptions(t *testing.T) {
	dir := t.TempDir()
	var cases [][]string
	for _, o := range trainOptimizers {
		cases = append(cases, []string{"-opt", o})
	}
	for _, s := range trainSchedules {
		cases = append(cases, []string{"-schedule", s, "-clip", "5", "-wd", "1e-4"})
	}
	for _, c := range cases {
		args := append([]string{"train", "-epochs", "3", "-batch", "64", "-hidden", "16,16", "-threads", "1", "-o", filepath.Join(dir, "t.svg")}, c...)
		code, out, errs := runCmd(t, args...)
		if code != 0 {
			t.Errorf("%q: exit %d, stderr:\n%s", c, code, errs)
			continue
		}
		rows := epochRows(t, out)
		if len(rows) != 3 {
			t.Errorf("%q: %d rows, want 3:\n%s", c, len(rows), out)
			continue
		}
		first, _ := strconv.ParseFloat(strings.Fields(rows[1])[0], 64)
		last, _ := strconv.ParseFloat(strings.Fields(rows[3])[0], 64)
		if !(last < first) {
			t.Errorf("%q: the training loss did not fall:\n%s", c, out)
		}
	}
}

func TestTrainBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-opt", "lbfgs"}, {"-schedule", "sometimes"}, {"-batch", "0"}, {"-epochs", "0"},
		{"-lr", "-1"}, {"-wd", "NaN"}, {"-clip", "-1"}, {"-hidden", "32,x"}, {"-hidden", "0"},
		{"-threads", "-2"}, {"-o", "curves.gif"}, {"-nosuchflag"}, {"-epochs", "two"}, {"extra"},
	} {
		code, out, errs := runCmd(t, append([]string{"train"}, args...)...)
		wantFail(t, code, errs+out, 2)
		if errs == "" {
			t.Errorf("%q: nothing on stderr", args)
		}
	}
	// -h prints the flags and exits 0.
	code, out, _ := runCmd(t, "train", "-h")
	if code != 0 || !strings.Contains(out, "-resume") || !strings.Contains(out, "warmup-cosine") {
		t.Errorf("train -h: exit %d:\n%s", code, out)
	}
}

// TestTrainNonFinite: a loss that blows up stops the run with the epoch
// and the step.
func TestTrainNonFinite(t *testing.T) {
	code, _, errs := runCmd(t, "train", "-lr", "1e30", "-o", filepath.Join(t.TempDir(), "t.png"))
	wantFail(t, code, errs, 1, "epoch 1, step ", "loss is NaN")
}

// writeIDX writes an unsigned-byte IDX file of the given dimensions.
func writeIDX(t *testing.T, path string, dims []int, data []byte) {
	t.Helper()
	b := []byte{0, 0, 8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	if err := os.WriteFile(path, append(b, data...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeMNIST writes a tiny MNIST-format data set of 4x4 images into dir.
func writeMNIST(t *testing.T, dir string, nTrain, nTest int) {
	t.Helper()
	for _, s := range []struct {
		prefix string
		n      int
	}{{"train", nTrain}, {"t10k", nTest}} {
		pix, lbl := make([]byte, s.n*16), make([]byte, s.n)
		for i := range lbl {
			lbl[i] = byte(i % 10)
			pix[i*16+int(lbl[i])] = 255 // the label's pixel lit: learnable
		}
		writeIDX(t, filepath.Join(dir, s.prefix+"-images-idx3-ubyte"), []int{s.n, 4, 4}, pix)
		writeIDX(t, filepath.Join(dir, s.prefix+"-labels-idx1-ubyte"), []int{s.n}, lbl)
	}
}

func TestTrainData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tiny-mnist")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeMNIST(t, dir, 40, 20)
	png := filepath.Join(t.TempDir(), "t.png")
	code, out, errs := runCmd(t, "train", "-data", dir, "-epochs", "2", "-batch", "8", "-o", png)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	for _, want := range []string{"tiny-mnist: 40 training and 20 test samples of 16 features", "MLP 16-128-10"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// A missing directory, a directory without the files, a truncated file.
	code, _, errs = runCmd(t, "train", "-data", filepath.Join(dir, "nonexistent"))
	wantFail(t, code, errs, 1, "nonexistent", "no such directory")
	code, _, errs = runCmd(t, "train", "-o", filepath.Join(dir, "nonexistent", "t.png"))
	wantFail(t, code, errs, 1, "no directory")
	code, _, errs = runCmd(t, "train", "-save", filepath.Join(dir, "nonexistent", "ck"))
	wantFail(t, code, errs, 1, "no directory")
	code, _, errs = runCmd(t, "train", "-data", t.TempDir())
	wantFail(t, code, errs, 1, "missing train-images-idx3-ubyte")
	bad := t.TempDir()
	writeMNIST(t, bad, 40, 20)
	img := filepath.Join(bad, "train-images-idx3-ubyte")
	b, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, b[:len(b)-100], 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, "train", "-data", bad)
	wantFail(t, code, errs, 1, "train-images-idx3-ubyte", "truncated")
}

// readCheckpointState returns the parameters, optimizer state and history (without
// throughput) of the checkpoint at path, restored into a trainer of the
// run of cfg on the digits.
func readCheckpointState(t *testing.T, path string, cfg trainConfig) ([]float32, []byte, []epochStats) {
	t.Helper()
	d, err := loadTrainData("", nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := newTrainer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := loadCheckpoint(path, checkpointConfig(cfg, d, tr.Sched), tr); err != nil {
		t.Fatal(err)
	}
	var w []float32
	for _, p := range tr.Model.Params() {
		w = append(w, p.Data...)
	}
	opt, err := tr.Opt.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for i := range tr.History {
		tr.History[i].Rate = 0
	}
	return w, opt, tr.History
}

// TestTrainResume: 2 epochs, saved, then resumed for 2 more, end exactly
// where 4 epochs straight do: the same printed rows, weights, optimizer
// state.
func TestTrainResume(t *testing.T) {
	for _, c := range []struct {
		flags []string
		cfg   trainConfig
	}{
		{nil, trainConfig{opt: "adam", lr: 3e-3, batch: 32, schedule: "none", seed: 1}},
		{[]string{"-opt", "nesterov", "-schedule", "plateau", "-clip", "1", "-wd", "1e-4", "-batch", "50", "-seed", "7"},
			trainConfig{opt: "nesterov", lr: 0.05, wd: 1e-4, batch: 50, schedule: "plateau", clip: 1, seed: 7}},
	} {
		dir := t.TempDir()
		png := filepath.Join(dir, "t.png")
		straight, ab := filepath.Join(dir, "straight.ckpt"), filepath.Join(dir, "ab.ckpt")
		train := func(args ...string) string {
			t.Helper()
			code, out, errs := runCmd(t, append(append([]string{"train", "-o", png}, c.flags...), args...)...)
			if code != 0 {
				t.Fatalf("%q: exit %d, stderr:\n%s", args, code, errs)
			}
			return out
		}
		out4 := train("-epochs", "4", "-save", straight)
		out2 := train("-epochs", "2", "-save", ab)
		// The same resumed without repeating the flags: they default to
		// the checkpoint's.
		bare := filepath.Join(dir, "bare.ckpt")
		if b, err := os.ReadFile(ab); err != nil || os.WriteFile(bare, b, 0o644) != nil {
			t.Fatal("copying the checkpoint failed")
		}
		code, outB, errs := runCmd(t, "train", "-o", png, "-epochs", "4", "-resume", bare)
		if code != 0 {
			t.Fatalf("%q: resumed with no flags: exit %d, stderr:\n%s", c.flags, code, errs)
		}
		outR := train("-epochs", "4", "-resume", ab, "-save", ab)
		if !strings.Contains(outR, "resumed   from "+ab+" after epoch 2") {
			t.Errorf("%q: no resume line:\n%s", c.flags, outR)
		}
		r4, r2, rR, rB := epochRows(t, out4), epochRows(t, out2), epochRows(t, outR), epochRows(t, outB)
		for e := 1; e <= 4; e++ {
			if r4[e] == "" || rR[e] != r4[e] || rB[e] != r4[e] || (e <= 2 && r2[e] != r4[e]) {
				t.Errorf("%q: epoch %d: straight %q, first half %q, resumed %q, resumed with no flags %q",
					c.flags, e, r4[e], r2[e], rR[e], rB[e])
			}
		}
		c.cfg.epochs = 4
		w4, opt4, h4 := readCheckpointState(t, straight, c.cfg)
		wR, optR, hR := readCheckpointState(t, ab, c.cfg)
		if !slices.Equal(w4, wR) {
			t.Errorf("%q: final weights differ", c.flags)
		}
		if !bytes.Equal(opt4, optR) {
			t.Errorf("%q: optimizer states differ", c.flags)
		}
		if !slices.Equal(h4, hR) || len(h4) != 4 {
			t.Errorf("%q: histories differ:\n%v\n%v", c.flags, h4, hR)
		}
	}
}

// TestTrainCheckpointErrors: a damaged or foreign checkpoint is a one-line
// error and exit status 1.
func TestTrainCheckpointErrors(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "t.png")
	good := filepath.Join(dir, "good.ckpt")
	if code, _, errs := runCmd(t, "train", "-epochs", "1", "-save", good, "-o", png); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	damaged := func(name string, f func(b []byte) []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, f(slices.Clone(data)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		path string
		want string
	}{
		{filepath.Join(dir, "nonexistent.ckpt"), "no such file"},
		{damaged("flipped", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }), "checksum mismatch"},
		{damaged("truncated", func(b []byte) []byte { return b[:len(b)-10] }), "truncated"},
		{damaged("header-only", func(b []byte) []byte { return b[:30] }), "truncated"},
		{damaged("empty", func(b []byte) []byte { return nil }), "truncated"},
		{damaged("magic", func(b []byte) []byte { b[0] = 'X'; return b }), "not a descent checkpoint"},
		{damaged("version", func(b []byte) []byte { b[8] = 9; return b }), "format version 9"},
		{damaged("trailing", func(b []byte) []byte { return append(b, 0) }), "corrupt"},
		{png, "not a descent checkpoint"},
	} {
		code, _, errs := runCmd(t, "train", "-epochs", "2", "-resume", c.path, "-o", png)
		wantFail(t, code, errs, 1, "load checkpoint "+c.path, c.want)
	}
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{[]string{"-hidden", "16"}, "sizes 64-16-10 here, 64-32-10 in the checkpoint"},
		{[]string{"-opt", "sgd"}, "opt sgd here, adam in the checkpoint"},
		{[]string{"-batch", "16"}, "batch 16 here, 32 in the checkpoint"},
		{[]string{"-seed", "2"}, "seed 2 here, 1 in the checkpoint"},
		{[]string{"-schedule", "cosine"}, "schedule cosine here, none in the checkpoint"},
	} {
		code, _, errs := runCmd(t, append([]string{"train", "-epochs", "2", "-resume", good, "-o", png}, c.flags...)...)
		wantFail(t, code, errs, 1, "load checkpoint", "made by a different run", c.want)
	}
	// Data: a checkpoint of the digits does not resume on other data.
	mnist := filepath.Join(dir, "mnist")
	if err := os.Mkdir(mnist, 0o755); err != nil {
		t.Fatal(err)
	}
	writeMNIST(t, mnist, 20, 10)
	code, _, errs := runCmd(t, "train", "-data", mnist, "-hidden", "32", "-resume", good, "-o", png)
	wantFail(t, code, errs, 1, "data mnist here, digits in the checkpoint")

	// A schedule shaped by the run's length resumes only for that length.
	cos := filepath.Join(dir, "cos.ckpt")
	if code, _, errs := runCmd(t, "train", "-epochs", "2", "-schedule", "cosine", "-save", cos, "-o", png); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	code, _, errs = runCmd(t, "train", "-epochs", "4", "-schedule", "cosine", "-resume", cos, "-o", png)
	wantFail(t, code, errs, 1, "epochs 4 here, 2 in the checkpoint")
	// No file is left behind but the checkpoints and the picture.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".descent") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
