package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/optim"
)

func randInput(rng *rand.Rand, rows, cols int) *autodiff.Tensor[float64] {
	x := autodiff.Zeros[float64](rows, cols)
	for i := range x.Data {
		x.Data[i] = 2*rng.Float64() - 1
	}
	return x
}

// TestGradCheckModels checks whole models built from the layers, at random
// shapes and seeds: every layer kind, in training mode (batch statistics,
// dropout masks re-drawn identically for each evaluation) and evaluation
// mode.
func TestGradCheckModels(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		batch, in, hidden, classes := 3+rng.IntN(5), 2+rng.IntN(6), 2+rng.IntN(6), 2+rng.IntN(4)
		labels := make([]int, batch)
		for i := range labels {
			labels[i] = rng.IntN(classes)
		}
		x := randInput(rng, batch, in)
		for _, training := range []bool{true, false} {
			bn := NewBatchNorm1d[float64](hidden)
			for i := range bn.RunningMean { // non-trivial running statistics for eval mode
				bn.RunningMean[i], bn.RunningVar[i] = 0.1*float64(i), 1+0.2*float64(i)
			}
			model := NewSequential[float64](
				NewLinear[float64](in, hidden, XavierNormal, rng),
				Tanh[float64]{},
				bn,
				NewResidual[float64](NewSequential[float64](NewLinear[float64](hidden, hidden, HeNormal, rng), Sigmoid[float64]{})),
				NewDropout[float64](0.25, seed),
				NewLinear[float64](hidden, classes, XavierUniform, rng),
			)
			for _, p := range model.Params() { // non-zero biases, gamma away from 1
				if len(p.Shape()) == 1 {
					for i := range p.Data {
						p.Data[i] += 0.3 * (2*rng.Float64() - 1)
					}
				}
			}
			SetTraining[float64](model, training)
			drop := model.Layers[4].(*Dropout[float64])
			state, err := drop.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			f := func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] {
				if err := drop.UnmarshalBinary(state); err != nil { // the same mask at every evaluation
					t.Fatal(err)
				}
				return CrossEntropy(tp, model.Forward(tp, x), labels)
			}
			inputs := append([]*autodiff.Tensor[float64]{x.RequireGrad()}, model.Params()...)
			res, err := autodiff.GradCheck(f, inputs, 1e-6, 1e-6)
			if err != nil {
				t.Errorf("seed %d training=%v: %v", seed, training, err)
			} else {
				t.Logf("seed %d training=%v: %d params, max relative error %.2g", seed, training, len(inputs), res.MaxRelErr)
			}
		}
	}
}

func TestMSEGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	x, target := randInput(rng, 5, 3), randInput(rng, 5, 2)
	l := NewLinear[float64](3, 2, XavierUniform, rng)
	f := func(tp *autodiff.Tape[float64]) *autodiff.Tensor[float64] { return MSE(tp, l.Forward(tp, x), target) }
	if _, err := autodiff.GradCheck(f, l.Params(), 1e-6, 1e-6); err != nil {
		t.Fatal(err)
	}
}

// TestInitStatistics: each initialiser's sample standard deviation is
// within 5% of its formula over 200×300 draws (the standard error of a
// sample deviation of 60,000 draws is about 0.3%), and its mean within 4
// standard errors of 0.
func TestInitStatistics(t *testing.T) {
	const in, out = 200, 300
	for _, c := range []struct {
		init Init
		std  float64
	}{
		{XavierUniform, math.Sqrt(6.0/(in+out)) / math.Sqrt(3)},
		{XavierNormal, math.Sqrt(2.0 / (in + out))},
		{HeUniform, math.Sqrt(6.0/in) / math.Sqrt(3)},
		{HeNormal, math.Sqrt(2.0 / in)},
		{Normal(0.5), 0.5},
		{Uniform(3), 3 / math.Sqrt(3)},
		{ZeroInit, 0},
	} {
		w := autodiff.Zeros[float64](in, out)
		Fill(w, c.init, in, out, rand.New(rand.NewPCG(1, 2)))
		var s, ss float64
		for _, v := range w.Data {
			s += v
			ss += v * v
		}
		n := float64(len(w.Data))
		mean := s / n
		std := math.Sqrt(ss/n - mean*mean)
		if math.Abs(std-c.std) > 0.05*c.std || math.Abs(mean) > 4*c.std/math.Sqrt(n) { // mean: 4 standard errors
			t.Errorf("%v: mean %.4g std %.4g, want 0 and %.4g", c.init, mean, std, c.std)
		}
	}
	if in, err := ParseInit("he-normal"); err != nil || in.String() != "he-normal" {
		t.Fatalf("ParseInit: %v %v", in, err)
	}
	if _, err := ParseInit("glorot"); err == nil || !strings.Contains(err.Error(), `"glorot"`) {
		t.Fatalf("ParseInit of an unknown name: %v", err)
	}
}

// TestBatchNormRunningStats follows torch.nn.BatchNorm1d: running mean and
// unbiased running variance with momentum 0.1, then evaluation mode uses
// them.
func TestBatchNormRunningStats(t *testing.T) {
	bn := NewBatchNorm1d[float64](2)
	x := autodiff.New([]float64{1, 10, 2, 20, 6, 30}, 3, 2)
	tp := autodiff.NewTape[float64]()
	y := bn.Forward(tp, x)
	// column 0: mean 3, biased var 14/3, unbiased 7.
	want := []float64{0.9*0 + 0.1*3, 0.9*0 + 0.1*20}
	wantVar := []float64{0.9*1 + 0.1*7, 0.9*1 + 0.1*100}
	for j := 0; j < 2; j++ {
		if math.Abs(bn.RunningMean[j]-want[j]) > 1e-12 || math.Abs(bn.RunningVar[j]-wantVar[j]) > 1e-12 {
			t.Fatalf("running stats %v %v, want %v %v", bn.RunningMean, bn.RunningVar, want, wantVar)
		}
	}
	if got, want := y.Data[0], (1-3)/math.Sqrt(14.0/3+1e-5); math.Abs(got-want) > 1e-12 {
		t.Fatalf("normalised y[0]=%v, want %v", got, want)
	}
	bn.SetTraining(false)
	tp.Reset()
	y = bn.Forward(tp, x)
	if got, want := y.Data[0], (1-want[0])/math.Sqrt(wantVar[0]+1e-5); math.Abs(got-want) > 1e-12 {
		t.Fatalf("eval y[0]=%v, want %v", got, want)
	}
}

func TestDropoutModes(t *testing.T) {
	d := NewDropout[float32](0.5, 7)
	x := autodiff.New(make([]float32, 1000), 10, 100)
	for i := range x.Data {
		x.Data[i] = 1
	}
	tp := autodiff.NewTape[float32]()
	y := d.Forward(tp, x)
	zeros := 0
	for _, v := range y.Data {
		switch v {
		case 0:
			zeros++
		case 2:
		default:
			t.Fatalf("dropout output %v, want 0 or 2", v)
		}
	}
	if zeros < 400 || zeros > 600 {
		t.Fatalf("%d of 1000 dropped at p=0.5", zeros)
	}
	state, _ := d.MarshalBinary()
	tp.Reset()
	a := append([]float32(nil), d.Forward(tp, x).Data...)
	if err := d.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	tp.Reset()
	if b := d.Forward(tp, x).Data; !slices.Equal(a, b) {
		t.Fatal("a restored Dropout draws different masks")
	}
	if err := d.UnmarshalBinary([]byte("junk")); err == nil || !strings.Contains(err.Error(), "restore Dropout") {
		t.Fatalf("restoring junk: %v", err)
	}
	d.SetTraining(false)
	if y := d.Forward(tp, x); y != x {
		t.Fatal("evaluation-mode dropout is not the identity")
	}
}

func TestLayerPanics(t *testing.T) {
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"NewLinear: in=0", func() { NewLinear[float32](0, 3, HeNormal, rand.New(rand.NewPCG(1, 1))) }},
		{"MatMul: shapes [2 4] and [3 5]", func() {
			l := NewLinear[float32](3, 5, HeNormal, rand.New(rand.NewPCG(1, 1)))
			l.Forward(autodiff.NewTape[float32](), autodiff.Zeros[float32](2, 4))
		}},
		{"NewDropout: p=1", func() { NewDropout[float32](1, 1) }},
		{"BatchNorm1d: batch of 1 rows in training mode", func() {
			NewBatchNorm1d[float32](3).Forward(autodiff.NewTape[float32](), autodiff.Zeros[float32](1, 3))
		}},
		{"MLP: sizes [3]", func() { MLP[float32]([]int{3}, nil, HeNormal, nil) }},
		{"Add: shapes [2 3] and [2 4]", func() {
			r := NewResidual[float32](NewLinear[float32](3, 4, HeNormal, rand.New(rand.NewPCG(1, 1))))
			r.Forward(autodiff.NewTape[float32](), autodiff.Zeros[float32](2, 3))
		}},
		{"Accuracy: logits of shape [2 3] and 3 labels", func() { Accuracy(autodiff.Zeros[float32](2, 3), []int{0, 1, 2}) }},
	} {
		func() {
			defer func() {
				r := recover()
				if s := fmt.Sprint(r); r == nil || !strings.Contains(s, c.want) {
					t.Errorf("panic %v, want it to contain %q", r, c.want)
				}
			}()
			c.f()
		}()
	}
}

// TestTrainStepAllocs: a steady-state training step (forward, backward,
// optimizer step) on a reused tape allocates nothing, for every layer kind
// and optimizer.
func TestTrainStepAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	model := NewSequential[float32](
		NewLinear[float32](20, 16, HeNormal, rng), ReLU[float32]{},
		NewBatchNorm1d[float32](16), NewDropout[float32](0.1, 1),
		NewResidual[float32](NewSequential[float32](NewLinear[float32](16, 16, HeNormal, rng), Tanh[float32]{})),
		NewLinear[float32](16, 4, XavierUniform, rng),
	)
	x := autodiff.Zeros[float32](8, 20)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	labels := []int{0, 1, 2, 3, 0, 1, 2, 3}
	ps := model.Params()
	for _, opt := range []optim.Optimizer{
		optim.NewSGD(optim.SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true}, optim.SplitDecay(ps)...),
		optim.NewAdam(optim.DefaultAdam(), optim.Params(ps...)),
		optim.NewRMSprop(optim.RMSpropConfig{LR: 0.01, Alpha: 0.99, Eps: 1e-8, Momentum: 0.9, Centered: true}, optim.Params(ps...)),
		optim.NewAdagrad(optim.DefaultAdagrad(), optim.Params(ps...)),
	} {
		tp := autodiff.NewTape[float32]()
		step := func() {
			tp.Reset()
			opt.ZeroGrad()
			loss := CrossEntropy(tp, model.Forward(tp, x), labels)
			if err := tp.Backward(loss); err != nil {
				t.Fatal(err)
			}
			if _, err := optim.ClipGradNorm(ps, 1, true); err != nil {
				t.Fatal(err)
			}
			opt.Step()
		}
		step()
		if a := testing.AllocsPerRun(10, step); a != 0 {
			t.Errorf("%T: a training step allocates %v times, want 0", opt, a)
		}
	}
}
