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

	"github.com/descentlab/descent/autodiff"
)

// The local-minima lesson's surface is a wide bowl 0.1·(x² + y²) with a
// deep well near its centre and seven shallow dimples on a ring around it:
//
//	f(x, y) = 0.1·(x² + y²) − Σₖ 2·dₖ·σ(−((x − aₖ)² + (y − bₖ)²)/sₖ²)
//
// Each well 2σ(−r²/s²) is a Gaussian-like bump (1 at its centre, about
// 2·e^(−r²/s²) far out) built from the tape's Sigmoid. The central well
// (depth 1, width 0.8) makes the global minimum, f ≈ −0.97 near (0.44, 0.27);
// each dimple (depth 0.6, width 0.45) is a local minimum, f between −0.32
// and 0.03, that traps whatever slides into it slowly.
type lessonMinimaWell struct{ cx, cy, s, d float64 }

var lessonMinimaWells = func() []lessonMinimaWell {
	ws := []lessonMinimaWell{{0.5, 0.3, 0.8, 1}}
	for k := range 7 {
		t := 2*math.Pi*float64(k)/7 + 0.3
		r := 2.6
		if k%2 == 1 {
			r = 2.0
		}
		ws = append(ws, lessonMinimaWell{r * math.Cos(t), r * math.Sin(t), 0.45, 0.6})
	}
	return ws
}()

const (
	lessonMinimaBowl   = 0.1
	lessonMinimaLo     = -4.0 // the square of starts and of the picture
	lessonMinimaHi     = 4.0
	lessonMinimaLR     = 0.1
	lessonMinimaMu     = 0.9
	lessonMinimaK      = 5   // restarts: the grid start and K−1 random ones
	lessonMinimaNear   = 0.1 // a run has reached a minimum when it ends this close
	lessonMinimaGlobal = 0   // index of the global minimum in lessonMinimaResult.minima
)

func lessonMinimaSurface(tp *autodiff.Tape[float64], x, y *autodiff.Tensor[float64]) *autodiff.Tensor[float64] {
	n := x.Len()
	f := tp.Scale(tp.Add(tp.Mul(x, x), tp.Mul(y, y)), lessonMinimaBowl)
	for _, w := range lessonMinimaWells {
		dx := tp.Sub(x, lessonConst(n, w.cx))
		dy := tp.Sub(y, lessonConst(n, w.cy))
		z := tp.Scale(tp.Add(tp.Mul(dx, dx), tp.Mul(dy, dy)), -1/(w.s*w.s))
		f = tp.Sub(f, tp.Scale(tp.Sigmoid(z), 2*w.d))
	}
	return f
}

// lessonMinimaMethod is one method's runs from the grid of starts.
type lessonMinimaMethod struct {
	name    string
	paths   []plotter.XYs // the path that counts for each grid start
	reached []int         // index into minima of where each ended, −1 for none
}

func (m *lessonMinimaMethod) global() int {
	n := 0
	for _, r := range m.reached {
		if r == lessonMinimaGlobal {
			n++
		}
	}
	return n
}

type lessonMinimaResult struct {
	grid, steps int
	minima      []plotter.XY // the global minimum first, then the dimples'
	values      []float64    // f at each minimum
	methods     []*lessonMinimaMethod
}

// lessonMinima runs plain GD and momentum from a grid×grid square of starts
// and, for random restarts, GD from each grid start and K−1 random starts
// keeping the lowest end.
func lessonMinima(cfg lessonConfig) *lessonMinimaResult {
	r := &lessonMinimaResult{grid: 12, steps: 600}
	if cfg.quick {
		r.grid, r.steps = 6, 300
	}
	// Locate the minima: GD from each well's centre, run long.
	var cx, cy []float64
	for _, w := range lessonMinimaWells {
		cx, cy = append(cx, w.cx), append(cy, w.cy)
	}
	for _, p := range lessonDescend(lessonMinimaSurface, cx, cy, lessonGD(lessonMinimaLR), 3000, 0, nil) {
		r.minima = append(r.minima, p[len(p)-1])
	}
	r.values = make([]float64, len(r.minima))
	mx, my := lessonSplitXY(r.minima)
	lessonEval(lessonMinimaSurface, mx, my, r.values)

	n := r.grid * r.grid
	x0, y0 := make([]float64, n), make([]float64, n)
	for i := range r.grid {
		for j := range r.grid {
			x0[i*r.grid+j] = lessonMinimaLo + (lessonMinimaHi-lessonMinimaLo)*(float64(j)+0.5)/float64(r.grid)
			y0[i*r.grid+j] = lessonMinimaLo + (lessonMinimaHi-lessonMinimaLo)*(float64(i)+0.5)/float64(r.grid)
		}
	}
	gd := lessonDescend(lessonMinimaSurface, x0, y0, lessonGD(lessonMinimaLR), r.steps, 0, nil)
	mom := lessonDescend(lessonMinimaSurface, x0, y0, lessonMomentum(lessonMinimaLR, lessonMinimaMu), r.steps, 0, nil)

	rng := rand.New(rand.NewPCG(cfg.seed, 0x6d696e))
	rx, ry := make([]float64, n*(lessonMinimaK-1)), make([]float64, n*(lessonMinimaK-1))
	for i := range rx {
		rx[i] = lessonMinimaLo + (lessonMinimaHi-lessonMinimaLo)*rng.Float64()
		ry[i] = lessonMinimaLo + (lessonMinimaHi-lessonMinimaLo)*rng.Float64()
	}
	extra := lessonDescend(lessonMinimaSurface, rx, ry, lessonGD(lessonMinimaLR), r.steps, 0, nil)
	best := make([]plotter.XYs, n)
	ends := make([]float64, n*lessonMinimaK)
	ex, ey := make([]float64, n*lessonMinimaK), make([]float64, n*lessonMinimaK)
	all := append(append([]plotter.XYs(nil), gd...), extra...)
	for i, p := range all {
		ex[i], ey[i] = p[len(p)-1].X, p[len(p)-1].Y
	}
	lessonEval(lessonMinimaSurface, ex, ey, ends)
	for i := range n {
		b := i // the grid start itself
		for k := range lessonMinimaK - 1 {
			if j := n + i*(lessonMinimaK-1) + k; ends[j] < ends[b] {
				b = j
			}
		}
		best[i] = all[b]
	}
	for _, m := range []struct {
		name  string
		paths []plotter.XYs
	}{
		{"gradient descent", gd},
		{fmt.Sprintf("momentum %g", lessonMinimaMu), mom},
		{fmt.Sprintf("best of %d restarts", lessonMinimaK), best},
	} {
		mm := &lessonMinimaMethod{name: m.name, paths: m.paths}
		for _, p := range m.paths {
			mm.reached = append(mm.reached, r.nearest(p[len(p)-1]))
		}
		r.methods = append(r.methods, mm)
	}
	return r
}

func lessonSplitXY(xys plotter.XYs) (xs, ys []float64) {
	for _, p := range xys {
		xs, ys = append(xs, p.X), append(ys, p.Y)
	}
	return xs, ys
}

// nearest returns the index of the minimum p is within lessonMinimaNear of, or −1.
func (r *lessonMinimaResult) nearest(p plotter.XY) int {
	for i, m := range r.minima {
		if math.Hypot(p.X-m.X, p.Y-m.Y) < lessonMinimaNear {
			return i
		}
	}
	return -1
}

func (r *lessonMinimaResult) table(w io.Writer) error {
	fmt.Fprintf(w, "f(x,y) = %g(x²+y²) − wells: global minimum f=%.3f at (%.2f, %.2f); %d local minima, f from %.3f to %.3f\n",
		lessonMinimaBowl, r.values[0], r.minima[0].X, r.minima[0].Y, len(r.minima)-1, lessonMin(r.values[1:]), lessonMax(r.values[1:]))
	fmt.Fprintf(w, "%d×%d starts on [%g, %g]², %d steps, learning rate %g\n\n", r.grid, r.grid, lessonMinimaLo, lessonMinimaHi, r.steps, lessonMinimaLR)
	tw := lessonTable(w)
	fmt.Fprint(tw, "method\tglobal\tlocal\tnone\treached global\t\n")
	n := r.grid * r.grid
	for _, m := range r.methods {
		local, none := 0, 0
		for _, k := range m.reached {
			switch {
			case k < 0:
				none++
			case k != lessonMinimaGlobal:
				local++
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f%%\t\n", m.name, m.global(), local, none, 100*float64(m.global())/float64(n))
	}
	return tw.Flush()
}

func lessonMin(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func lessonMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

const (
	lessonMinimaPanel = 4.2 * vg.Inch
	lessonMinimaW     = 3 * lessonMinimaPanel
	lessonMinimaH     = 4.5 * vg.Inch
)

func (r *lessonMinimaResult) plot(path string) error {
	g := newLessonGrid(lessonMinimaLo, lessonMinimaHi, lessonMinimaLo, lessonMinimaHi, 121, func(xs, ys, z []float64) {
		lessonEval(lessonMinimaSurface, xs, ys, z)
	})
	levels := []float64{-0.8, -0.6, -0.4, -0.2, 0, 0.2, 0.4, 0.7, 1, 1.4, 1.9, 2.5, 3.2}
	row := make([]*plot.Plot, len(r.methods))
	for i, m := range r.methods {
		p := newPlot(fmt.Sprintf("%s: %d of %d reach the global minimum", m.name, m.global(), len(m.reached)), "x", "y")
		p.Title.TextStyle.Font.Size = vg.Points(10)
		lessonContours(p, g, levels)
		var starts, good, bad plotter.XYs
		for k, path := range m.paths {
			c := lessonRed
			end := path[len(path)-1]
			if m.reached[k] == lessonMinimaGlobal {
				c, good = lessonGreen, append(good, end)
			} else {
				bad = append(bad, end)
			}
			lessonLine(p, path, c, vg.Points(0.6), "")
			starts = append(starts, path[0])
		}
		lessonDots(p, starts, lessonBlack, draw.CircleGlyph{}, vg.Points(1.5), "")
		lessonDots(p, good, lessonGreen, draw.CircleGlyph{}, vg.Points(3), "")
		lessonDots(p, bad, lessonRed, draw.CrossGlyph{}, vg.Points(3), "")
		lessonDots(p, r.minima[:1], lessonBlack, draw.PlusGlyph{}, vg.Points(5), "")
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lessonMinimaLo, lessonMinimaHi, lessonMinimaLo, lessonMinimaHi
		row[i] = p
	}
	return lessonSaveTiles([][]*plot.Plot{row}, lessonMinimaW, lessonMinimaH, path)
}

func runLessonMinima(cfg lessonConfig, w io.Writer) (string, error) {
	r := lessonMinima(cfg)
	if err := r.table(w); err != nil {
		return "", err
	}
	path := cfg.picture("local-minima")
	return path, r.plot(path)
}
