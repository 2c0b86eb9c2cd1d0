package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinreg runs `descent linreg` with its defaults: the picture has the
// stated size, the table a row per method, and every method ends within 1%
// of the exact least-squares loss.
func TestLinreg(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "linreg.png")
	var out, errs bytes.Buffer
	if code := run([]string{"linreg", "-o", png}, &out, &errs); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	if w, h := pngSize(t, png); w != pixels(linregW) || h != pixels(linregH) {
		t.Errorf("png %d×%d, want %d×%d", w, h, pixels(linregW), pixels(linregH))
	}
	for _, want := range []string{"least squares (exact)", "\nbatch GD ", "\nSGD ", "\nmini-batch 32 "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	svg := filepath.Join(dir, "linreg.svg")
	if code := run([]string{"linreg", "-epochs", "2", "-o", svg}, &out, &errs); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("svg: %v, no <svg element", err)
	}
}

// TestLinregConverges: with the defaults (lr 0.2 decaying to 0, 40 epochs)
// batch GD, SGD and mini-batches of 32 all end within 1% of the exact
// least-squares loss, for several seeds; with a constant rate SGD stays
// well above it, as its noise predicts.
func TestLinregConverges(t *testing.T) {
	d := loadInk()
	n := len(d.x)
	_, _, best := d.leastSquares()
	for _, seed := range []uint64{1, 2} {
		for _, m := range []linregMethod{{"batch GD", n}, {"SGD", 1}, {"mini-batch 32", 32}} {
			r := fitLinreg(d, m, 40, 0.2, true, seed)
			if final := r.loss[len(r.loss)-1]; final > 1.01*best || final < best*(1-1e-12) {
				t.Errorf("seed %d, %s: final loss %g, least squares %g", seed, m.name, final, best)
			}
			if want := 40 * ((n + m.batch - 1) / m.batch); r.updates != want {
				t.Errorf("%s: %d updates, want %d", m.name, r.updates, want)
			}
		}
	}
	r := fitLinreg(d, linregMethod{"SGD", 1}, 3, 0.2, false, 1)
	if final := r.loss[len(r.loss)-1]; final < 1.05*best {
		t.Errorf("SGD at a constant lr 0.2 ended at %g, within 5%% of least squares %g", final, best)
	}
}

// TestLinregLeastSquares: the closed form is where the gradient vanishes.
func TestLinregLeastSquares(t *testing.T) {
	d := loadInk()
	w, b, best := d.leastSquares()
	if g := d.grad(w, b); math.Hypot(g[0], g[1]) > 1e-9 {
		t.Errorf("gradient %v at the least-squares solution", g)
	}
	for _, p := range []vec2{{w + 0.01, b}, {w, b - 0.01}} {
		if d.loss(p[0], p[1]) <= best {
			t.Errorf("loss at %v is not above the least-squares loss", p)
		}
	}
}

// TestLinregBadFlags: bad flags exit 2; an unwritable -o exits 1 with one
// line naming it.
func TestLinregBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"linreg", "-epochs", "0"},
		{"linreg", "-lr", "0"},
		{"linreg", "-lr", "-1"},
		{"linreg", "-lr", "NaN"},
		{"linreg", "-batch", "0"},
		{"linreg", "-o", "loss.gif"},
		{"linreg", "-nosuchflag"},
	} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if errs.Len() == 0 {
			t.Errorf("%q: nothing on stderr", args)
		}
	}
	path := filepath.Join(t.TempDir(), "missing", "linreg.png")
	var out, errs bytes.Buffer
	if code := run([]string{"linreg", "-o", path}, &out, &errs); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if e := errs.String(); strings.Count(e, "\n") != 1 || !strings.Contains(e, path) {
		t.Errorf("want one line naming %s, got %q", path, e)
	}
}
