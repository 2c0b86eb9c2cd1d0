// Command gemm generates the GEMM microkernels of package asm (one MR×NR
// register-blocked kernel per instruction set and element type, see
// kernels/gemm_driver.go for the loops around them) and the FMA peak probe
// that package bench measures the machine with.
//
// Register budget. A row-major C tile is held as MR rows of NV vectors; each
// step of the K loop loads NV vectors of the packed B panel, broadcasts MR
// values of the packed A panel one at a time, and issues MR·NV FMAs. The FMA
// latency (4 cycles on Zen 4/5) times the FMA throughput (2 per cycle) asks
// for at least 8 independent accumulators; more of them also amortise the
// loads: a step does MR+NV loads for MR·NV FMAs.
//
//   - AVX-512 (32 ZMM): MR=10, NV=2 → 20 accumulators + 2 B vectors + 1
//     broadcast = 23 registers; 12 loads per 20 FMAs (10 cycles), well
//     inside two loads per cycle. f32 tile 10×32, f64 10×16. (14 rows fit
//     the registers, 28 accumulators, but when C's row stride is a
//     multiple of 4 KiB all the rows of a tile share two L1 sets, and 14
//     lines per 12-way set make the update of C thrash: the loops around
//     the microkernel ran 9% slower than at 10 rows on a 1024-wide C; see
//     kernels/wire_gemm_amd64.go.)
//   - AVX2 (16 YMM): MR=6, NV=2 → 12 accumulators + 2 + 1 = 15 registers;
//     8 loads per 12 FMAs. f32 tile 6×16, f64 6×8.
//
// Narrow tiles, for products with few columns: NV=1, AVX-512 16 rows
// (16 accumulators, the broadcast embedded in each FMA: 17 loads per 16
// FMAs, measured at the wide tile's rate), AVX2 12 rows (12 + 1 + 1).
//
// Each tile comes in three ways of reading A (and B): from packed panels
// (micro), A as stored row-major (microRows, rows addressed as three rows
// per base register: (base), (base)(lda*1), (base)(lda*2)) or A as stored
// transposed (microCols); the last two also read B as stored (row stride
// ldb) or packed (ldb = NR). AVX-512 also has masked edge variants that
// touch only the first mm rows and nn columns of C. Both levels also have
// Tiles variants of the three that run n full tiles down a column of C in
// one call. All of them run the same FMAs in the same order, so they give the
// same bits.
//
// The AVX-512 packing is generated here too: packRows transposes whole
// MR-row panels of A (and 16-row halves of Bᵀ panels) in registers, packN
// and packNPanels copy panels of B with masked loads (the latter row by row
// of B, across all the panels of a block), packT gathers the partial Bᵀ
// panels. AVX2 has packNPanels and packRowsAVX2 (the same transposes with
// AVX2 shuffles, for the 6- and 12-row panels of A and whole Bᵀ panels).
//
// AVX-512 also has transRowsTilesC (transrows.go): tiles of Cᵀ for A·B
// with 10 columns, A read in place and transposed in registers (float64
// 8×8 at a time, float32 16 rows by 8 steps), so that the 10 columns fill
// the 10 rows of a tile; and transColsTiles for Aᵀ·B. Both transpose each
// finished tile back in registers and store C's rows (transStore).
//
// The K loop is unrolled 4 times and, in the packed kernel, prefetches the
// A panel (streamed from L2) 8 steps ahead; these hints may point past the
// end of the panel, which a prefetch never faults on and never reads
// architecturally. The C tile of a full tile is prefetched before the loop
// so that its load at the end does not stall. Measured on this machine
// (512-bit FMAs at one per cycle, 256-bit at two), the wide kernels run at
// 97% of the FMA peak on L1-resident panels.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/descentlab/descent/gen/internal/kit"
)

func main() {
	ConstraintExpr("!purego,!noasm")
	for _, k := range kit.All {
		mr := 6
		if k.Is512() {
			mr = 10
		}
		micro(k, mr, 2)
		// The narrow tile, for products with few columns (an MLP's
		// 10-class output layer): one vector of B per step. AVX-512 takes
		// 16 rows (16 accumulators + 1 B + 1 broadcast = 18 registers; 17
		// loads per 16 FMAs; batches of 64 or 256 rows divide evenly), AVX2
		// 12 (12 + 1 + 1 = 14 of its 16 registers).
		narrowMR := 16
		if !k.Is512() {
			narrowMR = 2 * mr
		}
		micro(k, narrowMR, 1)
		microRows(k, narrowMR, 1)
		microCols(k, mr, 2)
		microCols(k, narrowMR, 1)
		if k.Is512() {
			for _, md := range []mode{packed, rowsA, colsA} {
				microEdge(k, mr, 2, md)
				microEdge(k, narrowMR, 1, md)
			}
		}
		microRows(k, mr, 2)
	}
	for _, k := range kit.All {
		transposeAdd(k)
	}
	// Packing of Bᵀ as stored (Trans) into NR-wide panels, for both tiles.
	// (The same gathers lost to the Go loop for the MR-wide panels of A.)
	for _, k := range kit.All {
		packT(k, 2*k.Lanes())
		packT(k, k.Lanes())
	}
	// AVX-512 packing of A (op(A) = A, full MR-row panels) and of B (op(B)
	// = B) for the wide and narrow tiles.
	for _, k := range kit.All {
		if !k.Is512() {
			continue
		}
		packRows(k, 10, 10) // A, for the 10-row tile
		if k.T.Size == 4 {
			packRows(k, 16, 16) // Bᵀ, for the 16×16 tile
			packRows(k, 16, 32) // Bᵀ, half a panel of the 10×32 tile
		}
		packN(k, 2*k.Lanes())
		packN(k, k.Lanes())
		packNPanels(k, 2*k.Lanes())
		packNPanels(k, k.Lanes())
	}
	for _, k := range kit.All {
		peak(k)
	}
	// AVX2 packing (after the rest, so that their code and labels stay as
	// they were): A panels of the 6- and 12-row tiles and full Bᵀ panels
	// of both tiles transposed in registers, full B panels copied row by
	// row of B across the panels.
	for _, k := range kit.All {
		if k.Is512() {
			continue
		}
		packRowsAVX2(k, 6)
		packRowsAVX2(k, 12)
		packRowsAVX2(k, 2*k.Lanes())
		packRowsAVX2(k, k.Lanes())
		packNPanels(k, 2*k.Lanes())
		packNPanels(k, k.Lanes())
		microTiles(k, 6, 2)
		microTiles(k, 12, 1)
	}
	// AVX-512 Tiles kernels (after the rest, so that the code and labels
	// of the others stay as they were).
	for _, k := range kit.All {
		if !k.Is512() {
			continue
		}
		microTiles(k, 10, 2)
		microTiles(k, 16, 1)
	}
	// AVX-512 float64 Bᵀ panels of the 10×16 tile transposed in registers
	// (after the rest, as above) rather than gathered by packT: 64×128×784
	// NT went from 0.99 to 1.12 of OpenBLAS.
	for _, k := range kit.All {
		if k.Is512() && k.T.Size == 8 {
			packRows(k, 16, 16)
		}
	}
	// And the few-column kernels that compute tiles of Cᵀ and write C from
	// them transposed (after the rest, as above).
	for _, k := range kit.All {
		if k.Is512() && k.T.Size == 8 {
			transColsTiles(k)
			transRowsTilesC(k)
		}
	}
	for _, k := range kit.All {
		if k.Is512() && k.T.Size == 4 {
			transColsTiles(k)
			transRowsTilesC(k)
		}
	}
	for _, k := range kit.All {
		transColsTiles2(k)
	}
	// AVX-512 8-row tiles (8×32 f32, 8×16 f64; after the rest, as above),
	// for small products whose rows are a multiple of 8 and not of 10: 32
	// and 64 rows fill 80% and 91% of the 10-row tiles, 100% of these (16
	// accumulators, 10 loads per 16 FMAs; the loops around them ran within
	// 1% of the 10-row tile's speed when C does not alias, see
	// kernels/wire_gemm_amd64.go). B is packed as for the 10-row tile.
	for _, k := range kit.All {
		if !k.Is512() {
			continue
		}
		micro(k, 8, 2)
		microRows(k, 8, 2)
		microCols(k, 8, 2)
		for _, md := range []mode{packed, rowsA, colsA} {
			microEdge(k, 8, 2, md)
		}
		microTiles(k, 8, 2)
		packRows(k, 8, 8)
	}
	Generate()
}

// The ways a microkernel reads its operands.
type mode int

const (
	packed mode = iota // A and B from packed panels
	rowsA              // A as stored, op(A) = A: a[i*lda+p]; B as stored or packed: b[p*ldb+j]
	colsA              // A as stored, op(A) = Aᵀ: a[p*lda+i]; B as in rowsA
)

func micro(k kit.Kit, mr, nv int) { microKernel(k, mr, nv, packed, false) }

// microTiles is micro for n full tiles down a column of C at once (the
// panels of A one after another, the same panel of B), so that the loops
// in Go make one call per panel of B instead of one per tile: on AVX2's
// small 6×8 f64 tile the call and its bookkeeping took 2% of a 1024³
// product.
func microTiles(k kit.Kit, mr, nv int) {
	for _, md := range []mode{packed, rowsA, colsA} {
		microKernelTiles(k, mr, nv, md, false, true)
	}
}

// microRows is the microkernel that reads A where it lies, row-major with
// row stride lda (op(A) = A), instead of from a packed panel: for the
// small products where packing A costs as much as the multiply. The
// arithmetic is the same FMAs in the same order, so both give bitwise the
// same tile.
func microRows(k kit.Kit, mr, nv int) { microKernel(k, mr, nv, rowsA, false) }

// microCols reads a transposed A where it lies: the mr values of a step
// are contiguous, a[p*lda+i], and the pointer moves by lda per step.
func microCols(k kit.Kit, mr, nv int) { microKernel(k, mr, nv, colsA, false) }

// microEdge is the AVX-512 kernel of mode md for an edge tile of C: it
// computes the whole mr×nr tile but reads and writes only its first mm rows
// and nn columns of C (opmasks: masked-off lanes are never touched), so
// that an edge tile needs no scratch tile and no copy.
func microEdge(k kit.Kit, mr, nv int, md mode) { microKernel(k, mr, nv, md, true) }

func microKernel(k kit.Kit, mr, nv int, md mode, edge bool) {
	microKernelTiles(k, mr, nv, md, edge, false)
}

func microKernelTiles(k kit.Kit, mr, nv int, md mode, edge, tiles bool) {
	if tiles && edge {
		panic("microKernelTiles: no edge kernel for tiles")
	}
	rows := md != packed // B's row stride is a parameter
	cols := md == colsA
	nr := nv * k.Lanes()
	size := k.T.Size
	var pa reg.GPVirtual
	var lda reg.GPVirtual
	var bases []reg.GPVirtual // rows mode: row 3j is at bases[j]
	edgeName, edgeSig, edgeDoc := "", "", ""
	if edge {
		edgeName, edgeSig = "Edge", ", mm, nn int"
		edgeDoc = fmt.Sprintf(" Only the first mm rows and nn columns of the tile are read and written (1 <= mm <= %d, 1 <= nn <= %d); len(c) >= (mm-1)*ldc+nn suffices.", mr, nr)
	}
	if tiles && rows {
		kind, arow := "Rows", "(n*%d-1)*lda+kc"
		tileA := "a[t*%d*lda:]"
		if cols {
			kind, arow, tileA = "Cols", "(kc-1)*lda+n*%d", "a[t*%d:]"
		}
		name := fmt.Sprintf("GemmMicro%sTiles%dx%d", kind, mr, nr)
		k.Text(name, "func(n, kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s%s%s is GemmMicro%s%dx%d%s%s for n tiles down a column of C: tile t reads A at "+tileA+" and sets the tile at c[t*%d*ldc:], all with the same B. The caller guarantees n >= 1, kc >= 1, len(a) >= "+arow+", len(b) >= (kc-1)*ldb+%d and len(c) >= (n*%d-1)*ldc+%d.", name, k.T.Name, k.ISA.Name, kind, mr, nr, k.T.Name, k.ISA.Name, mr, mr, mr, nr, mr, nr))
	} else if cols {
		name := fmt.Sprintf("GemmMicroCols%s%dx%d", edgeName, mr, nr)
		k.Text(name, "func(kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T"+edgeSig+")")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s%s%s sets the %d×%d tile of C at c (row stride ldc) to alpha·Aᵀ·B + beta·C, where A is read as stored (op(A)(i, p) = a[p*lda+i]; a packed panel has lda = %d) and B as stored or packed (b[p*ldb+j]; a packed panel has ldb = %d), p < kc. C is not read when beta is 0. The caller guarantees kc >= 1, len(a) >= (kc-1)*lda+%d, len(b) >= (kc-1)*ldb+%d and len(c) >= %d*ldc+%d.", name, k.T.Name, k.ISA.Name, mr, nr, mr, nr, mr, nr, mr-1, nr) + edgeDoc)
	} else if rows {
		name := fmt.Sprintf("GemmMicroRows%s%dx%d", edgeName, mr, nr)
		k.Text(name, "func(kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T"+edgeSig+")")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s%s%s sets the %d×%d tile of C at c (row stride ldc) to alpha·A·B + beta·C, where A is read as stored (a[i*lda+p]) and B as stored or packed (b[p*ldb+j]; a packed panel has ldb = %d), p < kc. C is not read when beta is 0. The caller guarantees kc >= 1, len(a) >= %d*lda+kc, len(b) >= (kc-1)*ldb+%d and len(c) >= %d*ldc+%d.", name, k.T.Name, k.ISA.Name, mr, nr, nr, mr-1, nr, mr-1, nr) + edgeDoc)
	} else if tiles {
		name := fmt.Sprintf("GemmMicroTiles%dx%d", mr, nr)
		k.Text(name, "func(n, kc int, a, b, c []T, ldc int, alpha, beta T)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s%s%s is GemmMicro%dx%d%s%s for n tiles down a column of C: tile t reads the packed panel a[t*kc*%d:] and sets the tile at c[t*%d*ldc:], all with the same packed panel of B. The caller guarantees n >= 1, kc >= 1, len(a) >= n*kc*%d, len(b) >= kc*%d and len(c) >= (n*%d-1)*ldc+%d.", name, k.T.Name, k.ISA.Name, mr, nr, k.T.Name, k.ISA.Name, mr, mr, mr, nr, mr, nr))
	} else {
		name := fmt.Sprintf("GemmMicro%s%dx%d", edgeName, mr, nr)
		k.Text(name, "func(kc int, a, b, c []T, ldc int, alpha, beta T"+edgeSig+")")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s%s%s sets the %d×%d tile of C at c (row stride ldc) to alpha·A·B + beta·C, where A is a packed panel (a[p*%d+i]) and B a packed panel (b[p*%d+j]), p < kc. C is not read when beta is 0. The caller guarantees kc >= 1, len(a) >= kc*%d, len(b) >= kc*%d and len(c) >= %d*ldc+%d.", name, k.T.Name, k.ISA.Name, mr, nr, mr, nr, mr, nr, mr-1, nr) + edgeDoc)
	}

	// Tiles: the loop over the tiles reloads kc and b from the frame
	// for each tile and keeps A's start in pa0 (rows and cols modes).
	var kc reg.Register
	var ntiles, pa0 reg.GPVirtual
	tileLoop := kit.NewLabel("tile")
	if tiles {
		kc = GP64()
		ntiles = Load(Param("n"), GP64()).(reg.GPVirtual)
	} else {
		kc = Load(Param("kc"), GP64())
	}
	pa = Load(Param("a").Base(), GP64()).(reg.GPVirtual)
	if tiles && rows {
		pa0, pa = pa, GP64()
	}
	if rows {
		lda = Load(Param("lda"), GP64()).(reg.GPVirtual)
		if size == 4 {
			SHLQ(U8(2), lda)
		} else {
			SHLQ(U8(3), lda)
		}
	}
	computeBases := func() { bases = rowBases(pa, lda, mr) }
	if rows && !cols && !tiles {
		computeBases()
	}
	aAt := func(r, step int) Mem {
		if !rows {
			return Mem{Base: pa, Disp: (step*mr + r) * size}
		}
		if cols { // pa advances a row of A per step
			return Mem{Base: pa, Disp: r * size}
		}
		return rowMem(bases, lda, r, step*size)
	}
	advanceA := func(steps int) {
		if !rows {
			ADDQ(U32(uint32(steps*mr*size)), pa)
			return
		}
		if cols {
			return
		}
		for _, b := range bases {
			ADDQ(U32(uint32(steps*size)), b)
		}
	}
	pb := Load(Param("b").Base(), GP64())
	var ldb reg.GPVirtual // rows mode: B's row stride in bytes
	if rows {
		ldb = Load(Param("ldb"), GP64()).(reg.GPVirtual)
		if size == 4 {
			SHLQ(U8(2), ldb)
		} else {
			SHLQ(U8(3), ldb)
		}
	}
	bAt := func(v, step int) Mem {
		if rows { // pb advances a row per step
			return Mem{Base: pb, Disp: v * k.VecBytes}
		}
		return Mem{Base: pb, Disp: (step*nr + v*k.Lanes()) * size}
	}
	advanceB := func(steps int) {
		if !rows {
			ADDQ(U32(uint32(steps*nr*size)), pb)
		}
	}
	pc := Load(Param("c").Base(), GP64())
	ldc := Load(Param("ldc"), GP64())
	if size == 4 {
		SHLQ(U8(2), ldc)
	} else {
		SHLQ(U8(3), ldc)
	}
	if tiles {
		// Each tile starts over with the whole K loop and the same B.
		Label(tileLoop)
		Load(Param("kc"), kc)
		Load(Param("b").Base(), pb)
		if rows {
			MOVQ(pa0, pa)
			if !cols {
				computeBases()
			}
		}
	}

	// Prefetch the C tile: each row spans nr*size bytes, possibly one cache
	// line more when unaligned. (Not for an edge tile, whose rows may end
	// sooner.) Prefetching it later instead, 16 to 300 steps before the end
	// of the K loop, measured alike (f32 1024³ and 2048³, Zen 5).
	if !edge {
		t := GP64()
		MOVQ(pc, t)
		for r := 0; r < mr; r++ {
			for off := 0; off < nr*size; off += 64 {
				PREFETCHT0(Mem{Base: t, Disp: off})
			}
			PREFETCHT0(Mem{Base: t, Disp: nr*size - 1})
			if r < mr-1 {
				ADDQ(ldc, t)
			}
		}
	}

	acc := make([][]reg.VecVirtual, mr)
	for r := range acc {
		acc[r] = k.Vecs(nv)
		for _, v := range acc[r] {
			k.Zero(v)
		}
	}

	step := func(u int) {
		bv := k.Vecs(nv)
		for v := range bv {
			k.Load(bAt(v, u), bv[v])
		}
		if rows {
			ADDQ(ldb, pb)
		}
		for r := 0; r < mr; r++ {
			if nv == 1 && k.Is512() {
				// One FMA per value of A: the broadcast rides in the FMA
				// (embedded broadcast), one µop instead of two. Not for the
				// wide tiles, where each value feeds nv FMAs: embedded
				// broadcasts there (nv loads of it, no broadcast register)
				// ran the 10×32 f32 product at 0.80–0.92× (1024³ and 2048³
				// against OpenBLAS, builds alternated, Zen 5, 2026-12-05).
				pick(k, VFMADD231PS_BCST, VFMADD231PD_BCST)(aAt(r, u), bv[0], acc[r][0])
				continue
			}
			t := k.Vec()
			k.Broadcast(aAt(r, u), t)
			for v := range bv {
				k.FMA231(t, bv[v], acc[r][v])
			}
		}
		if cols {
			ADDQ(lda, pa)
		}
	}

	const unroll = 4
	// The A panel is consumed at mr*size bytes per step; fetch the lines
	// that the steps 8..12 ahead will need.
	prefetchDist := 8 * mr * size
	loop, single, tail, done := kit.NewLabel("kloop"), kit.NewLabel("kone"), kit.NewLabel("kdone"), kit.NewLabel("done")
	Label(loop)
	CMPQ(kc, U8(unroll))
	JB(LabelRef(single))
	if !rows { // rows mode: A's rows are sequential streams, left to the hardware
		for off := 0; off < unroll*mr*size; off += 64 {
			PREFETCHT0(Mem{Base: pa, Disp: prefetchDist + off})
		}
	}
	for u := 0; u < unroll; u++ {
		step(u)
	}
	advanceA(unroll)
	advanceB(unroll)
	SUBQ(U8(unroll), kc)
	JMP(LabelRef(loop))

	Label(single)
	TESTQ(kc, kc)
	JZ(LabelRef(tail))
	step(0)
	advanceA(1)
	advanceB(1)
	DECQ(kc)
	JMP(LabelRef(single))

	// C = alpha·acc + beta·C; C is not read when beta is 0.
	Label(tail)
	// An edge tile: opmasks for the first nn columns, and a count of the
	// rows still to write.
	var masks []reg.Register
	var rowsLeft reg.GPVirtual
	if edge {
		nn := Load(Param("nn"), GP64()).(reg.GPVirtual)
		for v := 0; v < nv; v++ {
			n := GP64()
			MOVQ(nn, n)
			SUBQ(U32(uint32(v*k.Lanes())), n)
			zero := GP64()
			XORQ(zero, zero)
			CMPQ(n, zero)
			CMOVQLT(zero, n)
			all, bits := GP64(), GP64()
			MOVQ(I32(-1), all)
			BZHIQ(n, all, bits)
			m := K()
			KMOVW(bits.As32(), m)
			masks = append(masks, m)
		}
		rowsLeft = Load(Param("mm"), GP64()).(reg.GPVirtual)
	}
	// Broadcast the scalars straight from the frame: with 28 accumulators
	// live the allocator may pick X16..X31, which SSE loads cannot address.
	va := k.Vec()
	k.Broadcast(paramAddr("alpha"), va)
	for r := range acc {
		for _, v := range acc[r] {
			k.Mul(va, v, v)
		}
	}
	vb := k.Vec()
	k.Broadcast(paramAddr("beta"), vb)
	z := k.Vec()
	k.Xor(z, z, z)
	if size == 4 {
		VUCOMISS(X(z), X(vb))
	} else {
		VUCOMISD(X(z), X(vb))
	}
	withBeta := kit.NewLabel("beta")
	// nextRow moves to the next row of C, leaving when an edge tile has
	// written its mm rows.
	nextRow := func(r int) {
		if r == mr-1 {
			return
		}
		if edge {
			DECQ(rowsLeft)
			JZ(LabelRef(done))
		}
		ADDQ(ldc, pc)
	}
	store := func(r, v int) {
		mem := Mem{Base: pc, Disp: v * k.VecBytes}
		if edge {
			pick(k, VMOVUPS, VMOVUPD)(acc[r][v], masks[v], mem)
			return
		}
		k.Store(acc[r][v], mem)
	}
	JNE(LabelRef(withBeta))
	JP(LabelRef(withBeta)) // NaN beta: read C, as the arithmetic says
	for r := range acc {
		for v := range acc[r] {
			store(r, v)
		}
		nextRow(r)
	}
	JMP(LabelRef(done))

	Label(withBeta)
	for r := range acc {
		for v := range acc[r] {
			mem := Mem{Base: pc, Disp: v * k.VecBytes}
			if edge { // merge-masked: masked-off lanes of C are not read
				pick(k, VFMADD231PS, VFMADD231PD)(mem, vb, masks[v], acc[r][v])
			} else {
				k.FMA231(mem, vb, acc[r][v])
			}
			store(r, v)
		}
		nextRow(r)
	}
	Label(done)
	if tiles {
		// pc is at the tile's last row; a packed pa is already at the
		// next panel, A in place starts mr rows (or columns) further.
		ADDQ(ldc, pc)
		switch {
		case cols:
			ADDQ(U32(uint32(mr*size)), pa0)
		case rows:
			for r := 0; r < mr; r++ {
				ADDQ(lda, pa0)
			}
		}
		DECQ(ntiles)
		JNZ(LabelRef(tileLoop))
	}
	VZEROUPPER()
	RET()
}

// packN emits GemmPackN<width><T><ISA>(dst, src []T, ld, cols, kb int),
// the packing of an untransposed block into a width-wide panel:
// dst[p*width+c] = src[p*ld+c] for c < cols, p < kb, and 0 for cols <= c <
// width. The loads are masked to the first cols lanes, so nothing past a
// row's cols elements is read.
func packN(k kit.Kit, width int) {
	size := k.T.Size
	lanes := k.Lanes()
	nvec := width / lanes
	name := fmt.Sprintf("GemmPackN%d", width)
	k.Text(name, "func(dst, src []T, ld, cols, kb int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s packs an untransposed block: dst[p*%d+c] = src[p*ld+c] for c < cols <= %d, p < kb, zero for cols <= c < %d. The caller guarantees kb >= 1, cols >= 1, len(dst) >= kb*%d and len(src) >= (kb-1)*ld+cols.", name, k.T.Name, k.ISA.Name, width, width, width, width))
	dst := Load(Param("dst").Base(), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	if size == 4 {
		SHLQ(U8(2), ld)
	} else {
		SHLQ(U8(3), ld)
	}
	cols := Load(Param("cols"), GP64())
	kb := Load(Param("kb"), GP64())
	var masks []reg.Register
	for v := 0; v < nvec; v++ {
		n := GP64()
		MOVQ(cols, n)
		SUBQ(U32(uint32(v*lanes)), n)
		zero := GP64()
		XORQ(zero, zero)
		CMPQ(n, zero)
		CMOVQLT(zero, n)
		all, bits := GP64(), GP64()
		MOVQ(I32(-1), all)
		BZHIQ(n, all, bits)
		m := K()
		KMOVW(bits.As32(), m)
		masks = append(masks, m)
	}
	loop, done := kit.NewLabel("packn"), kit.NewLabel("packndone")
	Label(loop)
	TESTQ(kb, kb)
	JZ(LabelRef(done))
	for v := 0; v < nvec; v++ {
		d := k.Vec()
		pick(k, VMOVUPS_Z, VMOVUPD_Z)(Mem{Base: src, Disp: v * k.VecBytes}, masks[v], d)
		k.Store(d, Mem{Base: dst, Disp: v * k.VecBytes})
	}
	ADDQ(ld, src)
	ADDQ(U32(uint32(width*size)), dst)
	DECQ(kb)
	JMP(LabelRef(loop))
	Label(done)
	VZEROUPPER()
	RET()
}

// packNPanels emits GemmPackNPanels<width><T><ISA>(dst, src []T, ld,
// panels, kb int): packN of panels whole width-wide panels at once, row by
// row of the source (each row of B is read once, from start to end, and
// written to every panel), instead of panel by panel down the rows: a row
// stride of a few KiB makes every row of a single panel a new page and a
// new prefetch stream.
func packNPanels(k kit.Kit, width int) {
	size := k.T.Size
	nvec := width / k.Lanes()
	name := fmt.Sprintf("GemmPackNPanels%d", width)
	k.Text(name, "func(dst, src []T, ld, panels, kb int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s packs whole panels of an untransposed block: dst[q*kb*%d+p*%d+c] = src[p*ld+q*%d+c] for q < panels, p < kb, c < %d. The caller guarantees kb >= 1, panels >= 1, len(dst) >= panels*kb*%d and len(src) >= (kb-1)*ld+panels*%d.", name, k.T.Name, k.ISA.Name, width, width, width, width, width, width))
	dst := Load(Param("dst").Base(), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	panels := Load(Param("panels"), GP64())
	kb := Load(Param("kb"), GP64())
	shift := U8(2)
	if size == 8 {
		shift = U8(3)
	}
	SHLQ(shift, ld)
	pstride := GP64() // bytes between panels: kb*width*size
	MOVQ(kb, pstride)
	IMUL3Q(U32(uint32(width*size)), pstride, pstride)
	rowLoop, rowDone := kit.NewLabel("packnrow"), kit.NewLabel("packnrowdone")
	Label(rowLoop)
	TESTQ(kb, kb)
	JZ(LabelRef(rowDone))
	s, d, q := GP64(), GP64(), GP64()
	MOVQ(src, s)
	MOVQ(dst, d)
	MOVQ(panels, q)
	panelLoop := kit.NewLabel("packnpanel")
	Label(panelLoop)
	for v := 0; v < nvec; v++ {
		x := k.Vec()
		k.Load(Mem{Base: s, Disp: v * k.VecBytes}, x)
		k.Store(x, Mem{Base: d, Disp: v * k.VecBytes})
	}
	ADDQ(U32(uint32(width*size)), s)
	ADDQ(pstride, d)
	DECQ(q)
	JNZ(LabelRef(panelLoop))
	ADDQ(ld, src)
	ADDQ(U32(uint32(width*size)), dst)
	DECQ(kb)
	JMP(LabelRef(rowLoop))
	Label(rowDone)
	VZEROUPPER()
	RET()
}

// packRows emits GemmPackRows<mr>[Stride<stride>]<T><ISA>(dst, src []T,
// ld, kb int), the packing of mr whole rows into a panel of row stride
// stride: dst[p*stride+r] = src[r*ld+p] for r < mr, p < kb. One vector of
// columns at a time (16 float32 or 8 float64): the rows are loaded in
// groups of one vector's lanes, each group transposed in registers
// (unpacks, then a 4×4 transpose of 128-bit blocks by two rounds of
// VSHUFF32X4) and stored as the columns' lanes of that group; lanes of rows
// past mr are never stored, so those rows are never loaded. The last kb
// mod lanes columns use masked loads, so nothing past a row's kb values is
// read.
func packRows(k kit.Kit, mr, stride int) {
	size := k.T.Size
	lanes := k.Lanes()
	name := fmt.Sprintf("GemmPackRows%d", mr)
	if stride != mr {
		name = fmt.Sprintf("GemmPackRows%dStride%d", mr, stride)
	}
	k.Text(name, "func(dst, src []T, ld, kb int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s packs %d rows into a panel of row stride %d: dst[p*%d+r] = src[r*ld+p] for r < %d, p < kb; nothing else of dst is written. The caller guarantees kb >= 1, len(dst) >= (kb-1)*%d+%d and len(src) >= %d*ld+kb.", name, k.T.Name, k.ISA.Name, mr, stride, stride, mr, stride, mr, mr-1))
	dst := Load(Param("dst").Base(), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	if size == 4 {
		SHLQ(U8(2), ld)
	} else {
		SHLQ(U8(3), ld)
	}
	kb := Load(Param("kb"), GP64())
	bases := rowBases(src.(reg.GPVirtual), ld.(reg.GPVirtual), mr)
	rowAt := func(r int) Mem { return rowMem(bases, ld.(reg.GPVirtual), r, 0) }
	groups := (mr + lanes - 1) / lanes
	storeMasks := make([]reg.Register, groups)
	for g := range storeMasks {
		n := min(lanes, mr-g*lanes)
		if n == lanes {
			continue
		}
		t := GP64()
		MOVQ(U32(uint32(1)<<uint(n)-1), t)
		storeMasks[g] = K()
		KMOVW(t.As32(), storeMasks[g])
	}
	// block transposes the lanes columns at the rows' current positions,
	// loading with mask lm (nil: whole vectors) and storing column j while
	// j < tail (nil: all of them).
	block := func(lm reg.Register, tail reg.GPVirtual) {
		for g := 0; g < groups; g++ {
			valid := min(lanes, mr-g*lanes) // rows of this group below mr
			v := make([]reg.VecVirtual, lanes)
			for i := 0; i < valid; i++ {
				v[i] = k.Vec()
				if lm == nil {
					k.Load(rowAt(g*lanes+i), v[i])
				} else {
					pick(k, VMOVUPS_Z, VMOVUPD_Z)(rowAt(g*lanes+i), lm, v[i])
				}
			}
			for i := valid; i < lanes; i++ {
				v[i] = v[valid-1] // lanes of rows past mr are never stored
			}
			// Unpack stages down to 128-bit blocks of 4 float32 / 2
			// float64: w[q*i+c], block L, holds rows of column q*L+c.
			w := make([]reg.VecVirtual, lanes)
			for i := 0; i < lanes/2; i++ {
				if 2*i >= valid {
					w[2*i], w[2*i+1] = w[0], w[1]
					continue
				}
				w[2*i], w[2*i+1] = k.Vec(), k.Vec()
				if size == 4 {
					VUNPCKLPS(v[2*i+1], v[2*i], w[2*i])
					VUNPCKHPS(v[2*i+1], v[2*i], w[2*i+1])
				} else {
					VUNPCKLPD(v[2*i+1], v[2*i], w[2*i])
					VUNPCKHPD(v[2*i+1], v[2*i], w[2*i+1])
				}
			}
			if size == 4 {
				u := make([]reg.VecVirtual, lanes)
				for i := 0; i < 4; i++ {
					if 4*i >= valid {
						for c := 0; c < 4; c++ {
							u[4*i+c] = u[c]
						}
						continue
					}
					for c := 0; c < 4; c++ {
						u[4*i+c] = k.Vec()
					}
					VUNPCKLPD(w[4*i+2], w[4*i], u[4*i+0])
					VUNPCKHPD(w[4*i+2], w[4*i], u[4*i+1])
					VUNPCKLPD(w[4*i+3], w[4*i+1], u[4*i+2])
					VUNPCKHPD(w[4*i+3], w[4*i+1], u[4*i+3])
				}
				w = u
			}
			// Now w[q*i+c], 128-bit block L, holds the rows of block i of
			// column q*L+c (q = lanes/4): a 4×4 transpose of blocks.
			q := lanes / 4
			outs := make([]reg.VecVirtual, lanes)
			for c := 0; c < q; c++ {
				x0, x1, y0, y1 := k.Vec(), k.Vec(), k.Vec(), k.Vec()
				VSHUFF32X4(U8(0x44), w[q+c], w[c], x0)
				VSHUFF32X4(U8(0xEE), w[q+c], w[c], x1)
				VSHUFF32X4(U8(0x44), w[3*q+c], w[2*q+c], y0)
				VSHUFF32X4(U8(0xEE), w[3*q+c], w[2*q+c], y1)
				for L := 0; L < 4; L++ {
					o := k.Vec()
					a, b := x0, y0
					if L >= 2 {
						a, b = x1, y1
					}
					imm := uint8(0x88)
					if L%2 == 1 {
						imm = 0xDD
					}
					VSHUFF32X4(U8(imm), b, a, o)
					outs[q*L+c] = o
				}
			}
			skip := kit.NewLabel("packrcols")
			for j := 0; j < lanes; j++ {
				if tail != nil {
					CMPQ(tail, U8(uint8(j)))
					JBE(LabelRef(skip))
				}
				m := Mem{Base: dst, Disp: (j*stride + g*lanes) * size}
				if storeMasks[g] == nil {
					k.Store(outs[j], m)
				} else {
					pick(k, VMOVUPS, VMOVUPD)(outs[j], storeMasks[g], m)
				}
			}
			if tail != nil {
				Label(skip)
			}
		}
	}
	loop, rest, done := kit.NewLabel("packr"), kit.NewLabel("packrtail"), kit.NewLabel("packrdone")
	Label(loop)
	CMPQ(kb, U8(uint8(lanes)))
	JB(LabelRef(rest))
	block(nil, nil)
	for _, b := range bases {
		ADDQ(U8(64), b)
	}
	ADDQ(U32(uint32(lanes*stride*size)), dst)
	SUBQ(U8(uint8(lanes)), kb)
	JMP(LabelRef(loop))
	Label(rest)
	TESTQ(kb, kb)
	JZ(LabelRef(done))
	{
		all, bits := GP64(), GP64()
		MOVQ(I32(-1), all)
		BZHIQ(kb, all, bits)
		lm := K()
		KMOVW(bits.As32(), lm)
		block(lm, kb.(reg.GPVirtual))
	}
	Label(done)
	VZEROUPPER()
	RET()
}

// packT emits GemmPackT<width><T><ISA>(dst, src []T, ld, rows, kb int),
// the packing of a block whose panel columns are strided in memory:
// dst[p*width+r] = src[r*ld+p] for r < rows, p < kb, and 0 for rows <= r <
// width. One gather per vector of width lanes per p: the gather reads only
// the lanes its mask selects, so nothing outside src is touched; the
// indices are 32-bit, so the caller keeps (width-1)*ld below 2^31.
func packT(k kit.Kit, width int) {
	size := k.T.Size
	lanes := k.Lanes()
	nvec := (width + lanes - 1) / lanes
	name := fmt.Sprintf("GemmPackT%d", width)
	k.Text(name, "func(dst, src []T, ld, rows, kb int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s packs a transposed block: dst[p*%d+r] = src[r*ld+p] for r < rows <= %d, p < kb, zero for rows <= r < %d. The caller guarantees kb >= 1, rows >= 1, len(dst) >= kb*%d, len(src) >= (rows-1)*ld+kb and %d*ld < 2^31.", name, k.T.Name, k.ISA.Name, width, width, width, width, width-1))
	dst := Load(Param("dst").Base(), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := GP64()
	Load(Param("ld"), ld)
	rows := Load(Param("rows"), GP64())
	kb := Load(Param("kb"), GP64())

	// Index vectors (dwords): lane j of vector v holds (v*lanes+j)*ld.
	idxVec := func() reg.VecVirtual {
		switch {
		case k.Is512() && size == 4:
			return ZMM()
		case k.Is512() || size == 4:
			return YMM()
		}
		return XMM()
	}
	ldv := idxVec()
	ldx := XMM()
	VMOVD(ld.As32(), ldx)
	VPBROADCASTD(ldx, ldv)
	iota := iotaTable()
	idx := make([]reg.VecVirtual, nvec)
	for v := range idx {
		idx[v] = idxVec()
		VPMULLD(Mem{Base: iotaBase(iota), Disp: 4 * v * lanes}, ldv, idx[v])
	}

	// Lane masks: lanes r < rows (gathers) and r < width (the last store).
	var gk []reg.Register   // AVX-512 gather masks, per vector
	var gv []reg.VecVirtual // AVX2 gather masks, per vector
	for v := 0; v < nvec; v++ {
		n := GP64()
		MOVQ(rows, n)
		SUBQ(U32(uint32(v*lanes)), n)
		zero := GP64()
		XORQ(zero, zero)
		CMPQ(n, zero)
		CMOVQLT(zero, n)
		full := GP64()
		MOVQ(U32(uint32(lanes)), full)
		CMPQ(n, full)
		CMOVQGT(full, n) // n = clamp(rows - v*lanes, 0, lanes)
		if k.Is512() {
			all, bits := GP64(), GP64()
			MOVQ(I32(-1), all)
			BZHIQ(n, all, bits)
			m := K()
			KMOVW(bits.As32(), m)
			gk = append(gk, m)
		} else {
			gv = append(gv, k.LaneMask(n))
		}
	}
	lastLanes := width - (nvec-1)*lanes
	var storeK reg.Register
	var storeV reg.VecVirtual
	if lastLanes < lanes {
		n := GP64()
		MOVQ(U32(uint32(lastLanes)), n)
		if k.Is512() {
			all, bits := GP64(), GP64()
			MOVQ(I32(-1), all)
			BZHIQ(n, all, bits)
			storeK = K()
			KMOVW(bits.As32(), storeK)
		} else {
			storeV = k.LaneMask(n)
		}
	}

	loop, done := kit.NewLabel("pack"), kit.NewLabel("packdone")
	Label(loop)
	TESTQ(kb, kb)
	JZ(LabelRef(done))
	for v := 0; v < nvec; v++ {
		d := k.Vec()
		k.Zero(d)
		mem := Mem{Base: src, Index: idx[v], Scale: uint8(size)}
		if k.Is512() {
			m := K()
			KMOVW(gk[v], m) // the gather clears its mask
			pick(k, VGATHERDPS, VGATHERDPD)(mem, m, d)
		} else {
			m := k.Vec()
			k.Mov(gv[v], m)
			pick(k, VGATHERDPS, VGATHERDPD)(m, mem, d)
		}
		out := Mem{Base: dst, Disp: v * k.VecBytes}
		switch {
		case v < nvec-1 || lastLanes == lanes:
			k.Store(d, out)
		case k.Is512():
			pick(k, VMOVUPS, VMOVUPD)(d, storeK, out)
		default:
			pick(k, VMASKMOVPS, VMASKMOVPD)(d, storeV, out)
		}
	}
	ADDQ(U8(uint8(size)), src)
	ADDQ(U32(uint32(width*size)), dst)
	DECQ(kb)
	JMP(LabelRef(loop))
	Label(done)
	VZEROUPPER()
	RET()
}

func pick[F any](k kit.Kit, ps, pd F) F {
	if k.T.Size == 4 {
		return ps
	}
	return pd
}

var iotaMem Mem
var iotaDone bool

// iotaTable is the dwords 0, 1, ..., 31.
func iotaTable() Mem {
	if !iotaDone {
		iotaMem = GLOBL("gemmiota", RODATA|NOPTR)
		for i := 0; i < 32; i++ {
			DATA(4*i, U32(uint32(i)))
		}
		iotaDone = true
	}
	return iotaMem
}

func iotaBase(m Mem) reg.Register {
	r := GP64()
	LEAQ(m, r)
	return r
}

// paramAddr is the frame address of a scalar parameter.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// X is the XMM view of a vector register.
func X(v reg.VecVirtual) reg.Register { return v.AsX() }

// peakAccs independent FMA chains: at 2 FMAs per cycle and 4 cycles of
// latency 8 would do; 12 leave slack for any machine with up to 3 pipes.
const peakAccs = 12

// peak emits PeakFMA<T><ISA>(n int): n iterations of peakAccs independent
// register-to-register FMAs, nothing else but the loop counter, so that its
// time is the machine's FMA throughput. FLOPs per call: n·peakAccs·2·lanes.
func peak(k kit.Kit) {
	k.Text("PeakFMA", "func(n int)")
	Doc(fmt.Sprintf("PeakFMA%s%s runs n iterations of %d independent vector FMAs (n·%d floating-point operations).", k.T.Name, k.ISA.Name, peakAccs, peakAccs*2*k.Lanes()))
	n := Load(Param("n"), GP64())
	x, y := k.Vec(), k.Vec()
	k.Zero(x)
	k.Zero(y)
	acc := k.Vecs(peakAccs)
	for _, v := range acc {
		k.Zero(v)
	}
	loop, done := kit.NewLabel("peak"), kit.NewLabel("peakdone")
	Label(loop)
	TESTQ(n, n)
	JZ(LabelRef(done))
	for _, v := range acc {
		k.FMA231(x, y, v)
	}
	DECQ(n)
	JMP(LabelRef(loop))
	Label(done)
	// Keep the accumulators live so no pass could drop the FMAs.
	kit.Combine(acc, k.Add)
	VZEROUPPER()
	RET()
}

// packRowsAVX2 emits GemmPackRows<mr><T>AVX2(dst, src []T, ld, kb int),
// packRows for AVX2: dst[p*mr+r] = src[r*ld+p] for r < mr (even), p < kb.
// One vector of columns (8 float32 or 4 float64) at a time, the rows in
// groups transposed in registers: a group of a vector's lanes of rows is a
// full transpose (unpacks, then VPERM2F128) stored as whole vectors; a
// group of 4 float32 rows is stored as 128-bit halves and a group of 2 rows
// as 64-bit (float32) or 128-bit (float64) pieces, so that nothing outside
// a column's mr values is written. The last kb mod lanes columns are
// loaded with VMASKMOV, which reads nothing of the masked-off lanes.
func packRowsAVX2(k kit.Kit, mr int) {
	if mr%2 != 0 {
		panic("packRowsAVX2: odd mr")
	}
	size := k.T.Size
	lanes := k.Lanes()
	stride := mr
	name := fmt.Sprintf("GemmPackRows%d", mr)
	k.Text(name, "func(dst, src []T, ld, kb int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s packs %d rows into a panel: dst[p*%d+r] = src[r*ld+p] for r < %d, p < kb. The caller guarantees kb >= 1, len(dst) >= kb*%d and len(src) >= %d*ld+kb.", name, k.T.Name, k.ISA.Name, mr, stride, mr, stride, mr-1))
	dst := Load(Param("dst").Base(), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	if size == 4 {
		SHLQ(U8(2), ld)
	} else {
		SHLQ(U8(3), ld)
	}
	kb := Load(Param("kb"), GP64())
	bases := rowBases(src.(reg.GPVirtual), ld.(reg.GPVirtual), mr)
	rowAt := func(r int) Mem { return rowMem(bases, ld.(reg.GPVirtual), r, 0) }
	type group struct{ r0, n int }
	var groups []group
	for r := 0; r < mr; {
		n := 2
		switch {
		case mr-r >= lanes:
			n = lanes
		case mr-r >= 4:
			n = 4
		}
		groups = append(groups, group{r, n})
		r += n
	}
	unpack := func(lo bool, b, a, d reg.VecVirtual, pd bool) {
		switch {
		case pd && lo:
			VUNPCKLPD(b, a, d)
		case pd:
			VUNPCKHPD(b, a, d)
		case lo:
			VUNPCKLPS(b, a, d)
		default:
			VUNPCKHPS(b, a, d)
		}
	}
	// block transposes the lanes columns at the rows' current positions,
	// loading with lane mask lm (nil: whole vectors) and storing column j
	// only while j < tail (nil: all of them).
	block := func(lm reg.VecVirtual, tail reg.GPVirtual) {
		for _, g := range groups {
			load := func(i int) reg.VecVirtual {
				v := k.Vec()
				if lm == nil {
					k.Load(rowAt(g.r0+i), v)
				} else {
					pick(k, VMASKMOVPS, VMASKMOVPD)(rowAt(g.r0+i), lm, v)
				}
				return v
			}
			// Rows 2i and 2i+1 interleaved: t[2i] from their low
			// halves of each 128-bit lane, t[2i+1] from their high halves.
			t := make([]reg.VecVirtual, g.n)
			for i := 0; i < g.n/2; i++ {
				a, b := load(2*i), load(2*i+1)
				t[2*i], t[2*i+1] = k.Vec(), k.Vec()
				unpack(true, b, a, t[2*i], size == 8)
				unpack(false, b, a, t[2*i+1], size == 8)
			}
			at := func(j int) Mem { return Mem{Base: dst, Disp: (j*stride + g.r0) * size} }
			// store(j, f) stores column j with f unless the tail ends
			// before it.
			skip := kit.NewLabel("packr2cols")
			store := func(j int, f func(m Mem)) {
				if tail != nil {
					CMPQ(tail, U8(uint8(j)))
					JBE(LabelRef(skip))
				}
				f(at(j))
			}
			switch {
			case size == 4 && g.n == 2:
				// t0 = a0 b0 a1 b1 | a4 b4 a5 b5, t1 = a2 b2 a3 b3 | a6 b6 a7 b7.
				h0, h1 := XMM(), XMM()
				VEXTRACTF128(U8(1), t[0], h0)
				VEXTRACTF128(U8(1), t[1], h1)
				store(0, func(m Mem) { VMOVLPS(X(t[0]), m) })
				store(1, func(m Mem) { VMOVHPS(X(t[0]), m) })
				store(2, func(m Mem) { VMOVLPS(X(t[1]), m) })
				store(3, func(m Mem) { VMOVHPS(X(t[1]), m) })
				store(4, func(m Mem) { VMOVLPS(h0, m) })
				store(5, func(m Mem) { VMOVHPS(h0, m) })
				store(6, func(m Mem) { VMOVLPS(h1, m) })
				store(7, func(m Mem) { VMOVHPS(h1, m) })
			case size == 8 && g.n == 2:
				// t0 = a0 b0 | a2 b2, t1 = a1 b1 | a3 b3.
				store(0, func(m Mem) { VMOVUPD(X(t[0]), m) })
				store(1, func(m Mem) { VMOVUPD(X(t[1]), m) })
				store(2, func(m Mem) { VEXTRACTF128(U8(1), t[0], m) })
				store(3, func(m Mem) { VEXTRACTF128(U8(1), t[1], m) })
			case size == 8: // 4 rows, a full transpose
				// t0 = a0 b0 | a2 b2, t1 = a1 b1 | a3 b3, t2, t3 the same of c, d.
				outs := make([]reg.VecVirtual, 4)
				for c := 0; c < 2; c++ {
					outs[c], outs[c+2] = k.Vec(), k.Vec()
					VPERM2F128(U8(0x20), t[2+c], t[c], outs[c])
					VPERM2F128(U8(0x31), t[2+c], t[c], outs[c+2])
				}
				for j := 0; j < 4; j++ {
					store(j, func(m Mem) { k.Store(outs[j], m) })
				}
			default: // float32, 4 or 8 rows
				// u[4q+c] holds column c (low half) and c+4 (high half) of
				// rows 4q..4q+3.
				u := make([]reg.VecVirtual, g.n)
				for q := 0; q < g.n/4; q++ {
					for c := range 4 {
						u[4*q+c] = k.Vec()
					}
					VUNPCKLPD(t[4*q+2], t[4*q], u[4*q+0])
					VUNPCKHPD(t[4*q+2], t[4*q], u[4*q+1])
					VUNPCKLPD(t[4*q+3], t[4*q+1], u[4*q+2])
					VUNPCKHPD(t[4*q+3], t[4*q+1], u[4*q+3])
				}
				if g.n == 4 {
					for j := 0; j < 4; j++ {
						store(j, func(m Mem) { VMOVUPS(X(u[j]), m) })
					}
					for j := 0; j < 4; j++ {
						store(4+j, func(m Mem) { VEXTRACTF128(U8(1), u[j], m) })
					}
					break
				}
				outs := make([]reg.VecVirtual, 8)
				for c := 0; c < 4; c++ {
					outs[c], outs[c+4] = k.Vec(), k.Vec()
					VPERM2F128(U8(0x20), u[4+c], u[c], outs[c])
					VPERM2F128(U8(0x31), u[4+c], u[c], outs[c+4])
				}
				for j := 0; j < 8; j++ {
					store(j, func(m Mem) { k.Store(outs[j], m) })
				}
			}
			if tail != nil {
				Label(skip)
			}
		}
	}
	loop, rest, done := kit.NewLabel("packr2"), kit.NewLabel("packr2tail"), kit.NewLabel("packr2done")
	Label(loop)
	CMPQ(kb, U8(uint8(lanes)))
	JB(LabelRef(rest))
	block(nil, nil)
	for _, b := range bases {
		ADDQ(U8(uint8(k.VecBytes)), b)
	}
	ADDQ(U32(uint32(lanes*stride*size)), dst)
	SUBQ(U8(uint8(lanes)), kb)
	JMP(LabelRef(loop))
	Label(rest)
	TESTQ(kb, kb)
	JZ(LabelRef(done))
	block(k.LaneMask(kb.(reg.GPVirtual)), kb.(reg.GPVirtual))
	Label(done)
	VZEROUPPER()
	RET()
}

// rowBases returns registers with the addresses of rows 0, 3, 6, ... (below
// rows) of a matrix whose row 0 is at first (which serves as bases[0]) and
// whose rows are ld bytes apart: row 3j+i is then (bases[j])(ld*i), the
// index scales 1 and 2 covering i = 1, 2 (rowMem), so a tile's rows need a
// register for every third one only.
func rowBases(first, ld reg.GPVirtual, rows int) []reg.GPVirtual {
	bases := []reg.GPVirtual{first}
	for r := 3; r < rows; r += 3 {
		b := GP64()
		LEAQ(Mem{Base: bases[len(bases)-1], Index: ld, Scale: 2}, b)
		ADDQ(ld, b)
		bases = append(bases, b)
	}
	return bases
}

// rowMem is the memory operand disp bytes into row r (see rowBases).
func rowMem(bases []reg.GPVirtual, ld reg.GPVirtual, r, disp int) Mem {
	m := Mem{Base: bases[r/3], Disp: disp}
	if r%3 != 0 {
		m.Index, m.Scale = ld, uint8(r%3)
	}
	return m
}
