//go:build !purego && !noasm

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/descentlab/descent/asm"
)

// TestNEONGemmMicro calls the NEON microkernels directly on packed panels
// placed inside NaN-filled buffers: a read past a or b brings a NaN into
// the tile, a write outside the tile (before it, after it, or in the gap
// between rows when ldc > nr) changes a sentinel. With beta = 0, C holds
// NaN and must not leak into the result. Small integers make every sum
// exact, so the tile must equal the reference exactly; random values are
// checked against a float64 reference within the bound of kc FMAs.
func TestNEONGemmMicro(t *testing.T) {
	testNEONGemmMicro[float32](t, 8, 12, asm.GemmMicro8x12F32NEON)
	testNEONGemmMicro[float64](t, 8, 6, asm.GemmMicro8x6F64NEON)
}

func testNEONGemmMicro[T Float](t *testing.T, mr, nr int, micro func(kc int, a, b, c []T, ldc int, alpha, beta T)) {
	r := rand.New(rand.NewPCG(11, 12))
	u := 0x1p-53
	if unsafe.Sizeof(T(0)) == 4 {
		u = 0x1p-24
	}
	for _, kc := range []int{1, 2, 3, 4, 5, 8, 17, 64, 255, 512} {
		for _, ldc := range []int{nr, nr + 1, nr + 5} {
			for _, sc := range [][2]float64{{1, 0}, {-1.5, 0}, {1, 1}, {2, -0.5}, {0, 0.75}, {0.5, 1e-3}} {
				for _, exact := range []bool{true, false} {
					alpha, beta := sc[0], sc[1]
					where := fmt.Sprintf("%dx%d %s kc=%d ldc=%d alpha=%v beta=%v exact=%v", mr, nr, neonName[T](), kc, ldc, alpha, beta, exact)
					val := func() float64 {
						if exact {
							return float64(r.IntN(17) - 8)
						}
						return 4*r.Float64() - 2
					}
					a, okA := neonGuarded[T](kc*mr, 0)
					b, okB := neonGuarded[T](kc*nr, 0)
					c, okC := neonGuarded[T]((mr-1)*ldc+nr, 0)
					for i := range a {
						a[i] = T(val())
					}
					for i := range b {
						b[i] = T(val())
					}
					// Tile elements of C get values (or NaN when beta = 0);
					// the gaps between rows stay NaN, and must stay so.
					c0 := make([]float64, len(c))
					for i := 0; i < mr; i++ {
						for j := 0; j < nr; j++ {
							v := val()
							if beta == 0 {
								v = math.NaN()
							}
							c[i*ldc+j], c0[i*ldc+j] = T(v), v
						}
					}
					micro(kc, a, b, c, ldc, T(alpha), T(beta))
					for i := 0; i < mr; i++ {
						for j := 0; j < nr; j++ {
							var sum, abs float64
							for p := 0; p < kc; p++ {
								x := float64(a[p*mr+i]) * float64(b[p*nr+j])
								sum, abs = sum+x, abs+math.Abs(x)
							}
							want := alpha * sum
							scale := math.Abs(alpha) * abs
							if beta != 0 {
								want += beta * c0[i*ldc+j]
								scale += math.Abs(beta * c0[i*ldc+j])
							}
							got := float64(c[i*ldc+j])
							tol := float64(kc+2) * 2 * u * scale
							if exact && beta != 1e-3 {
								tol = 0
							}
							if !(math.Abs(got-want) <= tol) {
								t.Fatalf("%s: c[%d,%d] = %v, want %v (tol %g)", where, i, j, got, want, tol)
							}
						}
						for j := nr; j < ldc && i < mr-1; j++ {
							if v := c[i*ldc+j]; v == v {
								t.Fatalf("%s: wrote %v into the gap at row %d, column %d", where, v, i, j)
							}
						}
					}
					if !okA() || !okB() || !okC() {
						t.Fatalf("%s: wrote outside a slice", where)
					}
				}
			}
		}
	}
}

// BenchmarkNEONGemmMicro times the microkernels alone on L1-resident
// panels (meaningful on arm64 hardware only, not under qemu).
func BenchmarkNEONGemmMicro(b *testing.B) {
	for _, kc := range []int{128, 256, 512} {
		b.Run(fmt.Sprintf("f32/8x12/kc=%d", kc), func(b *testing.B) {
			a, bb, c := make([]float32, kc*8), make([]float32, kc*12), make([]float32, 8*12)
			for b.Loop() {
				asm.GemmMicro8x12F32NEON(kc, a, bb, c, 12, 1, 1)
			}
			b.ReportMetric(2*float64(8*12*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("f64/8x6/kc=%d", kc), func(b *testing.B) {
			a, bb, c := make([]float64, kc*8), make([]float64, kc*6), make([]float64, 8*6)
			for b.Loop() {
				asm.GemmMicro8x6F64NEON(kc, a, bb, c, 6, 1, 1)
			}
			b.ReportMetric(2*float64(8*6*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
