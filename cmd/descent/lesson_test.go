package main

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

var lessonQuick = lessonConfig{seed: 1, quick: true}

// checkLessonPicture draws a lesson's picture into a temporary directory
// and checks that it decodes with the size asked for.
func checkLessonPicture(t *testing.T, name string, plot func(path string) error, w, h vg.Length) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".png")
	if err := plot(path); err != nil {
		t.Fatal(err)
	}
	if gw, gh := pngSize(t, path); gw != pixels(w) || gh != pixels(h) {
		t.Fatalf("%s: png %dx%d, want %dx%d", name, gw, gh, pixels(w), pixels(h))
	}
}

// TestLessonCommand: no name lists the lessons; an unknown name is a usage
// error naming them all; a lesson runs end to end, prints its table, writes
// its picture, and prints the same numbers for the same seed.
func TestLessonCommand(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"lesson"}, &out, &errs); code != 0 {
		t.Fatalf("descent lesson: exit %d, stderr:\n%s", code, errs.String())
	}
	for _, l := range lessons {
		if !strings.Contains(out.String(), l.name) {
			t.Errorf("listing lacks %s:\n%s", l.name, out.String())
		}
	}
	for _, args := range [][]string{{"lesson", "nosuch"}, {"lesson", "-quick"}, {"lesson", "saddle", "-o", filepath.Join(t.TempDir(), "missing")}} {
		out.Reset()
		errs.Reset()
		if code := run(args, &out, &errs); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if args[1] == "nosuch" {
			for _, l := range lessons {
				if !strings.Contains(errs.String(), l.name) {
					t.Errorf("%q: stderr does not name %s: %s", args, l.name, errs.String())
				}
			}
		}
	}
	dir := t.TempDir()
	var first string
	for i := range 2 {
		out.Reset()
		errs.Reset()
		if code := run([]string{"lesson", "saddle", "-quick", "-seed", "7", "-o", dir}, &out, &errs); code != 0 {
			t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
		}
		if i == 0 {
			first = out.String()
		} else if out.String() != first {
			t.Fatalf("two runs with seed 7 differ:\n%s\n---\n%s", first, out.String())
		}
	}
	if !strings.Contains(first, "noisy SGD") || !strings.Contains(first, "wrote "+filepath.Join(dir, "saddle.png")) {
		t.Fatalf("output:\n%s", first)
	}
	if w, h := pngSize(t, filepath.Join(dir, "saddle.png")); w != pixels(lessonSaddleW) || h != pixels(lessonSaddleH) {
		t.Fatalf("saddle.png %dx%d", w, h)
	}
}

// TestLessonLocalMinima: momentum and random restarts reach the global
// minimum from more starts than plain GD (-quick, 6×6 starts: GD 6,
// momentum 28, best of 5 restarts 24).
func TestLessonLocalMinima(t *testing.T) {
	r := lessonMinima(lessonQuick)
	gd, mom, rs := r.methods[0].global(), r.methods[1].global(), r.methods[2].global()
	t.Logf("of %d starts: GD %d, momentum %d, restarts %d reach the global minimum", r.grid*r.grid, gd, mom, rs)
	if !(mom > gd && rs > gd) {
		t.Errorf("global minimum reached from GD %d, momentum %d, restarts %d starts: want momentum and restarts > GD", gd, mom, rs)
	}
	if 2*gd > r.grid*r.grid {
		t.Errorf("GD reaches the global minimum from %d of %d starts: the dimples trap nothing", gd, r.grid*r.grid)
	}
	if r.values[0] >= lessonMin(r.values[1:]) {
		t.Errorf("minimum values %v: the first is not the global one", r.values)
	}
	checkLessonPicture(t, "local-minima", r.plot, lessonMinimaW, lessonMinimaH)
}

// TestLessonVanishing: on the first batch the ReLU network's first layer
// gets a gradient at least 100× the sigmoid network's (measured: 1.35e9×
// at depth 16), and so do the BatchNorm and residual networks.
func TestLessonVanishing(t *testing.T) {
	r := lessonVanishing(lessonQuick)
	sig := r.runs[0].gradNorms[0]
	for _, v := range r.runs[1:] {
		ratio := v.gradNorms[0] / sig
		t.Logf("first-layer gradient norm, %s / sigmoid: %.3g", v.kind, ratio)
		if !(ratio >= 100) {
			t.Errorf("%s: first-layer gradient %.3g, sigmoid %.3g: ratio %.3g, want >= 100", v.kind, v.gradNorms[0], sig, ratio)
		}
	}
	if g := r.runs[0].gradNorms; !(g[0] < 1e-3*g[len(g)-1]) {
		t.Errorf("sigmoid gradient norms by layer %v: the first is not 1000× below the last", g)
	}
	checkLessonPicture(t, "vanishing", r.plot, lessonVanW, lessonVanH)
}

// TestLessonExploding: the N(0,1) network's loss goes non-finite (caught
// by CheckFinite) within a few steps; clipping keeps the same network's
// loss finite for the whole run; He initialisation trains.
func TestLessonExploding(t *testing.T) {
	r := lessonExploding(lessonQuick)
	bad, clipped, he := r.runs[0].run, r.runs[1].run, r.runs[2].run
	if bad.diverged == 0 || bad.err == nil || bad.diverged > 10 {
		t.Errorf("unclipped run: non-finite at step %d (%v), want within 10 steps", bad.diverged, bad.err)
	}
	for name, x := range map[string]*lessonRun{"clipped": clipped, "He": he} {
		if x.diverged != 0 || len(x.losses) != r.steps {
			t.Errorf("%s run: non-finite at step %d after %d losses", name, x.diverged, len(x.losses))
		}
		for s, l := range x.losses {
			if math.IsNaN(l) || math.IsInf(l, 0) {
				t.Fatalf("%s run: loss %v at step %d", name, l, s+1)
			}
		}
	}
	if n := len(he.losses); !(lessonMean(he.losses, n-10, n) < he.losses[0]) {
		t.Errorf("He run: loss %v at first, %v over the last 10 steps", he.losses[0], lessonMean(he.losses, n-10, n))
	}
	checkLessonPicture(t, "exploding", r.plot, lessonExpW, lessonExpH)
}

// TestLessonSaddle: on the stable axis (y = 0) the gradient has no y
// component, so GD, momentum and Adam all stay there for good; only the
// noise of noisy SGD escapes. From y = 1e-6 every method escapes, momentum
// and Adam well before GD (seed 1, -quick: x²−y² GD 72, momentum 34, Adam 11,
// noisy SGD 21 steps; the quartic 139, 50, 11, 37).
func TestLessonSaddle(t *testing.T) {
	r := lessonSaddle(lessonQuick)
	const gd, mom, adam, noisy = 0, 1, 2, 3
	for si, s := range lessonSaddleSurfaces {
		e := r.escape[si]
		t.Logf("%s: escape steps from y=1e-6 / y=0: %v", s.name, e)
		for _, m := range []int{gd, mom, adam} {
			if e[m][1] != -1 {
				t.Errorf("%s: %s escaped the stable axis at step %d", s.name, lessonSaddleMethods[m].name, e[m][1])
			}
		}
		if e[noisy][1] < 0 {
			t.Errorf("%s: noisy SGD never left the stable axis", s.name)
		}
		if e[noisy][0] < 0 {
			t.Errorf("%s: noisy SGD never escaped from y=1e-6", s.name)
		}
		for _, m := range []int{mom, adam} {
			if !(e[m][0] >= 0 && e[m][0] < e[gd][0]) {
				t.Errorf("%s: from y=1e-6 %s escapes at step %d, GD at %d: want earlier", s.name, lessonSaddleMethods[m].name, e[m][0], e[gd][0])
			}
		}
		if e[gd][0] < 0 {
			t.Errorf("%s: GD never escaped from y=1e-6", s.name)
		}
	}
	for m := range lessonSaddleMethods {
		if f := r.final[1][m][0]; math.Abs(f+0.25) > 0.01 {
			t.Errorf("quartic: %s ends at f=%v, want the minimum -0.25", lessonSaddleMethods[m].name, f)
		}
	}
	checkLessonPicture(t, "saddle", r.plot, lessonSaddleW, lessonSaddleH)
}

// TestLessonLearningRate: the divergent rate's loss grows (or goes
// non-finite) while warm-up + cosine decay at the same peak trains; the
// too-small rate lags the right one; ReduceLROnPlateau lowers the too-large
// rate and ends below the constant too-large run.
func TestLessonLearningRate(t *testing.T) {
	r := lessonLR(lessonQuick)
	last := func(i int) float64 { return r.epochLoss(i, true) }
	// Over seeds 1-8 the divergent run ends at 25-44 (from 2.3-2.8 at its
	// first step) and the warm-up run at 0.10-0.58.
	div := r.runs[lessonLRIdxDivergent].run
	if !(div.diverged > 0 || last(lessonLRIdxDivergent) > 2*div.losses[0]) {
		t.Errorf("divergent lr: loss %v at the first step, %v in the last epoch: want growing or non-finite",
			div.losses[0], last(lessonLRIdxDivergent))
	}
	if w := last(lessonLRIdxWarmup); !(w < 1 && (div.diverged > 0 || w < last(lessonLRIdxDivergent)/10)) {
		t.Errorf("warm-up + cosine at the divergent peak: last epoch loss %v (constant: %v), want < 1 and a tenth of the constant's", w, last(lessonLRIdxDivergent))
	}
	if !(last(lessonLRIdxSmall) > 2*last(lessonLRIdxRight)) {
		t.Errorf("too small %v vs right %v: want the small rate well behind", last(lessonLRIdxSmall), last(lessonLRIdxRight))
	}
	p := r.runs[lessonLRIdxPlateau].run
	if !(p.lrs[len(p.lrs)-1] < lessonLRLarge && last(lessonLRIdxPlateau) < last(lessonLRIdxLarge)) {
		t.Errorf("ReduceLROnPlateau: final lr %v, last epoch loss %v (constant %g: %v)", p.lrs[len(p.lrs)-1], last(lessonLRIdxPlateau), lessonLRLarge, last(lessonLRIdxLarge))
	}
	for i, x := range r.runs {
		t.Logf("%s: first epoch %.3f, last %.3f", x.name, r.epochLoss(i, false), last(i))
	}
	checkLessonPicture(t, "learning-rate", r.plot, lessonLRW, lessonLRH)
}
