//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

// NEON GEMM: the packed microkernels of gen/arm64/gemm.go, 8×12 for
// float32 and 8×6 for float64 (24 accumulators of 128 bits each), inside
// the same BLIS driver as every level. Only the packed kernel exists: the
// driver packs every operand (no microRows/microCols), pads edge tiles
// through its scratch tile (no masked edge kernels) and packs Bᵀ with its
// Go loop (no packBT).
//
// Block sizes, for the Neoverse N1 and V1 (64 KiB L1D, 1 MiB L2 per core
// in the usual configurations, e.g. Graviton2 and Graviton3), by the
// classical rule since qemu cannot time them:
//
//   - KC: a KC×NR panel of B stays in L1 while MR×KC panels of A stream
//     through it: f32 KC=512 is 24 KiB of B and 16 KiB of A, f64 KC=384 is
//     18 KiB of B and 24 KiB of A, within 64 KiB with room for C.
//   - MC: the MC×KC block of A stays in L2 across the jr loop, a quarter to
//     a third of it: MC=128 (a multiple of MR=8) is 256 KiB (f32) and 384
//     KiB (f64).
//   - NC: the KC×NC block of B in the shared L3 (or system cache): NC=3072
//     (a multiple of 12 and 6) is 6 MiB (f32) and 9 MiB (f64).
var _ = wire(func(f32 *ops[float32], f64 *ops[float64]) {
	f32.gemm = &gemmKernel[float32]{mr: 8, nr: 12, kc: 512, mc: 128, nc: 3072, micro: asm.GemmMicro8x12F32NEON}
	f64.gemm = &gemmKernel[float64]{mr: 8, nr: 6, kc: 384, mc: 128, nc: 3072, micro: asm.GemmMicro8x6F64NEON}
})
