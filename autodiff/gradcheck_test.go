package autodiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The tolerance of every gradient check: the issue asks for a relative
// error of at most 1e-6 in float64. With h = 1e-6 the central difference's
// truncation error is O(h²·f⁽³⁾) ≈ 1e-12 and its rounding error about
// ε·|f|/h ≈ 1e-10 relative, so 1e-6 leaves four orders of margin for a
// correct backward and catches any wrong one (a wrong term is O(1)).
const (
	gcStep = 1e-6
	gcTol  = 1e-6
)

func randTensor(rng *rand.Rand, lo, hi float64, shape ...int) *Tensor[float64] {
	t := Zeros[float64](shape...)
	for i := range t.Data {
		t.Data[i] = lo + (hi-lo)*rng.Float64()
	}
	return t
}

// awayFromZero moves values within d of zero out to ±d, so that finite
// differences never straddle ReLU's kink.
func awayFromZero(t *Tensor[float64], d float64) *Tensor[float64] {
	for i, v := range t.Data {
		if v > -d && v < d {
			if v < 0 {
				t.Data[i] = -d
			} else {
				t.Data[i] = d
			}
		}
	}
	return t
}

// weights returns a fixed random matrix to contract an op's output with, so
// that the checked loss depends on every output element differently (a
// plain sum would hide errors that cancel, as in softmax's backward).
func weights(rng *rand.Rand, rows, cols int) *Tensor[float64] {
	return randTensor(rng, -1, 1, rows, cols)
}

func check(t *testing.T, name string, f func(tp *Tape[float64]) *Tensor[float64], inputs ...*Tensor[float64]) {
	t.Helper()
	for _, in := range inputs {
		in.RequireGrad()
	}
	res, err := GradCheck(f, inputs, gcStep, gcTol)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if res.MaxRelErr > gcTol {
		t.Errorf("%s: relative error %g", name, res.MaxRelErr)
	}
}

// dotLoss is Σ y ⊙ w: a scalar loss with a different weight on each element.
func dotLoss(tp *Tape[float64], y, w *Tensor[float64]) *Tensor[float64] {
	return tp.Sum(tp.Mul(y, w))
}

func TestGradCheckOps(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		m, k, n := 1+rng.IntN(5), 1+rng.IntN(6), 1+rng.IntN(5)
		t.Run(fmt.Sprintf("seed=%d/%dx%dx%d", seed, m, k, n), func(t *testing.T) {
			a, b := randTensor(rng, -1, 1, m, k), randTensor(rng, -1, 1, k, n)
			wmn, wmk := weights(rng, m, n), weights(rng, m, k)
			check(t, "MatMul", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.MatMul(a, b), wmn) }, a, b)
			x, bias := randTensor(rng, -1, 1, m, n), randTensor(rng, -1, 1, n)
			check(t, "AddRow", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.AddRow(x, bias), wmn) }, x, bias)
			p, q := randTensor(rng, -1, 1, m, k), randTensor(rng, -1, 1, m, k)
			check(t, "Add", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.Add(p, q), wmk) }, p, q)
			check(t, "Sub", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.Sub(p, q), wmk) }, p, q)
			check(t, "Mul", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.Mul(p, q), wmk) }, p, q)
			check(t, "Mul(x,x)", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.Mul(p, p), wmk) }, p)
			check(t, "Scale", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.Scale(p, -2.5), wmk) }, p)
			check(t, "Sum", func(tp *Tape[float64]) *Tensor[float64] { return tp.Sum(p) }, p)
			check(t, "Mean", func(tp *Tape[float64]) *Tensor[float64] { return tp.Scale(tp.Mean(p), 3) }, p)
			r := awayFromZero(randTensor(rng, -2, 2, m, k), 1e-3)
			check(t, "ReLU", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.ReLU(r), wmk) }, r)
			s := randTensor(rng, -4, 4, m, k)
			check(t, "Sigmoid", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.Sigmoid(s), wmk) }, s)
			check(t, "Tanh", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.Tanh(s), wmk) }, s)
			check(t, "Softmax", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.Softmax(s), wmk) }, s)
			check(t, "LogSoftmax", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.LogSoftmax(s), wmk) }, s)
			v, wv := randTensor(rng, -3, 3, k), randTensor(rng, -1, 1, k)
			check(t, "Softmax(vector)", func(tp *Tape[float64]) *Tensor[float64] { return dotLoss(tp, tp.Softmax(v), wv) }, v)
			labels := make([]int, m)
			for i := range labels {
				labels[i] = rng.IntN(k)
			}
			check(t, "SoftmaxCrossEntropy", func(tp *Tape[float64]) *Tensor[float64] { return tp.SoftmaxCrossEntropy(s, labels) }, s)
			check(t, "MSE", func(tp *Tape[float64]) *Tensor[float64] { return tp.MSE(p, q) }, p, q)
			bm := 3 + rng.IntN(5)
			bx, gamma, beta := randTensor(rng, -2, 2, bm, k), randTensor(rng, 0.5, 1.5, k), randTensor(rng, -1, 1, k)
			wbk := weights(rng, bm, k)
			check(t, "BatchNorm", func(tp *Tape[float64]) *Tensor[float64] {
				// y⊙y: a linear loss of a normalised output can have a
				// gradient that nearly cancels (BatchNorm is invariant to
				// each column's shift and scale), leaving only rounding
				// noise to compare.
				y, _, _ := tp.BatchNorm(bx, gamma, beta, 1e-5)
				return dotLoss(tp, tp.Mul(y, y), wbk)
			}, bx, gamma, beta)
			rm, rv := randTensor(rng, -1, 1, k).Data, randTensor(rng, 0.5, 2, k).Data
			check(t, "BatchNormEval", func(tp *Tape[float64]) *Tensor[float64] {
				return dotLoss(tp, tp.BatchNormEval(bx, gamma, beta, rm, rv, 1e-5), wbk)
			}, bx, gamma, beta)
			check(t, "Dropout", func(tp *Tape[float64]) *Tensor[float64] {
				return dotLoss(tp, tp.Dropout(p, 0.3, rand.New(rand.NewPCG(seed, 1))), wmk)
			}, p)
		})
	}
}

// TestGradCheckModel checks a whole two-layer network with a fused loss,
// where each weight's gradient flows through every op kind of an MLP.
func TestGradCheckModel(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		batch, in, hidden, classes := 2+rng.IntN(6), 2+rng.IntN(8), 2+rng.IntN(8), 2+rng.IntN(5)
		x := randTensor(rng, -1, 1, batch, in)
		w1, b1 := randTensor(rng, -1, 1, in, hidden), randTensor(rng, -0.1, 0.1, hidden)
		w2, b2 := randTensor(rng, -1, 1, hidden, classes), randTensor(rng, -0.1, 0.1, classes)
		labels := make([]int, batch)
		for i := range labels {
			labels[i] = rng.IntN(classes)
		}
		f := func(tp *Tape[float64]) *Tensor[float64] {
			h := tp.Tanh(tp.AddRow(tp.MatMul(x, w1), b1))
			r := tp.Add(h, tp.Sigmoid(h)) // a residual-style fan-out: h feeds two ops
			return tp.SoftmaxCrossEntropy(tp.AddRow(tp.MatMul(r, w2), b2), labels)
		}
		check(t, fmt.Sprintf("mlp seed=%d", seed), f, x, w1, b1, w2, b2)
	}
}

// TestGradCheckCatches makes sure the checker can fail: a loss whose tape
// gradient is deliberately wrong (the gradient of 2x reported for 3x) is
// rejected.
func TestGradCheckCatches(t *testing.T) {
	x := randTensor(rand.New(rand.NewPCG(1, 2)), -1, 1, 3).RequireGrad()
	pass := 0
	f := func(tp *Tape[float64]) *Tensor[float64] {
		pass++
		if pass == 1 { // the analytic pass: gradient 2
			return tp.Sum(tp.Scale(x, 2))
		}
		return tp.Sum(tp.Scale(x, 3)) // the numeric passes: gradient 3
	}
	_, err := GradCheck(f, []*Tensor[float64]{x}, gcStep, gcTol)
	if err == nil || !strings.Contains(err.Error(), "relative error") {
		t.Fatalf("GradCheck accepted a wrong gradient: %v", err)
	}
}

// TestGradCheckNaN: a NaN gradient, analytic or numeric, fails the check
// (it must not compare as a relative error of 0).
func TestGradCheckNaN(t *testing.T) {
	x := New([]float64{math.NaN(), 1}, 2).RequireGrad()
	_, err := GradCheck(func(tp *Tape[float64]) *Tensor[float64] { return tp.Sum(tp.Mul(x, x)) }, []*Tensor[float64]{x}, gcStep, gcTol)
	if err == nil {
		t.Fatal("GradCheck accepted a NaN gradient")
	}
}

// TestGradCheckRoundingFloor: a true gradient far below the loss's size
// (a saturated two-way softmax, as in the input the fuzz target found,
// under a loss of order 100) passes, though central differences resolve
// it only to about 2e-4 of itself; and the same tiny gradient reported
// wrong by a tenth still fails.
func TestGradCheckRoundingFloor(t *testing.T) {
	x := New([]float64{-3.9, 6.1}, 1, 2).RequireGrad()
	w := New([]float64{0.7, -0.4}, 1, 2)
	c := New([]float64{100, 50}, 1, 2) // a constant part of the loss
	f := func(tp *Tape[float64]) *Tensor[float64] { return tp.Sum(tp.Add(tp.Mul(tp.Softmax(x), w), c)) }
	res, err := GradCheck(f, []*Tensor[float64]{x}, 1e-6, 1e-6)
	if err != nil {
		t.Fatalf("a right gradient of %.3g failed: %v", res.Analytic, err)
	}
	if g := math.Abs(x.Grad()[0]); g > 1e-4 || g < 1e-6 {
		t.Fatalf("the case no longer has a tiny gradient: %g", g)
	}
	pass := 0
	wrong := func(tp *Tape[float64]) *Tensor[float64] {
		pass++
		if pass == 1 { // the analytic pass: 1.1 times the loss
			return tp.Sum(tp.Add(tp.Scale(tp.Mul(tp.Softmax(x), w), 1.1), c))
		}
		return f(tp)
	}
	if _, err := GradCheck(wrong, []*Tensor[float64]{x}, 1e-6, 1e-6); err == nil {
		t.Fatal("a tiny gradient 10% wrong passed")
	}
}
