package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
	"github.com/descentlab/descent/nn"
	"github.com/descentlab/descent/optim"
)

// Backprop is one training step of a multilayer perceptron, float32, split
// into the phases whose costs the Baur–Strassen bound relates: the forward
// pass (with the loss), the backward pass, and the optimizer's update; and
// the same step's GEMMs run on their own, to measure what the tape adds
// around them. BenchmarkBackprop and `descent bench` time it.
type Backprop struct {
	Sizes  []int // layer widths, input first: 784, 128, 10
	Batch  int
	model  *nn.Sequential[float32]
	layers []*nn.Linear[float32]
	opt    optim.Optimizer
	tp     *autodiff.Tape[float32]
	x      *autodiff.Tensor[float32]
	labels []int
	loss   *autodiff.Tensor[float32]
	// scratch for the GEMMs-alone run: activations and gradients of each
	// layer, the shapes the step's own GEMMs see.
	acts, grads, wgrads [][]float32
}

// NewBackprop builds the MLP sizes[0]→…→sizes[n−1] (ReLU between layers, He
// initialisation, Adam) and a batch of random inputs and labels, seeded.
// With inputGrad the input batch also requires a gradient, so that backward
// computes the first layer's input gradient too (as it must for a layer
// deeper in a network): then the backward GEMMs do twice the forward's work.
func NewBackprop(sizes []int, batch int, inputGrad bool) *Backprop {
	if len(sizes) < 2 || batch < 1 {
		panic(fmt.Sprintf("bench: NewBackprop: sizes %v, batch %d", sizes, batch))
	}
	rng := rand.New(rand.NewPCG(1, uint64(batch)))
	bp := &Backprop{Sizes: sizes, Batch: batch, tp: autodiff.NewTape[float32]()}
	bp.model = nn.MLP(sizes, func() nn.Layer[float32] { return nn.ReLU[float32]{} }, nn.HeUniform, rng)
	for _, l := range bp.model.Layers {
		if lin, ok := l.(*nn.Linear[float32]); ok {
			bp.layers = append(bp.layers, lin)
		}
	}
	bp.opt = optim.NewAdam(optim.DefaultAdam(), optim.Params(bp.model.Params()...))
	bp.x = autodiff.Zeros[float32](batch, sizes[0])
	for i := range bp.x.Data {
		bp.x.Data[i] = rng.Float32()
	}
	classes := sizes[len(sizes)-1]
	bp.labels = make([]int, batch)
	for i := range bp.labels {
		bp.labels[i] = rng.IntN(classes)
	}
	for i, n := range sizes {
		bp.acts = append(bp.acts, make([]float32, batch*n))
		bp.grads = append(bp.grads, make([]float32, batch*n))
		if i > 0 {
			bp.wgrads = append(bp.wgrads, make([]float32, sizes[i-1]*n))
		}
	}
	copy(bp.acts[0], bp.x.Data)
	if inputGrad {
		bp.x.RequireGrad()
	}
	return bp
}

// Forward records the forward pass and the loss on a reset tape.
func (bp *Backprop) Forward() {
	bp.tp.Reset()
	bp.loss = nn.CrossEntropy(bp.tp, bp.model.Forward(bp.tp, bp.x), bp.labels)
}

// Backward runs the tape backward from the loss of the last Forward.
func (bp *Backprop) Backward() {
	bp.opt.ZeroGrad()
	if err := bp.tp.Backward(bp.loss); err != nil {
		panic(err)
	}
}

// Update is the optimizer's step.
func (bp *Backprop) Update() { bp.opt.Step() }

// Loss returns the loss of the last Forward.
func (bp *Backprop) Loss() float32 { return bp.loss.Item() }

// GEMMs runs exactly the matrix products of one step, on their own: per
// layer the forward X·W, the weight gradient Xᵀ·dY, and the input gradient
// dY·Wᵀ (for the first layer only if its input requires a gradient).
func (bp *Backprop) GEMMs() {
	m := bp.Batch
	for i, l := range bp.layers {
		k, n := bp.Sizes[i], bp.Sizes[i+1]
		kernels.Gemm(kernels.NoTrans, kernels.NoTrans, m, n, k, 1, bp.acts[i], k, l.W.Data, n, 0, bp.acts[i+1], n)
	}
	for i := len(bp.layers) - 1; i >= 0; i-- {
		k, n := bp.Sizes[i], bp.Sizes[i+1]
		kernels.Gemm(kernels.Trans, kernels.NoTrans, k, n, m, 1, bp.acts[i], k, bp.grads[i+1], n, 0, bp.wgrads[i], n)
		if i > 0 || bp.x.RequiresGrad() {
			kernels.Gemm(kernels.NoTrans, kernels.Trans, m, k, n, 1, bp.grads[i+1], n, bp.layers[i].W.Data, n, 0, bp.grads[i], k)
		}
	}
}

// FLOPs returns the floating-point operations of the forward GEMMs (2mnk
// per layer) and of the backward's (twice that, less the first layer's input
// gradient when the input needs none).
func (bp *Backprop) FLOPs() (forward, backward float64) {
	for i := 0; i+1 < len(bp.Sizes); i++ {
		f := 2 * float64(bp.Batch) * float64(bp.Sizes[i]) * float64(bp.Sizes[i+1])
		forward += f
		backward += f
		if i > 0 || bp.x.RequiresGrad() {
			backward += f
		}
	}
	return forward, backward
}

// BenchForward times the forward pass (with the loss): ns/op.
func (bp *Backprop) BenchForward(b *testing.B) {
	bp.Forward()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		bp.Forward()
	}
}

// BenchBackward runs forward then backward each iteration, each timed with
// the monotonic clock, and reports the backward's time alone as ns/op and
// the metric bwd/fwd: backward over forward in the same iterations (the
// Baur–Strassen ratio).
func (bp *Backprop) BenchBackward(b *testing.B) {
	bp.Forward()
	bp.Backward()
	var fwd, bwd time.Duration
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		bp.Forward()
		t1 := time.Now()
		bp.Backward()
		fwd += t1.Sub(t0)
		bwd += time.Since(t1)
		n++
	}
	b.ReportMetric(float64(bwd.Nanoseconds())/float64(n), "ns/op")
	b.ReportMetric(float64(bwd)/float64(fwd), "bwd/fwd")
}

// BenchStep times whole steps (forward, backward, the optimizer's update)
// as ns/op, and in each iteration also the step's GEMMs alone (same shapes
// and operands), reporting gemm-share (GEMM time over step time), step/gemm,
// tape/gemm (forward and backward on the tape over their GEMMs alone: what
// the tape adds), update-share (the optimizer's share of the step) and the
// step's GEMM FLOPs per second of step time.
func (bp *Backprop) BenchStep(b *testing.B) {
	bp.Forward()
	bp.Backward()
	bp.Update()
	var tape, update, gemm time.Duration
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		bp.Forward()
		bp.Backward()
		t1 := time.Now()
		bp.Update()
		t2 := time.Now()
		bp.GEMMs()
		tape += t1.Sub(t0)
		update += t2.Sub(t1)
		gemm += time.Since(t2)
		n++
	}
	step := tape + update
	fwd, bwd := bp.FLOPs()
	b.ReportMetric(float64(step.Nanoseconds())/float64(n), "ns/op")
	b.ReportMetric(float64(gemm)/float64(step), "gemm-share")
	b.ReportMetric(float64(step)/float64(gemm), "step/gemm")
	b.ReportMetric(float64(tape)/float64(gemm), "tape/gemm")
	b.ReportMetric(float64(update)/float64(step), "update-share")
	b.ReportMetric((fwd+bwd)*float64(n)/step.Seconds()/1e9, "GFLOP/s")
}
