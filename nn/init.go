package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descentlab/descent/autodiff"
)

// Init is a weight initialiser: a distribution whose scale follows from a
// layer's fan-in and fan-out.
type Init struct {
	name   string
	normal bool
	// scale returns the uniform bound or the normal standard deviation.
	scale func(fanIn, fanOut int) float64
}

// The initialisers of Glorot & Bengio (2010) and He et al. (2015), as
// torch.nn.init computes them with its default gain (1 for Xavier, √2, the
// ReLU gain, for He in fan-in mode):
var (
	// XavierUniform: U(−a, a), a = √(6/(fanIn+fanOut)).
	XavierUniform = Init{"xavier-uniform", false, func(i, o int) float64 { return math.Sqrt(6 / float64(i+o)) }}
	// XavierNormal: N(0, σ²), σ = √(2/(fanIn+fanOut)).
	XavierNormal = Init{"xavier-normal", true, func(i, o int) float64 { return math.Sqrt(2 / float64(i+o)) }}
	// HeUniform: U(−a, a), a = √(6/fanIn).
	HeUniform = Init{"he-uniform", false, func(i, o int) float64 { return math.Sqrt(6 / float64(i)) }}
	// HeNormal: N(0, σ²), σ = √(2/fanIn).
	HeNormal = Init{"he-normal", true, func(i, o int) float64 { return math.Sqrt(2 / float64(i)) }}
	// ZeroInit: all zeros (biases; a weight matrix of zeros cannot break
	// the symmetry between its units).
	ZeroInit = Init{"zeros", false, func(int, int) float64 { return 0 }}
)

// Normal returns the initialiser N(0, std²) whatever the fans: for
// experiments with a deliberately bad scale.
func Normal(std float64) Init {
	if !(std >= 0) {
		panic(fmt.Sprintf("nn: Normal: std=%v, want >= 0", std))
	}
	return Init{fmt.Sprintf("normal(%g)", std), true, func(int, int) float64 { return std }}
}

// Uniform returns the initialiser U(−bound, bound) whatever the fans.
func Uniform(bound float64) Init {
	if !(bound >= 0) {
		panic(fmt.Sprintf("nn: Uniform: bound=%v, want >= 0", bound))
	}
	return Init{fmt.Sprintf("uniform(%g)", bound), false, func(int, int) float64 { return bound }}
}

// String returns the initialiser's name, as ParseInit reads it.
func (in Init) String() string { return in.name }

// ParseInit returns the initialiser named s: xavier-uniform, xavier-normal,
// he-uniform, he-normal or zeros.
func ParseInit(s string) (Init, error) {
	for _, in := range []Init{XavierUniform, XavierNormal, HeUniform, HeNormal, ZeroInit} {
		if in.name == s {
			return in, nil
		}
	}
	return Init{}, fmt.Errorf("nn: unknown initialiser %q (want xavier-uniform, xavier-normal, he-uniform, he-normal or zeros)", s)
}

// Fill sets every element of t from the initialiser for the given fans,
// drawing from rng (so the same seed gives the same weights).
func Fill[T autodiff.Float](t *autodiff.Tensor[T], in Init, fanIn, fanOut int, rng *rand.Rand) {
	if in.scale == nil {
		panic("nn: Fill: the zero Init; use one of the named initialisers")
	}
	if fanIn < 1 || fanOut < 1 {
		panic(fmt.Sprintf("nn: Fill: fanIn=%d, fanOut=%d, want >= 1", fanIn, fanOut))
	}
	s := in.scale(fanIn, fanOut)
	for i := range t.Data {
		switch {
		case s == 0:
			t.Data[i] = 0
		case in.normal:
			t.Data[i] = T(s * rng.NormFloat64())
		default:
			t.Data[i] = T(s * (2*rng.Float64() - 1))
		}
	}
}
