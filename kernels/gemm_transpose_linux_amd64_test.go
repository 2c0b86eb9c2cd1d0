//go:build !purego && !noasm

package kernels

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"

	"github.com/descentlab/descent/asm"
)

// guardedSlice returns a slice of n elements that ends where an
// inaccessible page begins, so that a read or write one element past it
// faults, and a function that unmaps it.
func guardedSlice[T Float](t *testing.T, n int) ([]T, func()) {
	page := syscall.Getpagesize()
	size := int(unsafe.Sizeof(T(0)))
	data := (n*size + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, data+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	if err := syscall.Mprotect(mem[data:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	s := unsafe.Slice((*T)(unsafe.Pointer(&mem[data-n*size])), n)
	return s, func() { syscall.Munmap(mem) }
}

// TestGemmTransposeAdd: GemmTransposeAdd (AVX2, AVX-512) sets C = Tᵀ (+ beta·C) for every
// row count and column count, reads only T's cols rows (T ends at an
// inaccessible page), writes only the cols columns of C's rows
// (sentinels between and after them), and reads no C when beta is 0 (NaN
// there).
func TestGemmTransposeAdd(t *testing.T) {
	if _, ok := levels[AVX2]; !ok {
		t.Skip("no AVX2")
	}
	t.Run("avx2/f32", func(t *testing.T) { testTransposeAdd(t, asm.GemmTransposeAddF32AVX2, 8) })
	t.Run("avx2/f64", func(t *testing.T) { testTransposeAdd(t, asm.GemmTransposeAddF64AVX2, 4) })
	if _, ok := levels[AVX512]; !ok {
		t.Skip("no AVX-512")
	}
	t.Run("avx512/f32", func(t *testing.T) { testTransposeAdd(t, asm.GemmTransposeAddF32AVX512, 16) })
	t.Run("avx512/f64", func(t *testing.T) { testTransposeAdd(t, asm.GemmTransposeAddF64AVX512, 8) })
}

func testTransposeAdd[T Float](t *testing.T, kern func(c []T, ldc int, t []T, ldt int, rows, cols int, beta T), L int) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, rows := range []int{1, 2, 7, L - 1, L, L + 1, 3*L + 5, 100} {
		for cols := 1; cols <= L; cols++ {
			for _, beta := range []T{0, 1, -0.5} {
				ldt, ldc := rows+rng.IntN(3), cols+rng.IntN(3)
				tt, free := guardedSlice[T](t, (cols-1)*ldt+rows)
				for i := range tt {
					tt[i] = T(rng.NormFloat64())
				}
				lc := (rows-1)*ldc + cols
				cbuf := make([]T, lc+L)
				for i := range cbuf {
					cbuf[i] = -7.25
				}
				c0 := make([]T, lc)
				for i := 0; i < rows; i++ {
					for j := 0; j < cols; j++ {
						v := T(rng.NormFloat64())
						if beta == 0 {
							v = T(math.NaN())
						}
						cbuf[i*ldc+j], c0[i*ldc+j] = v, v
					}
				}
				kern(cbuf[:lc:lc], ldc, tt, ldt, rows, cols, beta)
				for i := 0; i < len(cbuf); i++ {
					r, j := i/ldc, i%ldc
					got := cbuf[i]
					if r >= rows || j >= cols {
						if got != -7.25 {
							t.Fatalf("rows=%d cols=%d beta=%g: c[%d] outside C's columns written: %g", rows, cols, beta, i, got)
						}
						continue
					}
					want := tt[j*ldt+r]
					if beta != 0 {
						want = fmaT(beta, c0[i], want)
					}
					if got != want {
						t.Fatalf("rows=%d cols=%d beta=%g: c[%d][%d] = %g, want %g", rows, cols, beta, r, j, got, want)
					}
				}
				free()
			}
		}
	}
}

// fmaT is x*y+z rounded once to T.
func fmaT[T Float](x, y, z T) T {
	if unsafe.Sizeof(x) == 4 {
		return T(fma32(float32(x), float32(y), float32(z)))
	}
	return T(math.FMA(float64(x), float64(y), float64(z)))
}

// TestGemmMicroColsTrans: GemmMicroColsTransTiles (AVX2 and AVX-512,
// both types) against the FMAs of the transposed route (bit for bit) for
// row counts on and off their tiles and every column count; A and C end
// at an inaccessible page (the masked loads past m and stores past cols
// must not touch it), and C's padding between rows keeps its sentinels.
func TestGemmMicroColsTrans(t *testing.T) {
	if _, ok := levels[AVX2]; !ok {
		t.Skip("no AVX2")
	}
	t.Run("avx2/f32", func(t *testing.T) { testMicroColsTrans(t, asm.GemmMicroColsTransTiles10x8F32AVX2, fma32) })
	t.Run("avx2/f64", func(t *testing.T) { testMicroColsTrans(t, asm.GemmMicroColsTransTiles10x4F64AVX2, math.FMA) })
	if _, ok := levels[AVX512]; !ok {
		t.Skip("no AVX-512")
	}
	t.Run("f64", func(t *testing.T) { testMicroColsTrans(t, asm.GemmMicroColsTransTiles10x16F64AVX512, math.FMA) })
	t.Run("f32", func(t *testing.T) { testMicroColsTrans(t, asm.GemmMicroColsTransTiles10x16F32AVX512, fma32) })
}

func testMicroColsTrans[T Float](t *testing.T, kern func(m, kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, cols int), fma func(x, y, z T) T) {
	const R = 10
	rng := rand.New(rand.NewPCG(25, 26))
	for _, m := range []int{1, 7, 8, 9, 15, 16, 17, 33, 100} {
		for cols := 1; cols <= R; cols++ {
			for _, kc := range []int{1, 3, 64} {
				for _, beta := range []T{0, 1, -0.5} {
					lda, ldb, ldc := m+rng.IntN(3), R+rng.IntN(3), cols+rng.IntN(3)
					a, freeA := guardedSlice[T](t, (kc-1)*lda+m)
					c, freeC := guardedSlice[T](t, (m-1)*ldc+cols)
					b := make([]T, (kc-1)*ldb+R)
					for i := range a {
						a[i] = T(rng.NormFloat64())
					}
					for i := range b {
						b[i] = T(rng.NormFloat64())
					}
					c0 := fillC(rng, c, ldc, cols, beta)
					const alpha = 0.75
					kern(m, kc, a, lda, b, ldb, c, ldc, alpha, beta, cols)
					checkC(t, c, c0, ldc, cols, alpha, beta, func(r, j int) (s T) {
						for p := 0; p < kc; p++ {
							s = fma(b[p*ldb+j], a[p*lda+r], s)
						}
						return s
					}, "m=%d cols=%d kc=%d", m, cols, kc)
					freeA()
					freeC()
				}
			}
		}
	}
}

// TestGemmMicroRowsTransC: GemmMicroRowsTransC10x8F64AVX512 and
// GemmMicroRowsTransC10x16F32AVX512 against the microkernels' FMAs in
// order (bit for bit) for row counts on and off their tiles, every column
// count and K on and off their 8-step blocks; A (whole tiles) and C end
// at an inaccessible page, and C's padding between rows keeps its
// sentinels.
func TestGemmMicroRowsTransC(t *testing.T) {
	if _, ok := levels[AVX512]; !ok {
		t.Skip("no AVX-512")
	}
	t.Run("f64", func(t *testing.T) { testMicroRowsTransC(t, asm.GemmMicroRowsTransC10x8F64AVX512, 8, math.FMA) })
	t.Run("f32", func(t *testing.T) { testMicroRowsTransC(t, asm.GemmMicroRowsTransC10x16F32AVX512, 16, fma32) })
}

func testMicroRowsTransC[T Float](t *testing.T, kern func(m, kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, cols int), M int, fma func(x, y, z T) T) {
	const R = 10
	rng := rand.New(rand.NewPCG(27, 28))
	for _, m := range []int{1, 5, 8, 9, 15, 16, 17, 23, 64} {
		for cols := 1; cols <= R; cols++ {
			for _, kc := range []int{1, 7, 8, 9, 17, 64} {
				for _, beta := range []T{0, 1, -0.5} {
					lda, ldb, ldc := kc+rng.IntN(3), R+rng.IntN(3), cols+rng.IntN(3)
					a, freeA := guardedSlice[T](t, ((m+M-1)/M*M-1)*lda+kc)
					c, freeC := guardedSlice[T](t, (m-1)*ldc+cols)
					b := make([]T, (kc-1)*ldb+R)
					for i := range a {
						a[i] = T(rng.NormFloat64())
					}
					for i := range b {
						b[i] = T(rng.NormFloat64())
					}
					c0 := fillC(rng, c, ldc, cols, beta)
					const alpha = -0.75
					kern(m, kc, a, lda, b, ldb, c, ldc, alpha, beta, cols)
					checkC(t, c, c0, ldc, cols, alpha, beta, func(r, j int) (s T) {
						for p := 0; p < kc; p++ {
							s = fma(b[p*ldb+j], a[r*lda+p], s)
						}
						return s
					}, "m=%d cols=%d kc=%d", m, cols, kc)
					freeA()
					freeC()
				}
			}
		}
	}
}

// fillC fills the cols columns of c's rows (row stride ldc) with random
// values, NaN when beta is 0 (C must not be read), and the padding
// between rows with the sentinel -7.25; it returns a copy.
func fillC[T Float](rng *rand.Rand, c []T, ldc, cols int, beta T) []T {
	for i := range c {
		c[i] = -7.25
		if i%ldc < cols {
			c[i] = T(rng.NormFloat64())
			if beta == 0 {
				c[i] = T(math.NaN())
			}
		}
	}
	return append([]T(nil), c...)
}

// checkC wants c[r*ldc+j] = alpha·dot(r, j) (+ beta·c0, one FMA) bit for
// bit in the cols columns, and the sentinels between rows untouched.
func checkC[T Float](t *testing.T, c, c0 []T, ldc, cols int, alpha, beta T, dot func(r, j int) T, format string, args ...any) {
	t.Helper()
	for i := range c {
		r, j := i/ldc, i%ldc
		if j >= cols {
			if c[i] != -7.25 {
				t.Fatalf(format+" beta=%g: c[%d] between rows written: %g", append(args, beta, i, c[i])...)
			}
			continue
		}
		want := alpha * dot(r, j)
		if beta != 0 {
			want = fmaT(beta, c0[i], want)
		}
		if math.Float64bits(float64(c[i])) != math.Float64bits(float64(want)) {
			t.Fatalf(format+" beta=%g: c[%d][%d] = %g, want %g", append(args, beta, r, j, c[i], want)...)
		}
	}
}
