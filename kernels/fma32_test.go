package kernels

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// fma32 is x*y+z rounded once to float32: the product is exact in
// float64, and the float64 sum rounded to odd (the neighbour with an odd
// last bit when inexact, from TwoSum's error) rounds to float32 as the
// exact sum would, float64 having more than 24+1 bits.
func fma32(x, y, z float32) float32 {
	p, c := float64(x)*float64(y), float64(z)
	s := p + c
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s)
	}
	v := s - p
	e := (p - (s - v)) + (c - v)
	if e != 0 && math.Float64bits(s)&1 == 0 {
		s = math.Nextafter(s, math.Copysign(math.Inf(1), e))
	}
	return float32(s)
}

// TestFMA32: fma32 against big.Float's exact product and sum, rounded
// once to float32.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for i := 0; i < 200000; i++ {
		x := math.Float32frombits(rng.Uint32())
		y := math.Float32frombits(rng.Uint32())
		z := math.Float32frombits(rng.Uint32())
		if i%2 == 0 { // products near z, where the sum cancels or ties
			z = -float32(float64(x) * float64(y))
			z = math.Float32frombits(math.Float32bits(z) + uint32(rng.IntN(5)) - 2)
		}
		if !finite32(x) || !finite32(y) || !finite32(z) {
			continue
		}
		ex := new(big.Float).SetPrec(200).SetFloat64(float64(x))
		ex.Mul(ex, new(big.Float).SetFloat64(float64(y)))
		ex.Add(ex, new(big.Float).SetFloat64(float64(z)))
		want, _ := ex.Float32() // nearest, ties to even, subnormals included
		got := fma32(x, y, z)
		if math.Float32bits(got) != math.Float32bits(want) && !(got == 0 && want == 0) {
			t.Fatalf("fma32(%g, %g, %g) = %g, want %g", x, y, z, got, want)
		}
	}
}

func finite32(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }
