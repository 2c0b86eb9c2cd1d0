package fuzz

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/descentlab/descent/kernels"
)

// ---------------------------------------------------------------------------
// Transcendental error bounds, in ULPs of the result (ULP below). EDIT HERE.
//
// These are the bounds stated in the doc comments of kernels/activation.go
// (the math helper's measurements over all 2^32 float32 inputs and a dense
// float64 sweep tightened them from the first guesses of 2/2/3/3 and 4).
// float32: the references are package math in float64, far more accurate
// than a float32 ULP, so these are the kernels' own errors.
// float64: the references are package math (with its two amd64 defects
// worked around, see Exp and Log), itself off by up to about 1 ULP; the
// stated float64 bounds are measured against package math, so they include
// the reference's error.
const (
	ExpULP32     = 1
	LogULP32     = 1
	SigmoidULP32 = 1.6
	TanhULP32    = 1.5

	ExpULP64     = 2
	LogULP64     = 2
	SigmoidULP64 = 2
	TanhULP64    = 2
)

// Nrm2ULP is Nrm2's error in ULPs beyond the accumulation term (see
// Nrm2Bound): the square root, the scaling multiply and, for float32, the
// final rounding from float64.
const Nrm2ULP = 2

// ---------------------------------------------------------------------------

// Case names one kernel call for error messages.
type Case struct {
	Kernel string // "Add", "Softmax", ...
	Level  string // instruction-set level, e.g. "avx2"
	Type   string // "float32" or "float64"
	N      int    // length of the slices
	Off    int    // element offset of the slices inside their buffers
}

func (c Case) String() string {
	return fmt.Sprintf("%s level=%s %s n=%d off=%d", c.Kernel, c.Level, c.Type, c.N, c.Off)
}

// Mismatch is the error the checks return: where, on what, what came out,
// what should have and how far apart they may be.
type Mismatch struct {
	Case
	Index int     // element index, -1 for a reduction's single result
	Input string  // the input value(s) at Index, formatted by the caller
	Got   float64 // the kernel's value (widened)
	Want  float64 // the reference's value
	Bound string  // the tolerance that was broken, in words
}

func (m *Mismatch) Error() string {
	return fmt.Sprintf("%v index=%d input=[%s]: got %s, want %s; %s",
		m.Case, m.Index, m.Input, fmtBits(m.Got, m.Type), fmtBits(m.Want, m.Type), m.Bound)
}

func fmtBits(v float64, typ string) string {
	if typ == "float32" {
		return fmt.Sprintf("%.9g (%#08x)", v, math.Float32bits(float32(v)))
	}
	return fmt.Sprintf("%.17g (%#016x)", v, math.Float64bits(v))
}

// prec describes a floating-point type for the bounds.
type prec struct {
	name   string
	u      float64 // unit roundoff, 2^-p
	mant   int     // explicit mantissa bits (23 or 52)
	minExp int     // exponent of the smallest normal (-126 or -1022)
	max    float64 // largest finite value
	eta    float64 // smallest subnormal, the ULP floor
}

var (
	prec32 = prec{"float32", 0x1p-24, 23, -126, math.MaxFloat32, 0x1p-149}
	prec64 = prec{"float64", 0x1p-53, 52, -1022, math.MaxFloat64, 0x1p-1074}
)

func precOf[T kernels.Float]() prec {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return prec32
	}
	return prec64
}

// TypeName is "float32" or "float64".
func TypeName[T kernels.Float]() string { return precOf[T]().name }

// Unit returns the unit roundoff u of T: 2^-24 or 2^-53.
func Unit[T kernels.Float]() float64 { return precOf[T]().u }

// Depth is the rounding depth d the reductions are held to: ⌈n/4⌉+8. Any
// implementation that keeps at least four independent accumulators and
// combines them (and its tail) in a few steps adds each term through at
// most d roundings.
func Depth(n int) int { return (n+3)/4 + 8 }

// Gamma is Higham's γ_d = d·u/(1-d·u): the relative error of d rounded
// operations.
func Gamma(d int, u float64) float64 {
	du := float64(d) * u
	if du >= 1 {
		return math.Inf(1)
	}
	return du / (1 - du)
}

// ULP returns the unit in the last place of T at the magnitude of v:
// 2^(e-23) (float32) or 2^(e-52) (float64), e the binary exponent of v, never
// less than the smallest subnormal (2^-149 or 2^-1074). v is a float64 and
// may lie beyond T's range (ULP of a float32 reference above MaxFloat32).
func ULP[T kernels.Float](v float64) float64 {
	return ulpOf(precOf[T](), v)
}

func ulpOf(p prec, v float64) float64 {
	v = math.Abs(v)
	if v == 0 || v != v || math.IsInf(v, 0) {
		return p.eta
	}
	_, e := math.Frexp(v) // v = f·2^e, f in [0.5, 1): binary exponent e-1
	u := math.Ldexp(1, e-1-p.mant)
	if u < p.eta {
		return p.eta
	}
	return u
}

// ULPDistance returns |got-ref| in ULPs of ref (ULP). An infinite got with a
// finite ref (or the reverse) counts as one step beyond T's largest finite
// value, so that an overflow right at the edge of the range is a 1-ULP error,
// not an infinite one. NaN against non-NaN, or infinities of opposite signs,
// are +Inf; NaN against NaN is 0.
func ULPDistance[T kernels.Float](got T, ref float64) float64 {
	return ulpDistance(precOf[T](), float64(got), ref)
}

func ulpDistance(p prec, got, ref float64) float64 {
	switch {
	case got != got || ref != ref:
		if got != got && ref != ref {
			return 0
		}
		return math.Inf(1)
	case got == ref:
		return 0
	case math.IsInf(got, 0) && math.IsInf(ref, 0):
		return math.Inf(1) // opposite signs
	case math.IsInf(got, 0):
		if (got > 0) != (ref > 0) {
			return math.Inf(1)
		}
		return (p.max-math.Abs(ref))/ulpOf(p, ref) + 1
	case math.IsInf(ref, 0):
		if (got > 0) != (ref > 0) {
			return math.Inf(1)
		}
		return (p.max-math.Abs(got))/ulpOf(p, p.max) + 1
	}
	return math.Abs(got-ref) / ulpOf(p, ref)
}

// absDistance is |got-ref| with the same treatment of infinities as
// ulpDistance, measured in absolute terms.
func absDistance(p prec, got, ref float64) float64 {
	switch {
	case got != got || ref != ref:
		if got != got && ref != ref {
			return 0
		}
		return math.Inf(1)
	case got == ref:
		return 0
	case math.IsInf(got, 0) && math.IsInf(ref, 0):
		return math.Inf(1)
	case math.IsInf(got, 0):
		if (got > 0) != (ref > 0) {
			return math.Inf(1)
		}
		return p.max - math.Abs(ref) + ulpOf(p, p.max)
	case math.IsInf(ref, 0):
		if (got > 0) != (ref > 0) {
			return math.Inf(1)
		}
		return p.max - math.Abs(got) + ulpOf(p, p.max)
	}
	return math.Abs(got - ref)
}

// round returns ref rounded to T, widened back.
func round[T kernels.Float](ref float64) float64 { return float64(T(ref)) }

// same reports whether got is bit for bit want, or both are NaN (of any
// payload: the kernels promise NaN, not which NaN).
func same(got, want float64) bool {
	if got != got && want != want {
		return true
	}
	return math.Float64bits(got) == math.Float64bits(want)
}

// ---------------------------------------------------------------------------
// Exact kernels.
//
// Add, Sub, Mul, Div, AddScalar, MulScalar, Scale: IEEE arithmetic is one
// rounding of the exact result, and the float64 reference rounded to float32
// is that same rounding (see Add), so the kernel must give the reference's
// value bit for bit, the sign of zero included; only which NaN is free.
// ReLU and ReLUGrad compute nothing, they select: bit for bit too.

// CheckExact requires got to be ref rounded to T, bit for bit (any NaN for a
// NaN).
func CheckExact[T kernels.Float](c Case, i int, input string, got T, ref float64) error {
	want := round[T](ref)
	if same(float64(got), want) {
		return nil
	}
	return &Mismatch{c, i, input, float64(got), want, "must be identical (one IEEE rounding of the exact result)"}
}

// CheckEqual requires got == ref (rounded to T) or both NaN: Max and Min
// return an element of their input exactly, but which zero a tie between -0
// and +0 returns is not specified (they compare equal).
func CheckEqual[T kernels.Float](c Case, got T, ref float64) error {
	want := round[T](ref)
	if float64(got) == want || (got != got && want != want) {
		return nil
	}
	return &Mismatch{c, -1, "", float64(got), want, "must be equal (an element of the input)"}
}

// CheckIndex requires ArgMax/ArgMin to return exactly the reference's index.
func CheckIndex(c Case, got, want int) error {
	if got == want {
		return nil
	}
	return &Mismatch{c, -1, fmt.Sprintf("index %d", want), float64(got), float64(want), "index must be identical"}
}

// CheckAxpy checks y[i] + alpha·x[i]. The assembly fuses the multiply-add
// (one rounding), the Go fallback may or may not (Go fuses on arm64, not on
// amd64), so the kernel may also round the product first. Against the
// reference ref (fused, see Axpy) the error is at most one rounding of the
// result, ½ULP, plus one rounding of the product, ½ULP(prod), plus a second
// ½ULP of the result for the unfused sum: bound ULP(ref) + ½ULP(prod), with
// ULP taken at T's precision. Where the product alone overflows T, the
// unfused y + (±Inf) is ±Inf, or NaN when y is the opposite infinity, while
// the fused result may be finite (or y's infinity): all of those pass.
func CheckAxpy[T kernels.Float](c Case, i int, input string, got T, ref, prod float64) error {
	p := precOf[T]()
	want := round[T](ref)
	g := float64(got)
	if same(g, want) {
		return nil
	}
	if prod == prod && math.IsInf(round[T](prod), 0) && (g != g || math.IsInf(g, 0)) {
		return nil // the unfused product overflowed: y ± Inf is ±Inf or NaN
	}
	bound := ulpOf(p, ref) + ulpOf(p, prod)/2
	if g == g && want == want && !math.IsInf(g, 0) && !math.IsInf(want, 0) && math.Abs(g-ref) <= bound {
		return nil
	}
	return &Mismatch{c, i, input, g, ref, fmt.Sprintf("|diff| %.3g > ULP(ref)+½ULP(alpha·x) = %.3g", math.Abs(g-ref), bound)}
}

// ---------------------------------------------------------------------------
// Reductions.

// SumBound is the tolerance of Sum, Asum and Dot against the exact result
// ref (rounded once to float64): the classical bound for summation along
// chains of at most d = Depth(n) additions, |ŝ - s| ≤ γ_d(u)·Σ|terms|,
// plus the reference's own rounding u64·|ref|. For Dot the products' own
// roundings are one more level (d+1), and products that underflow lose up to
// ½ of the smallest subnormal each: n·η/2 more.
func SumBound[T kernels.Float](n int, absTerms, ref float64, dot bool) float64 {
	p := precOf[T]()
	d := Depth(n)
	under := 0.0
	if dot {
		d++
		under = float64(n) * p.eta / 2
	}
	return Gamma(d, p.u)*absTerms + prec64.u*math.Abs(ref) + under
}

// absFinite returns Σ|p[i]·q[i]| (or Σ|p[i]|) over the finite terms, in
// float64 with a relative error below n·2^-53 (negligible next to the
// bounds it scales), and +Inf if a finite pair's product overflows.
func absFinite(p, q []float64) float64 {
	var s float64
	for i, v := range p {
		if q != nil {
			if !isFinite(v) || !isFinite(q[i]) {
				continue
			}
			v *= q[i]
		}
		if isFinite(v) || (q != nil && math.IsInf(v, 0)) {
			s += math.Abs(v)
		}
	}
	return s
}

// CheckSum checks Sum(x) against its reference ref = fuzz.Sum(x). The
// tolerance is SumBound. When the finite terms' magnitudes add up to T's
// overflow threshold, partial sums may overflow, so ±Inf or NaN is accepted
// then; otherwise non-finite results must be the reference's (NaN for any
// NaN or for +Inf with -Inf, else the infinity).
func CheckSum[T kernels.Float](c Case, got T, ref float64, x []float64) error {
	return checkReduction[T](c, float64(got), ref, absFinite(x, nil), len(x), false)
}

// CheckAsum checks Asum(x) against ref = fuzz.Asum(x), as CheckSum.
func CheckAsum[T kernels.Float](c Case, got T, ref float64, x []float64) error {
	return checkReduction[T](c, float64(got), ref, absFinite(x, nil), len(x), false)
}

// CheckDot checks Dot(x, y) against ref = fuzz.Dot(x, y), as CheckSum with
// the products as terms.
func CheckDot[T kernels.Float](c Case, got T, ref float64, x, y []float64) error {
	return checkReduction[T](c, float64(got), ref, absFinite(x, y), len(x), true)
}

func checkReduction[T kernels.Float](c Case, got, ref, abs float64, n int, dot bool) error {
	p := precOf[T]()
	want := round[T](ref)
	if same(got, want) {
		return nil
	}
	bound := SumBound[T](n, abs, ref, dot)
	overflow := abs+bound >= p.max
	if got != got || math.IsInf(got, 0) || ref != ref || math.IsInf(ref, 0) {
		if overflow && ref == ref && (got != got || math.IsInf(got, 0)) {
			return nil
		}
		return &Mismatch{c, -1, fmt.Sprintf("Σ|terms|=%.3g", abs), got, ref, "non-finite result differs"}
	}
	if diff := math.Abs(got - ref); diff > bound {
		return &Mismatch{c, -1, fmt.Sprintf("Σ|terms|=%.3g", abs), got, ref,
			fmt.Sprintf("|diff| %.3g > γ_%d·Σ|terms| = %.3g", diff, Depth(n), bound)}
	}
	return nil
}

// Nrm2Bound is Nrm2's tolerance at the value ref. The kernels accumulate the
// squares in float64 (float64 takes one pass, or a second scaled by max|x|
// when the first over- or underflowed, by a power of two: exact). Each term
// then carries at most d+3 roundings (the square and a chain of at most d
// additions, with room to spare), the sum has relative error
// γ_{d+3}(2^-53), and the square root halves it.
// float32: the assembly levels square and add groups of up to eight
// vectors in float32 before the float64 sum, at most four more roundings of
// 2^-24 per term (the square, the pair's FMA, two tree levels), γ_4(2^-24)
// of the sum, halved by the square root (1 to 2 ULP of float32; the
// generic level's squares are exact). The square
// root, the scaling multiply and the final rounding to T add Nrm2ULP ULPs
// of T.
func Nrm2Bound[T kernels.Float](n int, ref float64) float64 {
	p := precOf[T]()
	rel := Gamma(Depth(n)+3, prec64.u) / 2
	if p == prec32 {
		rel += Gamma(4, prec32.u) / 2
	}
	return Nrm2ULP*ulpOf(p, ref) + rel*math.Abs(ref)
}

// CheckNrm2 checks Nrm2(x) against ref = fuzz.Nrm2(x) within Nrm2Bound.
func CheckNrm2[T kernels.Float](c Case, got T, ref float64) error {
	p := precOf[T]()
	g := float64(got)
	if same(g, round[T](ref)) {
		return nil
	}
	bound := Nrm2Bound[T](c.N, ref)
	if d := absDistance(p, g, ref); d > bound {
		return &Mismatch{c, -1, "", g, ref, fmt.Sprintf("|diff| %.3g > %d ULP + γ_%d/2·ref = %.3g", d, Nrm2ULP, Depth(c.N)+3, bound)}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Transcendental functions.

// TranscendentalULP returns the ULP bound of kernel ("Exp", "Log",
// "Sigmoid", "Tanh") for T, from the block at the top of this file.
func TranscendentalULP[T kernels.Float](kernel string) float64 {
	f32 := precOf[T]().u == prec32.u
	var a, b float64
	switch kernel {
	case "Exp":
		a, b = ExpULP32, ExpULP64
	case "Log":
		a, b = LogULP32, LogULP64
	case "Sigmoid":
		a, b = SigmoidULP32, SigmoidULP64
	case "Tanh":
		a, b = TanhULP32, TanhULP64
	default:
		panic("fuzz: no ULP bound for " + kernel)
	}
	if f32 {
		return a
	}
	return b
}

// CheckULP requires ULPDistance(got, ref) ≤ maxULP. A zero result where the
// reference is zero must carry the reference's sign (Tanh(-0) = -0), and NaN
// must meet NaN.
func CheckULP[T kernels.Float](c Case, i int, input string, got T, ref, maxULP float64) error {
	p := precOf[T]()
	g := float64(got)
	if same(g, round[T](ref)) {
		return nil
	}
	if g == 0 && ref == 0 && math.Signbit(g) != math.Signbit(ref) {
		return &Mismatch{c, i, input, g, ref, "wrong sign of zero"}
	}
	if d := ulpDistance(p, g, ref); d > maxULP {
		return &Mismatch{c, i, input, g, ref, fmt.Sprintf("%.3g ULP > %g ULP", d, maxULP)}
	}
	return nil
}

// CheckAbs requires |got-ref| ≤ bound (infinities as in ULPDistance), or got
// identical to ref rounded to T.
func CheckAbs[T kernels.Float](c Case, i int, input string, got T, ref, bound float64) error {
	p := precOf[T]()
	g := float64(got)
	if same(g, round[T](ref)) {
		return nil
	}
	if d := absDistance(p, g, ref); !(d <= bound) {
		return &Mismatch{c, i, input, g, ref, fmt.Sprintf("|diff| %.3g > bound %.3g", d, bound)}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Softmax and LogSoftmax, derived from the bounds above.
//
// Per row the kernels compute m = max x, d_j = x_j - m (rounded: an absolute
// error ≤ u·|d_j|, which e^d turns into a relative error of the same size),
// e_j = exp(d_j) (E_exp ULPs, a relative error ≤ 2u·E_exp), s = Σ e_j (all
// terms positive: relative error γ_n plus the e_j-weighted mean of their
// own errors; n, not Depth(n), because the fused exp-and-sum may keep a
// single accumulator), then
//
//   Softmax:    y_j = e_j · fl(1/s)       two more roundings: relative
//               ε_j + ε_s + 2u, ε_j = 2u·E_exp + u·|d_j|
//   LogSoftmax: y_j = fl(d_j) - fl(ln s)  absolute u·|d_j| + ε_s (ln turns a
//               relative error of s into an absolute one) + 2u·E_log·|ln s|
//               + u·|y_j| (the last subtraction).
//
// Results that underflow lose up to E_exp+1 smallest subnormals. The float64
// reference makes the same kinds of error at float64 precision (with 1-ULP
// math.Exp and math.Log), so the bound is the sum of both; for float32 the
// reference's part is negligible.

type rowErr struct {
	e      []float64 // e^(x_j - m)
	s, lse float64
	d      []float64 // |x_j - m|
}

func analyseRow(row []float64) rowErr {
	m := Max(row)
	r := rowErr{e: make([]float64, len(row)), d: make([]float64, len(row))}
	for j, v := range row {
		r.d[j] = math.Abs(v - m)
		r.e[j] = math.Exp(v - m)
		r.s += r.e[j]
	}
	r.lse = math.Log(r.s)
	return r
}

// relS returns the relative error bound of s = Σ e_j at precision u with
// exp error eExp ULPs.
func (r rowErr) relS(u, eExp float64) float64 {
	var w float64
	for j, e := range r.e {
		if e > 0 {
			w += e * (2*u*eExp + u*r.d[j])
		}
	}
	return Gamma(len(r.e), u) + w/r.s
}

// SoftmaxBounds returns the absolute error bound of each output of one
// Softmax row of T (the row widened to float64), as derived above.
func SoftmaxBounds[T kernels.Float](row []float64) []float64 {
	p := precOf[T]()
	eExp := TranscendentalULP[T]("Exp")
	r := analyseRow(row)
	out := make([]float64, len(row))
	sT, s64 := r.relS(p.u, eExp), r.relS(prec64.u, 1)
	rel := func(j int, u, eExp, es float64) float64 {
		e := 2*u*eExp + u*r.d[j] + es + 2*u
		return e * (1 + 2*e) // second-order terms
	}
	for j := range row {
		y := r.e[j] / r.s
		out[j] = (eExp + 1) * p.eta
		if r.e[j] > 0 {
			out[j] += (rel(j, p.u, eExp, sT) + rel(j, prec64.u, 1, s64)) * y
		}
	}
	return out
}

// LogSoftmaxBounds returns the absolute error bound of each output of one
// LogSoftmax row of T, as derived above.
func LogSoftmaxBounds[T kernels.Float](row []float64) []float64 {
	p := precOf[T]()
	eExp, eLog := TranscendentalULP[T]("Exp"), TranscendentalULP[T]("Log")
	r := analyseRow(row)
	out := make([]float64, len(row))
	sT, s64 := r.relS(p.u, eExp), r.relS(prec64.u, 1)
	abs := func(j int, u, eLog, es float64) float64 {
		y := math.Abs(r.d[j] + r.lse)
		return (u*r.d[j] + es/(1-es) + 2*u*eLog*math.Abs(r.lse) + u*y) * (1 + 4*u)
	}
	for j := range row {
		out[j] = abs(j, p.u, eLog, sT) + abs(j, prec64.u, 1, s64) + 2*p.eta
	}
	return out
}

// ---------------------------------------------------------------------------
// Fused optimizer updates (AdamStep, SGDStep, RMSpropStep, AdagradStep).
//
// Each output element is a short formula of the inputs with a square root
// and a division in it, and the updates feed on themselves (m - m·β1, p -
// lr·q), so a fixed relative bound would be either far too loose or wrong
// where terms cancel. The bound is instead computed per element by running
// error analysis (Higham, Accuracy and Stability, §3.3): the formula is
// evaluated in float64 on the kernel's inputs, carrying beside each
// intermediate r a bound e on its absolute error, with the first-order rules
//
//	a ± b: e_a + e_b          a·b: |a|e_b + |b|e_a + e_a·e_b
//	a / b: (e_a + |a/b|·e_b) / (|b| - e_b)
//	√a:    e_a / (√a + √(a - e_a))        max(a, b): max(e_a, e_b)
//
// plus, for each operation's own rounding, (u_T + u_64)·|r| + η_T: one
// rounding in T (u = 2^-24 or 2^-53) for the kernel, one in float64 for the
// reference, and η the smallest subnormal of T for a result that underflows.
// The scalars derived in the kernels ((1-β1), 1/BC2Sqrt) are intermediates
// too. The kernel may then differ from the reference by UpdateSlack·e: the
// assembly contracts a·b+c into one FMA (one rounding fewer) and may
// reassociate a product or replace x/c by x·(1/c) for a loop-invariant c
// (one rounding more per modelled operation at most), which at first order
// at most doubles each operation's rounding term.
//
// Without cancellation this comes to a relative error of about 2·k·u, k the
// number of roundings on the longest path to the output: AdamStep k ≈ 11 for
// p (d, decay, m, v, √, /BC2Sqrt, +eps, m/denom, ·StepSize, -) and 3-5 for m
// and v; SGDStep k ≈ 5; RMSpropStep k ≈ 9 (11 centered); AdagradStep k ≈ 7.
//
// Where an intermediate overflows T (|r|+e beyond half of T's largest
// value), or a square root's argument may be negative within its error
// (RMSprop centered: sq - gavg² at cancellation), the element is not
// checked (its bound is +Inf): FMA and reassociation legitimately move the
// overflow or the NaN. A NaN result computed from finite error bounds (a NaN
// input, Inf - Inf, 0/0) must come out NaN.
const UpdateSlack = 2

// ev is an intermediate value and a bound on its absolute error.
type ev struct{ v, e float64 }

// errModel is the running error analysis at one precision (see above).
type errModel struct{ u, eta, max, tiny float64 }

func updateModel[T kernels.Float]() errModel {
	p := precOf[T]()
	return errModel{u: p.u + prec64.u, eta: p.eta, max: p.max / 2, tiny: math.Ldexp(1, p.minExp)}
}

// flush is the kernels' flush of a state value to 0 below the smallest
// normal number (kernels/update.go): the kernel's value may be 0 where the
// reference's, which is not flushed, is below tiny, an absolute error of
// at most tiny, which also flows into the parameter's bound.
func (m errModel) flush(x ev) ev {
	if math.IsInf(x.e, 1) || x.v != x.v {
		return x
	}
	return ev{x.v, x.e + m.tiny}
}

func exactV(v float64) ev { return ev{v, 0} }

// round finishes an operation: value v with propagated error e.
func (m errModel) round(v, e float64, in ...ev) ev {
	for _, x := range in {
		if math.IsInf(x.e, 1) {
			return ev{v, math.Inf(1)}
		}
	}
	if v != v {
		return ev{v, 0} // must be NaN
	}
	if math.IsInf(v, 0) || math.Abs(v)+e > m.max || e != e {
		return ev{v, math.Inf(1)}
	}
	return ev{v, e + m.u*math.Abs(v) + m.eta}
}

func (m errModel) add(a, b ev) ev { return m.round(a.v+b.v, a.e+b.e, a, b) }
func (m errModel) sub(a, b ev) ev { return m.round(a.v-b.v, a.e+b.e, a, b) }
func (m errModel) mul(a, b ev) ev {
	return m.round(a.v*b.v, math.Abs(a.v)*b.e+math.Abs(b.v)*a.e+a.e*b.e, a, b)
}

func (m errModel) div(a, b ev) ev {
	q := a.v / b.v
	if b.e >= math.Abs(b.v) && q == q {
		return ev{q, math.Inf(1)} // the divisor may be 0 within its error
	}
	return m.round(q, (a.e+math.Abs(q)*b.e)/(math.Abs(b.v)-b.e), a, b)
}

func (m errModel) sqrt(a ev) ev {
	s := math.Sqrt(a.v)
	if a.e > 0 && a.v-a.e <= 0 {
		return ev{s, math.Inf(1)} // the argument may be negative: NaN
	}
	if a.e == 0 {
		return m.round(s, 0, a)
	}
	return m.round(s, a.e/(s+math.Sqrt(a.v-a.e)), a)
}

// max2 is exact: no rounding term.
func (m errModel) max2(a, b ev) ev {
	v := maxNaN(a.v, b.v)
	if v != v && !math.IsInf(a.e, 1) && !math.IsInf(b.e, 1) {
		return ev{v, 0}
	}
	return ev{v, math.Max(a.e, b.e)}
}

// decayed returns d = g (+ wd·p) as the kernels compute it.
func (m errModel) decayed(p, g, wd float64) ev {
	if wd == 0 {
		return exactV(g)
	}
	return m.add(exactV(g), m.mul(exactV(wd), exactV(p)))
}

// AdamBounds returns the error bounds (before UpdateSlack) of the outputs
// p, m, v and, with amsgrad, vmax of one AdamStep on these inputs (widened
// from T); bvmax is nil without amsgrad.
func AdamBounds[T kernels.Float](p, g, m, v, vmax []float64, o AdamOpts) (bp, bm, bv, bvmax []float64) {
	em := updateModel[T]()
	n := len(p)
	bp, bm, bv = make([]float64, n), make([]float64, n), make([]float64, n)
	if vmax != nil {
		bvmax = make([]float64, n)
	}
	c1 := em.sub(exactV(1), exactV(o.Beta1))
	c2 := em.sub(exactV(1), exactV(o.Beta2))
	for i := range p {
		d := em.decayed(p[i], g[i], o.WeightDecay)
		pp := exactV(p[i])
		if o.Decay != 1 {
			pp = em.mul(pp, exactV(o.Decay))
		}
		mi := em.flush(em.add(exactV(m[i]), em.mul(c1, em.sub(d, exactV(m[i])))))
		vi := em.flush(em.add(em.mul(exactV(o.Beta2), exactV(v[i])), em.mul(em.mul(c2, d), d)))
		vv := vi
		if vmax != nil {
			vv = em.flush(em.max2(exactV(vmax[i]), vi))
			bvmax[i] = vv.e
		}
		den := em.add(em.div(em.sqrt(vv), exactV(o.BC2Sqrt)), exactV(o.Eps))
		pn := em.sub(pp, em.mul(exactV(o.StepSize), em.div(mi, den)))
		bp[i], bm[i], bv[i] = pn.e, mi.e, vi.e
	}
	return bp, bm, bv, bvmax
}

// SGDBounds returns the error bounds of the outputs p and (with momentum)
// buf of one SGDStep.
func SGDBounds[T kernels.Float](p, g, buf []float64, o SGDOpts) (bp, bbuf []float64) {
	em := updateModel[T]()
	n := len(p)
	bp = make([]float64, n)
	if o.Momentum != 0 {
		bbuf = make([]float64, n)
	}
	damp := em.sub(exactV(1), exactV(o.Dampening))
	mu := exactV(o.Momentum)
	for i := range p {
		d := em.decayed(p[i], g[i], o.WeightDecay)
		if o.Momentum != 0 {
			b := d
			if !o.First {
				b = em.add(em.mul(mu, exactV(buf[i])), em.mul(damp, d))
			}
			b = em.flush(b)
			bbuf[i] = b.e
			if o.Nesterov {
				d = em.add(d, em.mul(mu, b))
			} else {
				d = b
			}
		}
		bp[i] = em.sub(exactV(p[i]), em.mul(exactV(o.LR), d)).e
	}
	return bp, bbuf
}

// RMSpropBounds returns the error bounds of the outputs p, sq, gavg (if
// Centered) and buf (if Momentum != 0) of one RMSpropStep.
func RMSpropBounds[T kernels.Float](p, g, sq, gavg, buf []float64, o RMSpropOpts) (bp, bsq, bgavg, bbuf []float64) {
	em := updateModel[T]()
	n := len(p)
	bp, bsq = make([]float64, n), make([]float64, n)
	if o.Centered {
		bgavg = make([]float64, n)
	}
	if o.Momentum != 0 {
		bbuf = make([]float64, n)
	}
	c := em.sub(exactV(1), exactV(o.Alpha))
	for i := range p {
		d := em.decayed(p[i], g[i], o.WeightDecay)
		s := em.flush(em.add(em.mul(exactV(o.Alpha), exactV(sq[i])), em.mul(em.mul(c, d), d)))
		bsq[i] = s.e
		var avg ev
		if o.Centered {
			ga := em.flush(em.add(exactV(gavg[i]), em.mul(c, em.sub(d, exactV(gavg[i])))))
			bgavg[i] = ga.e
			avg = em.add(em.sqrt(em.sub(s, em.mul(ga, ga))), exactV(o.Eps))
		} else {
			avg = em.add(em.sqrt(s), exactV(o.Eps))
		}
		q := em.div(d, avg)
		if o.Momentum != 0 {
			q = em.flush(em.add(em.mul(exactV(o.Momentum), exactV(buf[i])), q))
			bbuf[i] = q.e
		}
		bp[i] = em.sub(exactV(p[i]), em.mul(exactV(o.LR), q)).e
	}
	return bp, bsq, bgavg, bbuf
}

// AdagradBounds returns the error bounds of the outputs p and sum of one
// AdagradStep.
func AdagradBounds[T kernels.Float](p, g, sum []float64, o AdagradOpts) (bp, bsum []float64) {
	em := updateModel[T]()
	n := len(p)
	bp, bsum = make([]float64, n), make([]float64, n)
	for i := range p {
		d := em.decayed(p[i], g[i], o.WeightDecay)
		s := em.add(exactV(sum[i]), em.mul(d, d))
		bsum[i] = s.e
		q := em.div(d, em.add(em.sqrt(s), exactV(o.Eps)))
		bp[i] = em.sub(exactV(p[i]), em.mul(exactV(o.LR), q)).e
	}
	return bp, bsum
}

// CheckUpdate checks one output element of an update kernel: got within
// UpdateSlack·bound of ref (bound from the *Bounds functions), NaN where
// the reference is NaN with a finite bound, anything where the bound is
// +Inf.
func CheckUpdate[T kernels.Float](c Case, i int, input string, got T, ref, bound float64) error {
	p := precOf[T]()
	g := float64(got)
	if same(g, round[T](ref)) || math.IsInf(bound, 1) {
		return nil
	}
	if ref != ref {
		return &Mismatch{c, i, input, g, ref, "want NaN (a NaN input or an invalid operation)"}
	}
	tol := UpdateSlack * bound
	if d := absDistance(p, g, ref); !(d <= tol) {
		return &Mismatch{c, i, input, g, ref, fmt.Sprintf("|diff| %.3g > %d·running error bound %.3g (%.3g ULP)", d, UpdateSlack, bound, d/ulpOf(p, ref))}
	}
	return nil
}
