//go:build !purego && !noasm

package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGemmPackAsm: the AVX2 and AVX-512 packing kernels (packAN, packBN, packBNP,
// packBTR) write the same panels as the Go loops, for every tail of kb and
// of the columns, and write nothing past the panel.
func TestGemmPackAsm(t *testing.T) {
	for _, l := range []Level{AVX2, AVX512} {
		p := levels[l]
		if p == nil {
			t.Logf("no %s", l)
			continue
		}
		testGemmPackAsm(t, p.f32.gemm)
		testGemmPackAsm(t, p.f32.gemm.narrow)
		testGemmPackAsm(t, p.f64.gemm)
		testGemmPackAsm(t, p.f64.gemm.narrow)
		if p.f32.gemm.mid != nil {
			testGemmPackAsm(t, p.f32.gemm.mid)
			testGemmPackAsm(t, p.f64.gemm.mid)
		}
	}
}

func testGemmPackAsm[T Float](t *testing.T, g *gemmKernel[T]) {
	rng := rand.New(rand.NewPCG(11, 12))
	mr, nr := g.mr, g.nr
	for _, kb := range []int{1, 2, 15, 16, 17, 31, 32, 33, 47, 100} {
		for _, extra := range []int{0, 1, 5} {
			// A: mr+3 rows of kb+extra+2 values; pack rows 1.. of columns 2..
			lda := kb + extra + 2
			a := make([]T, (mr+3)*lda)
			for i := range a {
				a[i] = T(rng.NormFloat64())
			}
			for _, mb := range []int{mr, mr + 1, 2*mr - 1} {
				if (1+mb)*lda > len(a) {
					a = append(a, make([]T, (1+mb)*lda-len(a))...)
				}
				n := ceilDiv(mb, mr) * mr * kb
				want := make([]T, n+7)
				got := make([]T, n+7)
				for i := range want {
					want[i] = -7
					got[i] = -7
				}
				packA(want[:n], a, lda, false, 1, mb, 2, kb, mr, nil)
				packA(got[:n], a[:(1+mb-1)*lda+2+kb], lda, false, 1, mb, 2, kb, mr, g)
				if !slices.Equal(got, want) {
					t.Fatalf("mr=%d packAN kb=%d lda=%d mb=%d: panels differ", mr, kb, lda, mb)
				}
			}
			// B: kb+1 rows of ldb values; pack columns 3.. of rows 1..
			for _, nb := range []int{1, nr - 1, nr, nr + 5, 2 * nr} {
				ldb := nb + 3 + extra
				b := make([]T, (kb+1)*ldb)
				for i := range b {
					b[i] = T(rng.NormFloat64())
				}
				n := ceilDiv(nb, nr) * nr * kb
				want := make([]T, n+7)
				got := make([]T, n+7)
				for i := range want {
					want[i] = -7
					got[i] = -7
				}
				packB(want[:n], b, ldb, false, 1, kb, 3, nb, nr, nil)
				packB(got[:n], b[:kb*ldb+3+nb], ldb, false, 1, kb, 3, nb, nr, g)
				if !slices.Equal(got, want) {
					t.Fatalf("nr=%d packBN kb=%d ldb=%d nb=%d: panels differ", nr, kb, ldb, nb)
				}
				// Bᵀ: nb+4 rows of kb+2+extra values; pack columns 2.. of
				// rows 1.. (op(B)(p, j) = b[j*ld+p]).
				ldt := kb + 2 + extra
				bt := make([]T, (nb+4)*ldt)
				for i := range bt {
					bt[i] = T(rng.NormFloat64())
				}
				for i := range want {
					want[i] = -7
					got[i] = -7
				}
				packB(want[:n], bt, ldt, true, 2, kb, 1, nb, nr, nil)
				packB(got[:n], bt[:nb*ldt+2+kb], ldt, true, 2, kb, 1, nb, nr, g)
				if !slices.Equal(got, want) {
					t.Fatalf("nr=%d packBTR kb=%d ld=%d nb=%d: panels differ", nr, kb, ldt, nb)
				}
			}
		}
	}
}
