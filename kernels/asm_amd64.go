//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

// avx2Impl and avx512Impl start from the generic tables and replace each
// kernel that has an assembly version at that level.

func avx2Impl() *impl {
	p := genericImpl()
	p.level = AVX2
	f32, f64 := &p.f32, &p.f64

	f32.add, f64.add = asm.AddF32AVX2, asm.AddF64AVX2
	return p
}

func avx512Impl() *impl {
	p := genericImpl()
	p.level = AVX512
	f32, f64 := &p.f32, &p.f64

	f32.add, f64.add = asm.AddF32AVX512, asm.AddF64AVX512
	return p
}
