//go:build !purego && !noasm

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descentlab/descent/asm"
)

// TestGemmMicroRowsTrans: GemmMicroRowsTransTiles10x8F64AVX512 sets each
// element of its tiles of T to alpha times the FMAs of the other
// microkernels in order (bit for bit), reads nothing of A or B outside
// their slices (NaN just past them and in A's row padding would show in
// T), and writes nothing of T but its tiles (sentinels between the rows
// and after the last tile).
func TestGemmMicroRowsTrans(t *testing.T) {
	if _, ok := levels[AVX512]; !ok {
		t.Skip("no AVX-512")
	}
	const R, M = 10, 8 // rows of Cᵀ (columns of C), columns of Cᵀ per tile
	rng := rand.New(rand.NewPCG(17, 18))
	nan := math.NaN()
	for _, n := range []int{1, 2, 3} {
		for _, kc := range []int{1, 2, 7, 8, 9, 15, 16, 17, 23, 64, 101} {
			for _, pad := range []int{0, 3} {
				lda, ldb, ldt := kc+pad, R+pad, n*M+2+pad
				la, lb, lt := (n*M-1)*lda+kc, (kc-1)*ldb+R, (R-1)*ldt+n*M
				abuf := make([]float64, la+8)
				bbuf := make([]float64, lb+8)
				tbuf := make([]float64, lt+8)
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
						a[i*lda+p] = rng.NormFloat64()
					}
				}
				for p := 0; p < kc; p++ {
					for j := 0; j < R; j++ {
						b[p*ldb+j] = rng.NormFloat64()
					}
				}
				const alpha = -0.75
				asm.GemmMicroRowsTransTiles10x8F64AVX512(n, kc, a, lda, b, ldb, tt, ldt, alpha)
				for j := 0; j < R; j++ {
					for col := 0; col < ldt && j*ldt+col < len(tbuf); col++ {
						got := tbuf[j*ldt+col]
						if col >= n*M {
							if got != -7.25 {
								t.Fatalf("n=%d kc=%d pad=%d: t[%d][%d] outside the tiles written: %g", n, kc, pad, j, col, got)
							}
							continue
						}
						var s float64
						for p := 0; p < kc; p++ {
							s = math.FMA(b[p*ldb+j], a[col*lda+p], s)
						}
						if want := alpha * s; math.Float64bits(got) != math.Float64bits(want) {
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
