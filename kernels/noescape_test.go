package kernels

import (
	"testing"
)

// TestStackBuffersDoNotAllocate: the vector kernels take slices of a
// caller's stack arrays without moving them to the heap (noEscape), at
// every level. Each call below declares its arrays afresh, so if any
// argument escaped, every call would allocate them. Gemm is not here: its
// worker goroutines read the operands, so they must live on the heap.
func TestStackBuffersDoNotAllocate(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		stackCalls[float32](t)
		stackCalls[float64](t)
	})
}

// stackN is long enough for every level's main loop and a tail.
const stackN = 67

func stackCalls[T Float](t *testing.T) {
	var sink T
	var isink int
	calls := map[string]func(){
		"Axpy":  func() { var x, y [stackN]T; Axpy(2, x[:], y[:]); sink += y[1] },
		"Scale": func() { var x [stackN]T; Scale(2, x[:]); sink += x[1] },
		"Add":   func() { var d, a, b [stackN]T; Add(d[:], a[:], b[:]); sink += d[1] },
		"Sub":   func() { var d, a, b [stackN]T; Sub(d[:], a[:], b[:]); sink += d[1] },
		"Mul":   func() { var d, a, b [stackN]T; Mul(d[:], a[:], b[:]); sink += d[1] },
		"Div": func() {
			var d, a, b [stackN]T
			b[0] = 1
			Div(d[:], a[:], b[:])
			sink += d[1]
		},
		"AddScalar": func() { var d, a [stackN]T; AddScalar(d[:], a[:], 1); sink += d[1] },
		"MulScalar": func() { var d, a [stackN]T; MulScalar(d[:], a[:], 2); sink += d[1] },
		"Dot":       func() { var x, y [stackN]T; sink += Dot(x[:], y[:]) },
		"Sum":       func() { var x [stackN]T; sink += Sum(x[:]) },
		"Asum":      func() { var x [stackN]T; sink += Asum(x[:]) },
		"Nrm2":      func() { var x [stackN]T; x[3] = 1; sink += Nrm2(x[:]) },
		"Max":       func() { var x [stackN]T; sink += Max(x[:]) },
		"Min":       func() { var x [stackN]T; sink += Min(x[:]) },
		"ArgMax":    func() { var x [stackN]T; x[5] = 1; isink += ArgMax(x[:]) },
		"ArgMin":    func() { var x [stackN]T; x[5] = -1; isink += ArgMin(x[:]) },
		"ReLU":      func() { var d, x [stackN]T; ReLU(d[:], x[:]); sink += d[1] },
		"ReLUGrad":  func() { var d, x, dy [stackN]T; ReLUGrad(d[:], x[:], dy[:]); sink += d[1] },
		"Exp":       func() { var d, x [stackN]T; Exp(d[:], x[:]); sink += d[1] },
		"Log":       func() { var d, x [stackN]T; x[1] = 1; Log(d[:], x[:]); sink += d[1] },
		"Sigmoid":   func() { var d, x [stackN]T; Sigmoid(d[:], x[:]); sink += d[1] },
		"Tanh":      func() { var d, x [stackN]T; Tanh(d[:], x[:]); sink += d[1] },
		"Softmax":   func() { var d, x [stackN - 1]T; Softmax(d[:], x[:], 6); sink += d[1] },
		"LogSoftmax": func() {
			var d, x [stackN - 1]T
			LogSoftmax(d[:], x[:], 6)
			sink += d[1]
		},
		"Softmax/in-place": func() { var x [stackN - 1]T; Softmax(x[:], x[:], 6); sink += x[1] },
		"LogSoftmax/in-place": func() {
			var x [stackN - 1]T
			LogSoftmax(x[:], x[:], 6)
			sink += x[1]
		},
		"Clamp": func() { var d, x [stackN]T; Clamp(d[:], x[:], -1, 1); sink += d[1] },
		"AdamStep": func() {
			var p, g, m, v, vmax [stackN]T
			AdamStep(p[:], g[:], m[:], v[:], vmax[:], AdamArgs[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Decay: 1, StepSize: 0.1, BC2Sqrt: 0.1})
			sink += p[1]
		},
		"SGDStep": func() {
			var p, g, buf [stackN]T
			SGDStep(p[:], g[:], buf[:], SGDArgs[T]{LR: 0.1, Momentum: 0.9})
			sink += p[1]
		},
		"RMSpropStep": func() {
			var p, g, sq, gavg, buf [stackN]T
			RMSpropStep(p[:], g[:], sq[:], gavg[:], buf[:], RMSpropArgs[T]{LR: 0.1, Alpha: 0.99, Eps: 1e-8, Momentum: 0.9, Centered: true})
			sink += p[1]
		},
		"AdagradStep": func() {
			var p, g, sum [stackN]T
			AdagradStep(p[:], g[:], sum[:], AdagradArgs[T]{LR: 0.1, Eps: 1e-10})
			sink += p[1]
		},
	}
	for name, call := range calls {
		call() // warm any pool (LogSoftmax's scratch)
		if a := testing.AllocsPerRun(20, call); a != 0 {
			t.Errorf("%s[%T] with stack arrays: %v allocs per call, want 0", name, sink, a)
		}
	}
	stackSink, stackISink = float64(sink), isink
}

// stackSink and stackISink keep the results live.
var (
	stackSink  float64
	stackISink int
)
