package kernels

import (
	"fmt"
	"math"
	"unsafe"
)

// Dot returns Σ x[i]*y[i] (BLAS dot), accumulated in T with many
// independent partial sums; len(x) must equal len(y).
func Dot[T Float](x, y []T) T {
	checkLen("Dot", "x", len(x), "y", len(y))
	if len(x) == 0 {
		return 0
	}
	return table[T]().dot(noEscape(x), noEscape(y))
}

// Sum returns Σ x[i]; 0 for an empty slice.
func Sum[T Float](x []T) T {
	if len(x) == 0 {
		return 0
	}
	return table[T]().sum(noEscape(x))
}

// Asum returns Σ |x[i]| (BLAS asum); 0 for an empty slice.
func Asum[T Float](x []T) T {
	if len(x) == 0 {
		return 0
	}
	return table[T]().asum(noEscape(x))
}

// Nrm2 returns the Euclidean norm sqrt(Σ x[i]²) without overflow or
// underflow in the intermediate sum, as BLAS nrm2: Nrm2([]float64{1e300,
// 1e300}) is 1.414e300, not +Inf. It takes one fast pass and, only if that
// sum overflowed or may have underflowed, a second pass scaled by a power
// of two near 1/max|x[i]|. The fast pass sums in float64; the float32 assembly squares
// and adds groups of up to eight vectors in float32 first (relative error
// at most 2.4e-7 of the sum before the square root halves it). Any NaN gives
// NaN; otherwise any ±Inf gives +Inf.
func Nrm2[T Float](x []T) T {
	if len(x) == 0 {
		return 0
	}
	s := table[T]().sumsq(noEscape(x))
	if s <= math.MaxFloat64 && s > sumsqMin[T]() || s != s {
		return T(math.Sqrt(s))
	}
	return T(scaledNrm2(x))
}

// sumsqMin is the smallest fast-pass sum Nrm2 trusts. float64: above
// 2^-900 every square that underflowed was below 2^-1074, so all of them
// together are less than n·2^-174 of the sum. float32 (squared in float32
// by the assembly): a square below 2^-126 is off by at most 2^-150, so
// above 2^-60 all of them together are less than n·2^-90 of the sum.
func sumsqMin[T Float]() float64 {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return 0x1p-60
	}
	return 0x1p-900
}

// scaledNrm2 is the slow, safe path: scale by a power of two near
// 1/max|x[i]|, which is exact (a division by max|x[i]| rounded every term),
// and sum the squares in eight accumulators, so that each term's chain of
// additions is ⌈n/8⌉+3 long, within the bound the fast pass is held to (a
// single running sum, n long, was 27 ULP off at n=186, found by FuzzReduce).
// The factor is applied as two halves so that neither overflows when
// max|x[i]| is subnormal or near MaxFloat64.
func scaledNrm2[T Float](x []T) float64 {
	var amax float64
	for _, v := range x {
		a := math.Abs(float64(v))
		if a != a {
			return math.NaN()
		}
		if a > amax {
			amax = a
		}
	}
	if math.IsInf(amax, 1) {
		return amax
	}
	if amax == 0 {
		return 0
	}
	_, e := math.Frexp(amax) // amax in [2^(e-1), 2^e)
	s1, s2 := math.Ldexp(1, -e/2), math.Ldexp(1, -e-(-e/2))
	var acc [8]float64
	i := 0
	for ; i+8 <= len(x); i += 8 {
		b := x[i : i+8 : i+8]
		for j, v := range b {
			r := float64(v) * s1 * s2
			acc[j] += r * r
		}
	}
	for j, v := range x[i:] {
		r := float64(v) * s1 * s2
		acc[j] += r * r
	}
	sum := ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
	return math.Ldexp(math.Sqrt(sum), e)
}

func checkNonEmpty(fn string, n int) {
	if n == 0 {
		panic(fmt.Sprintf("kernels.%s: len(x)=0: the %s of an empty slice is undefined", fn, fn))
	}
}

// Max returns the largest element of x, or NaN if any element is NaN (as
// math.Max). It panics if x is empty. If the largest value is zero and x
// holds both +0 and -0, which of the two is returned is unspecified (the
// vector instructions return either; math.Max would say +0).
func Max[T Float](x []T) T {
	checkNonEmpty("Max", len(x))
	return table[T]().max(noEscape(x))
}

// Min returns the smallest element of x, or NaN if any element is NaN. It
// panics if x is empty. As for Max, the sign of a zero result is
// unspecified when x holds both +0 and -0.
func Min[T Float](x []T) T {
	checkNonEmpty("Min", len(x))
	return table[T]().min(noEscape(x))
}

// ArgMax returns the index of the first largest element of x, or of the
// first NaN if x holds one (so that x[ArgMax(x)] is Max(x)). It panics if x
// is empty.
func ArgMax[T Float](x []T) int {
	checkNonEmpty("ArgMax", len(x))
	xs := noEscape(x) // a new variable: escape analysis does not follow reassignment
	t := table[T]()
	if t.argmax != nil {
		return checkIndex(xs, t.argmax(xs))
	}
	return checkIndex(xs, t.index(xs, t.max(xs)))
}

// ArgMin returns the index of the first smallest element of x, or of the
// first NaN if x holds one. It panics if x is empty.
func ArgMin[T Float](x []T) int {
	checkNonEmpty("ArgMin", len(x))
	xs := noEscape(x) // a new variable: escape analysis does not follow reassignment
	t := table[T]()
	if t.argmin != nil {
		return checkIndex(xs, t.argmin(xs))
	}
	return checkIndex(xs, t.index(xs, t.min(xs)))
}

// ArgMax and ArgMin find the first element equal to the extreme (or the
// first NaN when it is NaN), which the Max or Min pass just found in x. Both
// passes are vectorised: index stops at the first hit (a scalar scan here
// cost ArgMax 10x its Max pass at n=4096). On AVX2 and AVX-512 both passes
// are one assembly function (argmax, argmin), which saves a call through
// the table and its ABI wrapper: ArgMax float32 at n=1000 from 32.5-37.6
// to 27-29 ns (builds alternated; gen/reduce's extreme). Elsewhere they call
// index themselves, rather than through a helper that did not inline: at
// n=1000 the extra call cost about 0.5 ns of ArgMax's 18.5.
//
// checkIndex returns i, which index found in x.
func checkIndex[T Float](x []T, i int) int {
	if i < len(x) {
		return i
	}
	panic("kernels: internal error: extreme value not found") // unreachable: m is an element of x
}

// goIndex is the generic index: the first x[i] == m, or the first NaN when m
// is NaN; len(x) when there is none.
func goIndex[T Float](x []T, m T) int {
	if m != m {
		for i, v := range x {
			if v != v {
				return i
			}
		}
		return len(x)
	}
	for i, v := range x {
		if v == m {
			return i
		}
	}
	return len(x)
}
