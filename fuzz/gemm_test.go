package fuzz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descentlab/descent/kernels"
)

// gemmGuard elements of sentinel sit before and after each matrix, and the
// row padding (ld beyond the row) holds sentinels too: NaN in A and B, so
// any read of them poisons C, and a plain value in C, so any write shows.
const gemmGuard = 19

type gemmOperand[T kernels.Float] struct {
	buf, view      []T
	rows, cols, ld int
	sentinel       T
	sentinelIsNaN  bool
	widened        []float64
	name           string
}

func newGemmOperand[T kernels.Float](rng *rand.Rand, name string, rows, cols, ld int, sentinel T) *gemmOperand[T] {
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*ld + cols
	}
	o := &gemmOperand[T]{buf: make([]T, n+2*gemmGuard), rows: rows, cols: cols, ld: ld, sentinel: sentinel,
		sentinelIsNaN: sentinel != sentinel, name: name}
	for i := range o.buf {
		o.buf[i] = sentinel
	}
	o.view = o.buf[gemmGuard : gemmGuard+n : gemmGuard+n]
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			o.view[i*ld+j] = T(rng.Float64()*2 - 1)
		}
	}
	o.widened = make([]float64, n)
	for i, v := range o.view {
		o.widened[i] = float64(v)
	}
	return o
}

func (o *gemmOperand[T]) checkSentinels() error {
	bad := func(v T) bool {
		if o.sentinelIsNaN {
			return v == v
		}
		return v != o.sentinel
	}
	for i := 0; i < gemmGuard; i++ {
		if bad(o.buf[i]) || bad(o.buf[len(o.buf)-1-i]) {
			return fmt.Errorf("%s: guard region written", o.name)
		}
	}
	for i := 0; i < o.rows; i++ {
		for j := o.cols; j < o.ld && i*o.ld+j < len(o.view); j++ {
			if bad(o.view[i*o.ld+j]) {
				return fmt.Errorf("%s: padding (%d,%d) written", o.name, i, j)
			}
		}
	}
	return nil
}

type gemmFuzzCase struct {
	transA, transB   bool
	m, n, k          int
	padA, padB, padC int
	alpha, beta      float64
	nanC             bool
}

func (c gemmFuzzCase) String() string {
	return fmt.Sprintf("transA=%v transB=%v m=%d n=%d k=%d pad=%d,%d,%d alpha=%g beta=%g nanC=%v",
		c.transA, c.transB, c.m, c.n, c.k, c.padA, c.padB, c.padC, c.alpha, c.beta, c.nanC)
}

func checkGemm[T kernels.Float](rng *rand.Rand, c gemmFuzzCase) error {
	ar, ac := c.m, c.k
	if c.transA {
		ar, ac = c.k, c.m
	}
	br, bc := c.k, c.n
	if c.transB {
		br, bc = c.n, c.k
	}
	nan := T(math.NaN())
	A := newGemmOperand(rng, "a", ar, ac, max(ac, 1)+c.padA, nan)
	B := newGemmOperand(rng, "b", br, bc, max(bc, 1)+c.padB, nan)
	C := newGemmOperand(rng, "c", c.m, c.n, max(c.n, 1)+c.padC, T(3.5))
	if c.nanC {
		for i := 0; i < c.m; i++ {
			for j := 0; j < c.n; j++ {
				C.view[i*C.ld+j] = nan
				C.widened[i*C.ld+j] = math.NaN()
			}
		}
	}
	want := append([]float64(nil), C.widened...)
	abs := Gemm(c.transA, c.transB, c.m, c.n, c.k, c.alpha, A.widened, A.ld, B.widened, B.ld, c.beta, want, C.ld)
	tr := func(t bool) kernels.Transpose {
		if t {
			return kernels.Trans
		}
		return kernels.NoTrans
	}
	kernels.Gemm(tr(c.transA), tr(c.transB), c.m, c.n, c.k, T(c.alpha), A.view, A.ld, B.view, B.ld, T(c.beta), C.view, C.ld)
	for _, o := range []*gemmOperand[T]{A, B, C} {
		if err := o.checkSentinels(); err != nil {
			return fmt.Errorf("Gemm %s %s %v: %v", kernels.ISA(), TypeName[T](), c, err)
		}
	}
	for i := 0; i < c.m; i++ {
		for j := 0; j < c.n; j++ {
			got, w := float64(C.view[i*C.ld+j]), want[i*C.ld+j]
			if bound := GemmBound[T](c.k, abs[i*c.n+j]); !(math.Abs(got-w) <= bound) {
				return fmt.Errorf("Gemm %s %s %v: c[%d,%d] = %g, want %g ± %g", kernels.ISA(), TypeName[T](), c, i, j, got, w, bound)
			}
		}
	}
	return nil
}

func gemmAtEveryLevel(t *testing.T, f func() error) {
	t.Helper()
	old := kernels.ISA()
	defer kernels.SetISA(old)
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			t.Fatal(err)
		}
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
}

var gemmScalars = []float64{0, 1, -1, 0.375, -2.5}

func gemmCaseFrom(trans uint8, m, n, k uint16, pads uint16, scalars uint8, maxDim int) gemmFuzzCase {
	c := gemmFuzzCase{transA: trans&1 != 0, transB: trans&2 != 0,
		m: int(m) % (maxDim + 1), n: int(n) % (maxDim + 1), k: int(k) % (maxDim + 1),
		padA: int(pads & 7), padB: int(pads >> 3 & 7), padC: int(pads >> 6 & 7),
		alpha: gemmScalars[int(scalars&7)%len(gemmScalars)], beta: gemmScalars[int(scalars>>3&7)%len(gemmScalars)]}
	c.nanC = c.beta == 0 && scalars&0x40 != 0
	return c
}

// TestGemmReference: random shapes up to 300 (0 and 1 included), every
// transpose pair, padded leading dimensions, the special scalars, NaN in C
// under beta = 0, at every level, in both types.
func TestGemmReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	cases := 40
	if testing.Short() {
		cases = 10
	}
	for i := 0; i < cases; i++ {
		dim := func() uint16 {
			if rng.IntN(5) == 0 {
				return uint16(rng.IntN(2))
			}
			return uint16(rng.IntN(301))
		}
		c := gemmCaseFrom(uint8(i), dim(), dim(), dim(), uint16(rng.Uint32()), uint8(rng.Uint32()), 300)
		seed := rng.Uint64()
		gemmAtEveryLevel(t, func() error {
			if err := checkGemm[float32](rand.New(rand.NewPCG(seed, 1)), c); err != nil {
				return err
			}
			return checkGemm[float64](rand.New(rand.NewPCG(seed, 2)), c)
		})
	}
}

// FuzzGemm runs kernels.Gemm at every level against the float64 reference
// with fuzzed shapes (up to 96, past every microkernel tile and into the
// edge cases), transposes, padding, scalars and data.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(0), uint16(1), uint16(1), uint16(1), uint16(0), uint8(9), uint64(1))
	f.Add(uint8(3), uint16(15), uint16(33), uint16(17), uint16(0x49), uint8(0x40), uint64(2))
	f.Add(uint8(1), uint16(29), uint16(65), uint16(0), uint16(0x1ff), uint8(0x1a), uint64(3))
	f.Add(uint8(2), uint16(14), uint16(32), uint16(96), uint16(0x92), uint8(0x23), uint64(4))
	// Few columns (an output layer): the routes that compute tiles of Cᵀ
	// and store C from them transposed, A·B and Aᵀ·B, partial tiles of
	// rows and K off the 8-step blocks.
	f.Add(uint8(0), uint16(64), uint16(10), uint16(40), uint16(0x0a), uint8(0x09), uint64(5))
	f.Add(uint8(1), uint16(77), uint16(10), uint16(33), uint16(0x53), uint8(0x5a), uint64(6))
	f.Add(uint8(0), uint16(93), uint16(9), uint16(50), uint16(0x1c1), uint8(0x11), uint64(7))
	f.Fuzz(func(t *testing.T, trans uint8, m, n, k, pads uint16, scalars uint8, seed uint64) {
		c := gemmCaseFrom(trans, m, n, k, pads, scalars, 96)
		gemmAtEveryLevel(t, func() error {
			if err := checkGemm[float32](rand.New(rand.NewPCG(seed, 1)), c); err != nil {
				return err
			}
			return checkGemm[float64](rand.New(rand.NewPCG(seed, 2)), c)
		})
	})
}
