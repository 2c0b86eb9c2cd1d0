//go:build !purego && !noasm

package kernels

import (
	"github.com/klauspost/cpuid/v2"
)

// registerArch adds the assembly levels that this CPU and OS support.
// cpuid checks the OS (XCR0) state for AVX and AVX-512 registers too.
func registerArch() {
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		register(avx2Impl())
	}
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL) {
		register(avx512Impl())
	}
}
