package main

import (
	"math"
	"math/rand/v2"

	"github.com/descentlab/descent/nn"
)

// The loss surfaces of `descent landscape`: functions of two parameters
// with exact gradients, each with the view, start point, minima, contour
// levels and per-optimizer learning rates its picture uses.

// vec2 is a point of a surface (or a gradient there).
type vec2 [2]float64

// surface is a 2-D loss to descend.
type surface struct {
	name, title    string
	xLabel, yLabel string
	f              func(p vec2) float64
	grad           func(p vec2) vec2
	// sgd returns the gradient the "SGD" path follows: the exact one plus
	// seeded Gaussian noise, or (regression) a real mini-batch's.
	sgd func(seed uint64) func(p vec2) vec2

	view   [4]float64 // xmin, xmax, ymin, ymax
	start  vec2
	minima []vec2 // marked; a path reaches the one within tol of it
	// escape > 0 makes the goal leaving the saddle instead: |y| >= escape.
	escape float64
	tol    float64
	steps  int // default -steps
	levels []float64
	// legendLeft and legendBottom place the legend where the paths are not.
	legendLeft, legendBottom bool
	// lr holds each optimizer's learning rate, in the order of optimizers.
	lr [numOptimizers]float64
	// note is printed under the table: what the goal is and why the rates.
	note string
}

// noisy returns a gradient function that adds seeded N(0, sigma²) noise to
// each component of grad: the mini-batch noise of SGD, without a data set.
func noisyGrad(grad func(vec2) vec2, sigma float64) func(seed uint64) func(vec2) vec2 {
	return func(seed uint64) func(vec2) vec2 {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		return func(p vec2) vec2 {
			g := grad(p)
			return vec2{g[0] + sigma*rng.NormFloat64(), g[1] + sigma*rng.NormFloat64()}
		}
	}
}

// The optimizers every surface is descended with, in table order. The
// learning rates (per surface, in surface.lr) were chosen as the largest
// round values for which each method is stable and well-behaved on that
// surface, so that the comparison is between methods, not between tunings.
const (
	optGD = iota
	optSGD
	optMomentum
	optNesterov
	optRMSprop
	optAdam
	numOptimizers
)

var optimizerNames = [numOptimizers]string{"GD", "SGD", "Momentum", "Nesterov", "RMSprop", "Adam"}

// Learning rates per surface and optimizer (momentum and Nesterov use
// μ = 0.9, RMSprop α = 0.99, Adam β = (0.9, 0.999), all with torch's
// defaults otherwise):
//
//	surface      GD      SGD     Momentum  Nesterov  RMSprop  Adam   SGD's noise
//	valley       0.04    0.04    0.01      0.01      0.1      0.1    σ = 1
//	rosenbrock   0.001   0.001   0.001     0.001     0.01     0.05   σ = 5
//	saddle       0.05    0.05    0.05      0.05      0.02     0.02   σ = 0.05
//	himmelblau   0.01    0.01    0.002     0.002     0.05     0.1    σ = 5
//	regression   0.1     0.1     0.02      0.02      1        1      mini-batches of 32
//
// Why: GD's rate is about 1/L for the largest curvature L on its way
// (valley: L = 25, 1/L = 0.04; Rosenbrock: L ≈ 1900 at the start, so 0.001
// is just inside 2/L; regression: the Hessian is 2·I, so 0.1 is a
// cautious fifth of 1/L = 0.5, which would land in one step; Himmelblau:
// 0.01, where 0.02 still converges and 0.035 does not). SGD shares GD's
// rate, so that only the noise differs. Momentum's effective step is
// lr/(1−μ) = 10·lr, so it gets a quarter (valley) or a fifth (regression,
// Himmelblau) of GD's rate, an effective step 2 to 2.5 times GD's and
// inside its stability limit 2(1+μ)/L, and on Rosenbrock GD's own 0.001
// (still stable: 2(1+μ)/L ≈ 0.002). RMSprop's and Adam's steps are
// normalised, so their rates are step lengths in parameter units: a
// hundredth of the view or less (valley, Rosenbrock, Himmelblau), a
// fortieth of the way to the minimum (regression: 39 units). The saddle's
// rates are small so that the escape can be watched, and equal for GD,
// SGD, momentum and Nesterov, so that only the method differs.
// TestLandscapeRates (landscape_test.go) checks that every path stays
// finite and in view at these rates.

// Surfaces, in the order -surface all draws them.
func surfaces() []*surface {
	return []*surface{valleySurface(), rosenbrockSurface(), saddleSurface(), himmelblauSurface(), regressionSurface()}
}

// valleySurface is the elongated quadratic f = x²/2 + 25·y²/2: condition
// number 25, the valley along x.
func valleySurface() *surface {
	s := &surface{
		name: "valley", title: "Elongated valley f = x²/2 + 25y²/2",
		xLabel: "x", yLabel: "y",
		f:      func(p vec2) float64 { return p[0]*p[0]/2 + 25*p[1]*p[1]/2 },
		grad:   func(p vec2) vec2 { return vec2{p[0], 25 * p[1]} },
		view:   [4]float64{-5.5, 1.5, -1.5, 1.5},
		start:  vec2{-5, 1},
		minima: []vec2{{0, 0}},
		tol:    1e-3, steps: 300,
		levels: []float64{0.05, 0.25, 1, 2.5, 5, 10, 17.5, 25},
		lr:     [numOptimizers]float64{0.04, 0.04, 0.01, 0.01, 0.1, 0.1},
		note:   "reached: within 1e-3 of the minimum (0, 0)",
	}
	s.sgd = noisyGrad(s.grad, 1)
	return s
}

// rosenbrockSurface is Rosenbrock's banana (1−x)² + 100(y−x²)²: a narrow
// curved valley whose floor falls slowly to the minimum at (1, 1).
func rosenbrockSurface() *surface {
	s := &surface{
		name: "rosenbrock", title: "Rosenbrock (1−x)² + 100(y−x²)²",
		xLabel: "x", yLabel: "y",
		f: func(p vec2) float64 {
			a, b := 1-p[0], p[1]-p[0]*p[0]
			return a*a + 100*b*b
		},
		grad: func(p vec2) vec2 {
			b := p[1] - p[0]*p[0]
			return vec2{-2*(1-p[0]) - 400*p[0]*b, 200 * b}
		},
		view:   [4]float64{-2, 2, -1, 3},
		start:  vec2{-1.5, 2},
		minima: []vec2{{1, 1}},
		tol:    1e-2, steps: 3000,
		levels: []float64{0.1, 0.5, 2, 5, 10, 25, 50, 100, 200, 400, 800, 1600},
		lr:     [numOptimizers]float64{0.001, 0.001, 0.001, 0.001, 0.01, 0.05},
		note:   "reached: within 1e-2 of the minimum (1, 1)",
	}
	s.sgd = noisyGrad(s.grad, 5)
	return s
}

// saddleStartY is how far off the stable axis (y = 0) the saddle's paths
// start. Exactly on it no deterministic method ever leaves: the gradient
// −2y has no y component there.
const saddleStartY = 1e-6

// saddleSurface is x² − y²: the x axis is stable, y unstable; the view is
// bounded and a path that leaves it is stopped (f is unbounded below).
func saddleSurface() *surface {
	s := &surface{
		name: "saddle", title: "Saddle x² − y²",
		xLabel: "x", yLabel: "y",
		f:      func(p vec2) float64 { return p[0]*p[0] - p[1]*p[1] },
		grad:   func(p vec2) vec2 { return vec2{2 * p[0], -2 * p[1]} },
		view:   [4]float64{-2, 2, -2, 2},
		start:  vec2{1.8, saddleStartY},
		escape: 1, steps: 100,
		legendLeft: true, legendBottom: true,
		levels: []float64{-3, -2, -1, -0.5, -0.1, 0.1, 0.5, 1, 2, 3},
		lr:     [numOptimizers]float64{0.05, 0.05, 0.05, 0.05, 0.02, 0.02},
		note: "the start is 1e-6 off the stable axis y = 0; escaped: |y| >= 1; the saddle point (0, 0) is marked. " +
			"GD moves away from the axis by a factor 1 + 2·lr = 1.1 a step, so it needs 145 steps (try -steps 200). " +
			"f is unbounded below: a path that leaves the view stops there",
	}
	s.sgd = noisyGrad(s.grad, 0.05)
	return s
}

// himmelblauMinima are the four minima of Himmelblau's function (f = 0),
// to 12 digits (Newton's method on the gradient).
var himmelblauMinima = []vec2{
	{3, 2},
	{-2.805118086953, 3.131312518250},
	{-3.779310253378, -3.283185991286},
	{3.584428340330, -1.848126526964},
}

// himmelblauSurface is (x²+y−11)² + (x+y²−7)²: four minima of equal
// depth around a local maximum near (−0.27, −0.92).
func himmelblauSurface() *surface {
	s := &surface{
		name: "himmelblau", title: "Himmelblau (x²+y−11)² + (x+y²−7)²",
		xLabel: "x", yLabel: "y",
		f: func(p vec2) float64 {
			a, b := p[0]*p[0]+p[1]-11, p[0]+p[1]*p[1]-7
			return a*a + b*b
		},
		grad: func(p vec2) vec2 {
			a, b := p[0]*p[0]+p[1]-11, p[0]+p[1]*p[1]-7
			return vec2{4*a*p[0] + 2*b, 2*a + 4*b*p[1]}
		},
		view:       [4]float64{-5, 5, -5, 5},
		start:      vec2{-0.27, -0.92},
		minima:     himmelblauMinima,
		legendLeft: true,
		tol:        1e-2, steps: 500,
		levels: []float64{0.5, 2, 5, 10, 20, 40, 70, 110, 160, 250, 400, 600},
		lr:     [numOptimizers]float64{0.01, 0.01, 0.002, 0.002, 0.05, 0.1},
		note: "the start is just off the local maximum (−0.2708, −0.9230), where the gradient nearly vanishes; " +
			"reached: within 1e-2 of one of the four minima (all f = 0)",
	}
	s.sgd = noisyGrad(s.grad, 5)
	return s
}

// inkData is the real data of the regression surface and of `descent
// linreg`: for each image of the digits training split, x is the mean ink
// of its left half (columns 0–3), standardised over the split (zero mean,
// unit population variance), and y is the mean ink of its right half
// (columns 4–7) in percent of full ink. Their correlation is about −0.54
// (of the simple pairs tried, adjacent rows or columns, halves, only
// adjacent rows came as close, at +0.55): images with more ink on the left
// have less on the right, a clear linear trend with real scatter, which is
// what a regression lesson needs.
type inkData struct {
	x, y []float64
	// moments over the samples: mean x, x², xy, y, y².
	mx, mxx, mxy, my, myy float64
}

func loadInk() *inkData {
	train, _ := nn.Digits()
	n := train.Len()
	d := &inkData{x: make([]float64, n), y: make([]float64, n)}
	for i := range n {
		row := train.Row(i)
		var left, right float64
		for r := range 8 {
			for c := range 8 {
				if c < 4 {
					left += float64(row[r*8+c])
				} else {
					right += float64(row[r*8+c])
				}
			}
		}
		d.x[i], d.y[i] = left/32, 100*right/32
	}
	var mean, ss float64
	for _, v := range d.x {
		mean += v
	}
	mean /= float64(n)
	for _, v := range d.x {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(n))
	for i, v := range d.x {
		d.x[i] = (v - mean) / sd
	}
	for i := range n {
		x, y := d.x[i], d.y[i]
		d.mx += x
		d.mxx += x * x
		d.mxy += x * y
		d.my += y
		d.myy += y * y
	}
	fn := float64(n)
	d.mx, d.mxx, d.mxy, d.my, d.myy = d.mx/fn, d.mxx/fn, d.mxy/fn, d.my/fn, d.myy/fn
	return d
}

// loss is the mean squared error of y ≈ w·x + b over the data, from the
// moments: w²·E[x²] + 2wb·E[x] − 2w·E[xy] + b² − 2b·E[y] + E[y²].
func (d *inkData) loss(w, b float64) float64 {
	return w*w*d.mxx + 2*w*b*d.mx - 2*w*d.mxy + b*b - 2*b*d.my + d.myy
}

// grad is the gradient of loss in (w, b).
func (d *inkData) grad(w, b float64) vec2 {
	return vec2{2 * (w*d.mxx + b*d.mx - d.mxy), 2 * (w*d.mx + b - d.my)}
}

// leastSquares returns the exact minimiser of loss and the loss there,
// solving the 2×2 normal equations in float64.
func (d *inkData) leastSquares() (w, b, loss float64) {
	det := d.mxx - d.mx*d.mx
	w = (d.mxy - d.mx*d.my) / det
	b = d.my - w*d.mx
	// The residuals' mean square, summed directly rather than from the
	// moments, to avoid the cancellation of E[y²] − fitted.
	for i, x := range d.x {
		r := w*x + b - d.y[i]
		loss += r * r
	}
	return w, b, loss / float64(len(d.x))
}

// regressionSurface is the loss of the two-parameter linear regression of
// inkData in (slope, intercept). With x standardised the Hessian is 2·I:
// the bowl is round, which is what standardising buys; the SGD path uses
// real shuffled mini-batches of 32 images.
func regressionSurface() *surface {
	d := loadInk()
	w, b, _ := d.leastSquares()
	s := &surface{
		name: "regression", title: "Linear regression (MSE) on the digits: right-half against left-half ink",
		xLabel: "slope w (per sd of left-half ink)", yLabel: "intercept b (% ink)",
		f:      func(p vec2) float64 { return d.loss(p[0], p[1]) },
		grad:   func(p vec2) vec2 { return d.grad(p[0], p[1]) },
		start:  vec2{20, 0},
		minima: []vec2{{w, b}},
		tol:    1e-2, steps: 200,
		lr:   [numOptimizers]float64{0.1, 0.1, 0.02, 0.02, 1, 1},
		note: "reached: within 1e-2 of the least-squares solution; SGD uses shuffled mini-batches of 32",
	}
	// A square view around the start and the minimum.
	cx, cy := (s.start[0]+w)/2, (s.start[1]+b)/2
	half := 0.9 * math.Max(math.Abs(s.start[0]-w), math.Abs(s.start[1]-b))
	s.view = [4]float64{cx - half, cx + half, cy - half, cy + half}
	lmin := d.loss(w, b)
	for _, r := range []float64{1, 2, 4, 8, 12, 16, 20, 25, 30, 35, 40, 45, 50} {
		s.levels = append(s.levels, lmin+r*r)
	}
	s.sgd = func(seed uint64) func(vec2) vec2 {
		batches := nn.NewBatches(len(d.x), 32, true, seed, false)
		return func(p vec2) vec2 {
			if !batches.Next() {
				batches.Reset()
				batches.Next()
			}
			var gw, gb float64
			idx := batches.Indices()
			for _, i := range idx {
				r := p[0]*d.x[i] + p[1] - d.y[i]
				gw += r * d.x[i]
				gb += r
			}
			n := float64(len(idx))
			return vec2{2 * gw / n, 2 * gb / n}
		}
	}
	return s
}
