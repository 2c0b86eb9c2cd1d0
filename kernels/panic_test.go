package kernels_test

// Bad input: every kernel panics, before touching any memory, with a
// message that names the arguments and their values; SetISA and ParseLevel
// refuse what they cannot do.

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/descentlab/descent/kernels"
)

// wantPanic runs f, which must panic with a message containing every one of
// want, and must not have changed any element of the buffers (all of them
// start as the value 7.25 or as their own index): the check came before any
// kernel ran.
func wantPanic[T kernels.Float](t *testing.T, name string, want []string, bufs [][]T, f func()) {
	t.Helper()
	before := make([][]T, len(bufs))
	for i, b := range bufs {
		before[i] = append([]T(nil), b...)
	}
	msg := func() (msg string) {
		defer func() {
			if r := recover(); r != nil {
				msg = fmt.Sprint(r)
			}
		}()
		f()
		return ""
	}()
	if msg == "" {
		t.Errorf("%s: no panic", name)
		return
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: panic %q does not contain %q", name, msg, w)
		}
	}
	for i, b := range bufs {
		for j := range b {
			if math.Float64bits(float64(b[j])) != math.Float64bits(float64(before[i][j])) {
				t.Errorf("%s: buffer %d element %d changed from %v to %v before the panic", name, i, j, before[i][j], b[j])
				break
			}
		}
	}
}

func filled[T kernels.Float](n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = 7.25
	}
	return x
}

func TestPanicLengths(t *testing.T) {
	t.Run("float32", testPanicLengths[float32])
	t.Run("float64", testPanicLengths[float64])
}

func testPanicLengths[T kernels.Float](t *testing.T) {
	d, a, b := filled[T](8), filled[T](8), filled[T](8)
	all := [][]T{d, a, b}
	wantPanic(t, "Axpy", []string{"kernels.Axpy", "len(x)=3", "len(y)=5"}, all, func() { kernels.Axpy(2, a[:3], d[:5]) })
	wantPanic(t, "Dot", []string{"kernels.Dot", "len(x)=3", "len(y)=4"}, all, func() { kernels.Dot(a[:3], b[:4]) })
	binary := map[string]func(dst, a, b []T){
		"Add": kernels.Add[T], "Sub": kernels.Sub[T], "Mul": kernels.Mul[T], "Div": kernels.Div[T],
	}
	for name, k := range binary {
		wantPanic(t, name, []string{"kernels." + name, "len(dst)=4", "len(b)=3"}, all, func() { k(d[:4], a[:4], b[:3]) })
		wantPanic(t, name, []string{"kernels." + name, "len(dst)=5", "len(a)=4"}, all, func() { k(d[:5], a[:4], b[:5]) })
		wantPanic(t, name, []string{"kernels." + name, "len(dst)=0", "len(a)=2"}, all, func() { k(nil, a[:2], b[:2]) })
	}
	wantPanic(t, "AddScalar", []string{"kernels.AddScalar", "len(dst)=4", "len(x)=5"}, all, func() { kernels.AddScalar(d[:4], a[:5], 1) })
	wantPanic(t, "MulScalar", []string{"kernels.MulScalar", "len(dst)=6", "len(x)=5"}, all, func() { kernels.MulScalar(d[:6], a[:5], 1) })
	unary := map[string]func(dst, x []T){
		"ReLU": kernels.ReLU[T], "Exp": kernels.Exp[T], "Log": kernels.Log[T], "Sigmoid": kernels.Sigmoid[T], "Tanh": kernels.Tanh[T],
	}
	for name, k := range unary {
		wantPanic(t, name, []string{"kernels." + name, "len(dst)=4", "len(x)=6"}, all, func() { k(d[:4], a[:6]) })
		wantPanic(t, name, []string{"kernels." + name, "len(dst)=1", "len(x)=0"}, all, func() { k(d[:1], a[:0]) })
	}
	wantPanic(t, "ReLUGrad", []string{"kernels.ReLUGrad", "len(dst)=4", "len(dy)=3"}, all, func() { kernels.ReLUGrad(d[:4], a[:4], b[:3]) })
	wantPanic(t, "ReLUGrad", []string{"kernels.ReLUGrad", "len(dst)=4", "len(x)=5"}, all, func() { kernels.ReLUGrad(d[:4], a[:5], b[:4]) })
	for name, k := range map[string]func(dst, x []T, cols int){"Softmax": kernels.Softmax[T], "LogSoftmax": kernels.LogSoftmax[T]} {
		wantPanic(t, name, []string{"kernels." + name, "len(dst)=6", "len(x)=5"}, all, func() { k(d[:6], a[:5], 5) })
		wantPanic(t, name, []string{"kernels." + name, "cols=0", "positive"}, all, func() { k(d[:6], a[:6], 0) })
		wantPanic(t, name, []string{"kernels." + name, "cols=-2", "positive"}, all, func() { k(d[:6], a[:6], -2) })
		wantPanic(t, name, []string{"kernels." + name, "len(x)=6", "not a multiple of cols=4"}, all, func() { k(d[:6], a[:6], 4) })
		wantPanic(t, name, []string{"kernels." + name, "len(x)=6", "not a multiple of cols=7"}, all, func() { k(d[:6], a[:6], 7) })
		// An empty matrix with a bad cols is still a bad call.
		wantPanic(t, name, []string{"kernels." + name, "cols=0"}, all, func() { k(nil, nil, 0) })
	}
	for name, k := range map[string]func([]T) T{"Max": kernels.Max[T], "Min": kernels.Min[T]} {
		wantPanic(t, name, []string{"kernels." + name, "len(x)=0", "empty"}, all, func() { k(nil) })
		wantPanic(t, name, []string{"kernels." + name, "len(x)=0", "empty"}, all, func() { k(a[:0]) })
	}
	for name, k := range map[string]func([]T) int{"ArgMax": kernels.ArgMax[T], "ArgMin": kernels.ArgMin[T]} {
		wantPanic(t, name, []string{"kernels." + name, "len(x)=0", "empty"}, all, func() { k(nil) })
		wantPanic(t, name, []string{"kernels." + name, "len(x)=0", "empty"}, all, func() { k(a[:0]) })
	}
}

func TestPanicOverlap(t *testing.T) {
	t.Run("float32", testPanicOverlap[float32])
	t.Run("float64", testPanicOverlap[float64])
}

func testPanicOverlap[T kernels.Float](t *testing.T) {
	buf := make([]T, 24)
	for i := range buf {
		buf[i] = T(i)
	}
	other := filled[T](8)
	all := [][]T{buf, other}
	for name, k := range map[string]func(dst, a, b []T){
		"Add": kernels.Add[T], "Sub": kernels.Sub[T], "Mul": kernels.Mul[T], "Div": kernels.Div[T],
	} {
		wantPanic(t, name, []string{"kernels." + name, "dst partially overlaps a"}, all, func() { k(buf[1:9], buf[0:8], other) })
		wantPanic(t, name, []string{"kernels." + name, "dst partially overlaps b"}, all, func() { k(buf[0:8], other, buf[7:15]) })
	}
	wantPanic(t, "Axpy", []string{"kernels.Axpy", "partially overlaps x"}, all, func() { kernels.Axpy(1, buf[0:8], buf[2:10]) })
	wantPanic(t, "AddScalar", []string{"kernels.AddScalar", "partially overlaps x"}, all, func() { kernels.AddScalar(buf[3:11], buf[0:8], 1) })
	wantPanic(t, "MulScalar", []string{"kernels.MulScalar", "partially overlaps x"}, all, func() { kernels.MulScalar(buf[0:8], buf[5:13], 1) })
	for name, k := range map[string]func(dst, x []T){
		"ReLU": kernels.ReLU[T], "Exp": kernels.Exp[T], "Log": kernels.Log[T], "Sigmoid": kernels.Sigmoid[T], "Tanh": kernels.Tanh[T],
	} {
		wantPanic(t, name, []string{"kernels." + name, "partially overlaps x"}, all, func() { k(buf[1:9], buf[0:8]) })
	}
	wantPanic(t, "ReLUGrad", []string{"kernels.ReLUGrad", "partially overlaps x"}, all, func() { kernels.ReLUGrad(buf[0:8], buf[1:9], other) })
	wantPanic(t, "ReLUGrad", []string{"kernels.ReLUGrad", "partially overlaps dy"}, all, func() { kernels.ReLUGrad(buf[4:12], other, buf[0:8]) })
	wantPanic(t, "Softmax", []string{"kernels.Softmax", "partially overlaps x"}, all, func() { kernels.Softmax(buf[2:10], buf[0:8], 4) })
	wantPanic(t, "LogSoftmax", []string{"kernels.LogSoftmax", "partially overlaps x"}, all, func() { kernels.LogSoftmax(buf[0:8], buf[6:14], 2) })

	// The same slice, and adjacent disjoint slices, are allowed.
	kernels.Add(buf[0:8], buf[0:8], other)
	kernels.Add(buf[0:8], buf[8:16], buf[16:24])
	kernels.Softmax(buf[0:8], buf[0:8], 4)
	kernels.Exp(buf[8:16], buf[0:8])
	kernels.Axpy(2, buf[0:8], buf[8:16])
}

func TestSetISAErrors(t *testing.T) {
	old := kernels.ISA()
	defer func() {
		if err := kernels.SetISA(old); err != nil {
			t.Fatal(err)
		}
	}()
	err := kernels.SetISA("sse")
	if err == nil || !strings.Contains(err.Error(), `unknown instruction set "sse"`) {
		t.Errorf(`SetISA("sse") = %v, want an unknown instruction set error naming it`, err)
	}
	if kernels.ISA() != old {
		t.Errorf("a failed SetISA changed the level from %s to %s", old, kernels.ISA())
	}
	avail := map[kernels.Level]bool{}
	for _, l := range kernels.Available() {
		avail[l] = true
		if err := kernels.SetISA(l); err != nil || kernels.ISA() != l {
			t.Errorf("SetISA(%s) = %v, ISA() = %s", l, err, kernels.ISA())
		}
	}
	if !avail[kernels.Generic] {
		t.Errorf("Available() = %v lacks generic", kernels.Available())
	}
	if err := kernels.SetISA(old); err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, l := range []kernels.Level{kernels.NEON, kernels.AVX512, kernels.AVX2} {
		if avail[l] {
			continue
		}
		missing++
		err := kernels.SetISA(l)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q is not available on this machine", string(l))) {
			t.Errorf("SetISA(%s) on a machine without it = %v", l, err)
		}
		if kernels.ISA() != old {
			t.Errorf("a failed SetISA(%s) changed the level from %s to %s", l, old, kernels.ISA())
		}
	}
	if missing == 0 {
		t.Errorf("every level available (%v): amd64 cannot run NEON nor arm64 AVX2", kernels.Available())
	}
}

func TestParseLevel(t *testing.T) {
	for s, want := range map[string]kernels.Level{
		"generic": kernels.Generic, "AVX2": kernels.AVX2, " avx512 ": kernels.AVX512, "Neon": kernels.NEON,
	} {
		if got, err := kernels.ParseLevel(s); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %q, %v; want %q", s, got, err, want)
		}
	}
	for _, s := range []string{"", "sse", "avx", "avx-512", "go"} {
		got, err := kernels.ParseLevel(s)
		if err == nil {
			t.Errorf("ParseLevel(%q) = %q, want an error", s, got)
			continue
		}
		for _, w := range []string{fmt.Sprintf("%q", s), "generic, avx2, avx512, neon"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseLevel(%q) error %q does not contain %q", s, err, w)
			}
		}
	}
}

// TestSetStreamThreshold: a negative threshold panics naming it and leaves
// the threshold alone; SetStreamThreshold returns the previous value.
func TestSetStreamThreshold(t *testing.T) {
	old := kernels.StreamThreshold()
	if old <= 0 {
		t.Fatalf("default StreamThreshold() = %d, want a positive size", old)
	}
	defer kernels.SetStreamThreshold(old)
	func() {
		defer func() {
			msg, _ := recover().(string)
			if !strings.Contains(msg, "kernels.SetStreamThreshold") || !strings.Contains(msg, "bytes=-1") {
				t.Errorf("SetStreamThreshold(-1) panicked with %q, want a message naming bytes=-1", msg)
			}
		}()
		kernels.SetStreamThreshold(-1)
	}()
	if got := kernels.StreamThreshold(); got != old {
		t.Errorf("after a refused SetStreamThreshold(-1), StreamThreshold() = %d, want %d", got, old)
	}
	if prev := kernels.SetStreamThreshold(4096); prev != old || kernels.StreamThreshold() != 4096 {
		t.Errorf("SetStreamThreshold(4096) returned %d (want %d), then StreamThreshold() = %d", prev, old, kernels.StreamThreshold())
	}
}
