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

// The saddle lesson's two surfaces: the textbook saddle x² − y², which has
// no minimum (it falls away along y for ever), and x² + y⁴/4 − y²/2, whose
// saddle at the origin sits between two real minima at (0, ±1), f = −1/4.
// Along y = 0 (the stable axis) the gradient has no y component at all, so
// a method that moves only along the gradient slides into the saddle and
// stays; from y = 1e-6 the unstable direction grows by a factor of
// 1 + 2γ (x² − y²) or 1 + γ (the quartic) per GD step of size γ, a long
// stall before the escape.

func lessonSaddlePlain(tp *autodiff.Tape[float64], x, y *autodiff.Tensor[float64]) *autodiff.Tensor[float64] {
	return tp.Sub(tp.Mul(x, x), tp.Mul(y, y))
}

func lessonSaddleQuartic(tp *autodiff.Tape[float64], x, y *autodiff.Tensor[float64]) *autodiff.Tensor[float64] {
	y2 := tp.Mul(y, y)
	return tp.Add(tp.Mul(x, x), tp.Sub(tp.Scale(tp.Mul(y2, y2), 0.25), tp.Scale(y2, 0.5)))
}

const (
	lessonSaddleLR      = 0.1
	lessonSaddleMu      = 0.9
	lessonSaddleAdamLR  = 0.05
	lessonSaddleNoise   = 0.1 // standard deviation of the noise added to each gradient element
	lessonSaddleEscape  = 0.5 // escaped once |y| exceeds this
	lessonSaddleStartX  = 1.0
	lessonSaddleStartY  = 1e-6
	lessonSaddlePlotLim = 1.5
)

type lessonSaddleSurface struct {
	name string
	f    lessonSurface
}

var lessonSaddleSurfaces = []lessonSaddleSurface{
	{"x² − y²", lessonSaddlePlain},
	{"x² + y⁴/4 − y²/2", lessonSaddleQuartic},
}

type lessonSaddleMethod struct {
	name string
	opt  lessonNewOpt
	// noise is the standard deviation of the gradient noise (noisy SGD).
	noise float64
}

var lessonSaddleMethods = []lessonSaddleMethod{
	{"gradient descent", lessonGD(lessonSaddleLR), 0},
	{fmt.Sprintf("momentum %g", lessonSaddleMu), lessonMomentum(lessonSaddleLR, lessonSaddleMu), 0},
	{fmt.Sprintf("Adam (lr %g)", lessonSaddleAdamLR), lessonAdam(lessonSaddleAdamLR), 0},
	{fmt.Sprintf("noisy SGD (σ=%g)", lessonSaddleNoise), lessonGD(lessonSaddleLR), lessonSaddleNoise},
}

// lessonSaddleResult holds, for each surface, method and start (y = 1e-6, then
// y = 0), the step at which |y| first exceeded lessonSaddleEscape (−1 for never),
// the final value, and the path.
type lessonSaddleResult struct {
	steps  int
	escape [][][2]int         // [surface][method][start]
	final  [][][2]float64     // f at the end, for the quartic's minima
	paths  [][][2]plotter.XYs // [surface][method][start]
}

func lessonSaddle(cfg lessonConfig) *lessonSaddleResult {
	r := &lessonSaddleResult{steps: 400}
	if cfg.quick {
		r.steps = 250
	}
	for si, s := range lessonSaddleSurfaces {
		r.escape = append(r.escape, make([][2]int, len(lessonSaddleMethods)))
		r.final = append(r.final, make([][2]float64, len(lessonSaddleMethods)))
		r.paths = append(r.paths, make([][2]plotter.XYs, len(lessonSaddleMethods)))
		for mi, m := range lessonSaddleMethods {
			var rng *rand.Rand
			if m.noise > 0 {
				rng = rand.New(rand.NewPCG(cfg.seed, uint64(0x736164<<8|si)))
			}
			x0 := []float64{lessonSaddleStartX, lessonSaddleStartX}
			y0 := []float64{lessonSaddleStartY, 0}
			paths := lessonDescend(s.f, x0, y0, m.opt, r.steps, m.noise, rng)
			for k, p := range paths {
				r.escape[si][mi][k] = -1
				for t, q := range p {
					if math.Abs(q.Y) > lessonSaddleEscape {
						r.escape[si][mi][k] = t
						break
					}
				}
				end := p[len(p)-1]
				v := []float64{0}
				lessonEval(s.f, []float64{end.X}, []float64{end.Y}, v)
				r.final[si][mi][k] = v[0]
				r.paths[si][mi][k] = p
			}
		}
	}
	return r
}

func (r *lessonSaddleResult) table(w io.Writer) error {
	fmt.Fprintf(w, "steps until |y| > %g (of %d; GD and momentum lr %g), starting at x = %g\n\n", lessonSaddleEscape, r.steps, lessonSaddleLR, lessonSaddleStartX)
	tw := lessonTable(w)
	fmt.Fprint(tw, "method\t")
	for _, s := range lessonSaddleSurfaces {
		fmt.Fprintf(tw, "%s, y=%g\t%s, y=0\t", s.name, lessonSaddleStartY, s.name)
	}
	fmt.Fprint(tw, "\n")
	for mi, m := range lessonSaddleMethods {
		fmt.Fprintf(tw, "%s\t", m.name)
		for si := range lessonSaddleSurfaces {
			for k := range 2 {
				if e := r.escape[si][mi][k]; e < 0 {
					fmt.Fprint(tw, "never\t")
				} else {
					fmt.Fprintf(tw, "%d\t", e)
				}
			}
		}
		fmt.Fprint(tw, "\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nvalue at the end on %s (its minima: f = −0.25 at y = ±1)\n\n", lessonSaddleSurfaces[1].name)
	tw = lessonTable(w)
	fmt.Fprintf(tw, "method\tfrom y=%g\tfrom y=0\t\n", lessonSaddleStartY)
	for mi, m := range lessonSaddleMethods {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t\n", m.name, r.final[1][mi][0], r.final[1][mi][1])
	}
	return tw.Flush()
}

const (
	lessonSaddleW = 11 * vg.Inch
	lessonSaddleH = 5 * vg.Inch
)

// lessonSaddleClip returns the path up to its first point outside the picture
// (and that point, so that the line leaves the frame).
func lessonSaddleClip(p plotter.XYs) plotter.XYs {
	for i, q := range p {
		if math.Abs(q.X) > lessonSaddlePlotLim || math.Abs(q.Y) > lessonSaddlePlotLim || math.IsNaN(q.X+q.Y) {
			return p[:min(i+1, len(p))]
		}
	}
	return p
}

func (r *lessonSaddleResult) plot(path string) error {
	var row []*plot.Plot
	for si, s := range lessonSaddleSurfaces {
		g := newLessonGrid(-lessonSaddlePlotLim, lessonSaddlePlotLim, -lessonSaddlePlotLim, lessonSaddlePlotLim, 100, func(xs, ys, z []float64) {
			lessonEval(s.f, xs, ys, z)
		})
		// No level is 0: gonum's contour tracer panics ("not a linear
		// path") when a level runs exactly through grid points, as 0 does
		// along x = ±y.
		levels := []float64{-2, -1.5, -1, -0.5, -0.15, 0.15, 0.5, 1, 1.5, 2}
		if si == 1 {
			levels = []float64{-0.24, -0.2, -0.1, -0.03, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5}
		}
		p := newPlot(fmt.Sprintf("%s from (%g, %g)", s.name, lessonSaddleStartX, lessonSaddleStartY), "x", "y")
		lessonContours(p, g, levels)
		for mi, m := range lessonSaddleMethods {
			name := m.name
			if e := r.escape[si][mi][0]; e < 0 {
				name += ": never escapes"
			} else {
				name += fmt.Sprintf(": escapes at step %d", e)
			}
			lessonLine(p, lessonSaddleClip(r.paths[si][mi][0]), seriesColor(mi), vg.Points(1.4), name)
		}
		lessonDots(p, plotter.XYs{{X: lessonSaddleStartX, Y: lessonSaddleStartY}}, lessonBlack, draw.CircleGlyph{}, vg.Points(3), "")
		lessonDots(p, plotter.XYs{{X: 0, Y: 0}}, lessonBlack, draw.CrossGlyph{}, vg.Points(4), "")
		p.Legend.Top = true
		p.Legend.TextStyle.Font.Size = vg.Points(8)
		// Adding the lines widened the axes to the points just outside.
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -lessonSaddlePlotLim, lessonSaddlePlotLim, -lessonSaddlePlotLim, lessonSaddlePlotLim
		row = append(row, p)
	}
	return lessonSaveTiles([][]*plot.Plot{row}, lessonSaddleW, lessonSaddleH, path)
}

func runLessonSaddle(cfg lessonConfig, w io.Writer) (string, error) {
	r := lessonSaddle(cfg)
	if err := r.table(w); err != nil {
		return "", err
	}
	path := cfg.picture("saddle")
	return path, r.plot(path)
}
