package nn

import (
	"fmt"

	"github.com/descentlab/descent/autodiff"
)

// Layer is one stage of a network: Forward records its operations on tp and
// returns the output; Params lists its trainable tensors (none for an
// activation).
type Layer[T autodiff.Float] interface {
	Forward(tp *autodiff.Tape[T], x *autodiff.Tensor[T]) *autodiff.Tensor[T]
	Params() []*autodiff.Tensor[T]
}

// Mode is implemented by layers that behave differently in training and in
// evaluation (BatchNorm1d, Dropout, and the containers that hold them).
// Layers start in training mode, as in PyTorch.
type Mode interface {
	SetTraining(training bool)
}

// SetTraining puts every layer of l that has a mode into training (true) or
// evaluation (false) mode.
func SetTraining[T autodiff.Float](l Layer[T], training bool) {
	if m, ok := l.(Mode); ok {
		m.SetTraining(training)
	}
}

// Sequential applies its layers in order.
type Sequential[T autodiff.Float] struct {
	Layers []Layer[T]
}

// NewSequential returns the layers in order as one layer.
func NewSequential[T autodiff.Float](layers ...Layer[T]) *Sequential[T] {
	for i, l := range layers {
		if l == nil {
			panic(fmt.Sprintf("nn: NewSequential: layer %d is nil", i))
		}
	}
	return &Sequential[T]{Layers: layers}
}

// Forward runs x through every layer.
func (s *Sequential[T]) Forward(tp *autodiff.Tape[T], x *autodiff.Tensor[T]) *autodiff.Tensor[T] {
	for _, l := range s.Layers {
		x = l.Forward(tp, x)
	}
	return x
}

// Params returns every layer's parameters, in layer order.
func (s *Sequential[T]) Params() []*autodiff.Tensor[T] {
	var ps []*autodiff.Tensor[T]
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// SetTraining sets the mode of every layer that has one.
func (s *Sequential[T]) SetTraining(training bool) {
	for _, l := range s.Layers {
		SetTraining(l, training)
	}
}

// Residual wraps a body whose output has its input's shape: y = x + body(x)
// (He et al., 2016). The identity path carries the gradient past the body
// undiminished, which is what keeps deep networks trainable.
type Residual[T autodiff.Float] struct {
	Body Layer[T]
}

// NewResidual returns x + body(x) as one layer.
func NewResidual[T autodiff.Float](body Layer[T]) *Residual[T] {
	if body == nil {
		panic("nn: NewResidual: body is nil")
	}
	return &Residual[T]{Body: body}
}

// Forward returns x + Body(x); it panics naming both shapes if the body
// changes the shape.
func (r *Residual[T]) Forward(tp *autodiff.Tape[T], x *autodiff.Tensor[T]) *autodiff.Tensor[T] {
	return tp.Add(x, r.Body.Forward(tp, x))
}

// Params returns the body's parameters.
func (r *Residual[T]) Params() []*autodiff.Tensor[T] { return r.Body.Params() }

// SetTraining sets the body's mode.
func (r *Residual[T]) SetTraining(training bool) { SetTraining(r.Body, training) }

// ReLU is the layer max(x, 0).
type ReLU[T autodiff.Float] struct{}

func (ReLU[T]) Forward(tp *autodiff.Tape[T], x *autodiff.Tensor[T]) *autodiff.Tensor[T] {
	return tp.ReLU(x)
}
func (ReLU[T]) Params() []*autodiff.Tensor[T] { return nil }

// Sigmoid is the layer 1/(1+e^−x).
type Sigmoid[T autodiff.Float] struct{}

func (Sigmoid[T]) Forward(tp *autodiff.Tape[T], x *autodiff.Tensor[T]) *autodiff.Tensor[T] {
	return tp.Sigmoid(x)
}
func (Sigmoid[T]) Params() []*autodiff.Tensor[T] { return nil }

// Tanh is the layer tanh(x).
type Tanh[T autodiff.Float] struct{}

func (Tanh[T]) Forward(tp *autodiff.Tape[T], x *autodiff.Tensor[T]) *autodiff.Tensor[T] {
	return tp.Tanh(x)
}
func (Tanh[T]) Params() []*autodiff.Tensor[T] { return nil }
