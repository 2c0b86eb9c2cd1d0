package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descentlab/descent/autodiff"
)

// Linear is the affine layer y = x·W + b for a batch x of rows (batch ×
// in). W is stored in × out, so the forward product is one GEMM without a
// transpose (PyTorch stores out × in and multiplies by Wᵀ; the function is
// the same).
type Linear[T autodiff.Float] struct {
	W *autodiff.Tensor[T] // in × out
	B *autodiff.Tensor[T] // out; nil without a bias
}

// NewLinear returns a Linear layer from in to out features, its weights
// drawn by init from rng and its bias zero.
func NewLinear[T autodiff.Float](in, out int, init Init, rng *rand.Rand) *Linear[T] {
	if in < 1 || out < 1 {
		panic(fmt.Sprintf("nn: NewLinear: in=%d, out=%d, want >= 1", in, out))
	}
	l := &Linear[T]{W: autodiff.Param[T](in, out), B: autodiff.Param[T](out)}
	Fill(l.W, init, in, out, rng)
	return l
}

// Forward returns x·W + b; it panics naming both shapes if x does not have
// in columns.
func (l *Linear[T]) Forward(tp *autodiff.Tape[T], x *autodiff.Tensor[T]) *autodiff.Tensor[T] {
	y := tp.MatMul(x, l.W)
	if l.B != nil {
		y = tp.AddRow(y, l.B)
	}
	return y
}

// Params returns W and, if present, b.
func (l *Linear[T]) Params() []*autodiff.Tensor[T] {
	if l.B == nil {
		return []*autodiff.Tensor[T]{l.W}
	}
	return []*autodiff.Tensor[T]{l.W, l.B}
}

// MLP returns the multilayer perceptron sizes[0] → sizes[1] → … with act
// between the Linear layers (not after the last), weights from init: the
// classic network of the digits and MNIST demos.
func MLP[T autodiff.Float](sizes []int, act func() Layer[T], init Init, rng *rand.Rand) *Sequential[T] {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("nn: MLP: sizes %v, want at least input and output", sizes))
	}
	var layers []Layer[T]
	for i := 0; i+1 < len(sizes); i++ {
		layers = append(layers, NewLinear[T](sizes[i], sizes[i+1], init, rng))
		if i+2 < len(sizes) {
			layers = append(layers, act())
		}
	}
	return NewSequential(layers...)
}
