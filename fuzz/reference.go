// Package fuzz holds naive, obviously correct float64 reference
// implementations of every kernel in package kernels, the error bounds the
// kernels are held to (tolerance.go), and the tests and `go test -fuzz`
// targets that run every kernel at every available instruction-set level
// against the references.
//
// The references take []float64: float32 inputs are widened first (exactly).
// Each one is a plain loop whose doc comment is its formula. Where a plain
// float64 loop would itself be too inaccurate to judge a kernel (the sums),
// the reference computes the exact result with math/big and rounds it once.
package fuzz

import (
	"math"
	"math/big"
)

// Axpy sets y[i] = y[i] + alpha·x[i], computed exactly and rounded once
// (math.FMA). For widened float32 inputs the product is exact in float64, so
// the result is the exact value to within one float64 rounding.
func Axpy(alpha float64, x, y []float64) {
	for i := range x {
		y[i] = math.FMA(alpha, x[i], y[i])
	}
}

// Scale sets x[i] = alpha·x[i].
func Scale(alpha float64, x []float64) {
	for i := range x {
		x[i] *= alpha
	}
}

// Add sets dst[i] = a[i] + b[i].
//
// For widened float32 inputs, float32(Add) is the correctly rounded float32
// sum: rounding to 53 bits and then to 24 is innocuous for +, -, ×, ÷
// because 53 ≥ 2·24+2 (Figueroa, "When is double rounding innocuous?",
// 1995). The same holds for Sub, Mul, Div, AddScalar, MulScalar and Scale.
func Add(dst, a, b []float64) {
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// Sub sets dst[i] = a[i] - b[i].
func Sub(dst, a, b []float64) {
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

// Mul sets dst[i] = a[i] · b[i].
func Mul(dst, a, b []float64) {
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// Div sets dst[i] = a[i] / b[i] (IEEE: x/±0 = ±Inf, 0/0 = NaN).
func Div(dst, a, b []float64) {
	for i := range dst {
		dst[i] = a[i] / b[i]
	}
}

// AddScalar sets dst[i] = a[i] + s.
func AddScalar(dst, a []float64, s float64) {
	for i := range dst {
		dst[i] = a[i] + s
	}
}

// MulScalar sets dst[i] = a[i] · s.
func MulScalar(dst, a []float64, s float64) {
	for i := range dst {
		dst[i] = a[i] * s
	}
}

// exactPrec is enough bits for any sum of up to 2^40 float64 products
// exactly: products span 2^-2148 .. 2^2048, 4196 bits.
const exactPrec = 4300

// exactSum returns Σ terms[i] (term i is p[i]·q[i] when q is not nil, else
// p[i]) computed exactly and rounded once to float64. NaN and infinities are
// resolved first, as IEEE arithmetic would: any NaN, Inf·0 or +Inf + -Inf is
// NaN, otherwise an infinite term decides the sign.
func exactSum(p, q []float64) float64 {
	term := func(i int) float64 {
		if q == nil {
			return p[i]
		}
		return p[i] * q[i] // only used for its class (NaN, ±Inf, finite)
	}
	posInf, negInf := false, false
	for i := range p {
		t := term(i)
		switch {
		case t != t:
			return math.NaN()
		case math.IsInf(t, 1) && (q == nil || !isFinite(p[i]) || !isFinite(q[i])):
			posInf = true
		case math.IsInf(t, -1) && (q == nil || !isFinite(p[i]) || !isFinite(q[i])):
			negInf = true
		}
	}
	switch {
	case posInf && negInf:
		return math.NaN()
	case posInf:
		return math.Inf(1)
	case negInf:
		return math.Inf(-1)
	}
	var s, a, b big.Float
	s.SetPrec(exactPrec)
	a.SetPrec(exactPrec)
	for i := range p {
		if q == nil {
			a.SetFloat64(p[i])
		} else {
			a.SetFloat64(p[i])
			b.SetFloat64(q[i])
			a.Mul(&a, &b) // exact: 106 bits fit in exactPrec
		}
		s.Add(&s, &a) // exact
	}
	f, _ := s.Float64() // one rounding; ±Inf beyond the float64 range
	return f
}

func isFinite(v float64) bool { return !math.IsInf(v, 0) && v == v }

// Dot returns Σ x[i]·y[i], computed exactly (every product and the whole
// sum in math/big) and rounded once to float64.
func Dot(x, y []float64) float64 { return exactSum(x, y[:len(x)]) }

// Sum returns Σ x[i], computed exactly and rounded once to float64; 0 for an
// empty slice.
func Sum(x []float64) float64 { return exactSum(x, nil) }

// Asum returns Σ |x[i]|, computed exactly and rounded once to float64.
func Asum(x []float64) float64 {
	a := make([]float64, len(x))
	for i, v := range x {
		a[i] = math.Abs(v)
	}
	return exactSum(a, nil)
}

// Nrm2 returns sqrt(Σ x[i]²), the sum of squares computed exactly in
// math/big and its square root taken there too, then rounded to float64.
// Any NaN gives NaN; otherwise any ±Inf gives +Inf.
func Nrm2(x []float64) float64 {
	inf := false
	for _, v := range x {
		if v != v {
			return math.NaN()
		}
		if math.IsInf(v, 0) {
			inf = true
		}
	}
	if inf {
		return math.Inf(1)
	}
	var s, a big.Float
	s.SetPrec(exactPrec)
	a.SetPrec(exactPrec)
	for _, v := range x {
		a.SetFloat64(v)
		a.Mul(&a, &a)
		s.Add(&s, &a)
	}
	if s.Sign() == 0 {
		return 0
	}
	// 4300 correct bits before the final rounding: double rounding cannot
	// move the result by anything measurable at the kernels' tolerance.
	s.Sqrt(&s)
	f, _ := s.Float64()
	return f
}

// Max returns the largest element of x, or NaN if any element is NaN. It
// panics on an empty slice, as the kernel does. A maximum of zero may be
// either -0 or +0 (they compare equal).
func Max(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		if v != v {
			return math.NaN()
		}
		if v > m {
			m = v
		}
	}
	return m
}

// Min returns the smallest element of x, or NaN if any element is NaN.
func Min(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		if v != v {
			return math.NaN()
		}
		if v < m {
			m = v
		}
	}
	return m
}

// ArgMax returns the index of the first NaN in x if there is one, else of
// the first element equal to the largest (so -0 and +0 tie, and the first of
// them wins).
func ArgMax(x []float64) int {
	best := 0
	for i, v := range x {
		if v != v {
			return i
		}
		if v > x[best] {
			best = i
		}
	}
	return best
}

// ArgMin returns the index of the first NaN in x if there is one, else of
// the first element equal to the smallest.
func ArgMin(x []float64) int {
	best := 0
	for i, v := range x {
		if v != v {
			return i
		}
		if v < x[best] {
			best = i
		}
	}
	return best
}

// ReLU sets dst[i] = x[i] where x[i] > 0 or x[i] is NaN, and +0 elsewhere
// (ReLU(-0) = +0).
func ReLU(dst, x []float64) {
	for i, v := range x {
		switch {
		case v != v || v > 0:
			dst[i] = v
		default:
			dst[i] = 0
		}
	}
}

// ReLUGrad sets dst[i] = dy[i] where x[i] > 0, and +0 elsewhere (including
// where x[i] is NaN).
func ReLUGrad(dst, x, dy []float64) {
	for i, v := range x {
		if v > 0 {
			dst[i] = dy[i]
		} else {
			dst[i] = 0
		}
	}
}

// Exp sets dst[i] = e^x[i]: math.Exp (error < 1 float64 ULP), except just
// below the overflow threshold, where math.Exp on amd64 wrongly returns
// +Inf for x in (709.43, 709.78] (Go 1.26); there the reference sums the
// Taylor series in math/big (expBig).
func Exp(dst, x []float64) {
	for i, v := range x {
		dst[i] = exp(v)
	}
}

func exp(v float64) float64 {
	if v > 709 && v < 710 {
		return expBig(v)
	}
	return math.Exp(v)
}

// ln2Big is ln 2 to 256 bits: Σ_{k≥1} 1/(k·2^k).
var ln2Big = func() *big.Float {
	const prec = 256
	s := new(big.Float).SetPrec(prec)
	for k := 1; k < 300; k++ {
		t := new(big.Float).SetPrec(prec).SetInt64(1)
		t.SetMantExp(t, -k) // (SetMantExp of a fresh Float would take mant's 53 bits)
		t.Quo(t, new(big.Float).SetPrec(prec).SetInt64(int64(k)))
		s.Add(s, t)
	}
	return s
}()

// expBig returns e^v for moderate v: e^v = 2^k·e^r with r = v - k·ln 2,
// |r| ≤ ½, e^r by its Taylor series, all at 256 bits, rounded once.
func expBig(v float64) float64 {
	const prec = 256
	k := math.Round(v / math.Ln2)
	r := new(big.Float).SetPrec(prec).SetFloat64(k)
	r.Mul(r, ln2Big)
	r.Sub(new(big.Float).SetPrec(prec).SetFloat64(v), r)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := 1; i < 80; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(i)))
		sum.Add(sum, term)
	}
	sum.SetMantExp(sum, int(k))
	f, _ := sum.Float64()
	return f
}

// Log sets dst[i] = ln x[i]: math.Log (error < 1 float64 ULP), Log(±0) =
// -Inf, Log(x < 0) = NaN; except for subnormal x, which math.Log on amd64
// gets wrong (golang/go#56600): there ln x = ln(x·2^100) - 100·ln 2, the
// scaling exact and 100·ln 2 applied in two parts.
func Log(dst, x []float64) {
	for i, v := range x {
		dst[i] = log(v)
	}
}

func log(v float64) float64 {
	if v > 0 && v < 0x1p-1022 {
		return math.FMA(-100, ln2Hi, math.FMA(-100, ln2Lo, math.Log(v*0x1p100)))
	}
	return math.Log(v)
}

// ln2Hi + ln2Lo is ln 2 to about 106 bits.
var (
	ln2Hi, _ = ln2Big.Float64()
	ln2Lo, _ = new(big.Float).Sub(ln2Big, big.NewFloat(ln2Hi)).Float64()
)

// Sigmoid sets dst[i] = 1/(1+e^-x[i]), evaluated as e^x/(1+e^x) for x < 0:
// the textbook form would overflow e^-x and return 0 where the true value
// is a float64 subnormal (x ≈ -740).
func Sigmoid(dst, x []float64) {
	for i, v := range x {
		if v >= 0 || v != v {
			dst[i] = 1 / (1 + exp(-v))
		} else {
			e := exp(v)
			dst[i] = e / (1 + e)
		}
	}
}

// Tanh sets dst[i] = tanh x[i] (math.Tanh).
func Tanh(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Tanh(v)
	}
}

// Softmax treats x as rows of cols elements and sets each row of dst to
// e^(x[j]-m) / Σ_k e^(x[k]-m), m the row's maximum (Max: NaN if the row holds
// one). IEEE arithmetic then gives the kernel's special cases by itself: a
// row holding NaN or +Inf becomes all NaN.
func Softmax(dst, x []float64, cols int) {
	for r := 0; r < len(x); r += cols {
		row, out := x[r:r+cols], dst[r:r+cols]
		m := Max(row)
		var s float64
		for j, v := range row {
			out[j] = exp(v - m)
			s += out[j]
		}
		for j := range out {
			out[j] /= s
		}
	}
}

// LogSoftmax treats x as rows of cols elements and sets each row of dst to
// (x[j]-m) - ln Σ_k e^(x[k]-m), m the row's maximum.
func LogSoftmax(dst, x []float64, cols int) {
	for r := 0; r < len(x); r += cols {
		row, out := x[r:r+cols], dst[r:r+cols]
		m := Max(row)
		var s float64
		for _, v := range row {
			s += exp(v - m)
		}
		lse := log(s)
		for j, v := range row {
			out[j] = (v - m) - lse
		}
	}
}
