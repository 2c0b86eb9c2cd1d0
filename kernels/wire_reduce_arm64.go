//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

var _ = wire(func(f32 *ops[float32], f64 *ops[float64]) {
	f32.dot, f64.dot = asm.DotF32NEON, asm.DotF64NEON
	f32.sum, f64.sum = asm.SumF32NEON, asm.SumF64NEON
	f32.asum, f64.asum = asm.AsumF32NEON, asm.AsumF64NEON
	f32.sumsq, f64.sumsq = asm.SumSqF32NEON, asm.SumSqF64NEON
	f32.max, f64.max = asm.MaxF32NEON, asm.MaxF64NEON
	f32.min, f64.min = asm.MinF32NEON, asm.MinF64NEON
	f32.index, f64.index = asm.IndexF32NEON, asm.IndexF64NEON
})
