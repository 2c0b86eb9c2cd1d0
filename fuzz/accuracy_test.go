package fuzz_test

// Accuracy of the transcendental kernels (Exp, Log, Sigmoid, Tanh), measured
// in ULPs of the result at every available instruction-set level over a
// dense sweep of inputs plus the special values, and held to the bounds
// stated in the doc comments of kernels/activation.go (the constants below
// are those of tolerance.go, which must match them).
//
// ULP: for float32, |got - ref| / 2^(e-23) with e the exponent of the
// reference (floor(log2|ref|)), and at least 2^-149 (the subnormal spacing);
// float64 likewise with 52 and 2^-1074. A special reference value (±Inf,
// NaN, ±0, or a float32 overflow) must be matched exactly, sign of zero
// included.
//
// float32 references are package math in float64 (errors ~2^-29 float32
// ULP, negligible). float64 references are package math too, whose own
// error is below 1 ULP: the float64 figures are measured against package
// math, so the true error can be up to 1 ULP larger than measured.

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/descentlab/descent/fuzz"
	"github.com/descentlab/descent/kernels"
)

// Stated bounds (ULPs), as in kernels/activation.go: the one table in
// tolerance.go.
const (
	expBound32, logBound32, sigmoidBound32, tanhBound32 = fuzz.ExpULP32, fuzz.LogULP32, fuzz.SigmoidULP32, fuzz.TanhULP32
	expBound64, logBound64, sigmoidBound64, tanhBound64 = fuzz.ExpULP64, fuzz.LogULP64, fuzz.SigmoidULP64, fuzz.TanhULP64
	// float64 against the exact value (TestFloat64AccuracyExact).
	expExact64, logExact64, sigmoidExact64, tanhExact64 = 2, 2, 2, 2
)

func sigmoidRef(v float64) float64 {
	if v >= 0 || v != v {
		return 1 / (1 + math.Exp(-v))
	}
	// e/(1+e) with 1+e = s+t exactly (Fast2Sum, 1 >= e) and the quotient
	// corrected by its residual, so that only math.Exp's error remains.
	e := expRef(v)
	s := 1 + e
	t := (1 - s) + e
	q := e / s
	r := math.FMA(-q, s, e) // e - q·s exactly
	return q + (r-q*t)/s
}

// ulps32 is got's error against the float64 reference ref, in float32 ULPs
// (+Inf where a special value is not matched exactly).
func ulps32(got float32, ref float64) float64 {
	g := float64(got)
	r32 := float64(float32(ref))
	switch {
	case math.IsNaN(ref):
		if math.IsNaN(g) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(r32, 0) || ref == 0:
		if g == r32 && math.Signbit(g) == math.Signbit(r32) {
			return 0
		}
		return math.Inf(1)
	case math.IsNaN(g) || math.IsInf(g, 0):
		return math.Inf(1)
	}
	_, e := math.Frexp(ref) // |ref| in [2^(e-1), 2^e)
	ulp := math.Max(math.Ldexp(1, e-1-23), math.Ldexp(1, -149))
	return math.Abs(g-ref) / ulp
}

// ulps64 is ulps32 for float64 results.
func ulps64(got, ref float64) float64 {
	switch {
	case math.IsNaN(ref):
		if math.IsNaN(got) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(ref, 0) || ref == 0:
		if got == ref && math.Signbit(got) == math.Signbit(ref) {
			return 0
		}
		return math.Inf(1)
	case math.IsNaN(got) || math.IsInf(got, 0):
		return math.Inf(1)
	}
	_, e := math.Frexp(ref)
	ulp := math.Max(math.Ldexp(1, e-1-52), math.Ldexp(1, -1074))
	d := math.Abs(got - ref)
	if math.IsInf(d, 0) { // both near ±MaxFloat64
		d = 2 * math.Abs(got/2-ref/2)
	}
	return d / ulp
}

// expRef is math.Exp, except where package math is known to round wrongly:
// above 709, where math.Exp on amd64 returns +Inf although e^x is finite up
// to 709.78, and below -708.39, where the result is subnormal and math.Exp
// on arm64 can round to the wrong multiple of 2^-1074 (both observed with
// Go 1.26). There e^x = 2^k·e^r with k = round(x/ln2), r = x - k·ln2, and
// the series of e^r summed in 200-bit arithmetic; big.Float's Float64
// rounds once, to nearest, subnormals included.
func expRef(v float64) float64 {
	if !(v > 709 && v < 710) && !(v < -708.39 && v > -746) {
		return math.Exp(v)
	}
	const prec = 200
	ln2, _, _ := big.ParseFloat("0.693147180559945309417232121458176568075500134360255254120680009493393621969694715605863326996418687542", 10, prec, big.ToNearestEven)
	k := int(math.Round(v / math.Ln2))
	r := new(big.Float).SetPrec(prec).Mul(ln2, new(big.Float).SetInt64(int64(k)))
	r.Sub(new(big.Float).SetPrec(prec).SetFloat64(v), r) // |r| < 1
	sum, term := new(big.Float).SetPrec(prec).SetInt64(1), new(big.Float).SetPrec(prec).SetInt64(1)
	for i := 1; i < 60; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetInt64(int64(i)))
		sum.Add(sum, term)
	}
	sum.SetMantExp(sum, k)
	out, _ := sum.Float64()
	return out
}

// logRef is math.Log, except for subnormal inputs, which math.Log on amd64
// gets wrong (golang/go#56600): log(x) = log(frac) + exp·ln2 with
// x = frac·2^exp, ln2 in two parts.
func logRef(v float64) float64 {
	if v > 0 && v < 0x1p-1022 {
		fr, e := math.Frexp(v)
		const ln2lo = 2.319046813846299558e-17 // ln 2 - float64(ln 2)
		return math.FMA(float64(e), math.Ln2, math.FMA(float64(e), ln2lo, math.Log(fr)))
	}
	return math.Log(v)
}

type accKernel[T kernels.Float] struct {
	name  string
	run   func(dst, x []T)
	ref   func(float64) float64
	bound float64
	dense [][2]float32 // ranges swept at every float32 (float32 tests)
}

var specials32 = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, 2, -2, 0.625, -0.625,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
	math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
	0x1p-126, -0x1p-126, 0x1p-127, 0x1.fffffep-127, 88.72283, 88.72284, 88.7, 89, 100, 1e10,
	-87.33654, -87.34, -100, -103.2789, -103.97207, -103.97208, -104, -150, -1e10,
	9, 9.1, 10, 44.4, 45, 1e-20, -1e-20, 1e-40, -1e-40, 0.7071067, 0.70710677, 1.4142135, 1.4142137,
}

// sweep32 returns float32 inputs: every 256th bit pattern (with a jittered
// low byte, so that every mantissa bit varies) over the whole space, every
// pattern in the dense ranges (thinned to at most 2^21 per range), and the
// special values.
func sweep32(dense [][2]float32) []float32 {
	var xs []float32
	for i := uint32(0); i < 1<<24; i++ {
		jit := (i * 0x9E3779B1) >> 24
		xs = append(xs, math.Float32frombits(i<<8|jit))
	}
	for _, r := range dense {
		lo, hi := r[0], r[1]
		// Walk |x| bit patterns: the range is within one sign.
		a, b := math.Float32bits(float32(math.Abs(float64(lo)))), math.Float32bits(float32(math.Abs(float64(hi))))
		if a > b {
			a, b = b, a
		}
		sign := uint32(0)
		if lo < 0 {
			sign = 1 << 31
		}
		step := (b-a)>>21 + 1
		for u := a; u <= b && u >= a; u += step {
			xs = append(xs, math.Float32frombits(u|sign))
		}
	}
	return append(xs, specials32...)
}

func checkAccuracy32(t *testing.T, k accKernel[float32]) {
	xs := sweep32(k.dense)
	ref := make([]float64, len(xs))
	for i, x := range xs {
		ref[i] = k.ref(float64(x))
	}
	got := make([]float32, len(xs))
	defer kernels.SetISA(kernels.ISA())
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			t.Fatal(err)
		}
		clear(got)
		k.run(got, xs)
		worst, at := 0.0, 0
		for i := range xs {
			e := ulps32(got[i], ref[i])
			if e != e { // cannot happen; never let a NaN hide an error
				e = math.Inf(1)
			}
			if e > worst {
				worst, at = e, i
			}
		}
		msg := fmt.Sprintf("%s float32 level=%s: max error %.3f ULP at x=%g (%#08x): got %g, want %g",
			k.name, l, worst, xs[at], math.Float32bits(xs[at]), got[at], ref[at])
		if worst > k.bound {
			t.Errorf("%s exceeds the stated bound of %g ULP", msg, k.bound)
		} else {
			t.Log(msg)
		}
	}
}

var specials64 = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 0.625, -0.625, math.Inf(1), math.Inf(-1), math.NaN(),
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
	0x1p-1022, 0x1p-1023, 709.782712893384, 709.7827128933841, 710, 1000,
	-708.39641853226408, -708.4, -720, -744.44007192138121, -745.13321910194110, -745.1332191019412, -746, -1000,
	18, 19, 20, 1e-300, -1e-300, 1e-310, -1e-310, 0.7071067811865475, 1.4142135623730951,
}

// sweep64 returns 2^21 float64 inputs: half uniform in the range where the
// function is interesting, half random bit patterns over the whole space,
// and the special values.
func sweep64(lo, hi float64) []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	var xs []float64
	for i := 0; i < 1<<20; i++ {
		xs = append(xs, lo+(hi-lo)*rng.Float64())
		xs = append(xs, math.Float64frombits(rng.Uint64()))
	}
	return append(xs, specials64...)
}

func checkAccuracy64(t *testing.T, k accKernel[float64], lo, hi float64) {
	xs := sweep64(lo, hi)
	ref := make([]float64, len(xs))
	for i, x := range xs {
		ref[i] = k.ref(x)
	}
	got := make([]float64, len(xs))
	defer kernels.SetISA(kernels.ISA())
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			t.Fatal(err)
		}
		clear(got)
		k.run(got, xs)
		worst, at := 0.0, 0
		for i := range xs {
			e := ulps64(got[i], ref[i])
			if e != e { // cannot happen; never let a NaN hide an error
				e = math.Inf(1)
			}
			if e > worst {
				worst, at = e, i
			}
		}
		msg := fmt.Sprintf("%s float64 level=%s: max error %.3f ULP (vs package math) at x=%.17g: got %.17g, want %.17g",
			k.name, l, worst, xs[at], got[at], ref[at])
		if worst > k.bound {
			t.Errorf("%s exceeds the stated bound of %g ULP", msg, k.bound)
		} else {
			t.Log(msg)
		}
	}
}

func TestExpAccuracy(t *testing.T) {
	checkAccuracy32(t, accKernel[float32]{"Exp", kernels.Exp[float32], math.Exp, expBound32,
		[][2]float32{{-104, -80}, {80, 89}, {-1, 1}}})
	checkAccuracy64(t, accKernel[float64]{name: "Exp", run: kernels.Exp[float64], ref: expRef, bound: expBound64}, -746, 710)
}

func TestLogAccuracy(t *testing.T) {
	checkAccuracy32(t, accKernel[float32]{"Log", kernels.Log[float32], math.Log, logBound32,
		[][2]float32{{0.5, 2}, {0, 0x1p-126}}})
	checkAccuracy64(t, accKernel[float64]{name: "Log", run: kernels.Log[float64], ref: logRef, bound: logBound64}, 0.25, 4)
}

func TestSigmoidAccuracy(t *testing.T) {
	checkAccuracy32(t, accKernel[float32]{"Sigmoid", kernels.Sigmoid[float32], sigmoidRef, sigmoidBound32,
		[][2]float32{{-104, -80}, {-20, -0.5}, {0, 20}}})
	checkAccuracy64(t, accKernel[float64]{name: "Sigmoid", run: kernels.Sigmoid[float64], ref: sigmoidRef, bound: sigmoidBound64}, -746, 40)
}

func TestTanhAccuracy(t *testing.T) {
	checkAccuracy32(t, accKernel[float32]{"Tanh", kernels.Tanh[float32], math.Tanh, tanhBound32,
		[][2]float32{{0.5, 0.75}, {-0.75, -0.5}, {0, 0.5}, {0.75, 10}}})
	checkAccuracy64(t, accKernel[float64]{name: "Tanh", run: kernels.Tanh[float64], ref: math.Tanh, bound: tanhBound64}, -20, 20)
}

// TestTranscendentalTails runs every length from 0 to 67 (main loop,
// one-vector loop and masked tail at both widths) at every level, inside
// buffers guarded by sentinels: results must equal, bit for bit, those of
// the same inputs in one long call (the kernels are lane-wise), and nothing
// outside dst may change.
func TestTranscendentalTails(t *testing.T) {
	testTails(t, kernels.Exp[float32], kernels.Log[float32], kernels.Sigmoid[float32], kernels.Tanh[float32])
	testTails(t, kernels.Exp[float64], kernels.Log[float64], kernels.Sigmoid[float64], kernels.Tanh[float64])
}

func testTails[T kernels.Float](t *testing.T, fns ...func(dst, x []T)) {
	const guard, maxN = 9, 67
	rng := rand.New(rand.NewPCG(3, 4))
	src := make([]T, maxN)
	for i := range src {
		src[i] = T(rng.NormFloat64() * 20)
	}
	src[3] = T(math.NaN())
	sentinel := T(-12345.5)
	defer kernels.SetISA(kernels.ISA())
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			t.Fatal(err)
		}
		for fi, f := range fns {
			want := make([]T, maxN)
			f(want, src)
			for n := 0; n <= maxN; n++ {
				buf := make([]T, n+2*guard)
				for i := range buf {
					buf[i] = sentinel
				}
				dst := buf[guard : guard+n : guard+n]
				f(dst, src[:n:n])
				for i, v := range buf {
					in := i >= guard && i < guard+n
					switch {
					case !in && v != sentinel:
						t.Errorf("%s fn#%d %T n=%d: wrote %v at offset %d outside dst", l, fi, v, n, v, i-guard)
					case in && math.Float64bits(float64(v)) != math.Float64bits(float64(want[i-guard])):
						t.Errorf("%s fn#%d %T n=%d: dst[%d] = %v, want %v (from a long call)", l, fi, v, n, i-guard, v, want[i-guard])
					}
				}
			}
		}
	}
}

// TestSoftmaxHelpers checks Softmax and LogSoftmax, which run on the
// ExpShiftSum and SumExpShift kernels, at every level and row length 1..67
// against a float64 reference, with NaN sentinels around the input (a read
// past the row would poison its sum) and plain sentinels around dst.
func TestSoftmaxHelpers(t *testing.T) {
	softmaxHelpers[float32](t, 0x1p-24)
	softmaxHelpers[float64](t, 0x1p-53)
}

func softmaxHelpers[T kernels.Float](t *testing.T, eps float64) {
	const guard, maxN, rows = 5, 67, 3
	rng := rand.New(rand.NewPCG(5, 6))
	defer kernels.SetISA(kernels.ISA())
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			t.Fatal(err)
		}
		for cols := 1; cols <= maxN; cols++ {
			n := rows * cols
			xbuf := make([]T, n+2*guard)
			for i := range xbuf {
				xbuf[i] = T(math.NaN())
			}
			x := xbuf[guard : guard+n : guard+n]
			for i := range x {
				x[i] = T(rng.NormFloat64()*10 + 50)
			}
			for _, logForm := range []bool{false, true} {
				dbuf := make([]T, n+2*guard)
				for i := range dbuf {
					dbuf[i] = -7
				}
				dst := dbuf[guard : guard+n : guard+n]
				if logForm {
					kernels.LogSoftmax(dst, x, cols)
				} else {
					kernels.Softmax(dst, x, cols)
				}
				for i, v := range dbuf {
					if (i < guard || i >= guard+n) && v != -7 {
						t.Fatalf("%s cols=%d log=%v: wrote outside dst at offset %d", l, cols, logForm, i-guard)
					}
				}
				for r := 0; r < n; r += cols {
					m := math.Inf(-1)
					for _, v := range x[r : r+cols] {
						m = math.Max(m, float64(v))
					}
					// The kernels subtract the maximum in T, as they are
					// specified to; the reference takes that difference
					// as its input.
					mT := T(m)
					var s float64
					for _, v := range x[r : r+cols] {
						s += math.Exp(float64(v - mT))
					}
					for j := r; j < r+cols; j++ {
						ref := math.Exp(float64(x[j]-mT)) / s
						tol := float64(8+cols) * eps * ref
						if logForm {
							ref = float64(x[j]) - m - math.Log(s)
							tol = float64(8+cols) * eps * (math.Abs(float64(x[j])) + math.Abs(m) + math.Log(s))
						}
						if d := math.Abs(float64(dst[j]) - ref); !(d <= tol) {
							t.Errorf("%s %T cols=%d log=%v: dst[%d] = %v, want %v ± %.3g", l, dst[j], cols, logForm, j, dst[j], ref, tol)
						}
					}
				}
			}
		}
	}
}

// The float64 sweeps above measure against package math, itself up to 1 ULP
// off. TestFloat64AccuracyExact measures the float64 kernels against values
// computed in 200-bit arithmetic (math/big) on 8000 random points per function, so
// that the stated float64 bounds are bounds on the true error.

const exactPrec = 200

var bigLn2, _, _ = big.ParseFloat("0.693147180559945309417232121458176568075500134360255254120680009493393621969694715605863326996418687542", 10, exactPrec, big.ToNearestEven)

func newBig(v float64) *big.Float { return new(big.Float).SetPrec(exactPrec).SetFloat64(v) }

// bigExp is e^v: v = k·ln2 + r, |r| <= ln2/2, the series of e^r, times 2^k.
func bigExp(v *big.Float) *big.Float {
	q, _ := new(big.Float).Quo(v, bigLn2).Float64()
	k := int(math.Round(q))
	r := new(big.Float).SetPrec(exactPrec).Mul(bigLn2, new(big.Float).SetInt64(int64(k)))
	r.Sub(v, r)
	sum, term := newBig(1), newBig(1)
	for i := 1; i < 70; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetInt64(int64(i)))
		sum.Add(sum, term)
	}
	return sum.SetMantExp(sum, k)
}

// bigLog is ln v for finite v > 0: Newton's iteration y += v·e^-y - 1 from
// math.Log's value (each step squares the relative error).
func bigLog(v float64) *big.Float {
	y := newBig(logRef(v))
	x := newBig(v)
	for i := 0; i < 3; i++ {
		e := bigExp(new(big.Float).Neg(y))
		e.Mul(e, x)
		e.Sub(e, newBig(1))
		y.Add(y, e)
	}
	return y
}

func exactOf(f func(float64) *big.Float) func(float64) float64 {
	return func(v float64) float64 { r, _ := f(v).Float64(); return r }
}

// ulpsExact64 is ulps64 with the error taken in 200-bit arithmetic.
func ulpsExact64(got float64, ref *big.Float) float64 {
	r, _ := ref.Float64()
	if math.IsInf(r, 0) || r == 0 || math.IsNaN(got) || math.IsInf(got, 0) {
		return ulps64(got, r)
	}
	_, e := math.Frexp(r)
	ulp := math.Max(math.Ldexp(1, e-1-52), math.Ldexp(1, -1074))
	d, _ := new(big.Float).Sub(newBig(got), ref).Float64()
	return math.Abs(d) / ulp
}

func TestFloat64AccuracyExact(t *testing.T) {
	bExp := func(v float64) *big.Float { return bigExp(newBig(v)) }
	bSigmoid := func(v float64) *big.Float {
		e := bigExp(newBig(-v))
		e.Add(e, newBig(1))
		return e.Quo(newBig(1), e)
	}
	bTanh := func(v float64) *big.Float {
		e := bigExp(newBig(2 * v))
		n := new(big.Float).Sub(e, newBig(1))
		return n.Quo(n, e.Add(e, newBig(1)))
	}
	for _, c := range []struct {
		name   string
		run    func(dst, x []float64)
		ref    func(float64) *big.Float
		lo, hi float64
		bound  float64
	}{
		{"Exp", kernels.Exp[float64], bExp, -745, 709.7, expExact64},
		{"Log", kernels.Log[float64], bigLog, 0, 8, logExact64},
		{"Sigmoid", kernels.Sigmoid[float64], bSigmoid, -745, 38, sigmoidExact64},
		{"Tanh", kernels.Tanh[float64], bTanh, -2, 2, tanhExact64},
	} {
		rng := rand.New(rand.NewPCG(7, 8))
		xs := make([]float64, 8000)
		for i := range xs {
			xs[i] = c.lo + (c.hi-c.lo)*rng.Float64()
			if i%3 == 0 { // small arguments, where relative accuracy is hardest
				xs[i] = c.lo/64 + (c.hi-c.lo)/64*rng.Float64()
			}
		}
		if c.name == "Log" {
			for i := 0; i < 800; i++ {
				xs[i] = math.Float64frombits(rng.Uint64() >> 1) // any positive finite or subnormal
				if math.IsInf(xs[i], 0) || math.IsNaN(xs[i]) {
					xs[i] = 1
				}
			}
		}
		refs := make([]*big.Float, len(xs))
		for i, x := range xs {
			refs[i] = c.ref(x)
		}
		got := make([]float64, len(xs))
		for _, l := range kernels.Available() {
			if err := kernels.SetISA(l); err != nil {
				t.Fatal(err)
			}
			c.run(got, xs)
			worst, at := 0.0, 0
			for i := range xs {
				e := ulpsExact64(got[i], refs[i])
				if !(e <= worst) {
					worst, at = e, i
				}
			}
			msg := fmt.Sprintf("%s float64 level=%s: max error %.3f ULP (vs 200-bit exact) at x=%.17g", c.name, l, worst, xs[at])
			if !(worst <= c.bound) {
				t.Errorf("%s exceeds the stated bound of %g ULP", msg, c.bound)
			} else {
				t.Log(msg)
			}
		}
	}
	kernels.SetISA(kernels.Available()[len(kernels.Available())-1])
}
