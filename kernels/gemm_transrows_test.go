package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmTransRowsRoute: the products runTransRows takes (A·B with few
// columns, A read where it lies and transposed in registers) against the
// reference at every level, with row counts on and off the 8-row tiles,
// (8 rows for float64, 16 for float32), every column count up to 17 (10 fills the tile; fewer are padded with a
// copy of B), K on and off the 8-step blocks, padded leading dimensions,
// alpha and beta in {0, 1, -1, 0.5}, and NaN in C where beta is 0.
func TestGemmTransRowsRoute(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		routed, routed32 := 0, 0
		for _, m := range []int{40, 64, 100, 131} {
			for n := 1; n <= 17; n++ {
				for _, k := range []int{16, 23, 64, 101} {
					for _, ab := range [][2]float64{{1, 0}, {0.5, 1}, {-1, -1}, {1, 0.5}} {
						tc := gemmCase{tA: NoTrans, tB: NoTrans, m: m, n: n, k: k, alpha: ab[0], beta: ab[1],
							padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3), nanC: ab[1] == 0}
						checkGemmCase[float32](t, rng, tc)
						checkGemmCase[float64](t, rng, tc)
					}
					if g := table[float64]().gemm; hasTransRows(g) && n <= g.transRowsN && g.transposeWins(m, n, k) {
						routed++
					}
					if g := table[float32]().gemm; hasTransRows(g) && n <= g.transRowsN && g.transposeWins(m, n, k) {
						routed32++
					}
				}
			}
		}
		if (ISA() == AVX512 || ISA() == AVX2) && (routed == 0 || routed32 == 0) {
			t.Errorf("shapes that took the transRows route on %s: %d float64, %d float32", ISA(), routed, routed32)
		}
	})
}

// TestGemmTransRowsBitwise: the transRows route runs the FMAs of the
// direct route in the same order, so it gives C bit for bit, for any
// number of parts (each part ending on a whole tile or on C's last row).
func TestGemmTransRowsBitwise(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		t.Run("f64", testTransRowsBitwise[float64])
		t.Run("f32", testTransRowsBitwise[float32])
	})
}

func testTransRowsBitwise[T Float](t *testing.T) {
	g := table[T]().gemm
	if !hasTransRows(g) {
		t.Skip("no transRows at this level")
	}
	// On AVX2 (transRowsPack) the direct route's partial tiles go through
	// the scratch tile, written back as t + beta·c in Go (two roundings);
	// the transCols kernel stores fma(beta, c, t).
	checkRouteBitwise(t, g, false, g.transRowsC == nil, [][3]int{{64, 128, 10}, {256, 128, 10}, {77, 33, 9}, {203, 250, 10}, {1000, 19, 10}, {45, 800, 7}, {130, 555, 10}},
		func() func() {
			trc, trp := g.transRowsC, g.transRowsPack
			g.transRowsC, g.transRowsPack = nil, nil
			return func() { g.transRowsC, g.transRowsPack = trc, trp }
		})
}

// hasTransRows reports whether g routes A·B with few columns through
// runTransRows, either way (transRowsC, or transRowsPack on transCols).
func hasTransRows[T Float](g *gemmKernel[T]) bool {
	return g.transRowsC != nil || g.transRowsPack != nil
}

// checkRouteBitwise runs op(A)·B (A transposed if transA) for each shape
// {m, k, n} that transposeWins routes at this level (at least three must
// be), with the route off (off turns it off and returns what turns it
// back on) and on with 1-3 threads, and wants the same bits for any
// number of threads, and the same bits as without the route, except where
// betaRound says the two round beta·C differently: then, for beta != 0, C
// within 2ε(|C| + |beta·C₀|) of the other route's (one rounding more or
// less of t + beta·c).
func checkRouteBitwise[T Float](t *testing.T, g *gemmKernel[T], transA, betaRound bool, shapes [][3]int, off func() func()) {
	defer func(v int) { gemmMinPerThread = v }(gemmMinPerThread)
	gemmMinPerThread = 1 << 10
	rng := rand.New(rand.NewPCG(15, 16))
	ε := eps[T]()
	routed := 0
	defer func() {
		if routed < 3 {
			t.Errorf("only %d of the shapes %v routed", routed, shapes)
		}
	}()
	for _, s := range shapes {
		m, k, n := s[0], s[1], s[2]
		if !g.transposeWins(m, n, k) {
			continue
		}
		routed++
		lda, ldb, ldc := k+1, n+2, n+3
		la := m * lda
		if transA {
			lda, la = m+1, k*(m+1)
		}
		a := make([]T, la)
		b := make([]T, k*ldb)
		c0 := make([]T, m*ldc)
		for _, x := range [][]T{a, b, c0} {
			for i := range x {
				x[i] = T(rng.NormFloat64())
			}
		}
		for _, beta := range []T{0, -1.5} {
			direct := append([]T(nil), c0...)
			on := off()
			g.runThreads(1, transA, false, m, n, k, 0.75, a, lda, b, ldb, beta, direct, ldc)
			on()
			var one []T
			for threads := 1; threads <= 3; threads++ {
				c := append([]T(nil), c0...)
				g.runThreads(threads, transA, false, m, n, k, 0.75, a, lda, b, ldb, beta, c, ldc)
				if threads == 1 {
					one = c
				}
				for i := range c {
					if math.Float64bits(float64(c[i])) != math.Float64bits(float64(one[i])) {
						t.Fatalf("%v beta=%g threads=%d: c[%d] = %g, with one thread %g", s, beta, threads, i, c[i], one[i])
					}
					if betaRound && beta != 0 {
						tol := 2 * ε * (math.Abs(float64(direct[i])) + math.Abs(float64(beta*c0[i])))
						if d := math.Abs(float64(c[i]) - float64(direct[i])); !(d <= tol) {
							t.Fatalf("%v beta=%g threads=%d: c[%d] = %g, without the route %g (more than %g apart)", s, beta, threads, i, c[i], direct[i], tol)
						}
					} else if math.Float64bits(float64(c[i])) != math.Float64bits(float64(direct[i])) {
						t.Fatalf("%v beta=%g threads=%d: c[%d] = %g, without the route %g", s, beta, threads, i, c[i], direct[i])
					}
				}
			}
		}
	}
}

// TestGemmTransRowsAllocs: the routes (transRows, transCols) allocate
// nothing at steady state.
func TestGemmTransRowsAllocs(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		checkGemmAllocs[float64](t, NoTrans, 64, 10, 128)
		checkGemmAllocs[float64](t, NoTrans, 100, 9, 128)
		checkGemmAllocs[float32](t, NoTrans, 64, 10, 128)
		checkGemmAllocs[float32](t, NoTrans, 100, 9, 128)
		for _, s := range [][3]int{{128, 64, 10}, {100, 64, 7}} { // Aᵀ·B (transCols)
			m, k, n := s[0], s[1], s[2]
			a, b, c := make([]float64, k*m), make([]float64, k*n), make([]float64, m*n)
			call := func() { Gemm(Trans, NoTrans, m, n, k, 1, a, m, b, n, 0, c, n) }
			call()
			if allocs := testing.AllocsPerRun(20, call); allocs != 0 {
				t.Errorf("%dx%dx%d TN: %v allocs per call, want 0", m, k, n, allocs)
			}
		}
	})
}

// TestGemmTransColsBitwise: the one-pass route for Aᵀ·B with few columns
// (transCols) gives C bit for bit as the two-pass transposed route, for
// any number of parts.
func TestGemmTransColsBitwise(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		t.Run("f64", testTransColsBitwise[float64])
		t.Run("f32", testTransColsBitwise[float32])
	})
}

func testTransColsBitwise[T Float](t *testing.T) {
	g := table[T]().gemm
	if g.transCols == nil {
		t.Skip("no transCols at this level")
	}
	checkRouteBitwise(t, g, true, false, [][3]int{{128, 64, 10}, {128, 256, 10}, {77, 33, 9}, {203, 250, 10}, {1000, 19, 10}, {64, 800, 10}, {130, 555, 7}},
		func() func() {
			tc := g.transCols
			g.transCols = nil
			return func() { g.transCols = tc }
		})
}
