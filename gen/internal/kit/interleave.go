package kit

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
)

// avoCtx is avo's global build context, which the dot-imported instruction
// functions append to. avo exports no way to reach the function being built,
// which Interleave needs in order to reorder what it just emitted.
//
//go:linkname avoCtx github.com/mmcloughlin/avo/build.ctx
var avoCtx *build.Context

// activeFunction returns the function avo is building (Context.function).
func activeFunction() *ir.Function {
	v := reflect.ValueOf(avoCtx).Elem().FieldByName("function")
	if !v.IsValid() || v.Type() != reflect.TypeOf((*ir.Function)(nil)) {
		panic("kit: avo's build.Context has no function field of type *ir.Function: update Interleave for this avo version")
	}
	f := *(**ir.Function)(unsafe.Pointer(v.UnsafeAddr()))
	if f == nil {
		panic("kit: Interleave outside a function")
	}
	return f
}

// Interleave emits n copies of a straight-line body (emit(u) emits copy u)
// and then reorders them round-robin, one instruction of each copy in turn.
// The copies must be independent of one another (their own virtual
// registers; loads and stores at disjoint addresses) and contain no labels,
// so that the reordering keeps each copy's own order and changes nothing
// else. A long dependency chain (a polynomial, a compensated sum) then has
// n independent instructions beside each of its steps, which the scheduler
// can overlap; emitted one copy after the other, the copies' chains only
// overlap as far as the out-of-order window reaches.
func Interleave(n int, emit func(u int)) {
	f := activeFunction()
	bounds := []int{len(f.Nodes)}
	for u := 0; u < n; u++ {
		emit(u)
		bounds = append(bounds, len(f.Nodes))
	}
	start := bounds[0]
	segs := make([][]ir.Node, n)
	for u := range segs {
		segs[u] = append([]ir.Node(nil), f.Nodes[bounds[u]:bounds[u+1]]...)
		for _, nd := range segs[u] {
			if _, ok := nd.(*ir.Instruction); !ok {
				panic(fmt.Sprintf("kit: Interleave body emitted a %T; only instructions can be reordered", nd))
			}
		}
	}
	out := f.Nodes[start:start]
	for i := 0; ; i++ {
		more := false
		for _, s := range segs {
			if i < len(s) {
				out = append(out, s[i])
				more = true
			}
		}
		if !more {
			break
		}
	}
	f.Nodes = f.Nodes[:start+len(out)]
}
