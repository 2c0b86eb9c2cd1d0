package main

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The lessons' pictures share these: contours of a 2-D surface with paths
// over them, curves on a log scale, and several plots on one canvas.

// lessonGrid is a surface sampled on a regular grid, for plotter.Contour.
type lessonGrid struct {
	xs, ys []float64
	z      []float64 // z[r*len(xs)+c] is the value at (xs[c], ys[r])
}

func (g *lessonGrid) Dims() (c, r int)   { return len(g.xs), len(g.ys) }
func (g *lessonGrid) Z(c, r int) float64 { return g.z[r*len(g.xs)+c] }
func (g *lessonGrid) X(c int) float64    { return g.xs[c] }
func (g *lessonGrid) Y(r int) float64    { return g.ys[r] }

// newLessonGrid samples f on n×n points of [x0, x1]×[y0, y1]; f takes a
// row of points (all with the same y) and writes their values to z.
func newLessonGrid(x0, x1, y0, y1 float64, n int, f func(xs, ys, z []float64)) *lessonGrid {
	g := &lessonGrid{xs: make([]float64, n), ys: make([]float64, n), z: make([]float64, n*n)}
	for i := range n {
		g.xs[i] = x0 + (x1-x0)*float64(i)/float64(n-1)
		g.ys[i] = y0 + (y1-y0)*float64(i)/float64(n-1)
	}
	row := make([]float64, n)
	for r := range n {
		for c := range row {
			row[c] = g.ys[r]
		}
		f(g.xs, row, g.z[r*n:(r+1)*n])
	}
	return g
}

// lessonContours adds the contour lines of g at levels to p, in a light
// blue-to-red palette so that paths drawn over them stand out.
func lessonContours(p *plot.Plot, g *lessonGrid, levels []float64) {
	pal := moreland.SmoothBlueRed()
	pal.SetMin(levels[0])
	pal.SetMax(levels[len(levels)-1])
	c := plotter.NewContour(g, levels, pal.Palette(len(levels)))
	c.LineStyles = []draw.LineStyle{{Width: vg.Points(0.6)}}
	p.Add(c)
	p.X.Min, p.X.Max = g.xs[0], g.xs[len(g.xs)-1]
	p.Y.Min, p.Y.Max = g.ys[0], g.ys[len(g.ys)-1]
}

// lessonLine adds a polyline to p, and to the legend if name is not empty.
func lessonLine(p *plot.Plot, xys plotter.XYs, c color.Color, width vg.Length, name string) {
	if len(xys) == 0 {
		return
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return // a non-finite point: the caller keeps only finite ones
	}
	l.Color, l.Width = c, width
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
}

// lessonDots adds markers at the points to p.
func lessonDots(p *plot.Plot, xys plotter.XYs, c color.Color, shape draw.GlyphDrawer, radius vg.Length, name string) {
	if len(xys) == 0 {
		return
	}
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Shape: shape, Radius: radius}
	p.Add(s)
	if name != "" {
		p.Legend.Add(name, s)
	}
}

// lessonLogY puts p's y axis on a log scale.
func lessonLogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = lessonLogTicks{}
}

// lessonLogTicks marks the powers of ten of a log axis, labelled as 1e-05
// rather than plot.LogTicks' 9.999999999999999e-05 (it multiplies by ten
// repeatedly), every decade or, over many decades, every few.
type lessonLogTicks struct{}

func (lessonLogTicks) Ticks(lo, hi float64) []plot.Tick {
	e0, e1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	every := max(1, (e1-e0+7)/8)
	var ticks []plot.Tick
	for e := e0; e <= e1; e++ {
		v := math.Pow10(e)
		if v >= lo && v <= hi {
			t := plot.Tick{Value: v}
			if e%every == 0 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
		if every == 1 {
			for k := 2; k < 10; k++ {
				if m := float64(k) * v; m >= lo && m <= hi {
					ticks = append(ticks, plot.Tick{Value: m})
				}
			}
		}
	}
	return ticks
}

// lessonFinite returns the points of xys up to the first one whose y is
// not finite or not positive (for a log axis when positive is set).
func lessonFinite(xys plotter.XYs, positive bool) plotter.XYs {
	for i, p := range xys {
		if math.IsNaN(p.Y) || math.IsInf(p.Y, 0) || (positive && p.Y <= 0) {
			return xys[:i]
		}
	}
	return xys
}

// lessonSaveTiles draws plots (rows × columns, aligned) on one w × h
// picture at path.
func lessonSaveTiles(plots [][]*plot.Plot, w, h vg.Length, path string) error {
	t := draw.Tiles{Rows: len(plots), Cols: len(plots[0]),
		PadX: vg.Points(8), PadY: vg.Points(8), PadTop: vg.Points(4), PadBottom: vg.Points(4),
		PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	return saveCanvas(w, h, path, func(dc draw.Canvas) {
		cs := plot.Align(plots, t, dc)
		for i := range plots {
			for j, p := range plots[i] {
				if p != nil {
					p.Draw(cs[i][j])
				}
			}
		}
	})
}

// lessonGreen and lessonRed mark success and failure in the pictures.
var (
	lessonGreen = color.RGBA{R: 0x1b, G: 0x9e, B: 0x3a, A: 0xff}
	lessonRed   = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	lessonBlack = color.RGBA{A: 0xff}
)
