//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

var _ = wire(func(f32 *ops[float32], f64 *ops[float64]) {
	f32.add, f64.add = asm.AddF32NEON, asm.AddF64NEON
	f32.sub, f64.sub = asm.SubF32NEON, asm.SubF64NEON
	f32.mul, f64.mul = asm.MulF32NEON, asm.MulF64NEON
	f32.div, f64.div = asm.DivF32NEON, asm.DivF64NEON
	f32.addScalar, f64.addScalar = asm.AddScalarF32NEON, asm.AddScalarF64NEON
	f32.mulScalar, f64.mulScalar = asm.MulScalarF32NEON, asm.MulScalarF64NEON
	f32.axpy, f64.axpy = asm.AxpyF32NEON, asm.AxpyF64NEON
	f32.scale, f64.scale = asm.ScaleF32NEON, asm.ScaleF64NEON
	f32.relu, f64.relu = asm.ReLUF32NEON, asm.ReLUF64NEON
	f32.reluGrad, f64.reluGrad = asm.ReLUGradF32NEON, asm.ReLUGradF64NEON
	f32.clamp, f64.clamp = asm.ClampF32NEON, asm.ClampF64NEON
})
