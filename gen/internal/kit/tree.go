package kit

import (
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Combine folds accumulators pairwise into accs[0] (a balanced tree keeps
// the rounding error of a reduction low).
func Combine(accs []reg.VecVirtual, op func(a, b, d Op)) reg.VecVirtual {
	for w := 1; w < len(accs); w *= 2 {
		for i := 0; i+w < len(accs); i += 2 * w {
			op(accs[i+w], accs[i], accs[i])
		}
	}
	return accs[0]
}
