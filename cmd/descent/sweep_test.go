package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSweep: one table row per learning rate, and the picture.
func TestSweep(t *testing.T) {
	png := filepath.Join(t.TempDir(), "sweep.png")
	code, out, errs := runCmd(t, "sweep", "-epochs", "3", "-o", png)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	for _, lr := range strings.Split(sweepDefaultLRs, ",") {
		row := regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(lr) + `\s+[\d.]+\s+[\d.]+%\s+[1-3]\s+[\d.]+%$`)
		if n := len(row.FindAllString(out, -1)); n != 1 {
			t.Errorf("%d rows for lr %s, want 1:\n%s", n, lr, out)
		}
	}
	if w, h := pngSize(t, png); w != pixels(trainPlotW) || h != pixels(trainPlotH) {
		t.Errorf("png %dx%d, want %dx%d", w, h, pixels(trainPlotW), pixels(trainPlotH))
	}
}

// TestSweepDiverged: a learning rate whose loss blows up is a row marked
// diverged, and the sweep goes on.
func TestSweepDiverged(t *testing.T) {
	png := filepath.Join(t.TempDir(), "sweep.svg")
	code, out, errs := runCmd(t, "sweep", "-epochs", "2", "-opt", "sgd", "-lrs", "1e30,0.1", "-batch", "100", "-o", png)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	if !regexp.MustCompile(`(?m)^\s+1e\+30\s+diverged \(ep 1\)\s+-\s+-\s+-$`).MatchString(out) {
		t.Errorf("no diverged row for lr 1e30:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^\s+0\.1\s+[\d.]+\s+[\d.]+%`).MatchString(out) {
		t.Errorf("no row for lr 0.1:\n%s", out)
	}
}

func TestSweepBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-lrs", "0.1,x"}, {"-lrs", "0"}, {"-lrs", ""}, {"-opt", "newton"}, {"-epochs", "0"}, {"-o", "a.jpg"},
		{"-lr", "0.1"}, // train's flag, not sweep's
	} {
		code, out, errs := runCmd(t, append([]string{"sweep"}, args...)...)
		wantFail(t, code, errs+out, 2)
		if errs == "" {
			t.Errorf("%q: nothing on stderr", args)
		}
	}
	code, _, errs := runCmd(t, "sweep", "-data", filepath.Join(t.TempDir(), "none"))
	wantFail(t, code, errs, 1, "no such directory")
}
