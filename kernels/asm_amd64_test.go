//go:build !purego && !noasm

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// These tests run every assembly level (through SetISA and the public API)
// against the generic table on lengths 0..300, at unaligned offsets, with
// NaN sentinels around every slice: a write outside dst shows up as a
// changed sentinel, a read outside an input as a NaN in the result.

const (
	asmMaxLen = 300
	asmGuard  = 16 // elements of NaN sentinel on each side
)

// asmLevels lists the assembly levels this machine runs and restores the
// level in use when the test ends.
func asmLevels(t *testing.T) []Level {
	t.Helper()
	old := ISA()
	t.Cleanup(func() {
		if err := SetISA(old); err != nil {
			t.Error(err)
		}
	})
	var out []Level
	for _, l := range []Level{AVX2, AVX512} {
		if _, ok := levels[l]; ok {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		t.Log("no assembly level on this machine: nothing to compare")
	}
	return out
}

func asmGeneric[T Float]() *ops[T] {
	p := levels[Generic]
	var z T
	if unsafe.Sizeof(z) == 4 {
		return (*ops[T])(unsafe.Pointer(&p.f32))
	}
	return (*ops[T])(unsafe.Pointer(&p.f64))
}

func asmTypeName[T Float]() string {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return "f32"
	}
	return "f64"
}

// asmGuarded returns a slice of n elements at element offset off inside a
// buffer whose other elements are a NaN sentinel, and a check that the
// sentinels are untouched.
func asmGuarded[T Float](n, off int) ([]T, func() bool) {
	buf := make([]T, asmGuard+off+n+asmGuard)
	nan := T(math.NaN())
	for i := range buf {
		buf[i] = nan
	}
	s := buf[asmGuard+off : asmGuard+off+n : asmGuard+off+n]
	return s, func() bool {
		for i, v := range buf {
			if (i < asmGuard+off || i >= asmGuard+off+n) && v == v {
				return false
			}
		}
		return true
	}
}

// asmGen draws values: uniform in [-4, 4), and when special is set, about one
// in twelve from the IEEE special values.
type asmGen struct {
	r       *rand.Rand
	special bool
}

func (g asmGen) value() float64 {
	if g.special && g.r.IntN(12) == 0 {
		s := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1e-310, -3e-42, 1e30}
		return s[g.r.IntN(len(s))]
	}
	return 8*g.r.Float64() - 4
}

func asmFill[T Float](g asmGen, s []T) {
	for i := range s {
		s[i] = T(g.value())
	}
}

// asmSame reports bitwise equality, except that any two NaNs are the same.
func asmSame[T Float](a, b T) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return a == b && math.Signbit(float64(a)) == math.Signbit(float64(b))
}

// asmForCases runs f for every assembly level, length 0..asmMaxLen, a few element
// offsets, and both plain and special-value data.
func asmForCases[T Float](t *testing.T, f func(t *testing.T, l Level, n, off int, g asmGen)) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, l := range asmLevels(t) {
		if err := SetISA(l); err != nil {
			t.Fatal(err)
		}
		for n := 0; n <= asmMaxLen; n++ {
			for _, off := range []int{0, 1, 3} {
				for _, special := range []bool{false, true} {
					f(t, l, n, off, asmGen{r, special})
					if t.Failed() {
						t.Fatalf("stopping at the first failing case (%s %s n=%d off=%d special=%v)", l, asmTypeName[T](), n, off, special)
					}
				}
			}
		}
	}
}

func TestAsmElementwise(t *testing.T) {
	testAsmElementwise[float32](t)
	testAsmElementwise[float64](t)
}

func testAsmElementwise[T Float](t *testing.T) {
	g := asmGeneric[T]()
	type kernel struct {
		name string
		run  func(dst, a, b []T, s T) // the public function under test
		ref  func(dst, a, b []T, s T) // the generic kernel, into dst
	}
	bin := func(name string, pub func(dst, a, b []T), ref func(dst, a, b []T)) kernel {
		return kernel{name, func(d, a, b []T, _ T) { pub(d, a, b) }, func(d, a, b []T, _ T) { ref(d, a, b) }}
	}
	kernels := []kernel{
		bin("Add", Add[T], g.add), bin("Sub", Sub[T], g.sub), bin("Mul", Mul[T], g.mul), bin("Div", Div[T], g.div),
		{"AddScalar", func(d, a, _ []T, s T) { AddScalar(d, a, s) }, func(d, a, _ []T, s T) { g.addScalar(d, a, s) }},
		{"MulScalar", func(d, a, _ []T, s T) { MulScalar(d, a, s) }, func(d, a, _ []T, s T) { g.mulScalar(d, a, s) }},
		{"ReLU", func(d, a, _ []T, _ T) { ReLU(d, a) }, func(d, a, _ []T, _ T) { g.relu(d, a) }},
		{"ReLUGrad", func(d, a, b []T, _ T) { ReLUGrad(d, a, b) }, func(d, a, b []T, _ T) { g.reluGrad(d, a, b) }},
		// In place: dst is x, so copy a into dst first.
		{"Scale", func(d, a, _ []T, s T) { copy(d, a); Scale(s, d) }, func(d, a, _ []T, s T) { copy(d, a); g.scale(s, d) }},
	}
	asmForCases[T](t, func(t *testing.T, l Level, n, off int, rg asmGen) {
		a, okA := asmGuarded[T](n, off)
		b, okB := asmGuarded[T](n, (off+1)%4)
		asmFill(rg, a)
		asmFill(rg, b)
		s := T(rg.value())
		want := make([]T, n)
		for _, k := range kernels {
			dst, okD := asmGuarded[T](n, off)
			k.ref(want, a, b, s)
			k.run(dst, a, b, s)
			for i := range want {
				if !asmSame(dst[i], want[i]) {
					t.Errorf("%s %s %s n=%d off=%d: [%d] = %v, want %v (a=%v b=%v s=%v)", k.name, l, asmTypeName[T](), n, off, i, dst[i], want[i], a[i], b[i], s)
					break
				}
			}
			if !okD() || !okA() || !okB() {
				t.Errorf("%s %s %s n=%d off=%d: wrote outside a slice", k.name, l, asmTypeName[T](), n, off)
			}
		}
		// In place: dst is the same slice as a.
		c := append([]T(nil), a...)
		g.add(want, a, b)
		Add(c, c, b)
		for i := range want {
			if !asmSame(c[i], want[i]) {
				t.Errorf("Add in place %s n=%d: [%d] = %v, want %v", l, n, i, c[i], want[i])
				break
			}
		}
		// Axpy is fused: compare with a correctly rounded a*x+y.
		y, okY := asmGuarded[T](n, (off+2)%4)
		copy(y, b)
		Axpy(s, a, y)
		for i := range y {
			if !asmFusedOK(s, a[i], b[i], y[i]) {
				t.Errorf("Axpy %s %s n=%d off=%d: [%d] = %v, want fma(%v, %v, %v)", l, asmTypeName[T](), n, off, i, y[i], s, a[i], b[i])
				break
			}
		}
		if !okY() {
			t.Errorf("Axpy %s %s n=%d: wrote outside y", l, asmTypeName[T](), n)
		}
	})
}

// asmFusedOK: got is alpha*x+y rounded once. For float64 that is math.FMA
// exactly; for float32 the float64 FMA is within 2^-53 of the exact value,
// and the correctly rounded float32 is within half an ULP of it.
func asmFusedOK[T Float](alpha, x, y, got T) bool {
	ref := math.FMA(float64(alpha), float64(x), float64(y))
	switch {
	case unsafe.Sizeof(got) == 8:
		return asmSame(float64(got), ref)
	case ref != ref:
		return got != got
	case math.Abs(ref) > math.MaxFloat32:
		return math.IsInf(float64(got), 0) && (got > 0) == (ref > 0)
	}
	return math.Abs(float64(got)-ref) <= 0x1p-24*math.Abs(ref)+0x1p-150
}

func TestAsmReduce(t *testing.T) {
	testAsmReduce[float32](t)
	testAsmReduce[float64](t)
}

// asmUnit is the unit roundoff of T.
func asmUnit[T Float]() float64 {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return 0x1p-24
	}
	return 0x1p-53
}

// asmCloseSum checks a reduction against the generic one: both are within
// γ_d·Σ|terms| of the exact sum (d = ⌈n/4⌉+8), so within twice that of each
// other. NaN and infinite results must match exactly.
func asmCloseSum(got, want, absSum, u float64, n int) bool {
	if want != want || math.IsInf(want, 0) || math.IsInf(absSum, 0) {
		return asmSame(got, want)
	}
	return math.Abs(got-want) <= 2*asmCloseSumGamma(n, u)*absSum
}

// asmCloseSumGamma is γ_d(u) for the depth d of an eight-accumulator sum
// of n terms.
func asmCloseSumGamma(n int, u float64) float64 {
	d := float64((n+3)/4 + 8)
	return d * u / (1 - d*u)
}

// sumsqClose: the assembly SumSq against the generic one (exact squares,
// float64 sums). float32 squares and adds groups of up to eight vectors in
// float32 (see gen/reduce): four more roundings of 2^-24 per term, +Inf
// where a group passes MaxFloat32 (possible only if some x² > MaxFloat32/8;
// the test allows /16), and up to
// 2^-150 per square below 2^-126.
func sumsqClose[T Float](got, want, sq float64, x []T, n int) bool {
	var z T
	if unsafe.Sizeof(z) == 8 {
		return asmCloseSum(got, want, sq, 0x1p-53, n)
	}
	var big bool
	for _, v := range x {
		big = big || float64(v)*float64(v) > math.MaxFloat32/16
	}
	if math.IsInf(got, 1) && !math.IsInf(want, 0) && want == want {
		return big
	}
	const g4 = 4 * 0x1p-24 / (1 - 4*0x1p-24)
	return asmCloseSum(got, want, sq, 0x1p-53, n) ||
		math.Abs(got-want) <= g4*sq+float64(n)*0x1p-150+2*asmCloseSumGamma(n, 0x1p-53)*sq
}

func testAsmReduce[T Float](t *testing.T) {
	g := asmGeneric[T]()
	u := asmUnit[T]()
	asmForCases[T](t, func(t *testing.T, l Level, n, off int, rg asmGen) {
		x, _ := asmGuarded[T](n, off)
		y, _ := asmGuarded[T](n, (off+2)%4)
		asmFill(rg, x)
		asmFill(rg, y)
		var absX, absXY, sq float64
		for i := range x {
			absX += math.Abs(float64(x[i]))
			absXY += math.Abs(float64(x[i]) * float64(y[i]))
			sq += float64(x[i]) * float64(x[i])
		}
		where := fmt.Sprintf("%s %s n=%d off=%d", l, asmTypeName[T](), n, off)
		var zero T
		wantOr := func(f func() T) T {
			if n == 0 {
				return zero // the public API returns 0 for empty input
			}
			return f()
		}
		if got, want := Dot(x, y), wantOr(func() T { return g.dot(x, y) }); !asmCloseSum(float64(got), float64(want), absXY, u, n) {
			t.Errorf("Dot %s = %v, want %v", where, got, want)
		}
		if got, want := Sum(x), wantOr(func() T { return g.sum(x) }); !asmCloseSum(float64(got), float64(want), absX, u, n) {
			t.Errorf("Sum %s = %v, want %v", where, got, want)
		}
		if got, want := Asum(x), wantOr(func() T { return g.asum(x) }); !asmCloseSum(float64(got), float64(want), absX, u, n) {
			t.Errorf("Asum %s = %v, want %v", where, got, want)
		}
		if n == 0 {
			return
		}
		if got, want := table[T]().sumsq(x), g.sumsq(x); !sumsqClose[T](got, want, sq, x, n) {
			t.Errorf("SumSq %s = %v, want %v", where, got, want)
		}
		if got, want := Max(x), g.max(x); !asmSame(got, want) && !(got == 0 && want == 0) {
			t.Errorf("Max %s = %v, want %v", where, got, want)
		}
		if got, want := Min(x), g.min(x); !asmSame(got, want) && !(got == 0 && want == 0) {
			t.Errorf("Min %s = %v, want %v", where, got, want)
		}
	})
}

// TestAsmReduceExact: sums of exactly representable integers, and of
// all-equal values whose multiples are exact, must come out exact whatever
// the order of the terms.
func TestAsmReduceExact(t *testing.T) {
	testAsmReduceExact[float32](t)
	testAsmReduceExact[float64](t)
}

func testAsmReduceExact[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, l := range asmLevels(t) {
		if err := SetISA(l); err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= asmMaxLen; n++ {
			x, _ := asmGuarded[T](n, n%4)
			y, _ := asmGuarded[T](n, (n+1)%4)
			var sum, asum, dot, sq int64
			for i := range x {
				a, b := int64(r.IntN(2001)-1000), int64(r.IntN(21)-10)
				x[i], y[i] = T(a), T(b)
				sum += a
				asum += max(a, -a)
				dot += a * b
				sq += a * a
			}
			where := fmt.Sprintf("%s %s n=%d", l, asmTypeName[T](), n)
			if got := Sum(x); got != T(sum) {
				t.Errorf("Sum of integers %s = %v, want %d", where, got, sum)
			}
			if got := Asum(x); got != T(asum) {
				t.Errorf("Asum of integers %s = %v, want %d", where, got, asum)
			}
			if got := Dot(x, y); got != T(dot) {
				t.Errorf("Dot of integers %s = %v, want %d", where, got, dot)
			}
			if got := table[T]().sumsq(x); got != float64(sq) {
				t.Errorf("SumSq of integers %s = %v, want %d", where, got, sq)
			}
			for _, v := range []T{0.75, -3, 1} {
				for i := range x {
					x[i] = v
				}
				if got := Sum(x); got != T(n)*v {
					t.Errorf("Sum of %d × %v %s = %v", n, v, where, got)
				}
				if got, want := Max(x), v; got != want {
					t.Errorf("Max of %d × %v %s = %v", n, v, where, got)
				}
			}
		}
	}
}

// TestAsmExtremeNaN puts one NaN (or ±Inf) at every position of slices of
// several lengths: the main loop, the one-vector loop and the tail must all
// see it.
func TestAsmExtremeNaN(t *testing.T) {
	testAsmExtremeNaN[float32](t)
	testAsmExtremeNaN[float64](t)
}

func testAsmExtremeNaN[T Float](t *testing.T) {
	for _, l := range asmLevels(t) {
		if err := SetISA(l); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 7, 15, 16, 17, 31, 63, 64, 65, 127, 128, 129, 200, 255, 256, 257} {
			x, _ := asmGuarded[T](n, 1)
			for i := range x {
				x[i] = T(i%7) - 3
			}
			for p := 0; p < n; p++ {
				old := x[p]
				for _, v := range []T{T(math.NaN()), T(math.Inf(1)), T(math.Inf(-1))} {
					x[p] = v
					where := fmt.Sprintf("%s %s n=%d x[%d]=%v", l, asmTypeName[T](), n, p, v)
					wantMax, wantMin := asmExtremes(x)
					if v != v {
						wantMax, wantMin = v, v
					}
					if got := Max(x); !asmSame(got, wantMax) {
						t.Errorf("Max %s = %v, want %v", where, got, wantMax)
					}
					if got := Min(x); !asmSame(got, wantMin) {
						t.Errorf("Min %s = %v, want %v", where, got, wantMin)
					}
					if t.Failed() {
						t.FailNow()
					}
				}
				x[p] = old
			}
		}
	}
}

func asmExtremes[T Float](x []T) (hi, lo T) {
	hi, lo = x[0], x[0]
	for _, v := range x {
		hi, lo = max(hi, v), min(lo, v)
	}
	return hi, lo
}

// BenchmarkAsmVsGeneric times float32 streaming and reduction kernels at
// each level, at n = 4096 (the figure the project quotes; Add and Mul then
// touch 48 KiB, more than a 32 KiB L1) and n = 1024 (everything in L1):
// go test -run - -bench AsmVsGeneric -benchtime 200ms ./kernels
func BenchmarkAsmVsGeneric(b *testing.B) {
	for _, n := range []int{4096, 1024} {
		x, y, d := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], y[i] = float32(i%17)*0.25, float32(i%13)*0.5
		}
		var sink float32
		kernels := []struct {
			name string
			run  func()
		}{
			{"Axpy", func() { Axpy(1e-3, x, y) }},
			{"Add", func() { Add(d, x, y) }},
			{"Mul", func() { Mul(d, x, y) }},
			{"Dot", func() { sink += Dot(x, y) }},
			{"Sum", func() { sink += Sum(x) }},
			{"Max", func() { sink += Max(x) }},
			{"ReLU", func() { ReLU(d, x) }},
		}
		old := ISA()
		for _, k := range kernels {
			for _, l := range Available() {
				b.Run(fmt.Sprintf("kernel=%s/isa=%s/dtype=f32/n=%d", k.name, l, n), func(b *testing.B) {
					if err := SetISA(l); err != nil {
						b.Fatal(err)
					}
					b.SetBytes(int64(4 * n))
					for b.Loop() {
						k.run()
					}
				})
			}
		}
		if err := SetISA(old); err != nil {
			b.Fatal(err)
		}
		_ = sink
	}
}
