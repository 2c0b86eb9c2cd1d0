package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/descentlab/descent/gen/internal/kit"
)

// transposeAdd emits GemmTransposeAdd (AVX-512): the last step of the
// transposed route for products with few columns (kernels'
// runTransposed). T holds Cᵀ, cols rows of ldt (cols <= L = 16 for
// float32, 8 for float64; no row past them is read); it sets C[i][j] = T[j][i] (+ beta·C[i][j]
// when beta != 0; C is not read when it is 0) for i < rows, j < cols <= L.
// Blocks of L×L are transposed in registers: 32-bit interleaves, 64-bit
// interleaves (float32 only) and two rounds of 128-bit chunk shuffles; the
// last block's rows past rows and every row's lanes past cols are masked.
func transposeAdd(k kit.Kit) {
	if !k.Is512() {
		transposeAdd2(k)
		return
	}
	L, size := k.Lanes(), k.T.Size
	cp, ldc, tp, ldt, left, cols := transposeAddHead(k)
	beta := k.Param("beta")
	useBeta := betaFlag(k)
	colMask := laneMask(cols) // the cols columns of a C row

	block, tail, done := kit.NewLabel("tblock"), kit.NewLabel("ttail"), kit.NewLabel("tdone")
	Label(block)
	TESTQ(left, left)
	JZ(LabelRef(done))
	// Rows of this block: min(L, left), and the mask of T lanes to load.
	cnt := GP64()
	MOVQ(U32(uint32(L)), cnt)
	CMPQ(left, cnt)
	CMOVQLT(left, cnt)
	ldMask := laneMask(cnt)
	r := loadTRows(k, tp, ldt, cols, func(m Mem, dst reg.VecVirtual) { maskedLoad(k, m, ldMask, dst) })
	out := transposeRegs(k, r)
	// Store rows i0 .. i0+cnt-1 of C, cols lanes each.
	cr := GP64()
	MOVQ(cp, cr)
	for i := range out {
		if i > 0 {
			CMPQ(cnt, U32(uint32(i)))
			JBE(LabelRef(tail))
		}
		skip := kit.NewLabel("tstore")
		TESTQ(useBeta, useBeta)
		JZ(LabelRef(skip))
		cv := k.Vec()
		if size == 4 {
			VMOVUPS_Z(Mem{Base: cr}, colMask, cv)
		} else {
			VMOVUPD_Z(Mem{Base: cr}, colMask, cv)
		}
		k.FMA231(beta, cv, out[i]) // t + beta*c
		Label(skip)
		if size == 4 {
			VMOVUPS(out[i], colMask, Mem{Base: cr})
		} else {
			VMOVUPD(out[i], colMask, Mem{Base: cr})
		}
		ADDQ(ldc, cr)
	}
	Label(tail)
	// Next block: L rows of C further, L columns of T further.
	MOVQ(ldc, cr)
	SHLQ(U8(uint8(bitsOf(L))), cr)
	ADDQ(cr, cp)
	ADDQ(U32(uint32(L*size)), tp)
	SUBQ(cnt, left)
	JMP(LabelRef(block))
	Label(done)
	VZEROUPPER()
	RET()
}

// laneMask returns an opmask of the first n lanes (n <= 16).
func laneMask(n reg.GPVirtual) reg.Register {
	all, m := GP64(), GP64()
	MOVQ(I32(-1), all)
	BZHIQ(n, all, m)
	k := K()
	KMOVW(m.As32(), k)
	return k
}

func bitsOf(n int) int {
	b := 0
	for 1<<b < n {
		b++
	}
	return b
}

// transposeRegs transposes the L×L block held in r (row j in r[j]) and
// returns its columns (column i of the block in out[i]).
func transposeRegs(k kit.Kit, r []reg.VecVirtual) []reg.VecVirtual {
	L := len(r)
	var u []reg.VecVirtual
	if k.T.Size == 4 {
		// 32-bit interleave of row pairs, then 64-bit interleave of pair
		// pairs: u[4q+c] holds, in 128-bit chunk h, column 4h+c of rows
		// 4q..4q+3.
		s := make([]reg.VecVirtual, L)
		for q := 0; q < L/2; q++ {
			s[2*q], s[2*q+1] = k.Vec(), k.Vec()
			VUNPCKLPS(r[2*q+1], r[2*q], s[2*q])
			VUNPCKHPS(r[2*q+1], r[2*q], s[2*q+1])
		}
		u = make([]reg.VecVirtual, L)
		for q := 0; q < L/4; q++ {
			for c := 0; c < 2; c++ {
				lo, hi := k.Vec(), k.Vec()
				VUNPCKLPD(s[4*q+2+c], s[4*q+c], lo)
				VUNPCKHPD(s[4*q+2+c], s[4*q+c], hi)
				u[4*q+2*c], u[4*q+2*c+1] = lo, hi
			}
		}
	} else {
		// 64-bit interleave of row pairs: u[2q+c] holds, in 128-bit chunk
		// h, column 2h+c of rows 2q, 2q+1.
		u = make([]reg.VecVirtual, L)
		for q := 0; q < L/2; q++ {
			u[2*q], u[2*q+1] = k.Vec(), k.Vec()
			VUNPCKLPD(r[2*q+1], r[2*q], u[2*q])
			VUNPCKHPD(r[2*q+1], r[2*q], u[2*q+1])
		}
	}
	// Column per·h+c of the block is chunk h of each of four registers,
	// one per quarter of the rows: A, B, C, D = u[c], u[g+c], u[2g+c],
	// u[3g+c], g = L/4 (the registers per quarter, and the columns per
	// chunk).
	g := L / 4
	per := g
	out := make([]reg.VecVirtual, L)
	shuf := func(imm uint8, x, y, d reg.VecVirtual) {
		if k.T.Size == 4 {
			VSHUFF32X4(U8(imm), y, x, d)
		} else {
			VSHUFF64X2(U8(imm), y, x, d)
		}
	}
	for c := 0; c < g; c++ {
		A, B, C, D := u[c], u[g+c], u[2*g+c], u[3*g+c]
		v0, v1, v2, v3 := k.Vec(), k.Vec(), k.Vec(), k.Vec()
		shuf(0x44, A, B, v0) // A0 A1 B0 B1
		shuf(0xEE, A, B, v1) // A2 A3 B2 B3
		shuf(0x44, C, D, v2) // C0 C1 D0 D1
		shuf(0xEE, C, D, v3) // C2 C3 D2 D3
		o0, o1, o2, o3 := k.Vec(), k.Vec(), k.Vec(), k.Vec()
		shuf(0x88, v0, v2, o0) // A0 B0 C0 D0: chunk 0
		shuf(0xDD, v0, v2, o1) // chunk 1
		shuf(0x88, v1, v3, o2) // chunk 2
		shuf(0xDD, v1, v3, o3) // chunk 3
		// Chunk h of u[.+c] holds column per*h + c.
		out[c], out[per+c], out[2*per+c], out[3*per+c] = o0, o1, o2, o3
	}
	return out
}

func gpv(op Op) reg.GPVirtual { return op.(reg.GPVirtual) }

// transposeAdd2 is transposeAdd for AVX2 (L = 8 float32, 4 float64 rows
// of T a block): VMASKMOV loads of the block's rows of T (lanes past rows
// masked), an L×L register transpose (transposeRegs2), and each row of C
// stored whole when cols = L, else in pieces of 4, 2 and 1 elements
// (storePieces): a VMASKMOV store took several times as long here (Zen 4;
// with it the kernel measured slower than the Go loop it replaced).
func transposeAdd2(k kit.Kit) {
	L, size := k.Lanes(), k.T.Size
	cp, ldc, tp, ldt, left, cols := transposeAddHead(k)
	useBeta := betaFlag(k)

	block, tail, done := kit.NewLabel("tblock"), kit.NewLabel("ttail"), kit.NewLabel("tdone")
	Label(block)
	TESTQ(left, left)
	JZ(LabelRef(done))
	// Rows of this block: min(L, left), and the mask of T lanes to load.
	cnt := GP64()
	MOVQ(U32(uint32(L)), cnt)
	CMPQ(left, cnt)
	CMOVQLT(left, cnt)
	ldMask := k.LaneMask(cnt)
	r := loadTRows(k, tp, ldt, cols, func(m Mem, dst reg.VecVirtual) { pick(k, VMASKMOVPS, VMASKMOVPD)(m, ldMask, dst) })
	out := transposeRegs2(k, r)
	// Store rows i0 .. i0+cnt-1 of C, cols elements each: whole rows, or
	// pieces.
	cr := GP64()
	MOVQ(cp, cr)
	pieces := kit.NewLabel("tpieces")
	CMPQ(cols, U8(uint8(L)))
	JNE(LabelRef(pieces))
	for _, whole := range []bool{true, false} {
		var colMask reg.VecVirtual
		if !whole {
			Label(pieces)
			colMask = k.LaneMask(cols)
		}
		for i := range out {
			if i > 0 {
				CMPQ(cnt, U32(uint32(i)))
				JBE(LabelRef(tail))
			}
			skip := kit.NewLabel("tstore")
			TESTQ(useBeta, useBeta)
			JZ(LabelRef(skip))
			cv, beta := k.Vec(), k.Vec()
			if whole {
				k.Load(Mem{Base: cr}, cv)
			} else {
				pick(k, VMASKMOVPS, VMASKMOVPD)(Mem{Base: cr}, colMask, cv)
			}
			k.Broadcast(paramAddr("beta"), beta)
			k.FMA231(beta, cv, out[i]) // t + beta*c
			Label(skip)
			if whole {
				k.Store(out[i], Mem{Base: cr})
			} else {
				storePieces(k, out[i], cr, cols)
			}
			ADDQ(ldc, cr)
		}
		if whole {
			JMP(LabelRef(tail))
		}
	}
	Label(tail)
	// Next block: L rows of C further, L columns of T further.
	MOVQ(ldc, cr)
	SHLQ(U8(uint8(bitsOf(L))), cr)
	ADDQ(cr, cp)
	ADDQ(U32(uint32(L*size)), tp)
	SUBQ(cnt, left)
	JMP(LabelRef(block))
	Label(done)
	VZEROUPPER()
	RET()
}

// storePieces stores the first n < lanes elements of the ymm v at dst:
// 4 (float32; 2 float64) from the low half, then 2 and 1 (float64: 1) of
// what is left, each piece only when n has its bit.
func storePieces(k kit.Kit, v reg.VecVirtual, dst, n reg.GPVirtual) {
	p := GP64()
	MOVQ(dst, p)
	x := XMM()
	VMOVAPS(v.AsX(), x)
	storeXPieces(k, x, p, n, k.Lanes()/2, v)
}

// storeXPieces is storePieces from the xmm x (the pieces past its 128
// bits from v's upper half when v is given) at p, the largest piece
// first elements; x and p are clobbered.
func storeXPieces(k kit.Kit, x reg.Register, p, n reg.GPVirtual, first int, v ...reg.VecVirtual) {
	for piece := first; piece >= 1; piece /= 2 {
		skip := kit.NewLabel("tpiece")
		TESTQ(U32(uint32(piece)), n)
		JZ(LabelRef(skip))
		switch bytes := piece * k.T.Size; bytes {
		case 16:
			VMOVUPS(x, Mem{Base: p})
			if len(v) > 0 {
				VEXTRACTF128(U8(1), v[0], x)
			}
		case 8:
			VMOVLPS(x, Mem{Base: p})
			VMOVHLPS(x, x, x)
		case 4:
			VMOVSS(x, Mem{Base: p})
		}
		ADDQ(U8(uint8(piece*k.T.Size)), p)
		Label(skip)
	}
}

// transposeRegs2 transposes the L×L block held in r (row j in r[j]; L = 8
// float32, 4 float64 ymm lanes) and returns its columns: interleaves of
// row pairs (32-bit, then 64-bit pairs for float32) within the 128-bit
// halves, then VPERM2F128 of the halves.
func transposeRegs2(k kit.Kit, r []reg.VecVirtual) []reg.VecVirtual {
	L := len(r)
	out := make([]reg.VecVirtual, L)
	if k.T.Size == 8 {
		// s0 = r0,r1 column 0 | column 2; s1 columns 1 | 3; s2, s3 the
		// same of r2, r3.
		var s [4]reg.VecVirtual
		for q := 0; q < 2; q++ {
			s[2*q], s[2*q+1] = k.Vec(), k.Vec()
			VUNPCKLPD(r[2*q+1], r[2*q], s[2*q])
			VUNPCKHPD(r[2*q+1], r[2*q], s[2*q+1])
		}
		for c := 0; c < 2; c++ {
			out[c], out[c+2] = k.Vec(), k.Vec()
			VPERM2F128(U8(0x20), s[2+c], s[c], out[c])
			VPERM2F128(U8(0x31), s[2+c], s[c], out[c+2])
		}
		return out
	}
	// s[2q] (s[2q+1]): values 0,1 (2,3) of each half of rows 2q, 2q+1
	// interleaved.
	s := make([]reg.VecVirtual, L)
	for q := 0; q < L/2; q++ {
		s[2*q], s[2*q+1] = k.Vec(), k.Vec()
		VUNPCKLPS(r[2*q+1], r[2*q], s[2*q])
		VUNPCKHPS(r[2*q+1], r[2*q], s[2*q+1])
	}
	// u[4g+c] holds, in half h, column 4h+c of rows 4g..4g+3.
	u := make([]reg.VecVirtual, L)
	for g := 0; g < 2; g++ {
		for h := 0; h < 2; h++ {
			lo, hi := k.Vec(), k.Vec()
			VSHUFPS(U8(0x44), s[4*g+2+h], s[4*g+h], lo)
			VSHUFPS(U8(0xEE), s[4*g+2+h], s[4*g+h], hi)
			u[4*g+2*h], u[4*g+2*h+1] = lo, hi
		}
	}
	for c := 0; c < 4; c++ {
		out[c], out[c+4] = k.Vec(), k.Vec()
		VPERM2F128(U8(0x20), u[4+c], u[c], out[c])
		VPERM2F128(U8(0x31), u[4+c], u[c], out[c+4])
	}
	return out
}

// betaFlag returns a register that is 1 when the beta parameter is not 0
// (or is NaN), so that C is read, and 0 when C is not to be read.
func betaFlag(k kit.Kit) reg.GPVirtual {
	useBeta := GP64()
	XORQ(useBeta, useBeta)
	bx, xz := XMM(), XMM()
	Load(Param("beta"), bx)
	VXORPS(xz, xz, xz)
	if k.T.Size == 4 {
		VUCOMISS(xz, bx)
	} else {
		VUCOMISD(xz, bx)
	}
	one := GP64()
	MOVQ(U32(1), one)
	CMOVQNE(one, useBeta)
	CMOVQPS(one, useBeta)
	return useBeta
}

// loadTRows loads a vector of each of the lanes' rows of T (ldt bytes
// apart from tp) with load. Rows from cols on are T's last row again:
// they only fill lanes of C that the stores leave alone, and no row past
// T's cols is read.
func loadTRows(k kit.Kit, tp, ldt, cols reg.GPVirtual, load func(m Mem, dst reg.VecVirtual)) []reg.VecVirtual {
	L := k.Lanes()
	r := make([]reg.VecVirtual, L)
	row, next := GP64(), GP64()
	MOVQ(tp, row)
	for j := range r {
		r[j] = k.Vec()
		load(Mem{Base: row}, r[j])
		if j < L-1 {
			LEAQ(Mem{Base: row, Index: ldt, Scale: 1}, next)
			CMPQ(cols, U8(uint8(j+1)))
			CMOVQGT(next, row)
		}
	}
	return r
}

// transposeAddHead emits GemmTransposeAdd's TEXT and doc for k and loads
// its parameters: the bases of c and t, ldc and ldt in bytes, rows and
// cols.
func transposeAddHead(k kit.Kit) (cp, ldc, tp, ldt, left, cols reg.GPVirtual) {
	name := "GemmTransposeAdd"
	k.Text(name, "func(c []T, ldc int, t []T, ldt int, rows, cols int, beta T)")
	Doc(k.Name(name)+" sets c[i*ldc+j] = t[j*ldt+i] (+ beta*c[i*ldc+j] if beta != 0) for i < rows, j < cols;",
		"t has cols rows of rows elements (ldt apart); no row past them is read.",
		fmt.Sprintf("The caller guarantees 1 <= cols <= %d and the lengths.", k.Lanes()))
	cp = gpv(Load(Param("c").Base(), GP64()))
	ldc = gpv(Load(Param("ldc"), GP64()))
	tp = gpv(Load(Param("t").Base(), GP64()))
	ldt = gpv(Load(Param("ldt"), GP64()))
	left = gpv(Load(Param("rows"), GP64()))
	cols = gpv(Load(Param("cols"), GP64()))
	shift := uint8(bitsOf(k.T.Size))
	SHLQ(U8(shift), ldc)
	SHLQ(U8(shift), ldt)
	return
}
