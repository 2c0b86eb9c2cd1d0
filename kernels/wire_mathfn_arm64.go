//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

var _ = wire(func(f32 *ops[float32], f64 *ops[float64]) {
	f32.exp, f64.exp = asm.ExpF32NEON, asm.ExpF64NEON
	f32.sigmoid, f64.sigmoid = asm.SigmoidF32NEON, asm.SigmoidF64NEON
	f32.tanh, f64.tanh = asm.TanhF32NEON, asm.TanhF64NEON
	f32.log, f64.log = asm.LogF32NEON, asm.LogF64NEON
	f32.expShiftSum, f64.expShiftSum = asm.ExpShiftSumF32NEON, asm.ExpShiftSumF64NEON
	f32.sumExpShift, f64.sumExpShift = asm.SumExpShiftF32NEON, asm.SumExpShiftF64NEON
})
