package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/optim"
)

// trainDigits trains the 64-32-10 MLP on the embedded digits and returns
// the test accuracy after each epoch and the final weights.
func trainDigits(t testing.TB, epochs int, seed uint64) ([]float64, []float32) {
	train, test := Digits()
	rng := rand.New(rand.NewPCG(seed, 1))
	model := MLP([]int{64, 32, 10}, func() Layer[float32] { return ReLU[float32]{} }, HeUniform, rng)
	opt := optim.NewAdam(optim.AdamConfig{LR: 3e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, optim.Params(model.Params()...))
	const batch = 32
	batches := NewBatches(train.Len(), batch, true, seed, false)
	x := autodiff.Zeros[float32](batch, train.Features)
	y := make([]int, batch)
	tp := autodiff.NewTape[float32]()
	var acc []float64
	for e := 0; e < epochs; e++ {
		for batches.Next() {
			idx := batches.Indices()
			xb := autodiff.New(x.Data[:len(idx)*train.Features], len(idx), train.Features)
			Gather(train, idx, xb.Data, y[:len(idx)])
			tp.Reset()
			opt.ZeroGrad()
			loss := CrossEntropy(tp, model.Forward(tp, xb), y[:len(idx)])
			if err := autodiff.CheckFinite("loss", loss); err != nil {
				t.Fatal(err)
			}
			if err := tp.Backward(loss); err != nil {
				t.Fatal(err)
			}
			opt.Step()
		}
		batches.Reset()
		acc = append(acc, evaluate(model, test))
	}
	var w []float32
	for _, p := range model.Params() {
		w = append(w, p.Data...)
	}
	return acc, w
}

func evaluate(model Layer[float32], d *Dataset) float64 {
	tp := autodiff.NewTape[float32]()
	x := autodiff.New(append([]float32(nil), d.X...), d.Len(), d.Features)
	return Accuracy(model.Forward(tp, x), d.Y)
}

// TestDigitsAccuracy is the target: the 64-32-10 MLP reaches at
// least 95% test accuracy on the embedded digits within 30 epochs, and the
// run is bitwise reproducible for its seed.
func TestDigitsAccuracy(t *testing.T) {
	acc, w := trainDigits(t, 30, 42)
	best, at := 0.0, 0
	for e, a := range acc {
		if a > best {
			best, at = a, e+1
		}
	}
	t.Logf("test accuracy by epoch: %.3f (best %.3f at epoch %d)", acc, best, at)
	if final := acc[len(acc)-1]; final < 0.95 {
		t.Fatalf("test accuracy after 30 epochs %.4f, want >= 0.95", final)
	}
	acc2, w2 := trainDigits(t, 30, 42)
	for i := range w {
		if w[i] != w2[i] {
			t.Fatalf("two runs with seed 42 differ at weight %d: %v vs %v", i, w[i], w2[i])
		}
	}
	if acc2[len(acc2)-1] != acc[len(acc)-1] {
		t.Fatalf("two runs with seed 42 reach %v and %v", acc[len(acc)-1], acc2[len(acc2)-1])
	}
}
