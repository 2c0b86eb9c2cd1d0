package kernels

// Axpy sets y[i] += alpha*x[i] (BLAS axpy). The assembly levels fuse the
// multiply and add (one rounding). len(x) must equal len(y).
func Axpy[T Float](alpha T, x, y []T) {
	if len(x) != len(y) || partialOverlap(y, x) {
		checkLen("Axpy", "x", len(x), "y", len(y))
		checkAlias("Axpy", y, "x", x)
	}
	if len(x) == 0 {
		return
	}
	table[T]().axpy(alpha, noEscape(x), noEscape(y))
}

// Scale sets x[i] *= alpha (BLAS scal).
func Scale[T Float](alpha T, x []T) {
	if len(x) == 0 {
		return
	}
	table[T]().scale(alpha, noEscape(x))
}

// The public kernels test their arguments inline (a few compares, no
// call) and only call badBinary or badUnary, which find
// the bad argument and panic naming it, when the test fails: for short
// vectors the calls cost a measurable share of the kernel's time.

func badBinary[T Float](fn string, dst, a, b []T) {
	checkLen(fn, "dst", len(dst), "a", len(a))
	checkLen(fn, "dst", len(dst), "b", len(b))
	checkAlias(fn, dst, "a", a)
	checkAlias(fn, dst, "b", b)
}

// Add sets dst[i] = a[i] + b[i]. All three lengths must be equal; dst may be
// a or b.
func Add[T Float](dst, a, b []T) {
	if len(a) != len(dst) || len(b) != len(dst) || partialOverlap(dst, a) || partialOverlap(dst, b) {
		badBinary("Add", dst, a, b)
	}
	if len(dst) > 0 {
		table[T]().add(noEscape(dst), noEscape(a), noEscape(b))
	}
}

// Sub sets dst[i] = a[i] - b[i].
func Sub[T Float](dst, a, b []T) {
	if len(a) != len(dst) || len(b) != len(dst) || partialOverlap(dst, a) || partialOverlap(dst, b) {
		badBinary("Sub", dst, a, b)
	}
	if len(dst) > 0 {
		table[T]().sub(noEscape(dst), noEscape(a), noEscape(b))
	}
}

// Mul sets dst[i] = a[i] * b[i].
func Mul[T Float](dst, a, b []T) {
	if len(a) != len(dst) || len(b) != len(dst) || partialOverlap(dst, a) || partialOverlap(dst, b) {
		badBinary("Mul", dst, a, b)
	}
	if len(dst) > 0 {
		table[T]().mul(noEscape(dst), noEscape(a), noEscape(b))
	}
}

// Div sets dst[i] = a[i] / b[i] (IEEE division: x/0 is ±Inf, 0/0 is NaN).
func Div[T Float](dst, a, b []T) {
	if len(a) != len(dst) || len(b) != len(dst) || partialOverlap(dst, a) || partialOverlap(dst, b) {
		badBinary("Div", dst, a, b)
	}
	if len(dst) > 0 {
		table[T]().div(noEscape(dst), noEscape(a), noEscape(b))
	}
}

func okUnary[T Float](dst, x []T) bool {
	return len(x) == len(dst) && !partialOverlap(dst, x)
}

func badUnary[T Float](fn string, dst, x []T) {
	checkLen(fn, "dst", len(dst), "x", len(x))
	checkAlias(fn, dst, "x", x)
}

// AddScalar sets dst[i] = a[i] + s.
func AddScalar[T Float](dst, a []T, s T) {
	if !okUnary(dst, a) {
		badUnary("AddScalar", dst, a)
	}
	if len(dst) > 0 {
		table[T]().addScalar(noEscape(dst), noEscape(a), s)
	}
}

// MulScalar sets dst[i] = a[i] * s.
func MulScalar[T Float](dst, a []T, s T) {
	if !okUnary(dst, a) {
		badUnary("MulScalar", dst, a)
	}
	if len(dst) > 0 {
		table[T]().mulScalar(noEscape(dst), noEscape(a), s)
	}
}
