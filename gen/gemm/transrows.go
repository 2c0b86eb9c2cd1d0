package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
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
