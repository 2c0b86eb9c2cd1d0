package main

import (
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// contourLines draws the level curves of a sampled surface, traced by
// marching squares and joined into polylines.
//
// gonum's plotter.Contour (v0.17.0) is not used: on these surfaces its
// loop excision (contour.exciseLoops) either never returns, spinning in
// path.linearPathsIn, which keeps no record of the vertices it has walked
// (Rosenbrock sampled 121×121 or 161×161 on [−2,2]×[−1,3], level 0.5;
// Himmelblau 141×141 or 151×151 on [−5,5]², levels 10 and 40), or panics
// there with "contour: not a linear path" (another level at 121×121).
type contourLines struct {
	grid   *surfaceGrid
	levels []float64
	colors []color.Color // one per level
	width  vg.Length
}

// Plot implements plot.Plotter.
func (cl *contourLines) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, l := range cl.levels {
		sty := draw.LineStyle{Color: cl.colors[i%len(cl.colors)], Width: cl.width}
		for _, line := range cl.grid.levelCurves(l) {
			pts := make([]vg.Point, len(line))
			for j, q := range line {
				pts[j] = vg.Point{X: trX(q[0]), Y: trY(q[1])}
			}
			c.StrokeLines(sty, c.ClipLinesXY(pts)...)
		}
	}
}

// DataRange implements plot.DataRanger: the grid's extent.
func (cl *contourLines) DataRange() (xmin, xmax, ymin, ymax float64) {
	g := cl.grid
	return g.xs[0], g.xs[len(g.xs)-1], g.ys[0], g.ys[len(g.ys)-1]
}

var _ plot.Plotter = (*contourLines)(nil)
var _ plot.DataRanger = (*contourLines)(nil)
var _ plotter.GridXYZ = (*surfaceGrid)(nil)

// levelCurves returns the curves on which the sampled surface equals
// level, as polylines (closed ones end where they start). A sample counts
// as above the level when z >= level; a crossing lies on a cell edge,
// linearly interpolated; a cell whose corners alternate (a saddle of the
// samples) is resolved by the mean of its corners.
func (g *surfaceGrid) levelCurves(level float64) [][]vec2 {
	nc, nr := g.Dims()
	// A crossing is named by its edge: 2·(r·nc + c) for the edge from
	// sample (c, r) to (c+1, r), that plus 1 for (c, r) to (c, r+1).
	hEdge := func(c, r int) int { return 2 * (r*nc + c) }
	vEdge := func(c, r int) int { return 2*(r*nc+c) + 1 }
	adj := make(map[int][]int)
	link := func(a, b int) {
		adj[a] = append(adj[a], b)
		adj[b] = append(adj[b], a)
	}
	for r := 0; r+1 < nr; r++ {
		for c := 0; c+1 < nc; c++ {
			z00, z10, z11, z01 := g.Z(c, r), g.Z(c+1, r), g.Z(c+1, r+1), g.Z(c, r+1)
			a00, a10, a11, a01 := z00 >= level, z10 >= level, z11 >= level, z01 >= level
			bottom, right, top, left := hEdge(c, r), vEdge(c+1, r), hEdge(c, r+1), vEdge(c, r)
			var cross []int // in the order bottom, right, top, left
			if a00 != a10 {
				cross = append(cross, bottom)
			}
			if a10 != a11 {
				cross = append(cross, right)
			}
			if a11 != a01 {
				cross = append(cross, top)
			}
			if a01 != a00 {
				cross = append(cross, left)
			}
			switch len(cross) {
			case 2:
				link(cross[0], cross[1])
			case 4:
				if ((z00+z10+z11+z01)/4 >= level) == a00 {
					link(bottom, right) // the curves cut off corners (c+1, r) and (c, r+1)
					link(top, left)
				} else {
					link(left, bottom) // they cut off (c, r) and (c+1, r+1)
					link(right, top)
				}
			}
		}
	}
	point := func(e int) vec2 {
		i, vertical := e/2, e%2 == 1
		c, r := i%nc, i/nc
		c1, r1 := c+1, r
		if vertical {
			c1, r1 = c, r+1
		}
		z0, z1 := g.Z(c, r), g.Z(c1, r1)
		t := (level - z0) / (z1 - z0)
		return vec2{g.X(c) + t*(g.X(c1)-g.X(c)), g.Y(r) + t*(g.Y(r1)-g.Y(r))}
	}
	// Walk open curves from their ends (edges with one neighbour, on the
	// grid's border) first, then the closed ones. Edges are visited in
	// increasing order so that the output is deterministic.
	ids := make([]int, 0, len(adj))
	for e := range adj {
		ids = append(ids, e)
	}
	slices.Sort(ids)
	seen := make(map[int]bool, len(adj))
	walk := func(start int) []vec2 {
		line := []vec2{point(start)}
		seen[start] = true
		prev, cur := -1, start
		for {
			next := -1
			for _, n := range adj[cur] {
				if n != prev && !seen[n] {
					next = n
					break
				}
			}
			if next < 0 {
				// A closed curve returns to its start.
				for _, n := range adj[cur] {
					if n == start && n != prev && len(line) > 2 {
						line = append(line, line[0])
						break
					}
				}
				return line
			}
			seen[next] = true
			line = append(line, point(next))
			prev, cur = cur, next
		}
	}
	var curves [][]vec2
	for _, e := range ids {
		if !seen[e] && len(adj[e]) == 1 {
			curves = append(curves, walk(e))
		}
	}
	for _, e := range ids {
		if !seen[e] {
			curves = append(curves, walk(e))
		}
	}
	return curves
}
