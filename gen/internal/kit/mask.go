package kit

import (
	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/reg"
)

// KeepSelected zeroes the lanes of v that the tail mask does not select, so
// that a reduction can add a whole vector computed from a masked load (whose
// unselected lanes held 0, and f(0) need not be 0). Outside the tail it
// emits nothing.
func (b Block) KeepSelected(v reg.VecVirtual) {
	switch {
	case b.Mask == nil:
	case b.Is512():
		pick(b.Kit, VMOVAPS_Z, VMOVAPD_Z)(v, b.Mask.k, v)
	default:
		pick(b.Kit, VANDPS, VANDPD)(b.Mask.vec, v, v)
	}
}
