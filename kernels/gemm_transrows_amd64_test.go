//go:build !purego && !noasm

package kernels

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/descentlab/descent/asm"
)

// TestGemmMicroRowsTrans: GemmMicroRowsTransTiles10x16F32AVX512 sets each
// element of its tiles of T to alpha times the FMAs of the other
// microkernels in order (bit for bit), reads nothing of A or B outside
// their slices (NaN just past them and in A's row padding would show in
// T), and writes nothing of T but its tiles (sentinels between the rows
// and after the last tile). (float64 writes C directly:
// TestGemmMicroRowsTransC.)
func TestGemmMicroRowsTrans(t *testing.T) {
	if _, ok := levels[AVX512]; !ok {
		t.Skip("no AVX-512")
	}
	t.Run("f32", func(t *testing.T) {
		testMicroRowsTrans(t, asm.GemmMicroRowsTransTiles10x16F32AVX512, 16, fma32)
	})
}

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

func testMicroRowsTrans[T Float](t *testing.T, kern func(n, kc int, a []T, lda int, b []T, ldb int, t []T, ldt int, alpha T), M int, fma func(x, y, z T) T) {
	const R = 10 // rows of Cᵀ (columns of C); M columns of Cᵀ per tile
	rng := rand.New(rand.NewPCG(17, 18))
	nan := T(math.NaN())
	for _, n := range []int{1, 2, 3} {
		for _, kc := range []int{1, 2, 7, 8, 9, 15, 16, 17, 23, 64, 101} {
			for _, pad := range []int{0, 3} {
				lda, ldb, ldt := kc+pad, R+pad, n*M+2+pad
				la, lb, lt := (n*M-1)*lda+kc, (kc-1)*ldb+R, (R-1)*ldt+n*M
				abuf := make([]T, la+16)
				bbuf := make([]T, lb+16)
				tbuf := make([]T, lt+16)
				for i := range abuf {
					abuf[i] = nan
				}
				for i := range bbuf {
					bbuf[i] = nan
				}
				for i := range tbuf {
					tbuf[i] = -7.25
				}
				a, b, tt := abuf[:la:la], bbuf[:lb:lb], tbuf[:lt:lt]
				for i := 0; i < n*M; i++ {
					for p := 0; p < kc; p++ {
						a[i*lda+p] = T(rng.NormFloat64())
					}
				}
				for p := 0; p < kc; p++ {
					for j := 0; j < R; j++ {
						b[p*ldb+j] = T(rng.NormFloat64())
					}
				}
				const alpha = -0.75
				kern(n, kc, a, lda, b, ldb, tt, ldt, alpha)
				for j := 0; j < R; j++ {
					for col := 0; col < ldt && j*ldt+col < len(tbuf); col++ {
						got := tbuf[j*ldt+col]
						if col >= n*M {
							if got != -7.25 {
								t.Fatalf("n=%d kc=%d pad=%d: t[%d][%d] outside the tiles written: %g", n, kc, pad, j, col, got)
							}
							continue
						}
						var s T
						for p := 0; p < kc; p++ {
							s = fma(b[p*ldb+j], a[col*lda+p], s)
						}
						if want := alpha * s; math.Float64bits(float64(got)) != math.Float64bits(float64(want)) {
							t.Fatalf("n=%d kc=%d pad=%d: t[%d][%d] = %g, want %g", n, kc, pad, j, col, got, want)
						}
					}
				}
				for i := lt; i < len(tbuf); i++ {
					if tbuf[i] != -7.25 {
						t.Fatalf("n=%d kc=%d pad=%d: t written past its end at %d", n, kc, pad, i)
					}
				}
			}
		}
	}
}
