// Command elementwise generates the streaming kernels of package asm:
// binary and scalar arithmetic, axpy, scale and the ReLU pair, for AVX2+FMA
// and AVX-512, float32 and float64.
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/descentlab/descent/gen/internal/kit"
)

func main() {
	ConstraintExpr("!purego,!noasm")
	for _, k := range kit.All {
		binary(k, "Add", k.Add)
	}
	Generate()
}

// binary: dst[i] = a[i] op b[i].
func binary(k kit.Kit, name string, op func(a, b, d Op)) {
	k.Text(name, "func(dst, a, b []T)")
	Doc(name + " computes dst[i] = a[i] " + map[string]string{"Add": "+", "Sub": "-", "Mul": "*", "Div": "/"}[name] + " b[i]; lengths are checked by the caller.")
	n := Load(Param("dst").Len(), GP64())
	d := Load(Param("dst").Base(), GP64())
	a := Load(Param("a").Base(), GP64())
	b := Load(Param("b").Base(), GP64())
	k.Loop(n.(reg.GPVirtual), []reg.GPVirtual{d.(reg.GPVirtual), a.(reg.GPVirtual), b.(reg.GPVirtual)}, 4, func(blk kit.Block) {
		va, vb := k.Vec(), k.Vec()
		blk.Load(a.(reg.GPVirtual), va)
		blk.Load(b.(reg.GPVirtual), vb)
		op(vb, va, va)
		blk.Store(va, d.(reg.GPVirtual))
	})
	VZEROUPPER()
	RET()
}
