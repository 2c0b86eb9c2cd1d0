//go:build !purego && !noasm

package kernels

import (
	"github.com/klauspost/cpuid/v2"

	"github.com/descentlab/descent/asm"
)

func init() {
	setStreamArch = asm.SetStreamMin
	SetStreamThreshold(defaultStreamThreshold(cpuid.CPU.Cache.L3))
}

var _ = wire(
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.add, f64.add = asm.AddF32AVX2, asm.AddF64AVX2
		f32.sub, f64.sub = asm.SubF32AVX2, asm.SubF64AVX2
		f32.mul, f64.mul = asm.MulF32AVX2, asm.MulF64AVX2
		f32.div, f64.div = asm.DivF32AVX2, asm.DivF64AVX2
		f32.addScalar, f64.addScalar = asm.AddScalarF32AVX2, asm.AddScalarF64AVX2
		f32.mulScalar, f64.mulScalar = asm.MulScalarF32AVX2, asm.MulScalarF64AVX2
		f32.axpy, f64.axpy = asm.AxpyF32AVX2, asm.AxpyF64AVX2
		f32.scale, f64.scale = asm.ScaleF32AVX2, asm.ScaleF64AVX2
		f32.relu, f64.relu = asm.ReLUF32AVX2, asm.ReLUF64AVX2
		f32.reluGrad, f64.reluGrad = asm.ReLUGradF32AVX2, asm.ReLUGradF64AVX2
	},
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.add, f64.add = asm.AddF32AVX512, asm.AddF64AVX512
		f32.sub, f64.sub = asm.SubF32AVX512, asm.SubF64AVX512
		f32.mul, f64.mul = asm.MulF32AVX512, asm.MulF64AVX512
		f32.div, f64.div = asm.DivF32AVX512, asm.DivF64AVX512
		f32.addScalar, f64.addScalar = asm.AddScalarF32AVX512, asm.AddScalarF64AVX512
		f32.mulScalar, f64.mulScalar = asm.MulScalarF32AVX512, asm.MulScalarF64AVX512
		f32.axpy, f64.axpy = asm.AxpyF32AVX512, asm.AxpyF64AVX512
		f32.scale, f64.scale = asm.ScaleF32AVX512, asm.ScaleF64AVX512
		f32.relu, f64.relu = asm.ReLUF32AVX512, asm.ReLUF64AVX512
		f32.reluGrad, f64.reluGrad = asm.ReLUGradF32AVX512, asm.ReLUGradF64AVX512
	},
)
