package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
)

// BatchNorm1d normalises each feature over the batch (Ioffe & Szegedy,
// 2015), as torch.nn.BatchNorm1d: in training mode with the batch's mean
// and biased variance, updating running estimates (momentum 0.1, the
// running variance unbiased); in evaluation mode with the running
// estimates. Gamma starts at 1 and Beta at 0.
type BatchNorm1d[T autodiff.Float] struct {
	Gamma, Beta             *autodiff.Tensor[T]
	RunningMean, RunningVar []T
	Momentum, Eps           T
	training                bool
}

// NewBatchNorm1d returns a BatchNorm1d over features columns, in training
// mode.
func NewBatchNorm1d[T autodiff.Float](features int) *BatchNorm1d[T] {
	if features < 1 {
		panic(fmt.Sprintf("nn: NewBatchNorm1d: features=%d, want >= 1", features))
	}
	b := &BatchNorm1d[T]{
		Gamma: autodiff.Param[T](features), Beta: autodiff.Param[T](features),
		RunningMean: make([]T, features), RunningVar: make([]T, features),
		Momentum: 0.1, Eps: 1e-5, training: true,
	}
	for i := range b.Gamma.Data {
		b.Gamma.Data[i] = 1
		b.RunningVar[i] = 1
	}
	return b
}

// Forward normalises x (batch × features). In training mode it panics on a
// batch of fewer than 2 rows, as torch does.
func (b *BatchNorm1d[T]) Forward(tp *autodiff.Tape[T], x *autodiff.Tensor[T]) *autodiff.Tensor[T] {
	if !b.training {
		return tp.BatchNormEval(x, b.Gamma, b.Beta, b.RunningMean, b.RunningVar, b.Eps)
	}
	if m := x.Rows(); m < 2 {
		// As torch: the variance of one row is 0, the output would be Beta
		// whatever x is, and the running variance would decay to 0.
		panic(fmt.Sprintf("nn: BatchNorm1d: batch of %d rows in training mode: want at least 2 (use drop-last batches, or evaluation mode)", m))
	}
	y, mean, variance := tp.BatchNorm(x, b.Gamma, b.Beta, b.Eps)
	m := x.Rows()
	kernels.Scale(1-b.Momentum, b.RunningMean)
	kernels.Axpy(b.Momentum, mean, b.RunningMean)
	unbias := T(m) / T(m-1)
	kernels.Scale(1-b.Momentum, b.RunningVar)
	kernels.Axpy(b.Momentum*unbias, variance, b.RunningVar)
	return y
}

// Params returns Gamma and Beta (the running estimates are not trained).
func (b *BatchNorm1d[T]) Params() []*autodiff.Tensor[T] {
	return []*autodiff.Tensor[T]{b.Gamma, b.Beta}
}

// SetTraining switches between batch statistics (true) and running ones.
func (b *BatchNorm1d[T]) SetTraining(training bool) { b.training = training }

// Dropout zeroes each activation with probability P in training mode and
// scales the survivors by 1/(1−P); in evaluation mode it is the identity.
// Its masks come from its own generator, seeded at construction, so a run
// is reproducible.
type Dropout[T autodiff.Float] struct {
	P        float64
	src      *rand.PCG
	rng      *rand.Rand
	training bool
}

// NewDropout returns a Dropout layer with drop probability p in [0, 1) and
// a generator seeded with seed, in training mode.
func NewDropout[T autodiff.Float](p float64, seed uint64) *Dropout[T] {
	if !(p >= 0 && p < 1) {
		panic(fmt.Sprintf("nn: NewDropout: p=%v, want [0, 1)", p))
	}
	src := rand.NewPCG(seed, 0x64726f70)
	return &Dropout[T]{P: p, src: src, rng: rand.New(src), training: true}
}

// MarshalBinary saves the state of the mask generator, so that a run
// resumed from a checkpoint draws the masks it would have drawn.
func (d *Dropout[T]) MarshalBinary() ([]byte, error) { return d.src.MarshalBinary() }

// UnmarshalBinary restores the mask generator saved by MarshalBinary.
func (d *Dropout[T]) UnmarshalBinary(data []byte) error {
	if err := d.src.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("nn: restore Dropout: %w", err)
	}
	return nil
}

// Forward applies the mask in training mode and returns x unchanged in
// evaluation mode.
func (d *Dropout[T]) Forward(tp *autodiff.Tape[T], x *autodiff.Tensor[T]) *autodiff.Tensor[T] {
	if !d.training || d.P == 0 {
		return x
	}
	return tp.Dropout(x, d.P, d.rng)
}

// Params returns nil: dropout has nothing to train.
func (d *Dropout[T]) Params() []*autodiff.Tensor[T] { return nil }

// SetTraining switches the mask on (true) or off.
func (d *Dropout[T]) SetTraining(training bool) { d.training = training }
