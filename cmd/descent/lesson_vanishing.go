package main

import (
	"fmt"
	"io"
	"math/rand/v2"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/nn"
	"github.com/descentlab/descent/optim"
)

// The vanishing lesson trains four 16-layer networks of width 32 on the
// digits (64 → 32 → … → 32 → 10, sixteen weight matrices), alike but for
// what sits between the Linear layers:
//
//	sigmoid         Linear → Sigmoid, Xavier-uniform weights (Glorot's setting)
//	relu            Linear → ReLU, He-normal weights
//	relu+batchnorm  Linear → BatchNorm1d → ReLU, He-normal weights
//	residual        x + Linear(ReLU(BatchNorm1d(x))) blocks (pre-activation,
//	                He et al. 2016), He-normal weights
//
// The sigmoid's derivative is at most 1/4, so every layer the gradient
// passes back through shrinks it by about that much: the first layer of the
// sigmoid network gets almost nothing and does not learn.
const (
	lessonVanDepth = 16 // weight matrices
	lessonVanWidth = 32
	lessonVanBatch = 32
	lessonVanLR    = 0.02
	lessonVanMu    = 0.9
)

var lessonVanKinds = []string{"sigmoid", "relu", "relu+batchnorm", "residual"}

// lessonDeepNet builds the network of a kind and returns it with its
// weight matrices in order from the input.
func lessonDeepNet(kind string, rng *rand.Rand) (nn.Layer[float32], []*autodiff.Tensor[float32]) {
	const in, classes, w, depth = 64, 10, lessonVanWidth, lessonVanDepth
	init := nn.HeNormal
	if kind == "sigmoid" {
		init = nn.XavierUniform
	}
	var layers []nn.Layer[float32]
	var ws []*autodiff.Tensor[float32]
	linear := func(a, b int) *nn.Linear[float32] {
		l := nn.NewLinear[float32](a, b, init, rng)
		ws = append(ws, l.W)
		return l
	}
	switch kind {
	case "residual":
		layers = append(layers, linear(in, w))
		for range depth - 2 {
			layers = append(layers, nn.NewResidual[float32](nn.NewSequential[float32](
				nn.NewBatchNorm1d[float32](w), nn.ReLU[float32]{}, linear(w, w))))
		}
		layers = append(layers, nn.NewBatchNorm1d[float32](w), nn.ReLU[float32]{})
	default:
		for i := range depth - 1 {
			fanIn := w
			if i == 0 {
				fanIn = in
			}
			layers = append(layers, linear(fanIn, w))
			switch kind {
			case "sigmoid":
				layers = append(layers, nn.Sigmoid[float32]{})
			case "relu":
				layers = append(layers, nn.ReLU[float32]{})
			case "relu+batchnorm":
				layers = append(layers, nn.NewBatchNorm1d[float32](w), nn.ReLU[float32]{})
			default:
				panic("lesson: unknown network kind " + kind)
			}
		}
	}
	layers = append(layers, linear(w, classes))
	return nn.NewSequential(layers...), ws
}

type lessonVanRun struct {
	kind      string
	gradNorms []float64 // ‖∂L/∂W‖ of each weight matrix on the first batch
	run       *lessonRun
}

type lessonVanResult struct {
	epochs, steps, stepsPerEpoch int
	runs                         []*lessonVanRun
}

func lessonVanishing(cfg lessonConfig) *lessonVanResult {
	train, _ := nn.Digits()
	r := &lessonVanResult{epochs: 10, stepsPerEpoch: train.Len() / lessonVanBatch}
	if cfg.quick {
		r.epochs = 1
	}
	r.steps = r.epochs * r.stepsPerEpoch
	for _, kind := range lessonVanKinds {
		rng := rand.New(rand.NewPCG(cfg.seed, 0x76616e))
		model, ws := lessonDeepNet(kind, rng)
		vr := &lessonVanRun{kind: kind}
		opt := optim.NewSGD(optim.SGDConfig{LR: lessonVanLR, Momentum: lessonVanMu}, optim.Params(model.Params()...))
		loop := &lessonLoop{model: model, opt: opt, data: train, batch: lessonVanBatch, seed: cfg.seed,
			afterBackward: func(step int) {
				if step == 1 {
					for _, w := range ws {
						vr.gradNorms = append(vr.gradNorms, optim.GradNorm([]*autodiff.Tensor[float32]{w}))
					}
				}
			}}
		vr.run = loop.run(r.steps)
		r.runs = append(r.runs, vr)
	}
	return r
}

func (r *lessonVanResult) table(w io.Writer) error {
	fmt.Fprintf(w, "%d weight matrices of width %d on the digits; SGD lr %g momentum %g, batch %d, %d epochs (%d steps)\n",
		lessonVanDepth, lessonVanWidth, lessonVanLR, lessonVanMu, lessonVanBatch, r.epochs, r.steps)
	fmt.Fprintf(w, "gradient norm ‖∂L/∂W‖ of layers 1 (input), 8 and %d (output) on the first batch; training loss\n\n", lessonVanDepth)
	tw := lessonTable(w)
	fmt.Fprintf(tw, "network\tlayer 1\tlayer 8\tlayer %d\tlayer 1 / layer %d\tfirst epoch loss\tlast epoch loss\t\n", lessonVanDepth, lessonVanDepth)
	for _, v := range r.runs {
		g := v.gradNorms
		n := len(v.run.losses)
		fmt.Fprintf(tw, "%s\t%.2e\t%.2e\t%.2e\t%.1e\t%.3f\t%.3f\t\n", v.kind, g[0], g[7], g[len(g)-1], g[0]/g[len(g)-1],
			lessonMean(v.run.losses, 0, r.stepsPerEpoch), lessonMean(v.run.losses, n-r.stepsPerEpoch, n))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nfirst-layer gradient, relu / sigmoid: %.3g×\n", r.runs[1].gradNorms[0]/r.runs[0].gradNorms[0])
	return nil
}

const (
	lessonVanW = 11 * vg.Inch
	lessonVanH = 4.5 * vg.Inch
)

func (r *lessonVanResult) plot(path string) error {
	left := newPlot("gradient norm of each layer's weights, first batch", "layer (1 = input)", "‖∂L/∂W‖")
	lessonLogY(left)
	right := newPlot(fmt.Sprintf("training loss (mean of every %d batches)", max(1, r.stepsPerEpoch/5)), "epoch", "cross-entropy")
	for i, v := range r.runs {
		var xys plotter.XYs
		for l, g := range v.gradNorms {
			xys = append(xys, plotter.XY{X: float64(l + 1), Y: g})
		}
		lessonLine(left, lessonFinite(xys, true), seriesColor(i), vg.Points(1.6), v.kind)
		lessonLine(right, lessonSmooth(v.run.losses, max(1, r.stepsPerEpoch/5), 1/float64(r.stepsPerEpoch)), seriesColor(i), vg.Points(1.4), v.kind)
	}
	left.Legend.Top, left.Legend.Left = false, false
	left.X.Min, left.X.Max = 1, lessonVanDepth
	right.Legend.Top = true
	right.Y.Min = 0
	return lessonSaveTiles([][]*plot.Plot{{left, right}}, lessonVanW, lessonVanH, path)
}

func runLessonVanishing(cfg lessonConfig, w io.Writer) (string, error) {
	r := lessonVanishing(cfg)
	if err := r.table(w); err != nil {
		return "", err
	}
	path := cfg.picture("vanishing")
	return path, r.plot(path)
}
