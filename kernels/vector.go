package kernels

// Axpy sets y[i] += alpha*x[i] (BLAS axpy). The assembly levels fuse the
// multiply and add (one rounding). len(x) must equal len(y).
func Axpy[T Float](alpha T, x, y []T) {
	checkLen("Axpy", "x", len(x), "y", len(y))
	checkAlias("Axpy", y, "x", x)
	if len(x) == 0 {
		return
	}
	table[T]().axpy(alpha, x, y)
}

// Scale sets x[i] *= alpha (BLAS scal).
func Scale[T Float](alpha T, x []T) {
	if len(x) == 0 {
		return
	}
	table[T]().scale(alpha, x)
}

func binary[T Float](fn string, dst, a, b []T) {
	checkLen(fn, "dst", len(dst), "a", len(a))
	checkLen(fn, "dst", len(dst), "b", len(b))
	checkAlias(fn, dst, "a", a)
	checkAlias(fn, dst, "b", b)
}

// Add sets dst[i] = a[i] + b[i]. All three lengths must be equal; dst may be
// a or b.
func Add[T Float](dst, a, b []T) {
	binary("Add", dst, a, b)
	if len(dst) > 0 {
		table[T]().add(dst, a, b)
	}
}

// Sub sets dst[i] = a[i] - b[i].
func Sub[T Float](dst, a, b []T) {
	binary("Sub", dst, a, b)
	if len(dst) > 0 {
		table[T]().sub(dst, a, b)
	}
}

// Mul sets dst[i] = a[i] * b[i].
func Mul[T Float](dst, a, b []T) {
	binary("Mul", dst, a, b)
	if len(dst) > 0 {
		table[T]().mul(dst, a, b)
	}
}

// Div sets dst[i] = a[i] / b[i] (IEEE division: x/0 is ±Inf, 0/0 is NaN).
func Div[T Float](dst, a, b []T) {
	binary("Div", dst, a, b)
	if len(dst) > 0 {
		table[T]().div(dst, a, b)
	}
}

func unary[T Float](fn string, dst, a []T) {
	checkLen(fn, "dst", len(dst), "x", len(a))
	checkAlias(fn, dst, "x", a)
}

// AddScalar sets dst[i] = a[i] + s.
func AddScalar[T Float](dst, a []T, s T) {
	unary("AddScalar", dst, a)
	if len(dst) > 0 {
		table[T]().addScalar(dst, a, s)
	}
}

// MulScalar sets dst[i] = a[i] * s.
func MulScalar[T Float](dst, a []T, s T) {
	unary("MulScalar", dst, a)
	if len(dst) > 0 {
		table[T]().mulScalar(dst, a, s)
	}
}
