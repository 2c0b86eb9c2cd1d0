// Package mathconst holds the numerical constants of descent's vectorised
// transcendental kernels, for the generators of every architecture: the
// split of ln 2, the Taylor coefficients and clamp bounds of exp, and the
// fitted tanh polynomial. Both gen/mathfn (amd64) and gen/arm64 read them
// from here, so the two architectures compute the same approximations.
package mathconst

import (
	"math"
	"math/big"
)

// Ln2 returns ln 2 split as hi + lo: hi is ln 2 rounded to the element type
// (size 4 or 8 bytes), lo the rest, so that n·hi is exact for the n exp
// needs. For float64, lo comes from 60 decimal digits of ln 2.
func Ln2(size int) (hi, lo float64) {
	if size == 4 {
		h := float64(float32(math.Ln2))
		return h, math.Ln2 - h
	}
	exact, _, _ := big.ParseFloat("0.693147180559945309417232121458176568075500134360255254120680", 10, 256, big.ToNearestEven)
	h, _ := exact.Float64()
	rest := new(big.Float).SetPrec(256).Sub(exact, new(big.Float).SetFloat64(h))
	l, _ := rest.Float64()
	return h, l
}

// ExpClamp returns bounds beyond which e^x has already underflowed to 0 or
// overflowed to +Inf, and that keep n = round(x·log2e) small enough for
// scaling by 2^n as two normal factors.
func ExpClamp(size int) (lo, hi float64) {
	if size == 4 {
		return -104, 89
	}
	return -746, 710
}

// ExpDegree is the degree of the Taylor polynomial of e^r on |r| <= ln2/2:
// 7 for float32 (truncation 0.35^8/8! = 5e-9, 0.05 ULP), 13 for float64
// (0.35^14/14! = 4e-18, 0.02 ULP), 9 for a float32 result computed in
// float64 (0.35^10/10! = 8e-12).
func ExpDegree(size int, wide bool) int {
	switch {
	case wide:
		return 9
	case size == 4:
		return 7
	}
	return 13
}

// ExpCoef returns the Taylor coefficients 1/k!, k = 0..deg.
func ExpCoef(deg int) []float64 {
	c := make([]float64, deg+1)
	f := 1.0
	for k := 0; k <= deg; k++ {
		if k > 0 {
			f *= float64(k)
		}
		c[k] = 1 / f
	}
	return c
}

// TanhSmall is the bound below which tanh uses its odd polynomial.
const TanhSmall = 0.625

// TanhCoef returns g(z) with tanh(a) = a + a·z·g(z), z = a², on a in
// [0, 0.625], as printed by `go run ./mathfn/fit` (relative error of the
// polynomial with these rounded coefficients: 0.14 ULP for float32, 0.04
// ULP for float64).
func TanhCoef(size int) []float64 {
	if size == 4 {
		return []float64{
			-0.33333328366279602,
			0.13332769274711609,
			-0.053850907832384109,
			0.020997179672122002,
			-0.0060967141762375832,
		}
	}
	return []float64{
		-0.33333333333333331,
		0.13333333333333042,
		-0.053968253967896992,
		0.021869488519008305,
		-0.0088632351032408782,
		0.0035921217511549622,
		-0.0014557754120478055,
		0.00058966065777570434,
		-0.0002375906496055562,
		9.2571161295567687e-05,
		-3.1201101425797396e-05,
		6.485163482793113e-06,
	}
}
