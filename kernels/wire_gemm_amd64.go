//go:build !purego && !noasm

package kernels

import "github.com/descentlab/descent/asm"

// GEMM tiles and block sizes, for Zen 5 (48 KiB 12-way L1D, 1 MiB L2 per
// core, 32 MiB L3 per CCD), checked by measurement on this machine (one
// thread, thread CPU time, variants interleaved call by call in one
// process, medians; tuning runs not committed). AVX-512:
//
//   - Tile 10×32 f32 / 10×16 f64 (was 14 rows). A row of C is two cache
//     lines, and when the row stride is a multiple of 4 KiB (1024 f32 or
//     512 f64 columns) every row of a tile falls in the same two L1 sets:
//     14 rows are 14 lines per 12-way set and the update of C thrashes.
//     Macro loop alone (one KC=342 pass over a 1008×1008 C, f32 GFLOP/s,
//     ldc 1024 / ldc 1040): 14×32 200/222, 12×32 203/219, 10×32 219/228,
//     9×32 218/226, 8×32 217/223, 6×64 204/216, 8×48 202/217. 10 rows keep
//     a tile's lines within the ways and are as fast as 14 when C does not
//     alias (20 accumulators, 12 loads per 20 FMAs).
//   - KC=512 for f32 (a 64 KiB panel of B, streamed from L2 rather than
//     held in L1, plus 20 KiB of A): each KC block loads and stores the
//     tile of C once more, and that costs more than the L2 stream.
//     Against KC=384: 512³ 200 vs 191 GFLOP/s, 1024³ 187 vs 178–184,
//     256×784×128 209 vs 205 (784 = 2×392), 64×784×128 196 vs 194; KC=1024
//     with MC=160 measured alike. f64 KC=512 too: 1024³ flat from 192 to
//     512 (86–87 GFLOP/s), 256×784×128 100, 104, 105 and 106 at KC=192,
//     256, 384 and 512.
//   - MC: the MC×KC block of A stays in L2 across the jr loop: f32 MC=330
//     (660 KiB at KC=512), f64 MC=160 (640 KiB); 160 to 500 rows measured
//     alike on 512³ and 1024³. Multiples of the tile's 10 rows.
//   - NC: the KC×NC block of B stays in L3 (shared by the cores of a CCD)
//     across the ic loop: NC=3072 is 6 MiB at KC=512, a small share of
//     32 MiB.
//   - Tiles kernels (microTiles, microRowsTiles, microColsTiles; the
//     narrow tiles too): one call runs the full tiles down a column of C,
//     the same FMAs in the same order. Ratios to OpenBLAS (SkylakeX
//     kernels, BenchmarkGemmVsOpenBLAS, one thread, medians of 8,
//     without → with): f32 1024³ 0.997 → 1.006, 2048³ 0.960 → 0.995,
//     256×784×128 1.082 → 1.091, 784×256×128 TN 1.075 → 1.087,
//     64×784×128 1.128 → 1.133; f64 1024³ 1.060 → 1.088, 2048³ 0.999 →
//     1.039 (f64's big shapes vary by ±3% from run to run), 256×784×128
//     1.348 → 1.366, 784×256×128 TN 1.365 → 1.380, 64×784×128 1.385 →
//     1.390. With them, f32 KC=384 or MC=200 and f64 KC=384 or MC=100
//     measured alike on 1024³ and 2048³ (within the noise), so the block
//     sizes stay.
//   - f64 Bᵀ panels (NT) transposed in registers (packBTR, 16 rows), not
//     gathered (packBT): against OpenBLAS 64×128×784 NT 0.99 → 1.12–1.13,
//     256×128×784 NT 1.16 → 1.21, 64×10×128 NT 1.20–1.21 → 1.28.
//   - f64 A·B with 9 or 10 columns as Cᵀ = Bᵀ·Aᵀ on a 10×8 tile
//     (transRowsC, see runTransRows): 64×128×10 0.84 → 1.16, 256×128×10
//     0.88 → 1.16 of OpenBLAS; 10 of 10 rows of the tile are real where
//     C's 10 columns fill 10 of 16 lanes. (Zen 4, later: float32 on a
//     10×16 tile, Aᵀ·B for both types in one pass (transCols), every
//     tile stored to C from registers; see the README.)
//   - The mid tiles 8×32 f32 / 8×16 f64 (gemmKernel.mid: A up to 256 KiB,
//     where their fill at speed 0.97 beats the others'; B packed as for
//     the 10-row tile): 32 and 64 rows fill 80% and 91% of 10-row tiles,
//     all of 8-row ones. With them, and the per-call cuts in
//     gemm_driver.go (call record on the stack, an atomic slot before the
//     free list's mutex, no GOMAXPROCS read or split for one-part
//     products, wholeTiles), against OpenBLAS in the same sitting
//     (alternating builds, two runs each, before → after): f32 32³
//     0.91–0.95 → 1.02–1.03, 64³ 0.88 → 1.00; f64 32³ 0.88–0.90 → 1.01,
//     64³ 0.89 → 0.98–1.00; and, where the mid tile is now chosen,
//     64×784×128 f32 1.14 → 1.25, 64×128×784 NT 1.06 → 1.15 (f64 1.13 →
//     1.22), 64×10×128 NT 1.15 → 1.29–1.32 (f64 1.28 → 1.40–1.43); the
//     other shapes, 128³ to 2048³ included, within the noise. A standalone
//     32³ f32 call went from 431 to 353 ns (BenchmarkGemm).
//   - The narrow tiles (used when they pad less, see gemmKernel.narrow)
//     keep their earlier budgets: 16×16 f32 (KC=256: 16 KiB of B, 16 KiB of
//     A), 16×8 f64 (KC=256: 16 + 32 KiB, A streaming); MC=336, a multiple
//     of 16.
//
// AVX2 (tiles 6×16 f32 / 6×8 f64, narrow 12×8 / 12×4): one KC×NR panel of
// B in L1 while MR×KC panels of A stream through it from L2; MC=144.
// Measured on this machine (one thread, thread CPU time, interleaved):
//
//   - The microkernel alone, operands in L1, runs at 97% of the AVX2 FMA
//     peak (6×16 f32 107–114 GFLOP/s against a probe of 110–117, 6×8 f64
//     57 against 56–57), and it is 95–97% of a 1024³ product's time: the
//     loss around it was packing, 11% of the time with the Go loops, 4%
//     with the assembly ones (packAN: 6- and 12-row transposes; packBNP;
//     packBTR: whole Bᵀ panels, where the gathers of packBT were slower).
//     256×128×784 NT went from 0.90–0.93 to 0.99–1.01 of OpenBLAS.
//   - f32 KC=384 (24 KiB of B), not 512: 1024³ about 1% faster, 1000³,
//     600³ and the MLP shapes alike. KC from 256 to 1024 and MC from 72 to
//     288 are otherwise flat within the noise (±2%) for f32 and f64; f64
//     KC=272, MC=72 (K split evenly: 1024 as 4×256, 784 as 3×262)
//     measured 3–4% faster at 1024³ than KC=384, MC=144.
//   - Rechecked later against OpenBLAS-Haswell at 1024³ (x-openblas, two
//     runs each, same sitting): f32 as wired 0.99–1.01, KC=512 1.01–1.02,
//     KC=256 1.00–1.05, MC=288 0.97–1.02, MC=72 0.99–1.02; f64 as wired
//     0.98–1.02, KC=384 1.00–1.01, KC=256 0.98–1.00, MC=144 0.99–1.00,
//     MC=36 0.99–1.00: all within the ±3% noise. A 1024³ product runs at
//     85–88% of the probe's peak (BenchmarkGemm), 95–96% of its time in
//     the Tiles microkernels and 1.7% (f32) / 2.2% (f64) in packing (perf
//     profile): what is left is the microkernel's speed on panels from
//     L2/L3 (about 90% of the peak against 97% on L1-resident ones).
//   - A read in place at a 4 KiB row stride (f32 1024³, skipping the
//     packing of A: its 6 rows share two L1 sets but fit the 12 ways) once
//     measured 1.5–3% faster; rechecked with the assembly packing it was
//     not (x-openblas 0.99–1.02 either way), so A is packed.
//   - Ratios to OpenBLAS's Haswell kernels after this: f32 1024³
//     0.96–1.0, f64 1024³ 0.95–1.0 (both at 95–98% of the FMA peak, as is
//     OpenBLAS), the MLP shapes 1.0–1.2.
//   - Few columns (Zen 4, later): Aᵀ·B in one pass on the 10×8 f32 /
//     10×4 f64 tiles of Cᵀ (transCols), whose K loop loads A with
//     VMOVUPS and masks only the last partial tile (VMASKMOVPS loads are
//     slow on Zen 4: the kernel alone went from 62 to 85–91 GFLOP/s,
//     64×128 f32 from L1); A·B with n <= 10 on the same kernel, one tile
//     of A's rows packed transposed at a time (transRowsPack, see
//     runTransRows): 64×128×10 f32 0.76–0.81 → 1.12–1.14, f64 0.99 →
//     1.31–1.38 of OpenBLAS-Haswell.
var _ = wire(
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.gemm = &gemmKernel[float32]{mr: 6, nr: 16, kc: 384, mc: 144, nc: 3072,
			transposeAdd: asm.GemmTransposeAddF32AVX2, transposeRows: 8,
			transCols: asm.GemmMicroColsTransTiles10x8F32AVX2, transColsN: 10, transColsM: 8,
			transRowsPack: asm.GemmPackRows8F32AVX2, transRowsN: 10, transRowsM: 8,
			micro: asm.GemmMicro6x16F32AVX2, microTiles: asm.GemmMicroTiles6x16F32AVX2,
			microRowsTiles: asm.GemmMicroRowsTiles6x16F32AVX2, microColsTiles: asm.GemmMicroColsTiles6x16F32AVX2,
			microRows: asm.GemmMicroRows6x16F32AVX2, microCols: asm.GemmMicroCols6x16F32AVX2,
			packBT: asm.GemmPackT16F32AVX2, packBNP: asm.GemmPackNPanels16F32AVX2, packAN: asm.GemmPackRows6F32AVX2,
			packBTR: asm.GemmPackRows16F32AVX2,
			narrow: &gemmKernel[float32]{mr: 12, nr: 8, speed: 0.8, kc: 384, mc: 144, nc: 3072,
				micro: asm.GemmMicro12x8F32AVX2, microTiles: asm.GemmMicroTiles12x8F32AVX2,
				microRowsTiles: asm.GemmMicroRowsTiles12x8F32AVX2, microColsTiles: asm.GemmMicroColsTiles12x8F32AVX2,
				microRows: asm.GemmMicroRows12x8F32AVX2, microCols: asm.GemmMicroCols12x8F32AVX2,
				packBT: asm.GemmPackT8F32AVX2, packBNP: asm.GemmPackNPanels8F32AVX2, packAN: asm.GemmPackRows12F32AVX2,
				packBTR: asm.GemmPackRows8F32AVX2}}
		f64.gemm = &gemmKernel[float64]{mr: 6, nr: 8, kc: 272, mc: 72, nc: 3072,
			transposeAdd: asm.GemmTransposeAddF64AVX2, transposeRows: 4,
			transCols: asm.GemmMicroColsTransTiles10x4F64AVX2, transColsN: 10, transColsM: 4,
			transRowsPack: asm.GemmPackRows4F64AVX2, transRowsN: 10, transRowsM: 4,
			micro: asm.GemmMicro6x8F64AVX2, microTiles: asm.GemmMicroTiles6x8F64AVX2,
			microRowsTiles: asm.GemmMicroRowsTiles6x8F64AVX2, microColsTiles: asm.GemmMicroColsTiles6x8F64AVX2,
			microRows: asm.GemmMicroRows6x8F64AVX2, microCols: asm.GemmMicroCols6x8F64AVX2,
			packBT: asm.GemmPackT8F64AVX2, packBNP: asm.GemmPackNPanels8F64AVX2, packAN: asm.GemmPackRows6F64AVX2,
			packBTR: asm.GemmPackRows8F64AVX2,
			narrow: &gemmKernel[float64]{mr: 12, nr: 4, speed: 0.8, kc: 256, mc: 144, nc: 3072,
				micro: asm.GemmMicro12x4F64AVX2, microTiles: asm.GemmMicroTiles12x4F64AVX2,
				microRowsTiles: asm.GemmMicroRowsTiles12x4F64AVX2, microColsTiles: asm.GemmMicroColsTiles12x4F64AVX2,
				microRows: asm.GemmMicroRows12x4F64AVX2, microCols: asm.GemmMicroCols12x4F64AVX2,
				packBT: asm.GemmPackT4F64AVX2, packBNP: asm.GemmPackNPanels4F64AVX2, packAN: asm.GemmPackRows12F64AVX2,
				packBTR: asm.GemmPackRows4F64AVX2}}
	},
	func(f32 *ops[float32], f64 *ops[float64]) {
		f32.gemm = &gemmKernel[float32]{mr: 10, nr: 32, kc: 512, mc: 330, nc: 3072,
			transposeAdd: asm.GemmTransposeAddF32AVX512, transposeRows: 16,
			transRowsC: asm.GemmMicroRowsTransC10x16F32AVX512, transRowsN: 10, transRowsM: 16,
			transCols: asm.GemmMicroColsTransTiles10x16F32AVX512, transColsN: 10, transColsM: 16,
			micro: asm.GemmMicro10x32F32AVX512, microTiles: asm.GemmMicroTiles10x32F32AVX512,
			microRowsTiles: asm.GemmMicroRowsTiles10x32F32AVX512, microColsTiles: asm.GemmMicroColsTiles10x32F32AVX512,
			microRows: asm.GemmMicroRows10x32F32AVX512, microCols: asm.GemmMicroCols10x32F32AVX512,
			microEdge: asm.GemmMicroEdge10x32F32AVX512, microRowsEdge: asm.GemmMicroRowsEdge10x32F32AVX512, microColsEdge: asm.GemmMicroColsEdge10x32F32AVX512,
			packBT: asm.GemmPackT32F32AVX512, packBN: asm.GemmPackN32F32AVX512, packBNP: asm.GemmPackNPanels32F32AVX512, packAN: asm.GemmPackRows10F32AVX512,
			packBTR: asm.GemmPackRows16Stride32F32AVX512,
			mid: &gemmKernel[float32]{mr: 8, nr: 32, speed: 0.97, kc: 512, mc: 320, nc: 3072,
				micro: asm.GemmMicro8x32F32AVX512, microTiles: asm.GemmMicroTiles8x32F32AVX512,
				microRowsTiles: asm.GemmMicroRowsTiles8x32F32AVX512, microColsTiles: asm.GemmMicroColsTiles8x32F32AVX512,
				microRows: asm.GemmMicroRows8x32F32AVX512, microCols: asm.GemmMicroCols8x32F32AVX512,
				microEdge: asm.GemmMicroEdge8x32F32AVX512, microRowsEdge: asm.GemmMicroRowsEdge8x32F32AVX512, microColsEdge: asm.GemmMicroColsEdge8x32F32AVX512,
				packBT: asm.GemmPackT32F32AVX512, packBN: asm.GemmPackN32F32AVX512, packBNP: asm.GemmPackNPanels32F32AVX512, packAN: asm.GemmPackRows8F32AVX512,
				packBTR: asm.GemmPackRows16Stride32F32AVX512},
			narrow: &gemmKernel[float32]{mr: 16, nr: 16, speed: 0.85, kc: 256, mc: 336, nc: 3072,
				micro: asm.GemmMicro16x16F32AVX512, microTiles: asm.GemmMicroTiles16x16F32AVX512,
				microRowsTiles: asm.GemmMicroRowsTiles16x16F32AVX512, microColsTiles: asm.GemmMicroColsTiles16x16F32AVX512,
				microRows: asm.GemmMicroRows16x16F32AVX512, microCols: asm.GemmMicroCols16x16F32AVX512,
				microEdge: asm.GemmMicroEdge16x16F32AVX512, microRowsEdge: asm.GemmMicroRowsEdge16x16F32AVX512, microColsEdge: asm.GemmMicroColsEdge16x16F32AVX512,
				packBT: asm.GemmPackT16F32AVX512, packBN: asm.GemmPackN16F32AVX512, packBNP: asm.GemmPackNPanels16F32AVX512, packBTR: asm.GemmPackRows16F32AVX512}}
		f64.gemm = &gemmKernel[float64]{mr: 10, nr: 16, kc: 512, mc: 160, nc: 3072,
			transposeAdd: asm.GemmTransposeAddF64AVX512, transposeRows: 8,
			transRowsC: asm.GemmMicroRowsTransC10x8F64AVX512, transRowsN: 10, transRowsM: 8,
			transCols: asm.GemmMicroColsTransTiles10x16F64AVX512, transColsN: 10, transColsM: 16,
			micro: asm.GemmMicro10x16F64AVX512, microTiles: asm.GemmMicroTiles10x16F64AVX512,
			microRowsTiles: asm.GemmMicroRowsTiles10x16F64AVX512, microColsTiles: asm.GemmMicroColsTiles10x16F64AVX512,
			microRows: asm.GemmMicroRows10x16F64AVX512, microCols: asm.GemmMicroCols10x16F64AVX512,
			microEdge: asm.GemmMicroEdge10x16F64AVX512, microRowsEdge: asm.GemmMicroRowsEdge10x16F64AVX512, microColsEdge: asm.GemmMicroColsEdge10x16F64AVX512,
			packBT: asm.GemmPackT16F64AVX512, packBN: asm.GemmPackN16F64AVX512, packBNP: asm.GemmPackNPanels16F64AVX512, packAN: asm.GemmPackRows10F64AVX512,
			packBTR: asm.GemmPackRows16F64AVX512,
			mid: &gemmKernel[float64]{mr: 8, nr: 16, speed: 0.97, kc: 512, mc: 160, nc: 3072,
				micro: asm.GemmMicro8x16F64AVX512, microTiles: asm.GemmMicroTiles8x16F64AVX512,
				microRowsTiles: asm.GemmMicroRowsTiles8x16F64AVX512, microColsTiles: asm.GemmMicroColsTiles8x16F64AVX512,
				microRows: asm.GemmMicroRows8x16F64AVX512, microCols: asm.GemmMicroCols8x16F64AVX512,
				microEdge: asm.GemmMicroEdge8x16F64AVX512, microRowsEdge: asm.GemmMicroRowsEdge8x16F64AVX512, microColsEdge: asm.GemmMicroColsEdge8x16F64AVX512,
				packBT: asm.GemmPackT16F64AVX512, packBN: asm.GemmPackN16F64AVX512, packBNP: asm.GemmPackNPanels16F64AVX512, packAN: asm.GemmPackRows8F64AVX512,
				packBTR: asm.GemmPackRows16F64AVX512},
			narrow: &gemmKernel[float64]{mr: 16, nr: 8, speed: 0.85, kc: 256, mc: 336, nc: 3072,
				micro: asm.GemmMicro16x8F64AVX512, microTiles: asm.GemmMicroTiles16x8F64AVX512,
				microRowsTiles: asm.GemmMicroRowsTiles16x8F64AVX512, microColsTiles: asm.GemmMicroColsTiles16x8F64AVX512,
				microRows: asm.GemmMicroRows16x8F64AVX512, microCols: asm.GemmMicroCols16x8F64AVX512,
				microEdge: asm.GemmMicroEdge16x8F64AVX512, microRowsEdge: asm.GemmMicroRowsEdge16x8F64AVX512, microColsEdge: asm.GemmMicroColsEdge16x8F64AVX512,
				packBT: asm.GemmPackT8F64AVX512, packBN: asm.GemmPackN8F64AVX512, packBNP: asm.GemmPackNPanels8F64AVX512}}
	},
)
