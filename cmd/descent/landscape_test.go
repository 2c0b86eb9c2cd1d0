package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLandscapePictures runs `descent landscape` with its defaults: a PNG
// of the stated size and an SVG for every surface, and a table each.
func TestLandscapePictures(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if code := run([]string{"landscape", "-o", dir}, &out, &errs); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	for _, s := range surfaces() {
		base := filepath.Join(dir, "landscape-"+s.name)
		if w, h := pngSize(t, base+".png"); w != pixels(landscapeW) || h != pixels(landscapeH) {
			t.Errorf("%s.png is %d×%d, want %d×%d", base, w, h, pixels(landscapeW), pixels(landscapeH))
		}
		b, err := os.ReadFile(base + ".svg")
		if err != nil || !strings.Contains(string(b), "<svg") {
			t.Errorf("%s.svg: %v, no <svg element", base, err)
		}
		if !strings.Contains(out.String(), s.name+": ") {
			t.Errorf("no table for %s:\n%s", s.name, out.String())
		}
	}
	for _, name := range optimizerNames {
		if c := strings.Count(out.String(), "\n"+name+" "); c != len(surfaces()) {
			t.Errorf("%s has %d rows, want one per surface", name, c)
		}
	}
}

// TestLandscapeDeterministic: one seed, one output; another seed moves SGD.
func TestLandscapeDeterministic(t *testing.T) {
	tables := func(seed string) string {
		var out, errs bytes.Buffer
		if code := run([]string{"landscape", "-o", t.TempDir(), "-surface", "valley", "-seed", seed}, &out, &errs); code != 0 {
			t.Fatalf("exit %d: %s", code, errs.String())
		}
		// Drop the lines naming the temporary directory.
		var keep []string
		for _, l := range strings.Split(out.String(), "\n") {
			if !strings.HasPrefix(l, "wrote ") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	a, b, c := tables("7"), tables("7"), tables("8")
	if a != b {
		t.Errorf("the same seed printed\n%s\nand\n%s", a, b)
	}
	if a == c {
		t.Errorf("seeds 7 and 8 printed the same table:\n%s", a)
	}
}

// TestSurfaceGradients checks every surface's analytic gradient against
// central differences on a grid of points across its view.
func TestSurfaceGradients(t *testing.T) {
	for _, s := range surfaces() {
		v := s.view
		for i := range 7 {
			for j := range 7 {
				p := vec2{v[0] + (v[1]-v[0])*(float64(i)+0.3)/7, v[2] + (v[3]-v[2])*(float64(j)+0.6)/7}
				g := s.grad(p)
				for k := range 2 {
					h := 1e-5 * math.Max(1, math.Abs(p[k]))
					pp, pm := p, p
					pp[k] += h
					pm[k] -= h
					num := (s.f(pp) - s.f(pm)) / (2 * h)
					if math.Abs(num-g[k]) > 1e-6*math.Max(1, math.Abs(num)) {
						t.Errorf("%s at %v: d/d%c = %g, central difference %g", s.name, p, "xy"[k], g[k], num)
					}
				}
			}
		}
	}
}

// TestSurfaceMinima: the marked minima are minima (zero gradient, and for
// Himmelblau zero loss), and the regression's matches the loss computed
// directly from the data.
func TestSurfaceMinima(t *testing.T) {
	for _, s := range surfaces() {
		for _, m := range s.minima {
			if g := s.grad(m); math.Hypot(g[0], g[1]) > 1e-9*math.Max(1, s.f(m)) {
				t.Errorf("%s: gradient %v at the minimum %v", s.name, g, m)
			}
		}
	}
	for _, m := range himmelblauMinima {
		if f := himmelblauSurface().f(m); f > 1e-20 {
			t.Errorf("Himmelblau(%v) = %g, want 0", m, f)
		}
	}
	d := loadInk()
	w, b, best := d.leastSquares()
	for _, p := range []vec2{{w, b}, {0, 0}, {1, 20}} {
		var direct float64
		for i, x := range d.x {
			r := p[0]*x + p[1] - d.y[i]
			direct += r * r
		}
		direct /= float64(len(d.x))
		if got := d.loss(p[0], p[1]); math.Abs(got-direct) > 1e-9*direct {
			t.Errorf("loss%v = %g from the moments, %g directly", p, got, direct)
		}
	}
	if math.Abs(d.loss(w, b)-best) > 1e-9*best {
		t.Errorf("least-squares loss %g, loss at its solution %g", best, d.loss(w, b))
	}
	if math.Abs(d.mx) > 1e-12 || math.Abs(d.mxx-1) > 1e-12 {
		t.Errorf("x is not standardised: mean %g, mean square %g", d.mx, d.mxx)
	}
}

// TestLandscapeRates: at the documented learning rates every path stays
// finite and in view (the saddle's leave it by design).
func TestLandscapeRates(t *testing.T) {
	for _, s := range surfaces() {
		if s.escape > 0 {
			continue
		}
		for _, pa := range descendAll(s, s.steps, 1) {
			if pa.left {
				t.Errorf("%s: %s left the view at %v", s.name, optimizerNames[pa.opt], pa.final())
			}
		}
	}
}

// TestLandscapeSaddle: started 1e-6 off the stable axis, GD is still at the
// saddle after the default 100 steps while noisy SGD, momentum and Adam have
// escaped; started exactly on the axis, no deterministic method ever
// leaves it (they all converge to the saddle point) and only SGD's noise
// escapes.
func TestLandscapeSaddle(t *testing.T) {
	s := saddleSurface()
	paths := descendAll(s, s.steps, 1)
	if gd := paths[optGD]; gd.reached >= 0 || math.Hypot(gd.final()[0], gd.final()[1]) > 0.1 {
		t.Errorf("GD escaped at step %d, or is not at the saddle: %v", gd.reached, gd.final())
	}
	for _, o := range []int{optSGD, optMomentum, optNesterov, optRMSprop, optAdam} {
		if paths[o].reached < 0 {
			t.Errorf("%s did not escape in %d steps: %v", optimizerNames[o], s.steps, paths[o].final())
		}
	}
	s.start[1] = 0
	for o := range numOptimizers {
		grad := s.grad
		if o == optSGD {
			grad = s.sgd(1)
		}
		pa := descendSurface(s, o, s.lr[o], s.start, 400, grad)
		if o == optSGD {
			if pa.reached < 0 {
				t.Errorf("SGD did not escape from the stable axis")
			}
			continue
		}
		for _, p := range pa.points {
			if p[1] != 0 {
				t.Fatalf("%s left the stable axis: %v", optimizerNames[o], p)
			}
		}
		if x := pa.final()[0]; math.Abs(x) > 0.05 {
			t.Errorf("%s on the stable axis ended at x = %g, not at the saddle", optimizerNames[o], x)
		}
	}
}

// TestLandscapeHimmelblau: every optimizer ends (within the tolerance) at
// one of the four minima, and from the start near the local maximum they
// do not all choose the same one.
func TestLandscapeHimmelblau(t *testing.T) {
	s := himmelblauSurface()
	chosen := map[int]bool{}
	for _, pa := range descendAll(s, s.steps, 1) {
		i, d := s.nearestMinimum(pa.final())
		if d > s.tol || pa.reached < 0 {
			t.Errorf("%s ended at %v, %g from the nearest minimum", optimizerNames[pa.opt], pa.final(), d)
		}
		chosen[i] = true
	}
	if len(chosen) < 2 {
		t.Errorf("every optimizer chose the same minimum")
	}
}

// TestLandscapeValley: on the elongated valley momentum, Nesterov and Adam
// reach the minimum in fewer steps than GD at its 1/L rate; SGD's noise
// keeps it from the 1e-3 tolerance altogether.
func TestLandscapeValley(t *testing.T) {
	s := valleySurface()
	paths := descendAll(s, s.steps, 1)
	gd := paths[optGD].reached
	if gd < 0 {
		t.Fatalf("GD did not reach the minimum in %d steps", s.steps)
	}
	for _, o := range []int{optMomentum, optNesterov, optAdam} {
		if r := paths[o].reached; r < 0 || r >= gd {
			t.Errorf("%s reached the minimum at step %d, GD at %d", optimizerNames[o], r, gd)
		}
	}
	if paths[optSGD].reached >= 0 {
		t.Errorf("noisy SGD reached the 1e-3 tolerance at step %d", paths[optSGD].reached)
	}
}

// TestLandscapeRosenbrock: along the curved valley GD has not reached the
// minimum in the default budget, momentum and Adam have.
func TestLandscapeRosenbrock(t *testing.T) {
	s := rosenbrockSurface()
	paths := descendAll(s, s.steps, 1)
	if paths[optGD].reached >= 0 {
		t.Errorf("GD reached the minimum at step %d", paths[optGD].reached)
	}
	for _, o := range []int{optMomentum, optNesterov, optAdam} {
		if paths[o].reached < 0 {
			t.Errorf("%s did not reach the minimum: %v", optimizerNames[o], paths[o].final())
		}
	}
}

// TestLandscapeContours: the traced level curves of a round bowl are
// closed circles of the right radius.
func TestLandscapeContours(t *testing.T) {
	s := &surface{f: func(p vec2) float64 { return p[0]*p[0] + p[1]*p[1] }, view: [4]float64{-2, 2, -2, 2}}
	g := newSurfaceGrid(s)
	curves := g.levelCurves(1)
	if len(curves) != 1 {
		t.Fatalf("%d curves at level 1, want 1", len(curves))
	}
	c := curves[0]
	if c[0] != c[len(c)-1] || len(c) < 20 {
		t.Fatalf("the curve is not closed or too short: %d points", len(c))
	}
	for _, p := range c {
		if r := math.Hypot(p[0], p[1]); math.Abs(r-1) > 1e-3 {
			t.Fatalf("point %v at radius %g", p, r)
		}
	}
	if n := len(g.levelCurves(100)); n != 0 {
		t.Errorf("%d curves above the surface", n)
	}
}

// TestLandscapeBadFlags: bad flags exit 2 with a message (and the usage
// for flags the parser rejects); an unwritable -o exits 1 with one line.
func TestLandscapeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"landscape", "-steps", "-1"},
		{"landscape", "-surface", "nosuch"},
		{"landscape", "-nosuchflag"},
		{"landscape", "-seed", "x"},
		{"landscape", "extra"},
	} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if errs.Len() == 0 {
			t.Errorf("%q: nothing on stderr", args)
		}
	}
	var out, errs bytes.Buffer
	run([]string{"landscape", "-nosuchflag"}, &out, &errs)
	if !strings.Contains(out.String(), "-surface") {
		t.Errorf("no usage for an unknown flag:\n%s", out.String())
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	for _, dir := range []string{filepath.Join(t.TempDir(), "missing"), file} {
		var out, errs bytes.Buffer
		if code := run([]string{"landscape", "-surface", "saddle", "-o", dir}, &out, &errs); code != 1 {
			t.Errorf("-o %s: exit %d, want 1", dir, code)
		}
		if e := errs.String(); strings.Count(e, "\n") != 1 || !strings.Contains(e, dir) {
			t.Errorf("-o %s: want one line naming it, got %q", dir, e)
		}
	}
}
