package kernels

import "math"

// The pure-Go level. These are the kernels an arm64 or riscv64 user without
// assembly runs, so they are written for speed within what Go allows: four
// independent accumulators (Go emits no SIMD, but four chains hide the FP add
// latency), re-slicing so the compiler drops bounds checks, and 4-way
// unrolling of the streaming loops.

func genericImpl() *impl {
	return &impl{level: Generic, f32: genericOps[float32](), f64: genericOps[float64]()}
}

func genericOps[T Float]() ops[T] {
	return ops[T]{
		axpy:        goAxpy[T],
		scale:       goScale[T],
		dot:         goDot[T],
		sum:         goSum[T],
		asum:        goAsum[T],
		sumsq:       goSumSq[T],
		add:         goAdd[T],
		sub:         goSub[T],
		mul:         goMul[T],
		div:         goDiv[T],
		addScalar:   goAddScalar[T],
		mulScalar:   goMulScalar[T],
		max:         goMax[T],
		min:         goMin[T],
		index:       goIndex[T],
		relu:        goReLU[T],
		reluGrad:    goReLUGrad[T],
		exp:         goExp[T],
		log:         goLog[T],
		sigmoid:     goSigmoid[T],
		tanh:        goTanh[T],
		expShiftSum: goExpShiftSum[T],
		sumExpShift: goSumExpShift[T],
		adam:        goAdam[T],
		sgd:         goSGD[T],
		rmsprop:     goRMSprop[T],
		adagrad:     goAdagrad[T],
		clamp:       goClamp[T],
		gemm:        genericGemm[T](),
	}
}

func goAxpy[T Float](alpha T, x, y []T) {
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs, ys := x[i:i+4:i+4], y[i:i+4:i+4]
		ys[0] += alpha * xs[0]
		ys[1] += alpha * xs[1]
		ys[2] += alpha * xs[2]
		ys[3] += alpha * xs[3]
	}
	for ; i < len(x); i++ {
		y[i] += alpha * x[i]
	}
}

func goScale[T Float](alpha T, x []T) {
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs := x[i : i+4 : i+4]
		xs[0] *= alpha
		xs[1] *= alpha
		xs[2] *= alpha
		xs[3] *= alpha
	}
	for ; i < len(x); i++ {
		x[i] *= alpha
	}
}

func goDot[T Float](x, y []T) T {
	y = y[:len(x)]
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs, ys := x[i:i+4:i+4], y[i:i+4:i+4]
		s0 += xs[0] * ys[0]
		s1 += xs[1] * ys[1]
		s2 += xs[2] * ys[2]
		s3 += xs[3] * ys[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func goSum[T Float](x []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs := x[i : i+4 : i+4]
		s0 += xs[0]
		s1 += xs[1]
		s2 += xs[2]
		s3 += xs[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func abs[T Float](v T) T { return T(math.Abs(float64(v))) }

func goAsum[T Float](x []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs := x[i : i+4 : i+4]
		s0 += abs(xs[0])
		s1 += abs(xs[1])
		s2 += abs(xs[2])
		s3 += abs(xs[3])
	}
	for ; i < len(x); i++ {
		s0 += abs(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// goSumSq accumulates in float64 whatever T is: for float32 input no square
// can overflow or underflow float64, so Nrm2 of float32 needs no scaling.
func goSumSq[T Float](x []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs := x[i : i+4 : i+4]
		a, b, c, d := float64(xs[0]), float64(xs[1]), float64(xs[2]), float64(xs[3])
		s0 += a * a
		s1 += b * b
		s2 += c * c
		s3 += d * d
	}
	for ; i < len(x); i++ {
		v := float64(x[i])
		s0 += v * v
	}
	return (s0 + s1) + (s2 + s3)
}

func goAdd[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

func goSub[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

func goMul[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

func goDiv[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] / b[i]
	}
}

func goAddScalar[T Float](dst, a []T, s T) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + s
	}
}

func goMulScalar[T Float](dst, a []T, s T) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * s
	}
}

// goMax returns NaN if any element is NaN, else the largest element.
func goMax[T Float](x []T) T {
	m0, m1 := x[0], x[0]
	nan := false
	i := 0
	for ; i+2 <= len(x); i += 2 {
		a, b := x[i], x[i+1]
		nan = nan || a != a || b != b
		if a > m0 {
			m0 = a
		}
		if b > m1 {
			m1 = b
		}
	}
	for ; i < len(x); i++ {
		a := x[i]
		nan = nan || a != a
		if a > m0 {
			m0 = a
		}
	}
	if nan {
		return T(math.NaN())
	}
	if m1 > m0 {
		return m1
	}
	return m0
}

func goMin[T Float](x []T) T {
	m0, m1 := x[0], x[0]
	nan := false
	i := 0
	for ; i+2 <= len(x); i += 2 {
		a, b := x[i], x[i+1]
		nan = nan || a != a || b != b
		if a < m0 {
			m0 = a
		}
		if b < m1 {
			m1 = b
		}
	}
	for ; i < len(x); i++ {
		a := x[i]
		nan = nan || a != a
		if a < m0 {
			m0 = a
		}
	}
	if nan {
		return T(math.NaN())
	}
	if m1 < m0 {
		return m1
	}
	return m0
}

// goReLU keeps x where x > 0 or x is NaN, and writes +0 elsewhere.
func goReLU[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i := range dst {
		v := x[i]
		if !(v <= 0) {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

func goReLUGrad[T Float](dst, x, dy []T) {
	x, dy = x[:len(dst)], dy[:len(dst)]
	for i := range dst {
		if x[i] > 0 {
			dst[i] = dy[i]
		} else {
			dst[i] = 0
		}
	}
}

// The transcendental fallbacks go through package math in float64: for
// float32 that is within 1 ULP (one rounding of a result accurate to far
// more bits), and for float64 it is package math's own accuracy (< 1 ULP).

func goExp[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = T(exp64(float64(x[i])))
	}
}

// exp64 is math.Exp, except that math.Exp on amd64 returns +Inf for
// x in (709.43, 709.78] where e^x is finite (observed with Go 1.26): there
// e^x = 2·e^(x-hi)·e^-lo, ln 2 = hi + lo with hi's low 21 bits zero so that
// x - hi is exact, and e^-lo = 1 - lo to within 2^-64.
func exp64(v float64) float64 {
	if v > 709 && v < 710 {
		const ln2Hi, ln2Lo = 6.93147180369123816490e-01, 1.90821492927058770002e-10
		y := math.Exp(v - ln2Hi)
		return 2 * (y - y*ln2Lo)
	}
	return math.Exp(v)
}

func goLog[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = T(log64(float64(x[i])))
	}
}

// log64 is math.Log, except for subnormal inputs, which math.Log on amd64
// gets wrong (golang/go#56600): there log(x) = log(frac) + exp·ln2 with
// x = frac·2^exp and ln2 in two parts.
func log64(v float64) float64 {
	if v > 0 && v < 0x1p-1022 {
		fr, e := math.Frexp(v)
		const ln2lo = 2.319046813846299558e-17 // ln 2 - float64(ln 2)
		return math.FMA(float64(e), math.Ln2, math.FMA(float64(e), ln2lo, math.Log(fr)))
	}
	return math.Log(v)
}

// sigmoid64 is 1/(1+e^-v) computed without overflow or cancellation: for
// v < 0 it uses e^v/(1+e^v), so tiny results keep their relative accuracy.
func sigmoid64(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

func goSigmoid[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = T(sigmoid64(float64(x[i])))
	}
}

func goTanh[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = T(math.Tanh(float64(x[i])))
	}
}

func goExpShiftSum[T Float](dst, x []T, shift T) T {
	x = x[:len(dst)]
	var s T
	for i := range dst {
		e := T(math.Exp(float64(x[i] - shift)))
		dst[i] = e
		s += e
	}
	return s
}

func goSumExpShift[T Float](x []T, shift T) T {
	var s T
	for _, v := range x {
		s += T(math.Exp(float64(v - shift)))
	}
	return s
}
