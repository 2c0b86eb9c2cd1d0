package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmMid: the levels with a mid tile (AVX-512: 8 rows) take it for the
// small squares it fills better (32³, 64³), and every product it is chosen
// for matches the reference, with A and B read in place and packed, for all
// transpose pairs, at the row and column edges of its tile and across a KC
// block; and its split over goroutines gives the same bits.
func TestGemmMid(t *testing.T) {
	defer func() { gemmDirect = true }()
	forEachLevel(t, func(t *testing.T) {
		g32, g64 := table[float32]().gemm, table[float64]().gemm
		if g32.mid == nil {
			t.Skip("no mid tile")
		}
		for _, s := range []int{32, 64} {
			if g := g32.choose(s, s, s); g != g32.mid {
				t.Errorf("f32 %d³: %d×%d tile, want the mid %d×%d", s, g.mr, g.nr, g32.mid.mr, g32.mid.nr)
			}
			if g := g64.choose(s, s, s); g != g64.mid {
				t.Errorf("f64 %d³: %d×%d tile, want the mid %d×%d", s, g.mr, g.nr, g64.mid.mr, g64.mid.nr)
			}
		}
		rng := rand.New(rand.NewPCG(31, 32))
		// m: whole tiles, a partial last tile; n: whole panels of the f32
		// and f64 tiles, partial ones; k: short, unrolled tails, two KC
		// blocks (g.kc = 512).
		ms := []int{8, 16, 31, 32, 63, 64, 72}
		ns := []int{5, 16, 32, 40, 64, 97}
		ks := []int{1, 3, 17, 64, 600}
		chosen := 0
		for _, direct := range []bool{true, false} {
			gemmDirect = direct
			for _, p := range transPairs {
				for _, m := range ms {
					n, k := ns[rng.IntN(len(ns))], ks[rng.IntN(len(ks))]
					if g32.choose(m, n, k) != g32.mid && g64.choose(m, n, k) != g64.mid {
						continue
					}
					chosen++
					for _, sc := range [][2]float64{{1, 0}, {0.5, -1}} {
						tc := gemmCase{tA: p[0], tB: p[1], m: m, n: n, k: k, alpha: sc[0], beta: sc[1],
							padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3), nanC: sc[1] == 0}
						checkGemmCase[float32](t, rng, tc)
						checkGemmCase[float64](t, rng, tc)
					}
				}
			}
		}
		if chosen < 40 {
			t.Errorf("the mid tile ran %d cases, want at least 40", chosen)
		}
		gemmDirect = true
		testMidThreadsBitwise[float32](t, rng)
		testMidThreadsBitwise[float64](t, rng)
	})
}

func testMidThreadsBitwise[T Float](t *testing.T, rng *rand.Rand) {
	defer func(v int) { gemmMinPerThread = v }(gemmMinPerThread)
	gemmMinPerThread = 1 << 10
	g := table[T]().gemm
	const m, n, k = 56, 96, 70
	if g.choose(m, n, k) != g.mid {
		t.Fatalf("%d×%d×%d does not take the mid tile", m, n, k)
	}
	a := make([]T, m*k)
	b := make([]T, k*n)
	c0 := make([]T, m*n)
	for _, s := range [][]T{a, b, c0} {
		for i := range s {
			s[i] = T(rng.NormFloat64())
		}
	}
	for _, p := range transPairs {
		sameForThreads(t, g, p, m, n, k, a, b, c0, 4)
	}
}

// TestGemmWholeTiles: the shortcut for small products of whole tiles
// (wholeTiles) sets the same bits as the packed path, for every tile of
// every level, beta 0 (C's NaNs not read) and not, and writes nothing of C
// outside the product (its row padding).
func TestGemmWholeTiles(t *testing.T) {
	defer func() { gemmDirect = true }()
	forEachLevel(t, func(t *testing.T) {
		testGemmWholeTiles[float32](t)
		testGemmWholeTiles[float64](t)
	})
}

func testGemmWholeTiles[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	top := table[T]().gemm
	ran := 0
	for _, g := range []*gemmKernel[T]{top, top.mid, top.narrow} {
		if g == nil {
			continue
		}
		for _, s := range [][3]int{{1, 1, 1}, {2, 1, 37}, {3, 2, 4}, {1, 3, g.kc}} {
			m, n, k := s[0]*g.mr, s[1]*g.nr, s[2]
			lda, ldb, ldc := k+1, n+3, n+2
			a := make([]T, m*lda)
			b := make([]T, k*ldb)
			for _, x := range [][]T{a, b} {
				for i := range x {
					x[i] = T(rng.NormFloat64())
				}
			}
			for _, beta := range []T{0, -0.5} {
				c0 := make([]T, m*ldc)
				for i := range c0 {
					c0[i] = T(rng.NormFloat64())
					if beta == 0 || i%ldc >= n {
						c0[i] = T(math.NaN())
					}
				}
				gemmDirect = true
				got := append([]T(nil), c0...)
				if !g.wholeTiles(false, false, m, n, k, 1.25, a, lda, b, ldb, beta, got, ldc) {
					if g.microRowsTiles != nil {
						t.Fatalf("%s %d×%d tile, %d×%d×%d: wholeTiles declined", ISA(), g.mr, g.nr, m, n, k)
					}
					continue
				}
				ran++
				gemmDirect = false
				want := append([]T(nil), c0...)
				g.runThreads(1, false, false, m, n, k, 1.25, a, lda, b, ldb, beta, want, ldc)
				for i := range got {
					if i%ldc >= n {
						if !math.IsNaN(float64(got[i])) {
							t.Fatalf("%s %d×%d tile, %d×%d×%d: c[%d] in the padding written", ISA(), g.mr, g.nr, m, n, k, i)
						}
						continue
					}
					if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
						t.Fatalf("%s %d×%d tile, %d×%d×%d beta=%v: c[%d] = %g, packed %g", ISA(), g.mr, g.nr, m, n, k, beta, i, got[i], want[i])
					}
				}
			}
		}
	}
	if top.microRowsTiles != nil && ran == 0 {
		t.Errorf("%s: wholeTiles never ran", ISA())
	}
}
