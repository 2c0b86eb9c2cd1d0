package kit

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// CmpNLE_UQ is "not less than or equal", quiet: true where a > b or either
// is NaN (ReLU's keep-mask: x NLE 0).
const CmpNLE_UQ = 0x16

// LoopWiden is Loop for float32 input computed in float64. k must be a
// Float64 kit: each step converts Lanes() float32 values (half a vector of
// bytes) at ptr into one vector of float64 and hands it to body with its
// slot u in the unrolled main loop (0 in the one-vector loop and the tail).
// In the tail the unselected lanes are +0, and no byte past the n float32
// values is read (AVX-512: masked convert with fault suppression; AVX2: a
// VMASKMOVPS load, then the convert). n and ptr are clobbered.
func (k Kit) LoopWiden(n, ptr reg.GPVirtual, unroll int, body func(u int, v reg.VecVirtual)) {
	if k.T.Size != 8 {
		panic("kit: LoopWiden needs a Float64 kit")
	}
	main, single, tail, done := NewLabel("wmain"), NewLabel("wsingle"), NewLabel("wtail"), NewLabel("wdone")
	lanes := k.Lanes()
	inBytes := lanes * 4
	convert := func(u int) {
		v := k.Vec()
		VCVTPS2PD(Mem{Base: ptr, Disp: u * inBytes}, v)
		body(u, v)
	}
	if unroll > 1 {
		Label(main)
		CMPQ(n, U32(uint32(unroll*lanes)))
		JB(LabelRef(single))
		for u := 0; u < unroll; u++ {
			convert(u)
		}
		ADDQ(U32(uint32(unroll*inBytes)), ptr)
		SUBQ(U32(uint32(unroll*lanes)), n)
		JMP(LabelRef(main))
	}
	Label(single)
	CMPQ(n, U32(uint32(lanes)))
	JB(LabelRef(tail))
	convert(0)
	ADDQ(U32(uint32(inBytes)), ptr)
	SUBQ(U32(uint32(lanes)), n)
	JMP(LabelRef(single))

	Label(tail)
	TESTQ(n, n)
	JZ(LabelRef(done))
	v := k.Vec()
	if k.Is512() {
		m := k.TailMask(n) // n bits, one per float64 lane = one per float32 read
		VCVTPS2PD_Z(Mem{Base: ptr}, m.k, v)
	} else {
		// The table is 8 all-ones dwords then 8 zero dwords: 16 bytes from
		// dword 8-n select the first n float32 values.
		off := GP64()
		MOVQ(U32(8), off)
		SUBQ(n, off)
		base := GP64()
		LEAQ(maskTable(), base)
		mask, t := XMM(), XMM()
		VMOVDQU(Mem{Base: base, Index: off, Scale: 4}, mask)
		VMASKMOVPS(Mem{Base: ptr}, mask, t)
		VCVTPS2PD(t, v)
	}
	body(0, v)
	Label(done)
}
