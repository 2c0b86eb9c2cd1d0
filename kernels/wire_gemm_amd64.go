//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

// GEMM block sizes, for Zen 5 (48 KiB L1D, 1 MiB L2 per core, 32 MiB L3
// per CCD), checked by measurement on this machine (1024³, one thread,
// thread CPU time; kernels' zz tuning runs, not committed):
//
//   - KC: the classical rule keeps one KC×NR panel of B in L1 while MR×KC
//     panels of A stream through it: KC·(NR+MR)·size within L1, KC=256 for
//     AVX-512 f32 (32 KiB of B + 14 KiB of A). Measured, larger KC is
//     better up to 384 and flat beyond (f32 AVX-512: 104.5 GFLOP/s at 256,
//     105.8 at 384, 106.7 at 512): the tile of C is loaded and stored once
//     per KC block, and the B panel, read two vectors per 14 broadcasts,
//     streams from L2 fast enough. So KC=384 for AVX-512 f32 (48 KiB of B:
//     about the L1), KC=256 for f64 (14×16 tile, 32 KiB of B; 52.5 GFLOP/s
//     against 49–51 for 384–768), KC=512 for AVX2 f32 (6×16: 32 KiB of B)
//     and 384 for AVX2 f64 (6×8: 24 KiB).
//   - MC: the MC×KC block of A stays in L2 across the jr loop; about a
//     third to a half of the 1 MiB L2 leaves room for the B block passing
//     through: AVX-512 MC=336 (f32: 504 KiB at KC=384; f64: 672 KiB), AVX2
//     MC=144 (288 KiB). 168 and 336 measured alike.
//   - NC: the KC×NC block of B stays in L3 (shared by the cores of a CCD)
//     across the ic loop: NC=3072 is 4.5–6 MiB, a small share of 32 MiB.
//   - The narrow tiles (used when n < NR pads less, see gemmKernel.narrow)
//     keep the same budgets: AVX-512 16×16 f32 (KC=256: 16 KiB of B, 16 KiB
//     of A), 16×8 f64 (KC=256: 16 + 32 KiB, A streaming); AVX2 12×8 f32
//     (KC=384), 12×4 f64 (KC=256). MC=336 is a multiple of 16 and 14.
var _ = wire(
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.gemm = &gemmKernel[float32]{mr: 6, nr: 16, kc: 512, mc: 144, nc: 3072,
			micro: asm.GemmMicro6x16F32AVX2, microRows: asm.GemmMicroRows6x16F32AVX2, microCols: asm.GemmMicroCols6x16F32AVX2,
			packBT: asm.GemmPackT16F32AVX2,
			narrow: &gemmKernel[float32]{mr: 12, nr: 8, speed: 0.8, kc: 384, mc: 144, nc: 3072,
				micro: asm.GemmMicro12x8F32AVX2, microRows: asm.GemmMicroRows12x8F32AVX2, microCols: asm.GemmMicroCols12x8F32AVX2,
				packBT: asm.GemmPackT8F32AVX2}}
		f64.gemm = &gemmKernel[float64]{mr: 6, nr: 8, kc: 384, mc: 144, nc: 3072,
			micro: asm.GemmMicro6x8F64AVX2, microRows: asm.GemmMicroRows6x8F64AVX2, microCols: asm.GemmMicroCols6x8F64AVX2,
			packBT: asm.GemmPackT8F64AVX2,
			narrow: &gemmKernel[float64]{mr: 12, nr: 4, speed: 0.8, kc: 256, mc: 144, nc: 3072,
				micro: asm.GemmMicro12x4F64AVX2, microRows: asm.GemmMicroRows12x4F64AVX2, microCols: asm.GemmMicroCols12x4F64AVX2,
				packBT: asm.GemmPackT4F64AVX2}}
	},
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.gemm = &gemmKernel[float32]{mr: 14, nr: 32, kc: 384, mc: 336, nc: 3072,
			micro: asm.GemmMicro14x32F32AVX512, microRows: asm.GemmMicroRows14x32F32AVX512, microCols: asm.GemmMicroCols14x32F32AVX512,
			microEdge: asm.GemmMicroEdge14x32F32AVX512, microRowsEdge: asm.GemmMicroRowsEdge14x32F32AVX512, microColsEdge: asm.GemmMicroColsEdge14x32F32AVX512,
			packBT: asm.GemmPackT32F32AVX512,
			narrow: &gemmKernel[float32]{mr: 16, nr: 16, speed: 1, kc: 256, mc: 336, nc: 3072,
				micro: asm.GemmMicro16x16F32AVX512, microRows: asm.GemmMicroRows16x16F32AVX512, microCols: asm.GemmMicroCols16x16F32AVX512,
				microEdge: asm.GemmMicroEdge16x16F32AVX512, microRowsEdge: asm.GemmMicroRowsEdge16x16F32AVX512, microColsEdge: asm.GemmMicroColsEdge16x16F32AVX512,
				packBT: asm.GemmPackT16F32AVX512}}
		f64.gemm = &gemmKernel[float64]{mr: 14, nr: 16, kc: 256, mc: 336, nc: 3072,
			micro: asm.GemmMicro14x16F64AVX512, microRows: asm.GemmMicroRows14x16F64AVX512, microCols: asm.GemmMicroCols14x16F64AVX512,
			microEdge: asm.GemmMicroEdge14x16F64AVX512, microRowsEdge: asm.GemmMicroRowsEdge14x16F64AVX512, microColsEdge: asm.GemmMicroColsEdge14x16F64AVX512,
			packBT: asm.GemmPackT16F64AVX512,
			narrow: &gemmKernel[float64]{mr: 16, nr: 8, speed: 1, kc: 256, mc: 336, nc: 3072,
				micro: asm.GemmMicro16x8F64AVX512, microRows: asm.GemmMicroRows16x8F64AVX512, microCols: asm.GemmMicroCols16x8F64AVX512,
				microEdge: asm.GemmMicroEdge16x8F64AVX512, microRowsEdge: asm.GemmMicroRowsEdge16x8F64AVX512, microColsEdge: asm.GemmMicroColsEdge16x8F64AVX512,
				packBT: asm.GemmPackT8F64AVX512}}
	},
)
