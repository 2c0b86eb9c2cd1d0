//go:build !purego && !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// On arm64 the NEON (Advanced SIMD) level starts from the generic table and
// replaces each kernel that has a NEON version. Each kernel family wires
// its own functions (wire_*_arm64.go) through package-level variable
// initialisers, which Go runs before any init function, so the table is
// complete when dispatch's init picks a level.

type wiring func(f32 *ops[float32], f64 *ops[float64])

var wireNEON []wiring

func wire(neon wiring) bool {
	wireNEON = append(wireNEON, neon)
	return true
}

func neonImpl() *impl {
	p := genericImpl()
	p.level = NEON
	for _, w := range wireNEON {
		w(&p.f32, &p.f64)
	}
	return p
}

// registerArch adds the NEON level when the CPU reports Advanced SIMD
// (every ARMv8-A core Go supports does, but cpuid is asked all the same).
func registerArch() {
	if cpuid.CPU.Supports(cpuid.ASIMD) {
		register(neonImpl())
	}
}
