package optim

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/descentlab/descent/autodiff"
)

func params32(seed uint64, lens ...int) []*autodiff.Tensor[float32] {
	rng := rand.New(rand.NewPCG(seed, 0))
	var ps []*autodiff.Tensor[float32]
	for _, n := range lens {
		p := autodiff.Param[float32](n)
		for i := range p.Data {
			p.Data[i] = float32(rng.NormFloat64())
		}
		ps = append(ps, p)
	}
	return ps
}

// feed sets a deterministic gradient, a function of the parameters and the
// step, so that a restored run sees exactly the gradients the original
// would have.
func feed(ps []*autodiff.Tensor[float32], step int) {
	for k, p := range ps {
		g := p.Grad()
		for i, v := range p.Data {
			g[i] = v*float32(0.5+0.1*float64(k)) + float32(math.Sin(float64(step*31+i)))
		}
	}
}

type mk32 func(ps []*autodiff.Tensor[float32]) Optimizer

func allKinds() map[string]mk32 {
	return map[string]mk32{
		"SGD": func(ps []*autodiff.Tensor[float32]) Optimizer {
			return NewSGD(SGDConfig{LR: 0.01, Momentum: 0.9, Dampening: 0.1, WeightDecay: 1e-3}, SplitDecay(ps)...)
		},
		"Adam": func(ps []*autodiff.Tensor[float32]) Optimizer {
			c := DefaultAdam()
			c.AMSGrad, c.WeightDecay = true, 1e-2
			return NewAdam(c, Params(ps...))
		},
		"AdamW": func(ps []*autodiff.Tensor[float32]) Optimizer {
			c := DefaultAdam()
			c.WeightDecay = 1e-2
			return NewAdamW(c, Params(ps[:1]...), Params(ps[1:]...).WithLR(1e-2))
		},
		"RMSprop": func(ps []*autodiff.Tensor[float32]) Optimizer {
			c := DefaultRMSprop()
			c.Centered, c.Momentum = true, 0.5
			return NewRMSprop(c, Params(ps...))
		},
		"Adagrad": func(ps []*autodiff.Tensor[float32]) Optimizer {
			c := DefaultAdagrad()
			c.LRDecay, c.InitialAccumulatorValue = 0.01, 0.1
			return NewAdagrad(c, Params(ps...))
		},
	}
}

// TestSaveRestoreContinue: save after 4 steps, restore into a fresh
// optimizer over copies of the parameters, continue both: bitwise equal to
// never stopping. The learning rate a schedule set is part of the state.
func TestSaveRestoreContinue(t *testing.T) {
	for name, mk := range allKinds() {
		a := params32(1, 2, 33, 8)
		optA := mk(a)
		optA.SetGroupLR(0, optA.GroupLR(0)*0.5) // as a schedule would
		for s := 0; s < 4; s++ {
			optA.ZeroGrad()
			feed(a, s)
			optA.Step()
		}
		state, err := optA.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b := params32(99, 2, 33, 8) // different values: the checkpoint's parameters are restored separately
		for i := range b {
			copy(b[i].Data, a[i].Data)
		}
		optB := mk(b)
		if err := optB.UnmarshalBinary(state); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if optB.GroupLR(0) != optA.GroupLR(0) {
			t.Fatalf("%s: restored lr %v, saved %v", name, optB.GroupLR(0), optA.GroupLR(0))
		}
		for s := 4; s < 10; s++ {
			for _, r := range []struct {
				o  Optimizer
				ps []*autodiff.Tensor[float32]
			}{{optA, a}, {optB, b}} {
				r.o.ZeroGrad()
				feed(r.ps, s)
				r.o.Step()
			}
		}
		for i := range a {
			for j := range a[i].Data {
				if math.Float32bits(a[i].Data[j]) != math.Float32bits(b[i].Data[j]) {
					t.Fatalf("%s: param %d[%d] %v after restore, %v never stopped", name, i, j, b[i].Data[j], a[i].Data[j])
				}
			}
		}
	}
}

func TestRestoreMismatch(t *testing.T) {
	kinds := allKinds()
	ps := params32(1, 2, 33, 8)
	adam, _ := kinds["Adam"](ps).MarshalBinary()
	for _, c := range []struct {
		name string
		opt  Optimizer
		data []byte
		want string
	}{
		{"kind", kinds["SGD"](ps), adam, "restore SGD: state is for Adam"},
		{"AdamW", kinds["AdamW"](ps), adam, "restore AdamW: state is for Adam"},
		{"count", kinds["Adam"](ps[:2]), adam, "group 0: state has 3 parameters, optimizer 2"},
		{"shape", kinds["Adam"](params32(1, 2, 34, 8)), adam, "group 0 parameter 1 (Tensor[34]): state buffer 0 has 33 elements, optimizer 34"},
		{"options", NewAdam(DefaultAdam(), Params(ps...)), adam, "state has 3 buffers per parameter, optimizer 2"},
		{"type", NewAdam(AdamConfig{Beta1: 0.9, Beta2: 0.999, AMSGrad: true}, Params(autodiff.Param[float64](2), autodiff.Param[float64](33), autodiff.Param[float64](8))), adam, "state holds float32 values, optimizer float64"},
		{"truncated", kinds["Adam"](ps), adam[:len(adam)-3], "state truncated"},
		{"trailing", kinds["Adam"](ps), append(append([]byte(nil), adam...), 0), "1 bytes of trailing data"},
		{"garbage", kinds["Adam"](ps), []byte("hello"), "not an optimizer state"},
	} {
		before, _ := c.opt.MarshalBinary()
		err := c.opt.UnmarshalBinary(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
		if after, _ := c.opt.MarshalBinary(); string(after) != string(before) {
			t.Errorf("%s: a failed restore changed the optimizer", c.name)
		}
	}
}

func TestGroups(t *testing.T) {
	w, b := autodiff.Param[float64](2, 2), autodiff.Param[float64](2)
	for i := range w.Data {
		w.Data[i] = 1
	}
	for i := range b.Data {
		b.Data[i] = 1
	}
	opt := NewSGD(SGDConfig{LR: 0.1, WeightDecay: 0.5}, SplitDecay([]*autodiff.Tensor[float64]{w, b})...)
	opt.Step() // zero gradients: only weight decay moves anything
	if w.Data[0] != 1-0.1*0.5 || b.Data[0] != 1 {
		t.Fatalf("weights %v biases %v: want decay on weights only", w.Data, b.Data)
	}
	opt2 := NewSGD(SGDConfig{LR: 0.1}, Params(w), Params(b).WithLR(1))
	if opt2.NumGroups() != 2 || opt2.GroupLR(1) != 1 || opt2.LR() != 0.1 {
		t.Fatalf("group lrs %v %v", opt2.GroupLR(0), opt2.GroupLR(1))
	}
	opt2.SetLR(0.2)
	if opt2.GroupLR(0) != 0.2 || opt2.GroupLR(1) != 0.2 {
		t.Fatal("SetLR did not set every group")
	}
}

func TestClipGradNorm(t *testing.T) {
	a, b := autodiff.Param[float32](2), autodiff.Param[float32](1)
	copy(a.Grad(), []float32{3, 0})
	copy(b.Grad(), []float32{4})
	ps := []*autodiff.Tensor[float32]{a, b}
	n, err := ClipGradNorm(ps, 1, true)
	if err != nil || n != 5 {
		t.Fatalf("norm %v, %v; want 5", n, err)
	}
	if got := GradNorm(ps); math.Abs(got-1) > 1e-6 {
		t.Fatalf("norm after clipping %v, want 1", got)
	}
	n, _ = ClipGradNorm(ps, 10, false) // under the limit: unchanged
	if math.Abs(n-1) > 1e-6 || math.Abs(GradNorm(ps)-1) > 1e-6 {
		t.Fatalf("clipping under the limit changed the norm: %v", GradNorm(ps))
	}
	// huge gradients: the norm does not overflow float32's squares.
	big := autodiff.Param[float32](2)
	copy(big.Grad(), []float32{3e30, 4e30})
	if n := GradNorm([]*autodiff.Tensor[float32]{big}); math.Abs(n/5e30-1) > 1e-6 {
		t.Fatalf("norm of huge gradients %v, want 5e30", n)
	}
	b.Grad()[0] = float32(math.Inf(1))
	if _, err := ClipGradNorm(ps, 1, true); err == nil || !strings.Contains(err.Error(), "+Inf") {
		t.Fatalf("non-finite norm: %v", err)
	}
	if a.Grad()[0] != float32(0.6) && math.Abs(float64(a.Grad()[0])-0.6) > 1e-6 {
		t.Fatalf("a failed clip changed the gradients: %v", a.Grad())
	}
	c := autodiff.Param[float64](3)
	copy(c.Grad(), []float64{-5, 0.5, math.NaN()})
	ClipGradValue([]*autodiff.Tensor[float64]{c}, 1)
	if g := c.Grad(); g[0] != -1 || g[1] != 0.5 || !math.IsNaN(g[2]) {
		t.Fatalf("ClipGradValue: %v", g)
	}
}

func TestOptimizerPanics(t *testing.T) {
	p := autodiff.Param[float32](3)
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"NewSGD: no parameter groups", func() { NewSGD[float32](SGDConfig{LR: 1}) }},
		{"Nesterov momentum requires", func() { NewSGD(SGDConfig{LR: 1, Nesterov: true}, Params(p)) }},
		{"group 0 learning rate=-1", func() { NewSGD(SGDConfig{LR: -1}, Params(p)) }},
		{"Beta1=1, want [0, 1)", func() { NewAdam(AdamConfig{Beta1: 1}, Params(p)) }},
		{"does not require a gradient", func() { NewAdam(DefaultAdam(), Params(autodiff.Zeros[float32](2))) }},
		{"appears twice", func() { NewAdam(DefaultAdam(), Params(p), Params(p)) }},
		{"maxNorm=0", func() { ClipGradNorm([]*autodiff.Tensor[float32]{p}, 0, false) }},
		{"lr=NaN", func() { NewSGD(SGDConfig{LR: 1}, Params(p)).SetLR(math.NaN()) }},
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, c.want) {
					t.Errorf("panic %v, want it to contain %q", r, c.want)
				}
			}()
			c.f()
		}()
	}
}
