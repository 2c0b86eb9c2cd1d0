package autodiff

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic; want one containing %q", want)
		}
		if s, _ := r.(string); !strings.Contains(s, want) {
			t.Fatalf("panic %q; want it to contain %q", r, want)
		}
	}()
	f()
}

func TestShapeErrors(t *testing.T) {
	tp := NewTape[float32]()
	a, b := Zeros[float32](2, 3), Zeros[float32](4, 5)
	mustPanic(t, "MatMul: shapes [2 3] and [4 5]", func() { tp.MatMul(a, b) })
	mustPanic(t, "Add: shapes [2 3] and [4 5]", func() { tp.Add(a, b) })
	mustPanic(t, "Mul: shapes [2 3] and [4 5]", func() { tp.Mul(a, b) })
	mustPanic(t, "AddRow: shapes [2 3] and [5]", func() { tp.AddRow(a, Zeros[float32](5)) })
	mustPanic(t, "MSE: shapes [2 3] and [4 5]", func() { tp.MSE(a, b) })
	mustPanic(t, "labels[1]=3 out of range [0, 3)", func() { tp.SoftmaxCrossEntropy(a, []int{0, 3}) })
	mustPanic(t, "len(labels)=1", func() { tp.SoftmaxCrossEntropy(a, []int{0}) })
	mustPanic(t, "len(data)=5 does not match shape [2 3]", func() { New(make([]float32, 5), 2, 3) })
	mustPanic(t, "p=1.5", func() { tp.Dropout(a, 1.5, rand.New(rand.NewPCG(1, 1))) })
	mustPanic(t, "BatchNorm: shapes [2 3] and [2]", func() { tp.BatchNorm(a, Zeros[float32](2), Zeros[float32](3), 1e-5) })
}

func TestBackwardErrors(t *testing.T) {
	tp := NewTape[float64]()
	w := New([]float64{1, 2, 3, 4}, 2, 2).RequireGrad()
	y := tp.Tanh(w)
	if err := tp.Backward(y); err == nil || !strings.Contains(err.Error(), "loss has shape [2 2]") {
		t.Fatalf("Backward of a matrix: %v", err)
	}
	loss := tp.Sum(y)
	if err := tp.Backward(loss); err != nil {
		t.Fatal(err)
	}
	if err := tp.Backward(loss); !errors.Is(err, ErrSpent) {
		t.Fatalf("second Backward: %v, want ErrSpent", err)
	}
	mustPanic(t, "after Backward", func() { tp.Tanh(w) })

	tp.Reset()
	c := tp.Sum(New([]float64{1, 2}, 2)) // nothing requires a gradient
	if err := tp.Backward(c); err == nil || !strings.Contains(err.Error(), "does not depend") {
		t.Fatalf("Backward of a constant: %v", err)
	}
	other := NewTape[float64]()
	l2 := other.Sum(w)
	if err := tp.Backward(l2); err == nil || !strings.Contains(err.Error(), "not recorded on this tape") {
		t.Fatalf("Backward of another tape's output: %v", err)
	}
	tp.Reset()
	y = tp.Tanh(w)
	if err := tp.BackwardWith(y, []float64{1}); err == nil || !strings.Contains(err.Error(), "len(seed)=1") {
		t.Fatalf("BackwardWith short seed: %v", err)
	}
}

// TestAccumulate: a parameter's gradient accumulates over Backward calls
// until ZeroGrad, as in PyTorch; BackwardWith seeds a non-scalar output.
func TestAccumulate(t *testing.T) {
	w := New([]float64{1, -2, 3}, 3).RequireGrad()
	tp := NewTape[float64]()
	for i := 0; i < 2; i++ {
		tp.Reset()
		if err := tp.Backward(tp.Sum(tp.Scale(w, 2))); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range w.Grad() {
		if g != 4 {
			t.Fatalf("accumulated grad %v, want 4s", w.Grad())
		}
	}
	w.ZeroGrad()
	if g := w.Grad(); g[0] != 0 || g[1] != 0 || g[2] != 0 {
		t.Fatalf("after ZeroGrad: %v", g)
	}
	tp.Reset()
	y := tp.Mul(w, w)
	if err := tp.BackwardWith(y, []float64{1, 10, 100}); err != nil {
		t.Fatal(err)
	}
	want := []float64{2, -40, 600}
	for i, g := range w.Grad() {
		if g != want[i] {
			t.Fatalf("BackwardWith: grad %v, want %v", w.Grad(), want)
		}
	}
}

// mlp32 is a 784-style network in float32 with made-up sizes, run on one
// tape: the shape of a training step.
type mlp32 struct {
	x, w1, b1, w2, b2 *Tensor[float32]
	labels            []int
}

func newMLP32(batch, in, hidden, classes int) *mlp32 {
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(t *Tensor[float32], s float64) *Tensor[float32] {
		for i := range t.Data {
			t.Data[i] = float32(s * (2*rng.Float64() - 1))
		}
		return t
	}
	m := &mlp32{
		x:  fill(Zeros[float32](batch, in), 1),
		w1: fill(Param[float32](in, hidden), 0.1), b1: Param[float32](hidden),
		w2: fill(Param[float32](hidden, classes), 0.1), b2: Param[float32](classes),
		labels: make([]int, batch),
	}
	for i := range m.labels {
		m.labels[i] = rng.IntN(classes)
	}
	return m
}

func (m *mlp32) step(tp *Tape[float32]) float32 {
	tp.Reset()
	for _, p := range []*Tensor[float32]{m.w1, m.b1, m.w2, m.b2} {
		p.ZeroGrad()
	}
	h := tp.ReLU(tp.AddRow(tp.MatMul(m.x, m.w1), m.b1))
	loss := tp.SoftmaxCrossEntropy(tp.AddRow(tp.MatMul(h, m.w2), m.b2), m.labels)
	if err := tp.Backward(loss); err != nil {
		panic(err)
	}
	return loss.Item()
}

func TestStepAllocs(t *testing.T) {
	m := newMLP32(16, 40, 12, 5)
	tp := NewTape[float32]()
	m.step(tp)
	if a := testing.AllocsPerRun(20, func() { m.step(tp) }); a != 0 {
		t.Fatalf("a steady-state forward+backward allocates %v times, want 0", a)
	}
}

// TestReuseSameResult: a reused tape gives bitwise the same loss and
// gradients as a fresh one.
func TestReuseSameResult(t *testing.T) {
	m := newMLP32(9, 13, 7, 4)
	fresh := NewTape[float32]()
	l1 := m.step(fresh)
	g1 := append([]float32(nil), m.w1.Grad()...)
	reused := NewTape[float32]()
	for i := 0; i < 3; i++ {
		if l := m.step(reused); l != l1 {
			t.Fatalf("pass %d: loss %v, fresh tape %v", i, l, l1)
		}
	}
	for i, g := range m.w1.Grad() {
		if g != g1[i] {
			t.Fatalf("w1 grad[%d] %v, fresh tape %v", i, g, g1[i])
		}
	}
}

// TestFloat32MatchesFloat64: the float32 tape's gradients agree with the
// float64 tape's to float32 rounding (relative 1e-4 of the gradient's
// norm: a sum of a few hundred rounded products).
func TestFloat32MatchesFloat64(t *testing.T) {
	m := newMLP32(8, 20, 10, 4)
	m.step(NewTape[float32]())
	conv := func(t *Tensor[float32]) *Tensor[float64] {
		d := make([]float64, len(t.Data))
		for i, v := range t.Data {
			d[i] = float64(v)
		}
		n := New(d, t.Shape()...)
		if t.RequiresGrad() {
			n.RequireGrad()
		}
		return n
	}
	x, w1, b1, w2, b2 := conv(m.x), conv(m.w1), conv(m.b1), conv(m.w2), conv(m.b2)
	tp := NewTape[float64]()
	h := tp.ReLU(tp.AddRow(tp.MatMul(x, w1), b1))
	if err := tp.Backward(tp.SoftmaxCrossEntropy(tp.AddRow(tp.MatMul(h, w2), b2), m.labels)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name string
		g32  []float32
		g64  []float64
	}{{"w1", m.w1.Grad(), w1.Grad()}, {"b1", m.b1.Grad(), b1.Grad()}, {"w2", m.w2.Grad(), w2.Grad()}, {"b2", m.b2.Grad(), b2.Grad()}} {
		var dd, nn float64
		for i := range p.g64 {
			d := float64(p.g32[i]) - p.g64[i]
			dd += d * d
			nn += p.g64[i] * p.g64[i]
		}
		if rel := math.Sqrt(dd / nn); !(rel < 1e-4) {
			t.Errorf("%s: float32 gradient differs from float64 by %g relative", p.name, rel)
		}
	}
}

func TestCheckFinite(t *testing.T) {
	if err := CheckFinite("loss", Scalar(float32(1))); err != nil {
		t.Fatal(err)
	}
	if err := CheckFinite("loss", Scalar(float32(math.NaN()))); err == nil || err.Error() != "autodiff: loss is NaN" {
		t.Fatalf("NaN: %v", err)
	}
	if err := CheckFinite("w", New([]float64{0, math.Inf(-1)}, 2)); err == nil || !strings.Contains(err.Error(), "w[1] is -Inf") {
		t.Fatalf("Inf: %v", err)
	}
}

// TestSoftmaxCrossEntropyStable: logits far beyond exp's range give a
// finite loss and gradient (the fused op never forms a probability of 0).
func TestSoftmaxCrossEntropyStable(t *testing.T) {
	x := New([]float32{1000, -1000, 0, 500, 500, -800}, 2, 3).RequireGrad()
	tp := NewTape[float32]()
	loss := tp.SoftmaxCrossEntropy(x, []int{1, 0})
	if err := CheckFinite("loss", loss); err != nil {
		t.Fatal(err)
	}
	if err := tp.Backward(loss); err != nil {
		t.Fatal(err)
	}
	if err := CheckFinite("grad", New(x.Grad(), 6)); err != nil {
		t.Fatal(err)
	}
	// row 0: label 1 has log-probability −2000, row 1: label 0 −log 2.
	if want := (2000 + math.Ln2) / 2; math.Abs(float64(loss.Item())-want) > 1e-3*want {
		t.Fatalf("loss %v, want %v", loss.Item(), want)
	}
}

// TestEmptyMatMul: products with an empty inner or outer dimension are
// valid: zeros of the right shape, and zero gradients.
func TestEmptyMatMul(t *testing.T) {
	for _, c := range [][3]int{{3, 0, 4}, {2, 3, 0}, {0, 3, 2}} {
		m, k, n := c[0], c[1], c[2]
		a, b := Param[float64](m, k), Param[float64](k, n)
		tp := NewTape[float64]()
		y := tp.MatMul(a, b)
		if y.Rows() != m || y.Cols() != n {
			t.Fatalf("%v: shape %v", c, y.Shape())
		}
		for _, v := range y.Data {
			if v != 0 {
				t.Fatalf("%v: %v", c, y.Data)
			}
		}
		if err := tp.BackwardWith(y, make([]float64, m*n)); err != nil && m*n > 0 {
			t.Fatalf("%v: %v", c, err)
		}
	}
}
