package fuzz_test

// FuzzGradients holds autodiff's backward of every op, at every level,
// against central finite differences (autodiff.GradCheck, float64,
// relative error 1e-6 as the autodiff issue asks). The fuzzer chooses the
// op, the shapes and the seed of the values; values are drawn in ranges
// where finite differences are well conditioned (ReLU's inputs kept 1e-3
// away from its kink, BatchNorm's loss quadratic so that its gradient
// cannot cancel to rounding noise), so a failure is a wrong backward, not
// an ill-posed check.
//
//	go test -run XXX -fuzz FuzzGradients -fuzztime 30s ./fuzz/

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
)

const gradOps = 16

func randT(rng *rand.Rand, lo, hi float64, shape ...int) *autodiff.Tensor[float64] {
	t := autodiff.Zeros[float64](shape...)
	for i := range t.Data {
		t.Data[i] = lo + (hi-lo)*rng.Float64()
	}
	return t
}

// gradCase returns a scalar loss built from one op and the inputs to check.
func gradCase(op int, seed uint64, m, k, n int) (string, func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64], []*autodiff.Tensor[float64]) {
	rng := rand.New(rand.NewPCG(seed, uint64(op)))
	p, q := randT(rng, -1, 1, m, k), randT(rng, -1, 1, m, k)
	w := randT(rng, -1, 1, m, k)
	dot := func(tp *autodiff.Tape[float64], y, w *autodiff.Tensor[float64]) *autodiff.Tensor[float64] {
		return tp.Sum(tp.Mul(y, w))
	}
	one := func(name string, f func(tp *autodiff.Tape[float64], a *autodiff.Tensor[float64]) *autodiff.Tensor[float64], a *autodiff.Tensor[float64]) (string, func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64], []*autodiff.Tensor[float64]) {
		return name, func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return dot(tp, f(tp, a), w) }, []*autodiff.Tensor[float64]{a}
	}
	switch op {
	case 0:
		b, wmn := randT(rng, -1, 1, k, n), randT(rng, -1, 1, m, n)
		return "MatMul", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return dot(tp, tp.MatMul(p, b), wmn) }, []*autodiff.Tensor[float64]{p, b}
	case 1:
		bias := randT(rng, -1, 1, k)
		return "AddRow", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return dot(tp, tp.AddRow(p, bias), w) }, []*autodiff.Tensor[float64]{p, bias}
	case 2:
		return "Add", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return dot(tp, tp.Add(p, q), w) }, []*autodiff.Tensor[float64]{p, q}
	case 3:
		return "Sub", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return dot(tp, tp.Sub(p, q), w) }, []*autodiff.Tensor[float64]{p, q}
	case 4:
		return "Mul", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return dot(tp, tp.Mul(p, q), w) }, []*autodiff.Tensor[float64]{p, q}
	case 5:
		s := 4*rng.Float64() - 2
		return one("Scale", func(tp *autodiff.Tape[float64], a *autodiff.Tensor[float64]) *autodiff.Tensor[float64] {
			return tp.Scale(a, s)
		}, p)
	case 6:
		return "Mean", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return tp.Mean(tp.Mul(p, p)) }, []*autodiff.Tensor[float64]{p}
	case 7:
		r := randT(rng, -2, 2, m, k)
		for i, v := range r.Data {
			if v > -1e-3 && v < 1e-3 {
				r.Data[i] = 1e-3
			}
		}
		return one("ReLU", (*autodiff.Tape[float64]).ReLU, r)
	case 8:
		return one("Sigmoid", (*autodiff.Tape[float64]).Sigmoid, randT(rng, -4, 4, m, k))
	case 9:
		return one("Tanh", (*autodiff.Tape[float64]).Tanh, randT(rng, -4, 4, m, k))
	case 10:
		return one("Softmax", (*autodiff.Tape[float64]).Softmax, randT(rng, -4, 4, m, k))
	case 11:
		return one("LogSoftmax", (*autodiff.Tape[float64]).LogSoftmax, randT(rng, -4, 4, m, k))
	case 12:
		labels := make([]int, m)
		for i := range labels {
			labels[i] = rng.IntN(k)
		}
		x := randT(rng, -4, 4, m, k)
		return "SoftmaxCrossEntropy", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return tp.SoftmaxCrossEntropy(x, labels) }, []*autodiff.Tensor[float64]{x}
	case 13:
		return "MSE", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return tp.MSE(p, q) }, []*autodiff.Tensor[float64]{p, q}
	case 14:
		bm := m + 2 // at least 3 rows: batch statistics of 1 or 2 rows leave almost nothing to differentiate
		x, g, b, wb := randT(rng, -2, 2, bm, k), randT(rng, 0.5, 1.5, k), randT(rng, -1, 1, k), randT(rng, -1, 1, bm, k)
		return "BatchNorm", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] {
			y, _, _ := tp.BatchNorm(x, g, b, 1e-5)
			return dot(tp, tp.Mul(y, y), wb)
		}, []*autodiff.Tensor[float64]{x, g, b}
	default:
		x, g, b := randT(rng, -2, 2, m, k), randT(rng, 0.5, 1.5, k), randT(rng, -1, 1, k)
		rm, rv := randT(rng, -1, 1, k).Data, randT(rng, 0.5, 2, k).Data
		return "BatchNormEval", func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] {
			return dot(tp, tp.BatchNormEval(x, g, b, rm, rv, 1e-5), w)
		}, []*autodiff.Tensor[float64]{x, g, b}
	}
}

func checkGradient(t *testing.T, op uint8, seed uint64, m, k, n uint8) {
	o := int(op) % gradOps
	mm, kk, nn := 1+int(m)%8, 1+int(k)%8, 1+int(n)%8
	eachLevel(t, func(l kernels.Level) {
		name, f, inputs := gradCase(o, seed, mm, kk, nn)
		for _, in := range inputs {
			in.RequireGrad()
		}
		if _, err := autodiff.GradCheck(f, inputs, 1e-6, 1e-6); err != nil {
			t.Errorf("%s (%dx%dx%d, seed %d) at %s: %v", name, mm, kk, nn, seed, l, err)
		}
	})
}

func FuzzGradients(f *testing.F) {
	for op := 0; op < gradOps; op++ {
		f.Add(uint8(op), uint64(op), uint8(op), uint8(op+1), uint8(op+2))
	}
	f.Fuzz(checkGradient)
}

// TestGradientsEveryLevel runs every op's gradient check at every level
// (autodiff's own tests run at the default level only).
func TestGradientsEveryLevel(t *testing.T) {
	for op := 0; op < gradOps; op++ {
		for seed := uint64(0); seed < 3; seed++ {
			t.Run(fmt.Sprintf("op=%d/seed=%d", op, seed), func(t *testing.T) {
				checkGradient(t, uint8(op), seed, uint8(seed*3+1), uint8(op), uint8(int(seed)+op))
			})
		}
	}
}
