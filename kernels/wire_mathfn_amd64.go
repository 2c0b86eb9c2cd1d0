//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

var _ = wire(
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.exp, f64.exp = asm.ExpF32AVX2, asm.ExpF64AVX2
		f32.log, f64.log = asm.LogF32AVX2, asm.LogF64AVX2
		f32.sigmoid, f64.sigmoid = asm.SigmoidF32AVX2, asm.SigmoidF64AVX2
		f32.tanh, f64.tanh = asm.TanhF32AVX2, asm.TanhF64AVX2
		f32.expShiftSum, f64.expShiftSum = asm.ExpShiftSumF32AVX2, asm.ExpShiftSumF64AVX2
		f32.sumExpShift, f64.sumExpShift = asm.SumExpShiftF32AVX2, asm.SumExpShiftF64AVX2
		f32.softmaxRows, f64.softmaxRows = asm.SoftmaxRowsF32AVX2, asm.SoftmaxRowsF64AVX2
		f32.logSoftmaxStats, f64.logSoftmaxStats = asm.LogSoftmaxStatsF32AVX2, asm.LogSoftmaxStatsF64AVX2
		f32.logSoftmaxApply, f64.logSoftmaxApply = asm.LogSoftmaxApplyF32AVX2, asm.LogSoftmaxApplyF64AVX2
	},
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.exp, f64.exp = asm.ExpF32AVX512, asm.ExpF64AVX512
		f32.log, f64.log = asm.LogF32AVX512, asm.LogF64AVX512
		f32.sigmoid, f64.sigmoid = asm.SigmoidF32AVX512, asm.SigmoidF64AVX512
		f32.tanh, f64.tanh = asm.TanhF32AVX512, asm.TanhF64AVX512
		f32.expShiftSum, f64.expShiftSum = asm.ExpShiftSumF32AVX512, asm.ExpShiftSumF64AVX512
		f32.sumExpShift, f64.sumExpShift = asm.SumExpShiftF32AVX512, asm.SumExpShiftF64AVX512
		f32.softmaxRows, f64.softmaxRows = asm.SoftmaxRowsF32AVX512, asm.SoftmaxRowsF64AVX512
		f32.logSoftmaxStats, f64.logSoftmaxStats = asm.LogSoftmaxStatsF32AVX512, asm.LogSoftmaxStatsF64AVX512
		f32.logSoftmaxApply, f64.logSoftmaxApply = asm.LogSoftmaxApplyF32AVX512, asm.LogSoftmaxApplyF64AVX512
	},
)
