//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

// The fused optimizer updates at AVX2 and AVX-512. Each assembly kernel
// takes the per-step scalars it needs, already combined (1-beta,
// 1/BC2Sqrt), and a flags word that selects one of its loops, one per option
// combination (gen/update). The adapters below compute both once per call.
// arm64 keeps the generic updates (there is no wire_update_arm64.go): they
// are memory-bound, and Go's arm64 compiler fuses their multiply-adds.

var _ = wire(
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.adam, f64.adam = adamAsm(asm.AdamF32AVX2), adamAsm(asm.AdamF64AVX2)
		f32.sgd, f64.sgd = sgdAsm(asm.SGDF32AVX2), sgdAsm(asm.SGDF64AVX2)
		f32.rmsprop, f64.rmsprop = rmspropAsm(asm.RMSpropF32AVX2), rmspropAsm(asm.RMSpropF64AVX2)
		f32.adagrad, f64.adagrad = adagradAsm(asm.AdagradF32AVX2), adagradAsm(asm.AdagradF64AVX2)
		f32.clamp, f64.clamp = asm.ClampF32AVX2, asm.ClampF64AVX2
	},
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.adam, f64.adam = adamAsm(asm.AdamF32AVX512), adamAsm(asm.AdamF64AVX512)
		f32.sgd, f64.sgd = sgdAsm(asm.SGDF32AVX512), sgdAsm(asm.SGDF64AVX512)
		f32.rmsprop, f64.rmsprop = rmspropAsm(asm.RMSpropF32AVX512), rmspropAsm(asm.RMSpropF64AVX512)
		f32.adagrad, f64.adagrad = adagradAsm(asm.AdagradF32AVX512), adagradAsm(asm.AdagradF64AVX512)
		f32.clamp, f64.clamp = asm.ClampF32AVX512, asm.ClampF64AVX512
	},
)

func flagIf(b bool, f uint) uint {
	if b {
		return f
	}
	return 0
}

// The flags bits, as gen/update defines them.
const (
	adamWD, adamAMSGrad                        uint = 1, 2
	sgdWD, sgdMomentum, sgdNesterov, sgdFirst  uint = 1, 2, 4, 8
	rmsWD, rmsCentered, rmsMomentum, adagradWD uint = 1, 2, 4, 1
)

func adamAsm[T Float](f func(p, g, m, v, vmax []T, c1, b2, c2, eps, wd, decay, step, invbc2 T, flags uint)) func(p, g, m, v, vmax []T, a AdamArgs[T]) {
	return func(p, g, m, v, vmax []T, a AdamArgs[T]) {
		flags := flagIf(a.WeightDecay != 0, adamWD) | flagIf(vmax != nil, adamAMSGrad)
		f(p, g, m, v, vmax, 1-a.Beta1, a.Beta2, 1-a.Beta2, a.Eps, a.WeightDecay, a.Decay, a.StepSize, 1/a.BC2Sqrt, flags)
	}
}

func sgdAsm[T Float](f func(p, g, buf []T, lr, mu, damp, wd T, flags uint)) func(p, g, buf []T, a SGDArgs[T]) {
	return func(p, g, buf []T, a SGDArgs[T]) {
		flags := flagIf(a.WeightDecay != 0, sgdWD)
		if a.Momentum != 0 {
			flags |= sgdMomentum | flagIf(a.Nesterov, sgdNesterov) | flagIf(a.First, sgdFirst)
		}
		f(p, g, buf, a.LR, a.Momentum, 1-a.Dampening, a.WeightDecay, flags)
	}
}

func rmspropAsm[T Float](f func(p, g, sq, gavg, buf []T, lr, alpha, c, eps, wd, mu T, flags uint)) func(p, g, sq, gavg, buf []T, a RMSpropArgs[T]) {
	return func(p, g, sq, gavg, buf []T, a RMSpropArgs[T]) {
		flags := flagIf(a.WeightDecay != 0, rmsWD) | flagIf(a.Centered, rmsCentered) | flagIf(a.Momentum != 0, rmsMomentum)
		f(p, g, sq, gavg, buf, a.LR, a.Alpha, 1-a.Alpha, a.Eps, a.WeightDecay, a.Momentum, flags)
	}
}

func adagradAsm[T Float](f func(p, g, sum []T, lr, eps, wd T, flags uint)) func(p, g, sum []T, a AdagradArgs[T]) {
	return func(p, g, sum []T, a AdagradArgs[T]) {
		f(p, g, sum, a.LR, a.Eps, a.WeightDecay, flagIf(a.WeightDecay != 0, adagradWD))
	}
}
