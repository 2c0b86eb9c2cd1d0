package kit

import (
	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Mask selects the first n lanes of a vector, for the tail of a loop.
type Mask struct {
	k   reg.Register   // AVX-512 opmask
	vec reg.VecVirtual // AVX2 lane mask (all-ones lanes selected)
}

var maskTab Mem
var maskTabDone bool

// maskTable is 8 all-ones dwords then 8 zero dwords: 32 bytes read from
// offset (lanes-n)*size select the first n lanes, for either element size.
func maskTable() Mem {
	if !maskTabDone {
		maskTab = GLOBL("masktab", RODATA|NOPTR)
		for i := 0; i < 16; i++ {
			v := uint32(0)
			if i < 8 {
				v = 0xffffffff
			}
			DATA(4*i, U32(v))
		}
		maskTabDone = true
	}
	return maskTab
}

// TailMask builds the mask of the first n lanes, 0 < n < Lanes().
func (k Kit) TailMask(n reg.GPVirtual) Mask {
	if k.Is512() {
		all := GP64()
		t := GP64()
		MOVQ(I32(-1), all)
		BZHIQ(n, all, t)
		m := K()
		KMOVW(t.As32(), m)
		return Mask{k: m}
	}
	off := GP64()
	MOVQ(U32(uint32(k.Lanes())), off)
	SUBQ(n, off)
	base := GP64()
	LEAQ(maskTable(), base)
	v := k.Vec()
	VMOVDQU(Mem{Base: base, Index: off, Scale: uint8(k.T.Size)}, v)
	return Mask{vec: v}
}

// Block is one vector's worth of a loop body: U is its slot in the unrolled
// main loop (0 in the one-vector loop and the tail), Off its byte offset
// from the current pointers, and Mask non-nil in the tail, where every load
// and store must be masked.
type Block struct {
	Kit
	U    int
	Off  int
	Mask *Mask
}

// Masked reports whether this block is the loop's tail.
func (b Block) Masked() bool { return b.Mask != nil }

// At is the block's memory operand for a pointer.
func (b Block) At(ptr reg.Register) Mem { return Mem{Base: ptr, Disp: b.Off} }

// Load reads one vector at ptr into dst; in the tail, unselected lanes are 0.
func (b Block) Load(ptr reg.Register, dst reg.VecVirtual) {
	switch {
	case b.Mask == nil:
		b.Kit.Load(b.At(ptr), dst)
	case b.Is512():
		pick(b.Kit, VMOVUPS_Z, VMOVUPD_Z)(b.At(ptr), b.Mask.k, dst)
	default:
		pick(b.Kit, VMASKMOVPS, VMASKMOVPD)(b.At(ptr), b.Mask.vec, dst)
	}
}

// LoadOr reads one vector at ptr into dst; in the tail, unselected lanes
// take the value of fill (e.g. -Inf for a max).
func (b Block) LoadOr(ptr reg.Register, dst, fill reg.VecVirtual) {
	switch {
	case b.Mask == nil:
		b.Kit.Load(b.At(ptr), dst)
	case b.Is512():
		b.Kit.Mov(fill, dst)
		pick(b.Kit, VMOVUPS, VMOVUPD)(b.At(ptr), b.Mask.k, dst)
	default:
		t := b.Vec()
		pick(b.Kit, VMASKMOVPS, VMASKMOVPD)(b.At(ptr), b.Mask.vec, t)
		pick(b.Kit, VBLENDVPS, VBLENDVPD)(b.Mask.vec, t, fill, dst)
	}
}

// Store writes src at ptr; in the tail only the selected lanes.
func (b Block) Store(src reg.VecVirtual, ptr reg.Register) {
	switch {
	case b.Mask == nil && b.nt:
		pick(b.Kit, VMOVNTPS, VMOVNTPD)(src, b.At(ptr))
	case b.Mask == nil:
		b.Kit.Store(src, b.At(ptr))
	case b.Is512():
		pick(b.Kit, VMOVUPS, VMOVUPD)(src, b.Mask.k, b.At(ptr))
	default:
		pick(b.Kit, VMASKMOVPS, VMASKMOVPD)(src, b.Mask.vec, b.At(ptr))
	}
}

// Loop emits the standard loop over n elements: a main loop of unroll
// vectors per iteration, a one-vector loop, and a masked tail. ptrs advance
// together by the bytes consumed; body emits the work of one Block. n and
// the pointers are clobbered.
func (k Kit) Loop(n reg.GPVirtual, ptrs []reg.GPVirtual, unroll int, body func(b Block)) {
	main, single, tail, done := NewLabel("main"), NewLabel("single"), NewLabel("tail"), NewLabel("done")
	step := unroll * k.Lanes()
	advance := func(bytes int) {
		for _, p := range ptrs {
			ADDQ(U32(uint32(bytes)), p)
		}
	}
	if unroll > 1 {
		Label(main)
		CMPQ(n, U32(uint32(step)))
		JB(LabelRef(single))
		for u0 := 0; u0 < unroll; {
			w := min(max(k.Interleave, 1), unroll-u0)
			Interleave(w, func(u int) { body(Block{Kit: k, U: u0 + u, Off: (u0 + u) * k.VecBytes}) })
			u0 += w
		}
		advance(unroll * k.VecBytes)
		SUBQ(U32(uint32(step)), n)
		JMP(LabelRef(main))
	}
	Label(single)
	if k.SpreadSingles && unroll > 1 {
		// Fewer than unroll vectors are left.
		for u := 0; u < unroll-1; u++ {
			CMPQ(n, U32(uint32(k.Lanes())))
			JB(LabelRef(tail))
			body(Block{Kit: k, U: u})
			advance(k.VecBytes)
			SUBQ(U32(uint32(k.Lanes())), n)
		}
	} else {
		CMPQ(n, U32(uint32(k.Lanes())))
		JB(LabelRef(tail))
		body(Block{Kit: k})
		advance(k.VecBytes)
		SUBQ(U32(uint32(k.Lanes())), n)
		JMP(LabelRef(single))
	}
	Label(tail)
	TESTQ(n, n)
	JZ(LabelRef(done))
	m := k.TailMask(n)
	body(Block{Kit: k, Mask: &m})
	Label(done)
}

// StreamLoop is Loop for kernels that write a fresh dst (ptrs[0]) from
// their inputs: a call whose dst has at least ·streamMin bytes (a variable
// of package asm, set by package kernels from the L3 size) stores it with
// non-temporal stores, which skip the read for ownership of every line a
// cached store pays first: a quarter less memory traffic for dst = a op b
// (three lines moved for four), a third for dst = f(x), and no eviction of
// useful cache for an output too large to stay there. A masked head block
// first aligns dst to the vector width (the stores need it), the main and
// one-vector loops then store with VMOVNTPS/PD, the tail is masked as in
// Loop, and an SFENCE orders the streamed stores before the return, as any
// other store would be. Below ·streamMin, in place (dst the same address as
// an input, whose lines the loop has just read into the cache), and for a
// dst not aligned to its element size (possible only through package
// unsafe; it could never become vector-aligned), it is Loop. body is
// emitted three times: the head, the streamed loops, the cached loops.
func (k Kit) StreamLoop(n reg.GPVirtual, ptrs []reg.GPVirtual, unroll int, body func(b Block)) {
	cached, aligned, done := NewLabel("cached"), NewLabel("aligned"), NewLabel("streamed")
	shift := U8(map[int]uint8{4: 2, 8: 3}[k.T.Size])
	t := GP64()
	MOVQ(n, t)
	SHLQ(shift, t)
	CMPQ(t, NewDataAddr(Symbol{Name: "·streamMin"}, 0))
	JB(LabelRef(cached))
	for _, p := range ptrs[1:] {
		// In place (dst is an input): the line is in the cache already,
		// read, and a non-temporal store only evicts it (Scale-like
		// in-place loops measured 0.8x with streaming).
		CMPQ(ptrs[0], p)
		JE(LabelRef(cached))
	}
	TESTQ(U32(uint32(k.T.Size-1)), ptrs[0])
	JNZ(LabelRef(cached))
	// h = the elements before dst is vector-aligned, at most n.
	h := GP64()
	MOVQ(ptrs[0], h)
	NEGQ(h)
	ANDQ(U32(uint32(k.VecBytes-1)), h)
	SHRQ(shift, h)
	CMPQ(h, n)
	CMOVQGT(n, h)
	TESTQ(h, h)
	JZ(LabelRef(aligned))
	m := k.TailMask(h)
	body(Block{Kit: k, Mask: &m})
	SUBQ(h, n)
	SHLQ(shift, h)
	for _, p := range ptrs {
		ADDQ(h, p)
	}
	Label(aligned)
	s := k
	s.nt = true
	s.Loop(n, ptrs, unroll, body)
	SFENCE()
	JMP(LabelRef(done))
	Label(cached)
	k.Loop(n, ptrs, unroll, body)
	Label(done)
}

// Reduce folds a vector to its lane 0 with op (an Add or Max of this Kit),
// leaving the result in the low lane of v's XMM view. On AVX-512 it uses
// only EVEX-encodable instructions, so v may be any of the 32 registers;
// store the result with StoreScalar, not with avo's Store (MOVSS/MOVSD).
func (k Kit) Reduce(v reg.VecVirtual, op func(a, b, d Op)) {
	if k.Is512() {
		t := YMM()
		VEXTRACTF64X4(U8(1), v, t)
		op(t, v.AsY(), v.AsY())
	}
	t := XMM()
	if k.Is512() {
		VEXTRACTF32X4(U8(1), v.AsY(), t) // EVEX: v may be X16..X31
	} else {
		VEXTRACTF128(U8(1), v.AsY(), t)
	}
	op(t, v.AsX(), v.AsX())
	// 128 bits: swap the 64-bit halves, then (for f32) the 32-bit pairs.
	VPERMILPD(U8(1), v.AsX(), t)
	op(t, v.AsX(), v.AsX())
	if k.T.Size == 4 {
		VMOVSHDUP(v.AsX(), t)
		op(t, v.AsX(), v.AsX())
	}
}

// StoreScalar writes the low lane of x to dst (a result slot): VMOVSS or
// VMOVSD, which, unlike the SSE moves of avo's Store, also address
// X16..X31.
func (k Kit) StoreScalar(x reg.Register, dst gotypes.Component) {
	b, err := dst.Resolve()
	if err != nil {
		panic(err)
	}
	pick(k, VMOVSS, VMOVSD)(x, b.Addr)
}
