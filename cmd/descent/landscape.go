package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/optim"
)

// `descent landscape` descends 2-D loss surfaces (surface.go) with six
// optimizers from one start point, draws the paths over the surface's
// contours and prints where each got to.

// landscapeSize is the size of each picture.
const (
	landscapeW = 7 * vg.Inch
	landscapeH = 6 * vg.Inch
)

func runLandscape(args []string, stdout io.Writer) error {
	fs := newFlags("landscape", stdout)
	dir := fs.String("o", ".", "write landscape-<surface>.png and .svg into `dir`")
	which := fs.String("surface", "all", "the surface to draw: "+strings.Join(surfaceNames(), ", ")+" or all")
	steps := fs.Int("steps", 0, "optimizer steps per path (0: each surface's default, shown in its table's heading)")
	seed := fs.Uint64("seed", 1, "seed of SGD's gradient noise and mini-batches")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *steps < 0 {
		return usageError{fmt.Errorf("-steps=%d must not be negative", *steps)}
	}
	var chosen []*surface
	for _, s := range surfaces() {
		if *which == "all" || *which == s.name {
			chosen = append(chosen, s)
		}
	}
	if len(chosen) == 0 {
		return usageError{fmt.Errorf("-surface=%q: want one of %s or all", *which, strings.Join(surfaceNames(), ", "))}
	}
	if st, err := os.Stat(*dir); err != nil {
		return fmt.Errorf("output directory: %w", err)
	} else if !st.IsDir() {
		return fmt.Errorf("output directory %s: not a directory", *dir)
	}
	for i, s := range chosen {
		n := s.steps
		if *steps > 0 {
			n = *steps
		}
		paths := descendAll(s, n, *seed)
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		printLandscapeTable(stdout, s, n, paths)
		p := landscapePlot(s, paths)
		for _, ext := range []string{".png", ".svg"} {
			path := filepath.Join(*dir, "landscape-"+s.name+ext)
			if err := savePlot(p, landscapeW, landscapeH, path); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s\n", path)
		}
	}
	return nil
}

func surfaceNames() []string {
	var names []string
	for _, s := range surfaces() {
		names = append(names, s.name)
	}
	return names
}

// path is one optimizer's descent: the points visited, the start first.
type descentPath struct {
	opt     int
	lr      float64
	points  []vec2
	reached int // the step at which the goal was first met, or -1
	left    bool
}

func (p *descentPath) final() vec2 { return p.points[len(p.points)-1] }

// newOptimizer returns optimizer opt over param at learning rate lr.
func newSurfaceOptimizer(opt int, lr float64, param *autodiff.Tensor[float64]) optim.Optimizer {
	g := optim.Params(param)
	switch opt {
	case optGD, optSGD:
		return optim.NewSGD(optim.SGDConfig{LR: lr}, g)
	case optMomentum:
		return optim.NewSGD(optim.SGDConfig{LR: lr, Momentum: 0.9}, g)
	case optNesterov:
		return optim.NewSGD(optim.SGDConfig{LR: lr, Momentum: 0.9, Nesterov: true}, g)
	case optRMSprop:
		cfg := optim.DefaultRMSprop()
		cfg.LR = lr
		return optim.NewRMSprop(cfg, g)
	case optAdam:
		cfg := optim.DefaultAdam()
		cfg.LR = lr
		return optim.NewAdam(cfg, g)
	}
	panic(fmt.Sprintf("landscape: no optimizer %d", opt))
}

// descendAll runs every optimizer on s for steps steps.
func descendAll(s *surface, steps int, seed uint64) []*descentPath {
	paths := make([]*descentPath, numOptimizers)
	for o := range numOptimizers {
		grad := s.grad
		if o == optSGD {
			grad = s.sgd(seed)
		}
		paths[o] = descendSurface(s, o, s.lr[o], s.start, steps, grad)
	}
	return paths
}

// descend runs optimizer opt from start: the gradient is written into the
// parameter's gradient buffer and the optimizer steps it, as in training.
// A path stops early if it stops being finite, or leaves a box three
// times the view's size, or, on the saddle (unbounded below), the view.
func descendSurface(s *surface, opt int, lr float64, start vec2, steps int, grad func(vec2) vec2) *descentPath {
	param := autodiff.New([]float64{start[0], start[1]}, 2).RequireGrad()
	o := newSurfaceOptimizer(opt, lr, param)
	pa := &descentPath{opt: opt, lr: lr, points: make([]vec2, 1, steps+1), reached: -1}
	pa.points[0] = start
	if s.goalMet(start) {
		pa.reached = 0
	}
	v := s.view
	wx, wy := v[1]-v[0], v[3]-v[2]
	if s.escape > 0 {
		wx, wy = 0, 0
	}
	for k := 1; k <= steps; k++ {
		o.ZeroGrad()
		p := vec2{param.Data[0], param.Data[1]}
		g := grad(p)
		copy(param.Grad(), g[:])
		o.Step()
		p = vec2{param.Data[0], param.Data[1]}
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
			pa.left = true
			break
		}
		pa.points = append(pa.points, p)
		if pa.reached < 0 && s.goalMet(p) {
			pa.reached = k
		}
		if p[0] < v[0]-wx || p[0] > v[1]+wx || p[1] < v[2]-wy || p[1] > v[3]+wy {
			pa.left = true
			break
		}
	}
	return pa
}

// goalMet says whether p has reached a minimum (within tol) or, on the
// saddle, escaped it.
func (s *surface) goalMet(p vec2) bool {
	if s.escape > 0 {
		return math.Abs(p[1]) >= s.escape
	}
	_, d := s.nearestMinimum(p)
	return d <= s.tol
}

// nearestMinimum returns the index of the minimum nearest p and its distance.
func (s *surface) nearestMinimum(p vec2) (int, float64) {
	best, bd := -1, math.Inf(1)
	for i, m := range s.minima {
		if d := math.Hypot(p[0]-m[0], p[1]-m[1]); d < bd {
			best, bd = i, d
		}
	}
	return best, bd
}

func printLandscapeTable(w io.Writer, s *surface, steps int, paths []*descentPath) {
	goal := "steps to min"
	if s.escape > 0 {
		goal = "steps to escape"
	}
	fmt.Fprintf(w, "%s: %s, %d steps from (%g, %g)\n", s.name, s.title, steps, s.start[0], s.start[1])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "optimizer\tlr\t%s\tfinal loss\tfinal point", goal)
	several := len(s.minima) > 1
	if several {
		fmt.Fprint(tw, "\tnearest minimum")
	}
	fmt.Fprintln(tw)
	for _, pa := range paths {
		reached := "—"
		if pa.reached >= 0 {
			reached = fmt.Sprint(pa.reached)
		}
		f := pa.final()
		fmt.Fprintf(tw, "%s\t%g\t%s\t%.4g\t(%s, %s)", optimizerNames[pa.opt], pa.lr, reached, s.f(f), coordString(f[0]), coordString(f[1]))
		if pa.left {
			fmt.Fprint(tw, " left the view")
		}
		if several {
			i, d := s.nearestMinimum(f)
			m := s.minima[i]
			fmt.Fprintf(tw, "\t(%.2f, %.2f) at %.2g", m[0], m[1], d)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(w, "(%s)\n", s.note)
}

// num prints a coordinate compactly: 4 significant digits, no "-0".
func coordString(v float64) string {
	if math.Abs(v) < 5e-5 {
		v = 0
	}
	return fmt.Sprintf("%.4g", v)
}

// surfaceGrid samples a surface on a regular grid for its contours (a
// plotter.GridXYZ).
type surfaceGrid struct {
	xs, ys []float64
	z      []float64 // row r (y), column c (x): z[r*len(xs)+c]
}

const surfaceGridSize = 161

func newSurfaceGrid(s *surface) *surfaceGrid {
	g := &surfaceGrid{xs: make([]float64, surfaceGridSize), ys: make([]float64, surfaceGridSize), z: make([]float64, surfaceGridSize*surfaceGridSize)}
	v := s.view
	for i := range surfaceGridSize {
		t := float64(i) / (surfaceGridSize - 1)
		g.xs[i] = v[0] + t*(v[1]-v[0])
		g.ys[i] = v[2] + t*(v[3]-v[2])
	}
	for r, y := range g.ys {
		for c, x := range g.xs {
			g.z[r*surfaceGridSize+c] = s.f(vec2{x, y})
		}
	}
	return g
}

func (g *surfaceGrid) Dims() (c, r int)   { return len(g.xs), len(g.ys) }
func (g *surfaceGrid) Z(c, r int) float64 { return g.z[r*len(g.xs)+c] }
func (g *surfaceGrid) X(c int) float64    { return g.xs[c] }
func (g *surfaceGrid) Y(r int) float64    { return g.ys[r] }

// contourGreys is the contours' palette: dark for low levels, light for high, so
// that the coloured paths stand out.
type contourGreys int

func (n contourGreys) Colors() []color.Color {
	cs := make([]color.Color, int(n))
	for i := range cs {
		v := uint8(90 + 130*i/max(1, int(n)-1))
		cs[i] = color.Gray{Y: v}
	}
	return cs
}

func landscapePlot(s *surface, paths []*descentPath) *plot.Plot {
	p := newPlot(s.title, s.xLabel, s.yLabel)
	p.Add(&contourLines{grid: newSurfaceGrid(s), levels: s.levels, colors: contourGreys(len(s.levels)).Colors(), width: vg.Points(0.75)})
	for _, pa := range paths {
		xys := make(plotter.XYs, len(pa.points))
		for i, q := range pa.points {
			xys[i].X, xys[i].Y = q[0], q[1]
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			continue // a NaN can only come from a diverged path, which stops before it
		}
		l.Color = seriesColor(pa.opt)
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(optimizerNames[pa.opt], l)
	}
	start, _ := plotter.NewScatter(plotter.XYs{{X: s.start[0], Y: s.start[1]}})
	start.GlyphStyle = draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: vg.Points(4), Color: color.Black}
	p.Add(start)
	p.Legend.Add("start", start)
	marks := s.minima
	label := "minimum"
	if len(marks) > 1 {
		label = "minima"
	}
	if s.escape > 0 {
		marks, label = []vec2{{0, 0}}, "saddle point"
	}
	xys := make(plotter.XYs, len(marks))
	for i, m := range marks {
		xys[i].X, xys[i].Y = m[0], m[1]
	}
	mins, _ := plotter.NewScatter(xys)
	mins.GlyphStyle = draw.GlyphStyle{Shape: draw.CrossGlyph{}, Radius: vg.Points(5), Color: color.Black}
	p.Add(mins)
	p.Legend.Add(label, mins)
	p.Legend.Top, p.Legend.Left = !s.legendBottom, s.legendLeft
	p.Legend.Padding = vg.Points(1)
	// After the plotters, which widen the axes to their data.
	v := s.view
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = v[0], v[1], v[2], v[3]
	return p
}
