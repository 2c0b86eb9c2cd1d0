//go:build !purego && !noasm

package bench

import (
	"github.com/descentlab/descent/asm"
	"github.com/descentlab/descent/kernels"
)

// peakProbes: 12 FMAs per iteration (gen/gemm's peakAccs), 2 operations
// per lane.
func peakProbes() map[peakKey]peakProbe {
	return map[peakKey]peakProbe{
		{kernels.AVX2, false}:   {asm.PeakFMAF32AVX2, 12 * 2 * 8},
		{kernels.AVX2, true}:    {asm.PeakFMAF64AVX2, 12 * 2 * 4},
		{kernels.AVX512, false}: {asm.PeakFMAF32AVX512, 12 * 2 * 16},
		{kernels.AVX512, true}:  {asm.PeakFMAF64AVX512, 12 * 2 * 8},
	}
}
