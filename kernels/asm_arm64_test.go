//go:build !purego && !noasm

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// These tests compare the NEON table with the generic one, calling the
// tables directly, on lengths 0..300 at element offsets 0, 1 and 3 into
// buffers whose other elements are NaN: a write outside dst changes a
// sentinel, a read outside an input brings a NaN into the result.

const neonGuard = 16

func neonTables[T Float](t *testing.T) (neon, gen *ops[T]) {
	t.Helper()
	p, ok := levels[NEON]
	if !ok {
		t.Fatal("NEON level not registered on this arm64 build")
	}
	pick := func(q *impl) *ops[T] {
		var z T
		if unsafe.Sizeof(z) == 4 {
			return any(&q.f32).(*ops[T])
		}
		return any(&q.f64).(*ops[T])
	}
	return pick(p), pick(levels[Generic])
}

func neonName[T Float]() string {
	var z T
	return fmt.Sprintf("f%d", 8*unsafe.Sizeof(z))
}

// neonGuarded returns n elements at offset off inside a NaN-filled buffer,
// and a check that the rest of the buffer is still NaN.
func neonGuarded[T Float](n, off int) ([]T, func() bool) {
	buf := make([]T, neonGuard+off+n+neonGuard)
	for i := range buf {
		buf[i] = T(math.NaN())
	}
	lo, hi := neonGuard+off, neonGuard+off+n
	return buf[lo:hi:hi], func() bool {
		for i, v := range buf {
			if (i < lo || i >= hi) && v == v {
				return false
			}
		}
		return true
	}
}

// neonValue is uniform in [-4, 4), or with special set, one time in ten an
// IEEE special value (NaN, ±Inf, ±0, subnormals, huge).
func neonValue(r *rand.Rand, special bool) float64 {
	if special && r.IntN(10) == 0 {
		s := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1e-310, -3e-42, 1e30, -1e38}
		return s[r.IntN(len(s))]
	}
	return 8*r.Float64() - 4
}

// neonSame is bitwise equality, any two NaNs being the same.
func neonSame[T Float](a, b T) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return a == b && math.Signbit(float64(a)) == math.Signbit(float64(b))
}

func neonCases(t *testing.T, f func(n, off int, r *rand.Rand, special bool)) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := 0; n <= 300; n++ {
		for _, off := range []int{0, 1, 3} {
			for _, special := range []bool{false, true} {
				f(n, off, r, special)
				if t.Failed() {
					t.Fatalf("stopping at the first failing case: n=%d off=%d special=%v", n, off, special)
				}
			}
		}
	}
}

func TestNEONElementwise(t *testing.T) {
	testNEONElementwise[float32](t)
	testNEONElementwise[float64](t)
}

func testNEONElementwise[T Float](t *testing.T) {
	neon, gen := neonTables[T](t)
	type kernel struct {
		name string
		run  func(o *ops[T], dst, a, b []T, s T)
	}
	ks := []kernel{
		{"Add", func(o *ops[T], d, a, b []T, _ T) { o.add(d, a, b) }},
		{"Sub", func(o *ops[T], d, a, b []T, _ T) { o.sub(d, a, b) }},
		{"Mul", func(o *ops[T], d, a, b []T, _ T) { o.mul(d, a, b) }},
		{"Div", func(o *ops[T], d, a, b []T, _ T) { o.div(d, a, b) }},
		{"AddScalar", func(o *ops[T], d, a, _ []T, s T) { o.addScalar(d, a, s) }},
		{"MulScalar", func(o *ops[T], d, a, _ []T, s T) { o.mulScalar(d, a, s) }},
		{"ReLU", func(o *ops[T], d, a, _ []T, _ T) { o.relu(d, a) }},
		{"ReLUGrad", func(o *ops[T], d, a, b []T, _ T) { o.reluGrad(d, a, b) }},
		{"Scale", func(o *ops[T], d, a, _ []T, s T) { copy(d, a); o.scale(s, d) }},
	}
	neonCases(t, func(n, off int, r *rand.Rand, special bool) {
		a, okA := neonGuarded[T](n, off)
		b, okB := neonGuarded[T](n, (off+1)%4)
		for i := range a {
			a[i], b[i] = T(neonValue(r, special)), T(neonValue(r, special))
		}
		s := T(neonValue(r, special))
		want := make([]T, n)
		for _, k := range ks {
			dst, okD := neonGuarded[T](n, (off+2)%4)
			k.run(gen, want, a, b, s)
			k.run(neon, dst, a, b, s)
			for i := range want {
				if !neonSame(dst[i], want[i]) {
					t.Errorf("%s %s n=%d off=%d: [%d] = %v, want %v (a=%v b=%v s=%v)", k.name, neonName[T](), n, off, i, dst[i], want[i], a[i], b[i], s)
					break
				}
			}
			if !okD() || !okA() || !okB() {
				t.Errorf("%s %s n=%d off=%d: wrote outside a slice", k.name, neonName[T](), n, off)
			}
		}
		// In place, dst == a.
		c := append([]T(nil), a...)
		gen.mul(want, a, b)
		neon.mul(c, c, b)
		for i := range want {
			if !neonSame(c[i], want[i]) {
				t.Errorf("Mul in place %s n=%d: [%d] = %v, want %v", neonName[T](), n, i, c[i], want[i])
				break
			}
		}
		// Axpy is fused: y[i] must be alpha*x[i]+y[i] rounded once.
		y, okY := neonGuarded[T](n, (off+2)%4)
		copy(y, b)
		neon.axpy(s, a, y)
		for i := range y {
			ref := T(math.FMA(float64(s), float64(a[i]), float64(b[i])))
			if unsafe.Sizeof(s) == 4 && ref == ref && !math.IsInf(float64(ref), 0) {
				// float32: the float64 FMA rounded to float32 may differ from
				// the single rounding by one ULP at a tie of the first rounding.
				if math.Abs(float64(y[i])-float64(ref)) > math.Abs(float64(ref))*0x1p-23 {
					t.Errorf("Axpy %s n=%d: [%d] = %v, want %v", neonName[T](), n, i, y[i], ref)
					break
				}
				continue
			}
			if !neonSame(y[i], ref) {
				t.Errorf("Axpy %s n=%d: [%d] = %v, want %v (alpha=%v x=%v y=%v)", neonName[T](), n, i, y[i], ref, s, a[i], b[i])
				break
			}
		}
		if !okY() || !okA() {
			t.Errorf("Axpy %s n=%d: wrote outside a slice", neonName[T](), n)
		}
	})
}

func TestNEONReduce(t *testing.T) {
	testNEONReduce[float32](t)
	testNEONReduce[float64](t)
}

// neonClose: two sums of the same n terms in different orders are each
// within γ_d·Σ|terms| of the exact sum (d = ⌈n/4⌉+8 covers both orders'
// depth), so within twice that of each other. NaN and ±Inf must match.
func neonClose(got, want, absSum, u float64, n int) bool {
	if want != want || math.IsInf(want, 0) || math.IsInf(absSum, 0) {
		return neonSame(got, want)
	}
	d := float64((n+3)/4 + 8)
	return math.Abs(got-want) <= 2*d*u/(1-d*u)*absSum
}

func testNEONReduce[T Float](t *testing.T) {
	neon, gen := neonTables[T](t)
	u := 0x1p-53
	if unsafe.Sizeof(T(0)) == 4 {
		u = 0x1p-24
	}
	neonCases(t, func(n, off int, r *rand.Rand, special bool) {
		if n == 0 {
			return // the public functions never call a kernel on empty input
		}
		x, _ := neonGuarded[T](n, off)
		y, _ := neonGuarded[T](n, (off+2)%4)
		var absX, absXY, sq float64
		for i := range x {
			x[i], y[i] = T(neonValue(r, special)), T(neonValue(r, special))
			absX += math.Abs(float64(x[i]))
			absXY += math.Abs(float64(x[i]) * float64(y[i]))
			sq += float64(x[i]) * float64(x[i])
		}
		where := fmt.Sprintf("%s n=%d off=%d special=%v", neonName[T](), n, off, special)
		if got, want := neon.dot(x, y), gen.dot(x, y); !neonClose(float64(got), float64(want), absXY, u, n) {
			t.Errorf("Dot %s = %v, want %v", where, got, want)
		}
		if got, want := neon.sum(x), gen.sum(x); !neonClose(float64(got), float64(want), absX, u, n) {
			t.Errorf("Sum %s = %v, want %v", where, got, want)
		}
		if got, want := neon.asum(x), gen.asum(x); !neonClose(float64(got), float64(want), absX, u, n) {
			t.Errorf("Asum %s = %v, want %v", where, got, want)
		}
		if got, want := neon.sumsq(x), gen.sumsq(x); !neonClose(got, want, sq, 0x1p-53, n) {
			t.Errorf("SumSq %s = %v, want %v", where, got, want)
		}
		if got, want := neon.max(x), gen.max(x); !neonSame(got, want) && !(got == 0 && want == 0) {
			t.Errorf("Max %s = %v, want %v", where, got, want)
		}
		if got, want := neon.min(x), gen.min(x); !neonSame(got, want) && !(got == 0 && want == 0) {
			t.Errorf("Min %s = %v, want %v", where, got, want)
		}
	})
}

// TestNEONReduceExact: sums of small integers are exact in any order, so
// every reduction must return exactly the integer result; and a NaN or
// ±Inf at each position of various lengths must reach Max and Min (main
// loop, one-vector loop and scalar tail all see it).
func TestNEONReduceExact(t *testing.T) {
	testNEONReduceExact[float32](t)
	testNEONReduceExact[float64](t)
}

func testNEONReduceExact[T Float](t *testing.T) {
	neon, _ := neonTables[T](t)
	r := rand.New(rand.NewPCG(9, 10))
	for n := 1; n <= 300; n++ {
		x, _ := neonGuarded[T](n, n%4)
		y, _ := neonGuarded[T](n, (n+1)%4)
		var sum, asum, dot, sq int64
		lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
		for i := range x {
			a, b := int64(r.IntN(2001)-1000), int64(r.IntN(21)-10)
			x[i], y[i] = T(a), T(b)
			sum, asum, dot, sq = sum+a, asum+max(a, -a), dot+a*b, sq+a*a
			lo, hi = min(lo, a), max(hi, a)
		}
		where := fmt.Sprintf("%s n=%d", neonName[T](), n)
		if got := neon.sum(x); got != T(sum) {
			t.Errorf("Sum %s = %v, want %d", where, got, sum)
		}
		if got := neon.asum(x); got != T(asum) {
			t.Errorf("Asum %s = %v, want %d", where, got, asum)
		}
		if got := neon.dot(x, y); got != T(dot) {
			t.Errorf("Dot %s = %v, want %d", where, got, dot)
		}
		if got := neon.sumsq(x); got != float64(sq) {
			t.Errorf("SumSq %s = %v, want %d", where, got, sq)
		}
		if got := neon.max(x); got != T(hi) {
			t.Errorf("Max %s = %v, want %d", where, got, hi)
		}
		if got := neon.min(x); got != T(lo) {
			t.Errorf("Min %s = %v, want %d", where, got, lo)
		}
		for p := 0; p < n && n <= 70; p++ {
			old := x[p]
			for _, v := range []T{T(math.NaN()), T(math.Inf(1)), T(math.Inf(-1))} {
				x[p] = v
				wantHi, wantLo := neonExtremes(x)
				if got := neon.max(x); !neonSame(got, wantHi) {
					t.Errorf("Max %s x[%d]=%v = %v, want %v", where, p, v, got, wantHi)
				}
				if got := neon.min(x); !neonSame(got, wantLo) {
					t.Errorf("Min %s x[%d]=%v = %v, want %v", where, p, v, got, wantLo)
				}
			}
			x[p] = old
		}
		if t.Failed() {
			t.FailNow()
		}
	}
}

// neonExtremes is the plain maximum and minimum of x, NaN if x holds one.
func neonExtremes[T Float](x []T) (hi, lo T) {
	hi, lo = x[0], x[0]
	for _, v := range x {
		if v != v {
			return v, v
		}
		hi, lo = max(hi, v), min(lo, v)
	}
	return hi, lo
}

// neonULPs is |got-want| in units of the spacing of T at want (at least
// the smallest subnormal); both NaN, or equal infinities, count as 0.
func neonULPs[T Float](got, want T) float64 {
	g, w := float64(got), float64(want)
	switch {
	case g != g || w != w:
		if g != g && w != w {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(w, 0) || math.IsInf(g, 0):
		if g == w {
			return 0
		}
		return math.Inf(1)
	}
	mant, minExp := 52, -1074
	if unsafe.Sizeof(got) == 4 {
		mant, minExp = 23, -149
	}
	_, e := math.Frexp(w)
	return math.Abs(g-w) / math.Max(math.Ldexp(1, e-1-mant), math.Ldexp(1, minExp))
}

// TestNEONExp compares the NEON Exp, Sigmoid and Tanh with the generic
// ones (package math) over the whole useful range, overflow and underflow
// included, at every length 0..300: within 2 ULP (the sum of the two
// sides' stated bounds; package math's arm64 Exp flushes some results of
// e^x below 2^-1074·0.9 to 0, one subnormal unit off). It then
// checks that ExpShiftSum writes exactly Exp(x - shift) and returns a sum
// within n+8 ULP-scale roundings of the exact one, and that SumExpShift
// returns the same sum bit for bit (same accumulation order).
func TestNEONExp(t *testing.T) {
	testNEONExp[float32](t, 110)
	testNEONExp[float64](t, 750)
}

func testNEONExp[T Float](t *testing.T, span float64) {
	neon, gen := neonTables[T](t)
	u := 0x1p-53
	if unsafe.Sizeof(T(0)) == 4 {
		u = 0x1p-24
	}
	neonCases(t, func(n, off int, r *rand.Rand, special bool) {
		x, okX := neonGuarded[T](n, off)
		for i := range x {
			x[i] = T(span * (2*r.Float64() - 1))
			if special && r.IntN(8) == 0 {
				x[i] = T(neonValue(r, true))
			}
		}
		want := make([]T, n)
		for _, k := range []struct {
			name      string
			neon, gen func(dst, x []T)
		}{{"Exp", neon.exp, gen.exp}, {"Sigmoid", neon.sigmoid, gen.sigmoid}, {"Tanh", neon.tanh, gen.tanh}} {
			dst, okD := neonGuarded[T](n, (off+1)%4)
			k.gen(want, x)
			k.neon(dst, x)
			for i := range want {
				if d := neonULPs(dst[i], want[i]); !(d <= 2) {
					t.Errorf("%s %s n=%d off=%d: f(%v) = %v, want %v (%.2f ULP)", k.name, neonName[T](), n, off, x[i], dst[i], want[i], d)
					break
				}
			}
			if !okX() || !okD() {
				t.Errorf("%s %s n=%d off=%d: wrote outside a slice", k.name, neonName[T](), n, off)
			}
		}
		if n == 0 {
			return
		}
		// Softmax helpers on inputs below the shift, as softmax uses them.
		shift := T(0)
		for i := range x {
			if x[i] != x[i] || math.IsInf(float64(x[i]), 0) {
				x[i] = T(r.Float64())
			}
			shift = max(shift, x[i])
		}
		shifted := make([]T, n)
		for i := range x {
			shifted[i] = x[i] - shift
		}
		neon.exp(want, shifted)
		dst2, okD2 := neonGuarded[T](n, (off+2)%4)
		sum := neon.expShiftSum(dst2, x, shift)
		var exact, abs float64
		for i := range dst2 {
			if !neonSame(dst2[i], want[i]) {
				t.Errorf("ExpShiftSum %s n=%d: dst[%d] = %v, want Exp(x-shift) = %v", neonName[T](), n, i, dst2[i], want[i])
				break
			}
			exact += float64(want[i])
			abs += math.Abs(float64(want[i]))
		}
		if !okD2() || !okX() {
			t.Errorf("ExpShiftSum %s n=%d: wrote outside a slice", neonName[T](), n)
		}
		if d := math.Abs(float64(sum) - exact); d > float64(n+8)*u*abs {
			t.Errorf("ExpShiftSum %s n=%d: sum %v, want %v", neonName[T](), n, sum, exact)
		}
		if s2 := neon.sumExpShift(x, shift); !neonSame(s2, sum) {
			t.Errorf("SumExpShift %s n=%d = %v, ExpShiftSum returned %v", neonName[T](), n, s2, sum)
		}
	})
}
