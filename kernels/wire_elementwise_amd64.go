//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

var _ = wire(
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.add, f64.add = asm.AddF32AVX2, asm.AddF64AVX2
	},
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.add, f64.add = asm.AddF32AVX512, asm.AddF64AVX512
	},
)
