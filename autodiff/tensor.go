package autodiff

import (
	"fmt"
	"math"

	"github.com/descentlab/descent/kernels"
)

// Float is the element type of a tensor: float32 for speed, float64 for
// gradient checks and scientific use.
type Float = kernels.Float

// gradState says whether a tensor's gradient buffer holds this pass's value.
type gradState uint8

const (
	// gradZero: the buffer's contents are stale and stand for zero; the
	// first contribution overwrites them instead of adding, so that no pass
	// ever clears a buffer it is about to overwrite.
	gradZero gradState = iota
	gradSet
)

// Tensor is a scalar, a vector or a row-major matrix of T, with a gradient
// when it takes part in differentiation. Data may be read and written
// freely; the shape is fixed at creation.
type Tensor[T Float] struct {
	Data []T

	grad      []T
	dims      [2]int
	ndim      int
	needsGrad bool
	state     gradState
}

// New returns a tensor of the given shape (none for a scalar, [n] for a
// vector, [rows, cols] for a matrix) that uses data as its storage. It
// panics if len(data) is not the product of the shape.
func New[T Float](data []T, shape ...int) *Tensor[T] {
	t := &Tensor[T]{Data: data}
	t.setShape("New", shape)
	if len(data) != t.Len() {
		panic(fmt.Sprintf("autodiff: New: len(data)=%d does not match shape %v (%d elements)", len(data), shape, t.Len()))
	}
	return t
}

// Zeros returns a new tensor of zeros of the given shape.
func Zeros[T Float](shape ...int) *Tensor[T] {
	t := &Tensor[T]{}
	t.setShape("Zeros", shape)
	t.Data = make([]T, t.Len())
	return t
}

// Scalar returns a new scalar tensor holding v.
func Scalar[T Float](v T) *Tensor[T] { return New([]T{v}) }

// Param returns a new tensor of the given shape that requires a gradient:
// a trainable parameter, zero until initialised.
func Param[T Float](shape ...int) *Tensor[T] { return Zeros[T](shape...).RequireGrad() }

func (t *Tensor[T]) setShape(op string, shape []int) {
	if len(shape) > 2 {
		panic(fmt.Sprintf("autodiff: %s: shape %v has %d dimensions; tensors are scalars, vectors or matrices", op, shape, len(shape)))
	}
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("autodiff: %s: negative dimension in shape %v", op, shape))
		}
	}
	t.ndim = copy(t.dims[:], shape)
}

// RequireGrad marks t as needing a gradient (allocating its buffer) and
// returns t. Ops on tensors that need gradients record their backward step.
func (t *Tensor[T]) RequireGrad() *Tensor[T] {
	if !t.needsGrad {
		t.needsGrad = true
		t.grad = make([]T, len(t.Data))
		t.state = gradZero
	}
	return t
}

// RequiresGrad reports whether t takes part in differentiation.
func (t *Tensor[T]) RequiresGrad() bool { return t.needsGrad }

// Grad returns the gradient accumulated in t since its last ZeroGrad (zeros
// if nothing has been accumulated), or nil if t does not require a gradient.
// The slice is t's own buffer: an optimizer reads it in place.
func (t *Tensor[T]) Grad() []T {
	if !t.needsGrad {
		return nil
	}
	if t.state == gradZero {
		clear(t.grad)
		t.state = gradSet
	}
	return t.grad
}

// ZeroGrad resets t's gradient to zero. It does not touch memory: the next
// contribution overwrites the buffer, so clearing costs nothing per step.
func (t *Tensor[T]) ZeroGrad() { t.state = gradZero }

// Shape returns t's dimensions: empty for a scalar, [n] for a vector,
// [rows, cols] for a matrix. The slice must not be modified.
func (t *Tensor[T]) Shape() []int { return t.dims[:t.ndim] }

// Len returns the number of elements.
func (t *Tensor[T]) Len() int {
	n := 1
	for _, d := range t.dims[:t.ndim] {
		n *= d
	}
	return n
}

// Rows returns the number of rows of t seen as a matrix: 1 for a scalar or a
// vector.
func (t *Tensor[T]) Rows() int {
	if t.ndim == 2 {
		return t.dims[0]
	}
	return 1
}

// Cols returns the number of columns of t seen as a matrix: the length of a
// vector, 1 for a scalar.
func (t *Tensor[T]) Cols() int {
	switch t.ndim {
	case 2:
		return t.dims[1]
	case 1:
		return t.dims[0]
	}
	return 1
}

// Item returns the value of a one-element tensor; it panics otherwise.
func (t *Tensor[T]) Item() T {
	if len(t.Data) != 1 {
		panic(fmt.Sprintf("autodiff: Item of a tensor of shape %v", t.Shape()))
	}
	return t.Data[0]
}

// String describes t's shape (not its data), e.g. "Tensor[64 10]".
func (t *Tensor[T]) String() string { return fmt.Sprintf("Tensor%v", t.Shape()) }

// CheckFinite returns an error naming what if any element of t is NaN or
// ±Inf: the check a training loop makes on its loss before an optimizer step,
// so that one bad batch does not poison the weights.
func CheckFinite[T Float](what string, t *Tensor[T]) error {
	for i, v := range t.Data {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			if len(t.Data) == 1 {
				return fmt.Errorf("autodiff: %s is %v", what, f)
			}
			return fmt.Errorf("autodiff: %s[%d] is %v", what, i, f)
		}
	}
	return nil
}
