package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/descentlab/descent/gen/internal/kit"
)

// transposeEach transposes the 8×8 float64 block in r (row i in r[i]) and
// hands its columns to use in order, column q (lane i = row i) as soon as
// it is made, so that at most two columns are live at a time: 64-bit
// interleaves of row pairs, then 128-bit chunk shuffles, as
// transposeRegs.
func transposeEach(k kit.Kit, r []reg.VecVirtual, use func(q int, col reg.VecVirtual)) {
	const L = 8
	// u[2i+c], 128-bit chunk h, holds column 2h+c of rows 2i, 2i+1.
	u := make([]reg.VecVirtual, L)
	for i := 0; i < L/2; i++ {
		u[2*i], u[2*i+1] = k.Vec(), k.Vec()
		VUNPCKLPD(r[2*i+1], r[2*i], u[2*i])
		VUNPCKHPD(r[2*i+1], r[2*i], u[2*i+1])
	}
	// Column 2h+c is chunk h of u[c], u[2+c], u[4+c], u[6+c] (rows 0-1,
	// 2-3, 4-5, 6-7). lo/hi[c] gather chunks 0,1 / 2,3 of rows 0-3 (x)
	// and 4-7 (y).
	for half := 0; half < 2; half++ {
		imm := uint8(0x44) // chunks 0, 1 of each source
		if half == 1 {
			imm = 0xEE // chunks 2, 3
		}
		var x, y [2]reg.VecVirtual
		for c := 0; c < 2; c++ {
			x[c], y[c] = k.Vec(), k.Vec()
			VSHUFF64X2(U8(imm), u[2+c], u[c], x[c])
			VSHUFF64X2(U8(imm), u[6+c], u[4+c], y[c])
		}
		// Chunk h = 2*half + e: even chunks (0x88) then odd (0xDD).
		for e := 0; e < 2; e++ {
			sel := uint8(0x88)
			if e == 1 {
				sel = 0xDD
			}
			for c := 0; c < 2; c++ {
				col := k.Vec()
				VSHUFF64X2(U8(sel), y[c], x[c], col)
				use(2*(2*half+e)+c, col)
			}
		}
	}
}

// transColsTiles emits GemmMicroColsTransTiles10x16F64AVX512 (AVX-512
// float64 only): C = alpha·Aᵀ·B + beta·C for B with at most 10 columns (an
// MLP's Hᵀ·dY), C written directly. The transposed route computed
// T = Cᵀ = Bᵀ·A on the 10×16 tile (the 10 columns on its rows, A's rows
// as its vectors, nothing transposed on the way in) and then C = Tᵀ +
// beta·C in a second pass (GemmTransposeAdd): that pass and T's round
// trip were 12% of 128×64×10. Here each tile of 16 rows of C ends by
// transposing its accumulators in registers (8×8 blocks for columns 0-7,
// one interleave for columns 8 and 9) and storing C's rows. The FMAs are
// those of the transposed route in the same order, and beta is applied
// as GemmTransposeAdd does, so C is the same bits.
//
// For i < m and j < cols it sets c[i*ldc+j] = alpha·Σ_p
// b[p*ldb+j]·a[p*lda+i] (+ beta·c[i*ldc+j] when beta != 0; C is not read
// when beta is 0), p < kc in order, one FMA per step. It reads a only at
// i < m (masked loads) and b at its first 10 columns.
func transColsTiles(k kit.Kit) {
	if !k.Is512() {
		return
	}
	const (
		R = 10 // columns of C (rows of the tile of Cᵀ)
		M = 16 // rows of C a tile
	)
	L, size := k.Lanes(), k.T.Size
	nv := M / L // vectors of A per step: 2 float64, 1 float32
	shift := uint8(bitsOf(size))
	name := fmt.Sprintf("GemmMicroColsTransTiles%dx%d", R, M)
	k.Text(name, "func(m, kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, cols int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s sets c[i*ldc+j] = alpha·Σ_p b[p*ldb+j]·a[p*lda+i] (+ beta·c[i*ldc+j] when beta != 0; C is not read when it is 0) for i < m, j < cols, p < kc: C = alpha·Aᵀ·B + beta·C with A (kc×m) and B (kc×%d) as stored, %d rows of C a tile, the accumulators transposed in registers. It reads b[p*ldb+j] for all j < %d. The caller guarantees m >= 1, kc >= 1, 1 <= cols <= %d, len(a) >= (kc-1)*lda+m, len(b) >= (kc-1)*ldb+%d and len(c) >= (m-1)*ldc+cols.",
		name, k.T.Name, k.ISA.Name, R, M, R, R, R))

	left := gpv(Load(Param("m"), GP64()))
	pa0 := gpv(Load(Param("a").Base(), GP64()))
	pc := gpv(Load(Param("c").Base(), GP64()))
	lda := gpv(Load(Param("lda"), GP64()))
	SHLQ(U8(shift), lda)
	ldb := gpv(Load(Param("ldb"), GP64()))
	SHLQ(U8(shift), ldb)
	st := newTransStore(k)

	tile := kit.NewLabel("ctile")
	Label(tile)
	// Rows of this tile: cnt = min(16, left); load masks of its vectors
	// of A.
	cnt := GP64()
	MOVQ(U32(M), cnt)
	CMPQ(left, cnt)
	CMOVQLT(left, cnt)
	lm := make([]reg.Register, nv)
	if nv == 1 {
		lm[0] = laneMask(cnt)
	} else {
		r0, r1 := GP64(), GP64()
		MOVQ(U32(uint32(L)), r0)
		CMPQ(cnt, r0)
		CMOVQLT(cnt, r0)
		MOVQ(cnt, r1)
		SUBQ(r0, r1)
		lm[0], lm[1] = laneMask(r0), laneMask(r1)
	}
	acc := make([][2]reg.VecVirtual, R)
	for j := range acc {
		for v := 0; v < nv; v++ {
			acc[j][v] = k.Vec()
			k.Zero(acc[j][v])
		}
	}
	kc := gpv(Load(Param("kc"), GP64()))
	pb := gpv(Load(Param("b").Base(), GP64()))
	pa := GP64()
	MOVQ(pa0, pa)
	kloop := kit.NewLabel("ckloop")
	Label(kloop)
	va := make([]reg.VecVirtual, nv)
	for v := range va {
		va[v] = k.Vec()
		maskedLoad(k, Mem{Base: pa, Disp: 64 * v}, lm[v], va[v])
	}
	for j := range acc {
		for v := range va {
			fmaBcast(k, Mem{Base: pb, Disp: size * j}, va[v], acc[j][v])
		}
	}
	ADDQ(lda, pa)
	ADDQ(ldb, pb)
	DECQ(kc)
	JNZ(LabelRef(kloop))

	ldc := st.store(k, acc, nv, cnt, pc)
	// Next tile: 16 rows of C and 16 columns of A further.
	SHLQ(U8(4), ldc)
	ADDQ(ldc, pc)
	ADDQ(U32(uint32(M*size)), pa0)
	SUBQ(cnt, left)
	JNZ(LabelRef(tile))
	VZEROUPPER()
	RET()
}

// maskedLoad loads the lanes of mask from m into dst, zero in the others
// (which are never read).
func maskedLoad(k kit.Kit, m Mem, mask reg.Register, dst reg.VecVirtual) {
	if k.T.Size == 4 {
		VMOVUPS_Z(m, mask, dst)
	} else {
		VMOVUPD_Z(m, mask, dst)
	}
}

// maskedStore stores the lanes of mask of src to m.
func maskedStore(k kit.Kit, src reg.Register, mask reg.Register, m Mem) {
	if k.T.Size == 4 {
		VMOVUPS(src, mask, m)
	} else {
		VMOVUPD(src, mask, m)
	}
}

// fmaBcast is acc += broadcast(m)·v, the value broadcast by the FMA.
func fmaBcast(k kit.Kit, m Mem, v, acc reg.VecVirtual) {
	if k.T.Size == 4 {
		VFMADD231PS_BCST(m, v, acc)
	} else {
		VFMADD231PD_BCST(m, v, acc)
	}
}

// transStore writes tiles of Cᵀ, held in registers, to the rows of C:
// the kernels with 10 columns of C (transColsTiles, transRowsTilesC,
// both types). It reads beta and cols from the frame.
type transStore struct {
	useBeta reg.GPVirtual // beta != 0 (or NaN): read C
	// float64: min(cols, 8) lanes of a zmm, the rest (0-2) of an xmm;
	// float32: cols lanes (cm0).
	cm0, cm1 reg.Register
}

func newTransStore(k kit.Kit) transStore {
	st := transStore{useBeta: betaFlag(k)}
	cols := gpv(Load(Param("cols"), GP64()))
	if k.T.Size == 4 {
		st.cm0 = laneMask(cols)
		return st
	}
	c0 := GP64()
	MOVQ(U32(8), c0)
	CMPQ(cols, c0)
	CMOVQLT(cols, c0)
	SUBQ(c0, cols)
	st.cm0, st.cm1 = laneMask(c0), laneMask(cols)
	return st
}

// store scales acc (acc[j][v]: column j of C, rows v·lanes.. of the
// tile) by alpha and writes the tile's first cnt rows to C at pc (+
// beta·C). float64: the rows of each vector from an 8×8 transpose of
// acc[0..7][v], columns 8 and 9 from one interleave of acc[8][v] and
// acc[9][v]; float32: a 16×16 transpose of acc[0..9][v] (rows 10-15
// repeat acc[9] and land in lanes the stores mask off). It returns the
// register holding ldc in bytes.
func (st transStore) store(k kit.Kit, acc [][2]reg.VecVirtual, nv int, cnt, pc reg.GPVirtual) reg.GPVirtual {
	L, size := k.Lanes(), k.T.Size
	alpha := k.Vec()
	k.Broadcast(paramAddr("alpha"), alpha)
	for j := range acc {
		for v := 0; v < nv; v++ {
			k.Mul(alpha, acc[j][v], acc[j][v])
		}
	}
	beta := k.Vec()
	k.Broadcast(paramAddr("beta"), beta)
	ldc := gpv(Load(Param("ldc"), GP64()))
	SHLQ(U8(uint8(bitsOf(size))), ldc)
	cr := GP64()
	MOVQ(pc, cr)
	stored := kit.NewLabel("cstored")
	for v := 0; v < nv; v++ {
		r := make([]reg.VecVirtual, L)
		for j := range r {
			r[j] = acc[min(j, len(acc)-1)][v]
		}
		if size == 4 {
			out := transposeRegs(k, r)
			for i := 0; i < L; i++ {
				if row := v*L + i; row > 0 {
					CMPQ(cnt, U8(uint8(row)))
					JBE(LabelRef(stored))
				}
				skip := kit.NewLabel("cnobeta")
				TESTQ(st.useBeta, st.useBeta)
				JZ(LabelRef(skip))
				cv := k.Vec()
				maskedLoad(k, Mem{Base: cr}, st.cm0, cv)
				k.FMA231(beta, cv, out[i])
				Label(skip)
				maskedStore(k, out[i], st.cm0, Mem{Base: cr})
				ADDQ(ldc, cr)
			}
			continue
		}
		out := transposeRegs(k, r)
		// lo (hi) holds, in 128-bit chunk h, columns 8 and 9 of row 2h
		// (2h+1).
		lo, hi := k.Vec(), k.Vec()
		VUNPCKLPD(acc[9][v], acc[8][v], lo)
		VUNPCKHPD(acc[9][v], acc[8][v], hi)
		for i := 0; i < L; i++ {
			if row := v*L + i; row > 0 {
				CMPQ(cnt, U8(uint8(row)))
				JBE(LabelRef(stored))
			}
			src := lo
			if i%2 == 1 {
				src = hi
			}
			pair := XMM()
			if i/2 == 0 {
				VMOVAPD(src.AsX(), pair)
			} else {
				VEXTRACTF64X2(U8(uint8(i/2)), src, pair)
			}
			skip := kit.NewLabel("cnobeta")
			TESTQ(st.useBeta, st.useBeta)
			JZ(LabelRef(skip))
			cv, cx := k.Vec(), XMM()
			VMOVUPD_Z(Mem{Base: cr}, st.cm0, cv)
			VMOVUPD_Z(Mem{Base: cr, Disp: 8 * L}, st.cm1, cx)
			k.FMA231(beta, cv, out[i])
			k.FMA231(beta.AsX(), cx, pair)
			Label(skip)
			VMOVUPD(out[i], st.cm0, Mem{Base: cr})
			VMOVUPD(pair, st.cm1, Mem{Base: cr, Disp: 8 * L})
			ADDQ(ldc, cr)
		}
	}
	Label(stored)
	return ldc
}

// frameAddr is the frame slot of a parameter (or of a slice's base).
func frameAddr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// kBlocks runs the K loop of the transRows kernels: block(false, nil, "")
// for each whole block of L steps (the row bases then move L elements of
// size bytes on), and block(true, kc, out) for the kc mod L steps left,
// which jumps to out after the last; it ends at out.
func kBlocks(kc reg.GPVirtual, bases []reg.GPVirtual, L, size int, prefix string, block func(masked bool, stop reg.GPVirtual, out string)) {
	loop, tail, store := kit.NewLabel(prefix+"kloop"), kit.NewLabel(prefix+"ktail"), kit.NewLabel(prefix+"store")
	Label(loop)
	CMPQ(kc, U8(uint8(L)))
	JB(LabelRef(tail))
	block(false, nil, "")
	for _, b := range bases {
		ADDQ(U8(uint8(L*size)), b)
	}
	SUBQ(U8(uint8(L)), kc)
	JMP(LabelRef(loop))
	Label(tail)
	TESTQ(kc, kc)
	JZ(LabelRef(store))
	block(true, kc, store)
	Label(store)
}

// transRowsTilesC emits GemmMicroRowsTransC10x8F64AVX512 and
// GemmMicroRowsTransC10x16F32AVX512: C = A·B with few columns (an MLP's 10
// classes), A read where it lies. Row-major C = A·B with 10 columns pads a
// 16-wide tile to 10/16; Cᵀ = Bᵀ·Aᵀ puts the 10 columns on the rows of a
// tile, 10 of 10, but wants Aᵀ in vectors along m. Packing Aᵀ first
// (packRows, a pass over A out of and back into L2) cost as much as the
// padding saved: float64 256×128×10 4.0 µs of packing for a 5.0 µs
// product, against 8.9–9.8 µs direct. So this kernel transposes A as it
// goes, a block of a vector's rows by 8 steps of K at a time
// (transposedBlock), each block consumed by 8 steps of 10 FMAs with the
// values of B broadcast from memory; the shuffles run beside the FMAs.
// Each finished tile of Cᵀ is transposed back in registers and stored to
// C's rows (transStore). (The first versions stored Cᵀ for a second pass,
// GemmTransposeAdd, over it and C.) One FMA per step, p in order: the
// FMAs of the microkernels, so the same bits as C computed directly.
func transRowsTilesC(k kit.Kit) {
	if !k.Is512() {
		return
	}
	const (
		R = 10
		L = 8 // steps of K per block
	)
	M, size := k.Lanes(), k.T.Size // rows of A per tile
	shift := uint8(bitsOf(size))
	name := fmt.Sprintf("GemmMicroRowsTransC%dx%d", R, M)
	k.Text(name, "func(m, kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, cols int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s sets c[i*ldc+j] = alpha·Σ_p b[p*ldb+j]·a[i*lda+p] (+ beta·c[i*ldc+j] when beta != 0; C is not read when it is 0) for i < m, j < cols, p < kc: C = alpha·A·B + beta·C for B with at most %d columns, %d rows of C a tile computed as Cᵀ and transposed in registers. It reads whole tiles of %d rows of A and b[p*ldb+j] for all j < %d. The caller guarantees m >= 1, kc >= 1, 1 <= cols <= %d, len(a) >= (⌈m/%d⌉·%d-1)*lda+kc, len(b) >= (kc-1)*ldb+%d and len(c) >= (m-1)*ldc+cols.",
		name, k.T.Name, k.ISA.Name, R, M, M, R, R, M, M, R))

	// m and the bases of a and c live in their frame slots, moved tile by
	// tile there: float32's 16 rows want 6 registers of addresses.
	left, pa0, pc0 := frameAddr(Param("m")), frameAddr(Param("a").Base()), frameAddr(Param("c").Base())
	lda := gpv(Load(Param("lda"), GP64()))
	SHLQ(U8(shift), lda)
	ldb := gpv(Load(Param("ldb"), GP64()))
	SHLQ(U8(shift), ldb)
	st := newTransStore(k)
	var tailMask reg.Register
	{
		rem := GP64()
		Load(Param("kc"), rem)
		ANDQ(U8(L-1), rem)
		tailMask = laneMask(rem)
	}

	tile := kit.NewLabel("ctile")
	Label(tile)
	kc := gpv(Load(Param("kc"), GP64()))
	pb := gpv(Load(Param("b").Base(), GP64()))
	first := GP64()
	MOVQ(pa0, first)
	bases := rowBases(first, lda, M)
	rowAt := func(r int) Mem { return rowMem(bases, lda, r, 0) }
	acc := make([][2]reg.VecVirtual, R)
	for j := range acc {
		acc[j][0] = k.Vec()
		k.Zero(acc[j][0])
	}
	block := func(masked bool, stop reg.GPVirtual, out string) {
		transposedBlock(k, rowAt, masked, tailMask, func(q int, col reg.VecVirtual) {
			if stop != nil {
				CMPQ(stop, U8(uint8(q)))
				JBE(LabelRef(out))
			}
			for j := range acc {
				fmaBcast(k, Mem{Base: pb, Disp: j * size}, col, acc[j][0])
			}
			ADDQ(ldb, pb)
		})
	}
	kBlocks(kc, bases, L, size, "c", block)
	cnt := GP64()
	MOVQ(U32(uint32(M)), cnt)
	CMPQ(left, cnt)
	CMOVQLT(left, cnt)
	pc := GP64()
	MOVQ(pc0, pc)
	ldc := st.store(k, acc, 1, cnt, pc)
	// Next tile: M rows of A and of C further.
	SHLQ(U8(uint8(bitsOf(M))), ldc)
	ADDQ(ldc, pc0)
	step := GP64()
	MOVQ(lda, step)
	SHLQ(U8(uint8(bitsOf(M))), step)
	ADDQ(step, pa0)
	SUBQ(cnt, left)
	JNZ(LabelRef(tile))
	VZEROUPPER()
	RET()
}

// transposedBlock loads a block of A of a vector's rows (8 float64, 16
// float32; row i at rowAt(i)) by 8 steps of K (masked: only the steps of
// tailMask, zero beyond) and hands its columns to use in order, step q
// with lane i = row i.
//
// float64: an 8×8 block, transposeEach. float32: a 16×16 register
// transpose would hold 16 rows plus the 10 accumulators and its
// temporaries, more than the 32 registers, and costs four shuffles a
// step. So the block is 16 rows by 8 steps: each row's 8 values are one
// 256-bit load, and rows i and i+4 (i+8 and i+12) share a register, row
// i+4 inserted above row i. Two rounds of in-lane unpacks then leave, in
// each 128-bit lane, 4 rows at one step, and one 128-bit shuffle per step
// gathers the four lanes of a step in row order: three shuffles and one
// insert a step.
func transposedBlock(k kit.Kit, rowAt func(int) Mem, masked bool, tailMask reg.Register, use func(q int, col reg.VecVirtual)) {
	const L = 8
	if k.T.Size == 8 {
		r := make([]reg.VecVirtual, L)
		for i := range r {
			r[i] = k.Vec()
			if masked {
				VMOVUPD_Z(rowAt(i), tailMask, r[i])
			} else {
				k.Load(rowAt(i), r[i])
			}
		}
		transposeEach(k, r, use)
		return
	}
	// Register i of the block holds row lo(i) below and row lo(i)+4 above:
	// lo = 0, 1, 2, 3, 8, 9, 10, 11.
	lo := func(i int) int { return i%4 + i/4*8 }
	r := make([]reg.VecVirtual, L)
	for i := range r {
		r[i] = k.Vec()
		if masked {
			// (zmm and ymm registers of their own: the allocator takes a
			// masked write to a ymm view for a merge.)
			hi := YMM()
			VMOVUPS_Z(rowAt(lo(i)), tailMask, r[i])
			VMOVUPS_Z(rowAt(lo(i)+4), tailMask, hi)
			VINSERTF64X4(U8(1), hi, r[i], r[i])
		} else {
			VMOVUPS(rowAt(lo(i)), r[i].AsY())
			VINSERTF64X4(U8(1), rowAt(lo(i)+4), r[i], r[i])
		}
	}
	// Round 1: s[2i] (s[2i+1]) interleaves values 0,1 (2,3) of each lane
	// of registers 2i and 2i+1.
	s := make([]reg.VecVirtual, L)
	for i := 0; i < L/2; i++ {
		s[2*i], s[2*i+1] = k.Vec(), k.Vec()
		VUNPCKLPS(r[2*i+1], r[2*i], s[2*i])
		VUNPCKHPS(r[2*i+1], r[2*i], s[2*i+1])
	}
	// Round 2: x[c] (rows 0-7) and y[c] (rows 8-15) hold, lane by lane,
	// steps c, c+4, c, c+4 of rows 0-3, 0-3, 4-7, 4-7 (8-11, 8-11, 12-15,
	// 12-15).
	var x, y [4]reg.VecVirtual
	for g := 0; g < 2; g++ {
		base := 4 * g
		for h := 0; h < 2; h++ { // h: values 0,1 (s even) or 2,3 (s odd)
			l, u := k.Vec(), k.Vec()
			VUNPCKLPD(s[base+2+h], s[base+h], l)
			VUNPCKHPD(s[base+2+h], s[base+h], u)
			if g == 0 {
				x[2*h], x[2*h+1] = l, u
			} else {
				y[2*h], y[2*h+1] = l, u
			}
		}
	}
	// Round 3: step c is lanes 0, 2 of x[c] and of y[c] (0x88), step c+4
	// lanes 1, 3 (0xDD).
	for q := 0; q < L; q++ {
		c, sel := q%4, uint8(0x88)
		if q >= 4 {
			sel = 0xDD
		}
		col := k.Vec()
		VSHUFF32X4(U8(sel), y[c], x[c], col)
		use(q, col)
	}
}

// transColsTiles2 emits GemmMicroColsTransTiles10x8F32AVX2 and
// GemmMicroColsTransTiles10x4F64AVX2: transColsTiles for AVX2. Sixteen
// ymm registers hold the 10 accumulators of a tile of a vector's rows (8
// float32, 4 float64; one vector of A a step, B's values broadcast into a
// register), and at the end of a tile the register transposes of columns
// 0-7 (transposeRegs2: one 8×8, or two 4×4) and one interleave for
// columns 8 and 9. A row of C is stored as whole vectors up to cols, the
// rest in pieces (VMASKMOV stores are slow on AMD cores). Same FMAs in
// the same order as the two-pass route, and beta as its GemmTransposeAdd.
func transColsTiles2(k kit.Kit) {
	if k.Is512() {
		return
	}
	const R = 10
	L, size := k.Lanes(), k.T.Size // L: rows of C a tile
	shift := uint8(bitsOf(size))
	name := fmt.Sprintf("GemmMicroColsTransTiles%dx%d", R, L)
	k.Text(name, "func(m, kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, cols int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s sets c[i*ldc+j] = alpha·Σ_p b[p*ldb+j]·a[p*lda+i] (+ beta·c[i*ldc+j] when beta != 0; C is not read when it is 0) for i < m, j < cols, p < kc: C = alpha·Aᵀ·B + beta·C with A (kc×m) and B (kc×%d) as stored, %d rows of C a tile, the accumulators transposed in registers. It reads b[p*ldb+j] for all j < %d. The caller guarantees m >= 1, kc >= 1, 1 <= cols <= %d, len(a) >= (kc-1)*lda+m, len(b) >= (kc-1)*ldb+%d and len(c) >= (m-1)*ldc+cols.",
		name, k.T.Name, k.ISA.Name, R, L, R, R, R))

	left, pa0, pc0 := frameAddr(Param("m")), frameAddr(Param("a").Base()), frameAddr(Param("c").Base())
	lda := gpv(Load(Param("lda"), GP64()))
	SHLQ(U8(shift), lda)
	ldb := gpv(Load(Param("ldb"), GP64()))
	SHLQ(U8(shift), ldb)
	useBeta := betaFlag(k)
	maskMov := pick(k, VMASKMOVPS, VMASKMOVPD)

	tile := kit.NewLabel("ctile")
	Label(tile)
	cnt := GP64()
	MOVQ(U32(uint32(L)), cnt)
	CMPQ(left, cnt)
	CMOVQLT(left, cnt)
	acc := k.Vecs(R)
	for _, v := range acc {
		k.Zero(v)
	}
	{
		// The K loop twice: whole vectors of A for a full tile, VMASKMOV
		// only for the last rows. A VMASKMOV load in the loop cost a third
		// of the speed (Zen 4, 64×128 from L1: 62 against 91 GFLOP/s).
		kc := gpv(Load(Param("kc"), GP64()))
		pb := gpv(Load(Param("b").Base(), GP64()))
		pa := GP64()
		MOVQ(pa0, pa)
		kloop := func(prefix string, load func(m Mem, dst reg.VecVirtual)) {
			loop := kit.NewLabel(prefix)
			Label(loop)
			va := k.Vec()
			load(Mem{Base: pa}, va)
			for j, v := range acc {
				bj := k.Vec()
				k.Broadcast(Mem{Base: pb, Disp: size * j}, bj)
				k.FMA231(bj, va, v)
			}
			ADDQ(lda, pa)
			ADDQ(ldb, pb)
			DECQ(kc)
			JNZ(LabelRef(loop))
		}
		part, done := kit.NewLabel("cpart"), kit.NewLabel("ckdone")
		CMPQ(cnt, U8(uint8(L)))
		JNE(LabelRef(part))
		kloop("ckloop", func(m Mem, dst reg.VecVirtual) { k.Load(m, dst) })
		JMP(LabelRef(done))
		Label(part)
		lm := k.LaneMask(cnt)
		kloop("ckloopm", func(m Mem, dst reg.VecVirtual) { maskMov(m, lm, dst) })
		Label(done)
	}
	{
		alpha := k.Vec()
		k.Broadcast(paramAddr("alpha"), alpha)
		for _, v := range acc {
			k.Mul(alpha, v, v)
		}
	}
	// segs[s][i]: columns s·L.. of row i (s < nseg = 8/L); the pairs of
	// columns 8 and 9 come from one interleave of acc[8] and acc[9].
	nseg := 8 / L
	segs := make([][]reg.VecVirtual, nseg)
	for sg := range segs {
		segs[sg] = transposeRegs2(k, acc[sg*L:(sg+1)*L])
	}
	lo, hi := k.Vec(), k.Vec()
	if size == 4 {
		// lo (hi) holds, in half h, columns 8 and 9 of rows 4h, 4h+1
		// (4h+2, 4h+3).
		VUNPCKLPS(acc[9], acc[8], lo)
		VUNPCKHPS(acc[9], acc[8], hi)
	} else {
		// lo (hi) holds, in half h, columns 8 and 9 of row 2h (2h+1).
		VUNPCKLPD(acc[9], acc[8], lo)
		VUNPCKHPD(acc[9], acc[8], hi)
	}
	// pairOf puts columns 8 and 9 of row i in the low half of an xmm.
	pairOf := func(i int) reg.Register {
		pair := XMM()
		src, half := lo, i/2
		if size == 4 {
			if i%4 >= 2 {
				src = hi
			}
			half = i / 4
		} else if i%2 == 1 {
			src = hi
		}
		if half == 0 {
			VMOVAPS(src.AsX(), pair)
		} else {
			VEXTRACTF128(U8(1), src, pair)
		}
		if size == 4 && i%2 == 1 {
			VMOVHLPS(pair, pair, pair)
		}
		return pair
	}
	ldc := gpv(Load(Param("ldc"), GP64()))
	SHLQ(U8(shift), ldc)
	cols := gpv(Load(Param("cols"), GP64()))
	cr := GP64()
	MOVQ(pc0, cr)
	stored := kit.NewLabel("cstored")
	// Case q < nseg: cols in [q·L, (q+1)·L), segments before q whole and
	// segment q in pieces; case nseg: all segments whole, the pair in
	// pieces (cols - 8 of its 2).
	cases := make([]string, nseg+1)
	for q := range cases {
		cases[q] = kit.NewLabel("ccols")
	}
	for q := 0; q < nseg; q++ {
		CMPQ(cols, U8(uint8((q+1)*L)))
		JB(LabelRef(cases[q]))
	}
	JMP(LabelRef(cases[nseg]))
	for q := 0; q <= nseg; q++ {
		Label(cases[q])
		rest := GP64() // the columns past the whole segments
		MOVQ(cols, rest)
		SUBQ(U8(uint8(q*L)), rest)
		rm := k.LaneMask(rest)
		for i := 0; i < L; i++ {
			if i > 0 {
				CMPQ(cnt, U8(uint8(i)))
				JBE(LabelRef(stored))
			}
			var pair reg.Register
			if q == nseg {
				pair = pairOf(i)
			}
			skip := kit.NewLabel("cnobeta")
			TESTQ(useBeta, useBeta)
			JZ(LabelRef(skip))
			for sg := 0; sg <= q && sg < nseg; sg++ {
				cv, beta := k.Vec(), k.Vec()
				if sg < q {
					k.Load(Mem{Base: cr, Disp: sg * L * size}, cv)
				} else {
					maskMov(Mem{Base: cr, Disp: sg * L * size}, rm, cv)
				}
				k.Broadcast(paramAddr("beta"), beta)
				k.FMA231(beta, cv, segs[sg][i])
			}
			if q == nseg {
				cx, beta := XMM(), k.Vec()
				maskMov(Mem{Base: cr, Disp: 8 * size}, rm.AsX(), cx)
				k.Broadcast(paramAddr("beta"), beta)
				k.FMA231(beta.AsX(), cx, pair)
			}
			Label(skip)
			for sg := 0; sg < q; sg++ {
				k.Store(segs[sg][i], Mem{Base: cr, Disp: sg * L * size})
			}
			p := GP64()
			LEAQ(Mem{Base: cr, Disp: q * L * size}, p)
			if q < nseg {
				x := XMM()
				VMOVAPS(segs[q][i].AsX(), x)
				storeXPieces(k, x, p, rest, L/2, segs[q][i])
			} else {
				storeXPieces(k, pair, p, rest, 2)
			}
			ADDQ(ldc, cr)
		}
		JMP(LabelRef(stored))
	}
	Label(stored)
	// Next tile: L rows of C and L columns of A further.
	SHLQ(U8(uint8(bitsOf(L))), ldc)
	ADDQ(ldc, pc0)
	ADDQ(U8(uint8(size*L)), pa0)
	SUBQ(cnt, left)
	JNZ(LabelRef(tile))
	VZEROUPPER()
	RET()
}
