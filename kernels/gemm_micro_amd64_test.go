//go:build !purego && !noasm

package kernels

import (
	"fmt"
	"testing"

	"github.com/descentlab/descent/asm"
)

// BenchmarkGemmMicro times the AVX-512 f32 microkernels alone on
// L1-resident operands, against the FMA peak probe: the ceiling of the
// whole GEMM at each tile.
func BenchmarkGemmMicro(b *testing.B) {
	if _, ok := levels[AVX512]; !ok {
		b.Skip("no AVX-512")
	}
	b.Run("peak", func(b *testing.B) {
		for b.Loop() {
			asm.PeakFMAF32AVX512(1000)
		}
		b.ReportMetric(1000*12*32*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	const lda = 131
	for _, kc := range []int{128, 256} {
		a := make([]float32, 16*lda+kc*16)
		bb := make([]float32, kc*32)
		c := make([]float32, 16*32)
		report := func(b *testing.B, mr, nr int) {
			b.ReportMetric(2*float64(mr*nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		b.Run(fmt.Sprintf("packed10x32/kc=%d", kc), func(b *testing.B) {
			for b.Loop() {
				asm.GemmMicro10x32F32AVX512(kc, a[:kc*10], bb, c, 32, 1, 1)
			}
			report(b, 10, 32)
		})
		b.Run(fmt.Sprintf("rows10x32/kc=%d", kc), func(b *testing.B) {
			for b.Loop() {
				asm.GemmMicroRows10x32F32AVX512(kc, a, lda, bb, 32, c, 32, 1, 1)
			}
			report(b, 10, 32)
		})
		b.Run(fmt.Sprintf("packed16x16/kc=%d", kc), func(b *testing.B) {
			for b.Loop() {
				asm.GemmMicro16x16F32AVX512(kc, a[:kc*16], bb[:kc*16], c, 16, 1, 1)
			}
			report(b, 16, 16)
		})
		b.Run(fmt.Sprintf("rows16x16/kc=%d", kc), func(b *testing.B) {
			for b.Loop() {
				asm.GemmMicroRows16x16F32AVX512(kc, a, lda, bb[:kc*16], 16, c, 16, 1, 1)
			}
			report(b, 16, 16)
		})
		b.Run(fmt.Sprintf("avx2rows12x8/kc=%d", kc), func(b *testing.B) {
			for b.Loop() {
				asm.GemmMicroRows12x8F32AVX2(kc, a, lda, bb[:kc*8], 8, c, 8, 1, 1)
			}
			report(b, 12, 8)
		})
		b.Run(fmt.Sprintf("avx2rows6x16/kc=%d", kc), func(b *testing.B) {
			for b.Loop() {
				asm.GemmMicroRows6x16F32AVX2(kc, a, lda, bb[:kc*16], 16, c, 16, 1, 1)
			}
			report(b, 6, 16)
		})
	}
}
