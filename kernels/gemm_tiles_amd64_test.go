//go:build !purego && !noasm

package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGemmMicroTiles: the kernels that run n tiles down a column of C in
// one call (microTiles, microRowsTiles, microColsTiles) set the same bits
// as n calls of the one-tile kernels, for beta 0 and not, and write
// nothing of C outside the tiles (the columns between them included).
func TestGemmMicroTiles(t *testing.T) {
	for _, l := range []Level{AVX2, AVX512} {
		t.Run(string(l), func(t *testing.T) {
			p := levels[l]
			if p == nil {
				t.Skip("no " + string(l))
			}
			for _, g := range []*gemmKernel[float32]{p.f32.gemm, p.f32.gemm.narrow, p.f32.gemm.mid} {
				if g != nil {
					testGemmMicroTiles(t, g)
				}
			}
			for _, g := range []*gemmKernel[float64]{p.f64.gemm, p.f64.gemm.narrow, p.f64.gemm.mid} {
				if g != nil {
					testGemmMicroTiles(t, g)
				}
			}
		})
	}
}

func testGemmMicroTiles[T Float](t *testing.T, g *gemmKernel[T]) {
	rng := rand.New(rand.NewPCG(21, 22))
	mr, nr := g.mr, g.nr
	fill := func(s []T) {
		for i := range s {
			s[i] = T(rng.NormFloat64())
		}
	}
	for _, n := range []int{1, 2, 5} {
		for _, kc := range []int{1, 3, 4, 5, 17} {
			for _, beta := range []T{0, 0.5} {
				ldc := nr + 3
				c0 := make([]T, (n*mr-1)*ldc+nr)
				fill(c0)
				check := func(name string, got, want []T) {
					t.Helper()
					if !slices.Equal(got, want) {
						t.Fatalf("%d×%d %s n=%d kc=%d beta=%v: tiles differ from one tile at a time", mr, nr, name, n, kc, beta)
					}
				}
				// Packed panels.
				a := make([]T, n*kc*mr)
				b := make([]T, kc*nr)
				fill(a)
				fill(b)
				want, got := slices.Clone(c0), slices.Clone(c0)
				for i := 0; i < n; i++ {
					g.micro(kc, a[i*kc*mr:(i+1)*kc*mr], b, want[i*mr*ldc:i*mr*ldc+(mr-1)*ldc+nr], ldc, 1.5, beta)
				}
				g.microTiles(n, kc, a, b, got, ldc, 1.5, beta)
				check("packed", got, want)
				// A as stored, rows (lda > kc) and B as stored (ldb > nr).
				lda, ldb := kc+2, nr+5
				ar := make([]T, (n*mr-1)*lda+kc)
				br := make([]T, (kc-1)*ldb+nr)
				fill(ar)
				fill(br)
				want, got = slices.Clone(c0), slices.Clone(c0)
				for i := 0; i < n; i++ {
					off := i * mr * lda
					g.microRows(kc, ar[off:off+(mr-1)*lda+kc], lda, br, ldb, want[i*mr*ldc:i*mr*ldc+(mr-1)*ldc+nr], ldc, 1.5, beta)
				}
				g.microRowsTiles(n, kc, ar, lda, br, ldb, got, ldc, 1.5, beta)
				check("rows", got, want)
				// A as stored transposed: op(A)(i, p) = a[p*lda+i].
				lda = n*mr + 3
				ac := make([]T, (kc-1)*lda+n*mr)
				fill(ac)
				want, got = slices.Clone(c0), slices.Clone(c0)
				for i := 0; i < n; i++ {
					off := i * mr
					g.microCols(kc, ac[off:off+(kc-1)*lda+mr], lda, br, ldb, want[i*mr*ldc:i*mr*ldc+(mr-1)*ldc+nr], ldc, 1.5, beta)
				}
				g.microColsTiles(n, kc, ac, lda, br, ldb, got, ldc, 1.5, beta)
				check("cols", got, want)
			}
		}
	}
}
