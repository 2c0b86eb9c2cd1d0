package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkGemmLevels is a quick per-level look at the microkernels on one
// goroutine; package bench holds the full suite with peers and peak ratios.
func BenchmarkGemmLevels(b *testing.B) {
	old := ISA()
	defer SetISA(old)
	defer SetThreads(SetThreads(1))
	defer func() { gemmDirect = true }()
	for _, l := range Available() {
		SetISA(l)
		for _, s := range [][3]int{{1024, 1024, 1024}, {256, 784, 128}, {64, 784, 128}, {64, 64, 64}, {64, 128, 10}} {
			for _, direct := range []bool{false, true} {
				name := fmt.Sprintf("isa=%s/shape=%dx%dx%d/directA=%v", l, s[0], s[1], s[2], direct)
				b.Run(name+"/dtype=f32", func(b *testing.B) { gemmDirect = direct; benchGemm[float32](b, s[0], s[1], s[2]) })
				b.Run(name+"/dtype=f64", func(b *testing.B) { gemmDirect = direct; benchGemm[float64](b, s[0], s[1], s[2]) })
			}
		}
	}
}

func benchGemm[T Float](b *testing.B, m, k, n int) {
	x := make([]T, m*k)
	y := make([]T, k*n)
	z := make([]T, m*n)
	for i := range x {
		x[i] = T(i%7) * 0.25
	}
	for i := range y {
		y[i] = T(i%5) * 0.5
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Gemm(NoTrans, NoTrans, m, n, k, 1, x, k, y, n, 0, z, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
