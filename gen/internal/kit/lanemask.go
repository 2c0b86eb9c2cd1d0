package kit

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// LaneMask returns the AVX2 lane mask (all-ones lanes) of the first n
// lanes, for any 0 <= n <= Lanes(), read from the same table as TailMask;
// n is not changed. It is for VMASKMOV and the AVX2 gathers.
func (k Kit) LaneMask(n reg.GPVirtual) reg.VecVirtual {
	off := GP64()
	MOVQ(U32(uint32(k.Lanes())), off)
	SUBQ(n, off)
	base := GP64()
	LEAQ(maskTable(), base)
	v := k.Vec()
	VMOVDQU(Mem{Base: base, Index: off, Scale: uint8(k.T.Size)}, v)
	return v
}
