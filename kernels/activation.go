package kernels

// ReLU sets dst[i] = x[i] where x[i] > 0 or x[i] is NaN, and +0 elsewhere
// (so ReLU(-0) = +0 and NaN propagates, as in PyTorch).
func ReLU[T Float](dst, x []T) {
	unary("ReLU", dst, x)
	if len(dst) > 0 {
		table[T]().relu(dst, x)
	}
}

// ReLUGrad sets dst[i] = dy[i] where x[i] > 0, and 0 elsewhere (including
// where x[i] is NaN): the backward pass of ReLU with respect to its input x.
func ReLUGrad[T Float](dst, x, dy []T) {
	checkLen("ReLUGrad", "dst", len(dst), "x", len(x))
	checkLen("ReLUGrad", "dst", len(dst), "dy", len(dy))
	checkAlias("ReLUGrad", dst, "x", x)
	checkAlias("ReLUGrad", dst, "dy", dy)
	if len(dst) > 0 {
		table[T]().reluGrad(dst, x, dy)
	}
}

// Exp sets dst[i] = e^x[i]. Special cases as math.Exp: Exp(+Inf) = +Inf,
// Exp(-Inf) = 0, Exp(NaN) = NaN; results overflow to +Inf and underflow
// through the subnormals to 0.
func Exp[T Float](dst, x []T) {
	unary("Exp", dst, x)
	if len(dst) > 0 {
		table[T]().exp(dst, x)
	}
}

// Log sets dst[i] to the natural logarithm of x[i]. Special cases as
// math.Log: Log(+Inf) = +Inf, Log(±0) = -Inf, Log(x < 0) = NaN,
// Log(NaN) = NaN; subnormal inputs are exact inputs, not zero.
func Log[T Float](dst, x []T) {
	unary("Log", dst, x)
	if len(dst) > 0 {
		table[T]().log(dst, x)
	}
}

// Sigmoid sets dst[i] = 1/(1+e^-x[i]), computed as e^x/(1+e^x) for negative
// x so that it neither overflows nor loses relative accuracy in the tail.
// Sigmoid(+Inf) = 1, Sigmoid(-Inf) = 0, Sigmoid(NaN) = NaN.
func Sigmoid[T Float](dst, x []T) {
	unary("Sigmoid", dst, x)
	if len(dst) > 0 {
		table[T]().sigmoid(dst, x)
	}
}

// Tanh sets dst[i] = tanh(x[i]). Special cases as math.Tanh: Tanh(±Inf) =
// ±1, Tanh(±0) = ±0, Tanh(NaN) = NaN.
func Tanh[T Float](dst, x []T) {
	unary("Tanh", dst, x)
	if len(dst) > 0 {
		table[T]().tanh(dst, x)
	}
}
