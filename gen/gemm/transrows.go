package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/descentlab/descent/gen/internal/kit"
)

// transRowsTiles emits GemmMicroRowsTransTiles<nt>x8F64AVX512 (AVX-512
// float64 only): n tiles of Cᵀ for C = A·B with few columns (nt of them,
// an MLP's 10 classes), A read where it lies. Row-major C = A·B with 10
// columns pads a 16-wide tile to 10/16; Cᵀ = Bᵀ·Aᵀ puts the 10 columns
// on the rows of a tile, 10 of 10, but wants Aᵀ in vectors along m.
// Packing Aᵀ first (packRows, a pass over A out of and back into L2) cost
// as much as the padding saved: 256×128×10 4.0 µs of packing for a 5.0 µs
// product, against 8.9–9.8 µs direct. So this kernel transposes A as it
// goes: each 8×8 block of A (8 rows, 8 steps of K) is loaded, transposed in
// registers and consumed by 8 steps of nt FMAs with the values of B
// broadcast from memory; the shuffles run beside the FMAs.
//
// Tile q reads rows q*8.. of A (a[(q*8+i)*lda+p]) and sets rows j < nt,
// columns q*8.. of T (t[j*ldt+q*8+i]) to alpha·Σ_p b[p*ldb+j]·a[(q*8+i)*lda+p],
// p in order with one FMA per step: the FMAs of the microkernels, so the
// same bits as C computed directly.
func transRowsTiles(k kit.Kit, nt int) {
	if !k.Is512() || k.T.Size != 8 {
		return
	}
	const L = 8 // rows of A per tile, steps of K per block
	name := fmt.Sprintf("GemmMicroRowsTransTiles%dx%d", nt, L)
	k.Text(name, "func(n, kc int, a []T, lda int, b []T, ldb int, t []T, ldt int, alpha T)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s sets, for n tiles q, t[j*ldt+q*%d+i] = alpha·Σ_p b[p*ldb+j]·a[(q*%d+i)*lda+p] for j < %d, i < %d, p < kc (the %d×%d tiles of Cᵀ for C = A·B, A read as stored, 8×8 blocks transposed in registers). The caller guarantees n >= 1, kc >= 1, len(a) >= (n*%d-1)*lda+kc, len(b) >= (kc-1)*ldb+%d and len(t) >= %d*ldt+n*%d.",
		name, k.T.Name, k.ISA.Name, L, L, nt, L, nt, L, L, nt, nt-1, L))

	ntiles := gpv(Load(Param("n"), GP64()))
	pa0 := gpv(Load(Param("a").Base(), GP64()))
	lda := gpv(Load(Param("lda"), GP64()))
	SHLQ(U8(3), lda)
	ldb := gpv(Load(Param("ldb"), GP64()))
	SHLQ(U8(3), ldb)
	pt := gpv(Load(Param("t").Base(), GP64()))
	// The mask of the last block's steps (kc mod 8 of them; all when 0,
	// where it is not used).
	var tailMask reg.Register
	{
		rem := GP64()
		Load(Param("kc"), rem)
		ANDQ(U8(L-1), rem)
		tailMask = laneMask(rem)
	}

	tile := kit.NewLabel("rtile")
	Label(tile)
	kc := gpv(Load(Param("kc"), GP64()))
	pb := gpv(Load(Param("b").Base(), GP64()))
	first := GP64()
	MOVQ(pa0, first)
	bases := rowBases(first, lda, L)
	rowAt := func(r int) Mem { return rowMem(bases, lda, r, 0) }
	acc := k.Vecs(nt)
	for _, v := range acc {
		k.Zero(v)
	}
	// block loads an 8×8 block (masked: only the first kc mod 8 steps) and
	// runs its steps; with stop, step q is skipped from q >= kc on.
	block := func(masked bool, stop reg.GPVirtual, out string) {
		r := make([]reg.VecVirtual, L)
		for i := range r {
			r[i] = k.Vec()
			if masked {
				VMOVUPD_Z(rowAt(i), tailMask, r[i])
			} else {
				k.Load(rowAt(i), r[i])
			}
		}
		transposeEach(k, r, func(q int, col reg.VecVirtual) {
			if stop != nil {
				CMPQ(stop, U8(uint8(q)))
				JBE(LabelRef(out))
			}
			for j := range acc {
				VFMADD231PD_BCST(Mem{Base: pb, Disp: j * 8}, col, acc[j])
			}
			ADDQ(ldb, pb)
		})
	}
	loop, tail, store := kit.NewLabel("rkloop"), kit.NewLabel("rktail"), kit.NewLabel("rstore")
	Label(loop)
	CMPQ(kc, U8(L))
	JB(LabelRef(tail))
	block(false, nil, "")
	for _, b := range bases {
		ADDQ(U8(L*8), b)
	}
	SUBQ(U8(L), kc)
	JMP(LabelRef(loop))
	Label(tail)
	TESTQ(kc, kc)
	JZ(LabelRef(store))
	block(true, kc, store)

	Label(store)
	va := k.Vec()
	k.Broadcast(paramAddr("alpha"), va)
	ldt := gpv(Load(Param("ldt"), GP64()))
	SHLQ(U8(3), ldt)
	row := GP64()
	MOVQ(pt, row)
	for j, v := range acc {
		k.Mul(va, v, v)
		k.Store(v, Mem{Base: row})
		if j < nt-1 {
			ADDQ(ldt, row)
		}
	}
	// Next tile: 8 rows of A and 8 columns of T further.
	for r := 0; r < L; r++ {
		ADDQ(lda, pa0)
	}
	ADDQ(U8(L*8), pt)
	DECQ(ntiles)
	JNZ(LabelRef(tile))
	VZEROUPPER()
	RET()
}

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

// transRowsTiles32 emits GemmMicroRowsTransTiles<nt>x16F32AVX512 (AVX-512
// float32 only), transRowsTiles' float32 twin: n tiles of Cᵀ for C = A·B
// with few columns, A read where it lies, 16 rows of A per tile (a vector
// of Cᵀ along m). A 16×16 register transpose would hold 16 rows plus the
// nt accumulators and its temporaries, more than the 32 registers, and
// costs four shuffles a step. So a block is 16 rows by 8 steps of K: each
// row's 8 values are one 256-bit load, and rows i and i+4 (i+8 and i+12)
// share a register, row i+4 inserted above row i. Two rounds of in-lane
// unpacks then leave, in each 128-bit lane, 4 rows at one step, and one
// 128-bit shuffle per step gathers the four lanes of a step in row order:
// three shuffles and one insert a step, for nt FMAs of 16 lanes.
//
// Tile q reads rows q*16.. of A and sets rows j < nt, columns q*16.. of T
// (t[j*ldt+q*16+i]) to alpha·Σ_p b[p*ldb+j]·a[(q*16+i)*lda+p], p in order
// with one FMA per step, as transRowsTiles.
func transRowsTiles32(k kit.Kit, nt int) {
	if !k.Is512() || k.T.Size != 4 {
		return
	}
	const (
		M = 16 // rows of A per tile
		L = 8  // steps of K per block
	)
	name := fmt.Sprintf("GemmMicroRowsTransTiles%dx%d", nt, M)
	k.Text(name, "func(n, kc int, a []T, lda int, b []T, ldb int, t []T, ldt int, alpha T)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s%s sets, for n tiles q, t[j*ldt+q*%d+i] = alpha·Σ_p b[p*ldb+j]·a[(q*%d+i)*lda+p] for j < %d, i < %d, p < kc (the %d×%d tiles of Cᵀ for C = A·B, A read as stored, 16×8 blocks transposed in registers). The caller guarantees n >= 1, kc >= 1, len(a) >= (n*%d-1)*lda+kc, len(b) >= (kc-1)*ldb+%d and len(t) >= %d*ldt+n*%d.",
		name, k.T.Name, k.ISA.Name, M, M, nt, M, nt, M, M, nt, nt-1, M))

	// n and the bases of a and t live in their frame slots, moved tile by
	// tile there: the 16 rows want 6 registers of addresses.
	frame := func(c gotypes.Component) Mem {
		b, err := c.Resolve()
		if err != nil {
			panic(err)
		}
		return b.Addr
	}
	ntiles, pa0, pt := frame(Param("n")), frame(Param("a").Base()), frame(Param("t").Base())
	lda := gpv(Load(Param("lda"), GP64()))
	SHLQ(U8(2), lda)
	ldb := gpv(Load(Param("ldb"), GP64()))
	SHLQ(U8(2), ldb)
	// The mask of the last block's steps (kc mod 8 of them).
	var tailMask reg.Register
	{
		rem := GP64()
		Load(Param("kc"), rem)
		ANDQ(U8(L-1), rem)
		tailMask = laneMask(rem)
	}

	tile := kit.NewLabel("rtile")
	Label(tile)
	kc := gpv(Load(Param("kc"), GP64()))
	pb := gpv(Load(Param("b").Base(), GP64()))
	first := GP64()
	MOVQ(pa0, first)
	bases := rowBases(first, lda, M)
	rowAt := func(r int) Mem { return rowMem(bases, lda, r, 0) }
	acc := k.Vecs(nt)
	for _, v := range acc {
		k.Zero(v)
	}
	// Register i of the block holds row lo(i) below and row lo(i)+4 above:
	// lo = 0, 1, 2, 3, 8, 9, 10, 11.
	lo := func(i int) int { return i%4 + i/4*8 }
	block := func(masked bool, stop reg.GPVirtual, out string) {
		r := make([]reg.VecVirtual, L)
		for i := range r {
			r[i] = k.Vec()
			if masked {
				// (zmm and ymm registers of their own: the allocator
				// takes a masked write to a ymm view for a merge.)
				hi := YMM()
				VMOVUPS_Z(rowAt(lo(i)), tailMask, r[i])
				VMOVUPS_Z(rowAt(lo(i)+4), tailMask, hi)
				VINSERTF64X4(U8(1), hi, r[i], r[i])
			} else {
				VMOVUPS(rowAt(lo(i)), r[i].AsY())
				VINSERTF64X4(U8(1), rowAt(lo(i)+4), r[i], r[i])
			}
		}
		// Round 1: s[2i] (s[2i+1]) interleaves values 0,1 (2,3) of each
		// lane of registers 2i and 2i+1.
		s := make([]reg.VecVirtual, L)
		for i := 0; i < L/2; i++ {
			s[2*i], s[2*i+1] = k.Vec(), k.Vec()
			VUNPCKLPS(r[2*i+1], r[2*i], s[2*i])
			VUNPCKHPS(r[2*i+1], r[2*i], s[2*i+1])
		}
		// Round 2: x[c] (rows 0-7) and y[c] (rows 8-15) hold, lane by
		// lane, steps c, c+4, c, c+4 of rows 0-3, 0-3, 4-7, 4-7 (8-11,
		// 8-11, 12-15, 12-15).
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
		// Round 3: step c is lanes 0, 2 of x[c] and of y[c] (0x88), step
		// c+4 lanes 1, 3 (0xDD).
		for q := 0; q < L; q++ {
			c, sel := q%4, uint8(0x88)
			if q >= 4 {
				sel = 0xDD
			}
			if stop != nil {
				CMPQ(stop, U8(uint8(q)))
				JBE(LabelRef(out))
			}
			col := k.Vec()
			VSHUFF32X4(U8(sel), y[c], x[c], col)
			for j := range acc {
				VFMADD231PS_BCST(Mem{Base: pb, Disp: j * 4}, col, acc[j])
			}
			ADDQ(ldb, pb)
		}
	}
	loop, tail, store := kit.NewLabel("rkloop"), kit.NewLabel("rktail"), kit.NewLabel("rstore")
	Label(loop)
	CMPQ(kc, U8(L))
	JB(LabelRef(tail))
	block(false, nil, "")
	for _, b := range bases {
		ADDQ(U8(L*4), b)
	}
	SUBQ(U8(L), kc)
	JMP(LabelRef(loop))
	Label(tail)
	TESTQ(kc, kc)
	JZ(LabelRef(store))
	block(true, kc, store)

	Label(store)
	va := k.Vec()
	k.Broadcast(paramAddr("alpha"), va)
	ldt := gpv(Load(Param("ldt"), GP64()))
	SHLQ(U8(2), ldt)
	row := GP64()
	MOVQ(pt, row)
	for j, v := range acc {
		k.Mul(va, v, v)
		k.Store(v, Mem{Base: row})
		if j < nt-1 {
			ADDQ(ldt, row)
		}
	}
	// Next tile: 16 rows of A and 16 columns of T further.
	step := GP64()
	MOVQ(lda, step)
	SHLQ(U8(4), step)
	ADDQ(step, pa0)
	ADDQ(U8(M*4), pt)
	DECQ(ntiles)
	JNZ(LabelRef(tile))
	VZEROUPPER()
	RET()
}
