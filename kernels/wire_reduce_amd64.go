//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

var _ = wire(
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.dot, f64.dot = asm.DotF32AVX2, asm.DotF64AVX2
		f32.sum, f64.sum = asm.SumF32AVX2, asm.SumF64AVX2
		f32.asum, f64.asum = asm.AsumF32AVX2, asm.AsumF64AVX2
		f32.sumsq, f64.sumsq = asm.SumSqF32AVX2, asm.SumSqF64AVX2
		f32.max, f64.max = asm.MaxF32AVX2, asm.MaxF64AVX2
		f32.min, f64.min = asm.MinF32AVX2, asm.MinF64AVX2
		f32.index, f64.index = asm.IndexF32AVX2, asm.IndexF64AVX2
		f32.argmax, f64.argmax = asm.ArgMaxF32AVX2, asm.ArgMaxF64AVX2
		f32.argmin, f64.argmin = asm.ArgMinF32AVX2, asm.ArgMinF64AVX2
	},
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.dot, f64.dot = asm.DotF32AVX512, asm.DotF64AVX512
		f32.sum, f64.sum = asm.SumF32AVX512, asm.SumF64AVX512
		f32.asum, f64.asum = asm.AsumF32AVX512, asm.AsumF64AVX512
		f32.sumsq, f64.sumsq = asm.SumSqF32AVX512, asm.SumSqF64AVX512
		f32.max, f64.max = asm.MaxF32AVX512, asm.MaxF64AVX512
		f32.min, f64.min = asm.MinF32AVX512, asm.MinF64AVX512
		f32.index, f64.index = asm.IndexF32AVX512, asm.IndexF64AVX512
		f32.argmax, f64.argmax = asm.ArgMaxF32AVX512, asm.ArgMaxF64AVX512
		f32.argmin, f64.argmin = asm.ArgMinF32AVX512, asm.ArgMinF64AVX512
	},
)
