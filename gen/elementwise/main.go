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

// unroll is the number of vectors per main-loop iteration: enough to keep
// two loads and one store in flight every cycle without a long tail loop.
const unroll = 4

func main() {
	ConstraintExpr("!purego,!noasm")
	for _, k := range kit.All {
		binary(k, "Add", k.Add)
		binary(k, "Sub", k.Sub)
		binary(k, "Mul", k.Mul)
		binary(k, "Div", k.Div)
		scalar(k, "AddScalar", "+", k.Add)
		scalar(k, "MulScalar", "*", k.Mul)
		axpy(k)
		scale(k)
		relu(k)
		reluGrad(k)
	}
	Generate()
}

func gp(op Op) reg.GPVirtual { return op.(reg.GPVirtual) }

// binary: dst[i] = a[i] op b[i]. op(b, a, a) is a = a op b in Go operand
// order, so a is the first (Intel src1) operand, as in the Go expression.
func binary(k kit.Kit, name string, op func(a, b, d Op)) {
	k.Text(name, "func(dst, a, b []T)")
	Doc(name + " computes dst[i] = a[i] " + map[string]string{"Add": "+", "Sub": "-", "Mul": "*", "Div": "/"}[name] + " b[i]; lengths are checked by the caller.")
	n := gp(Load(Param("dst").Len(), GP64()))
	d := gp(Load(Param("dst").Base(), GP64()))
	a := gp(Load(Param("a").Base(), GP64()))
	b := gp(Load(Param("b").Base(), GP64()))
	k.StreamLoop(n, []reg.GPVirtual{d, a, b}, unroll, func(blk kit.Block) {
		va := k.Vec()
		blk.Load(a, va)
		op(operandB(blk, b), va, va)
		blk.Store(va, d)
	})
	VZEROUPPER()
	RET()
}

// operandB is the second source of an arithmetic instruction: straight from
// memory in full blocks (one fused load-op), through a masked load in the tail.
func operandB(blk kit.Block, p reg.GPVirtual) Op {
	if !blk.Masked() {
		return blk.At(p)
	}
	v := blk.Vec()
	blk.Load(p, v)
	return v
}

// scalar: dst[i] = a[i] op s.
func scalar(k kit.Kit, name, sym string, op func(a, b, d Op)) {
	k.Text(name, "func(dst, a []T, s T)")
	Doc(name + " computes dst[i] = a[i] " + sym + " s; lengths are checked by the caller.")
	s := k.Param("s")
	n := gp(Load(Param("dst").Len(), GP64()))
	d := gp(Load(Param("dst").Base(), GP64()))
	a := gp(Load(Param("a").Base(), GP64()))
	k.StreamLoop(n, []reg.GPVirtual{d, a}, unroll, func(blk kit.Block) {
		va := k.Vec()
		blk.Load(a, va)
		op(s, va, va)
		blk.Store(va, d)
	})
	VZEROUPPER()
	RET()
}

// axpy: y[i] += alpha*x[i], fused (one rounding).
func axpy(k kit.Kit) {
	k.Text("Axpy", "func(alpha T, x, y []T)")
	Doc("Axpy computes y[i] += alpha*x[i] with a fused multiply-add; lengths are checked by the caller.")
	alpha := k.Param("alpha")
	n := gp(Load(Param("x").Len(), GP64()))
	x := gp(Load(Param("x").Base(), GP64()))
	y := gp(Load(Param("y").Base(), GP64()))
	k.Loop(n, []reg.GPVirtual{x, y}, unroll, func(blk kit.Block) {
		vy := k.Vec()
		blk.Load(y, vy)
		k.FMA231(operandB(blk, x), alpha, vy)
		blk.Store(vy, y)
	})
	VZEROUPPER()
	RET()
}

// scale: x[i] *= alpha.
func scale(k kit.Kit) {
	k.Text("Scale", "func(alpha T, x []T)")
	Doc("Scale computes x[i] *= alpha.")
	alpha := k.Param("alpha")
	n := gp(Load(Param("x").Len(), GP64()))
	x := gp(Load(Param("x").Base(), GP64()))
	k.Loop(n, []reg.GPVirtual{x}, unroll, func(blk kit.Block) {
		v := k.Vec()
		blk.Load(x, v)
		k.Mul(alpha, v, v)
		blk.Store(v, x)
	})
	VZEROUPPER()
	RET()
}

// selectWhere sets d = src where the comparison "x pred 0" holds and +0
// elsewhere: an AND with the compare's lane mask (AVX2), or a zeroing move
// under the compare's opmask (AVX-512).
func selectWhere(k kit.Kit, pred uint8, x, zero, src, d reg.VecVirtual) {
	if k.Is512() {
		m := K()
		k.Cmp(pred, zero, x, m)
		if k.T.Size == 4 {
			VMOVAPS_Z(src, m, d)
		} else {
			VMOVAPD_Z(src, m, d)
		}
		return
	}
	m := k.Vec()
	k.Cmp(pred, zero, x, m)
	k.And(m, src, d)
}

// relu: dst[i] = x[i] where !(x[i] <= 0) (x > 0 or NaN), else +0.
func relu(k kit.Kit) {
	k.Text("ReLU", "func(dst, x []T)")
	Doc("ReLU computes dst[i] = x[i] where x[i] > 0 or x[i] is NaN, and +0 elsewhere.")
	zero := k.Vec()
	k.Zero(zero)
	n := gp(Load(Param("dst").Len(), GP64()))
	d := gp(Load(Param("dst").Base(), GP64()))
	x := gp(Load(Param("x").Base(), GP64()))
	k.StreamLoop(n, []reg.GPVirtual{d, x}, unroll, func(blk kit.Block) {
		v, r := k.Vec(), k.Vec()
		blk.Load(x, v)
		selectWhere(k, kit.CmpNLE_UQ, v, zero, v, r)
		blk.Store(r, d)
	})
	VZEROUPPER()
	RET()
}

// reluGrad: dst[i] = dy[i] where x[i] > 0 (ordered), else +0.
func reluGrad(k kit.Kit) {
	k.Text("ReLUGrad", "func(dst, x, dy []T)")
	Doc("ReLUGrad computes dst[i] = dy[i] where x[i] > 0, and +0 elsewhere (NaN x included).")
	zero := k.Vec()
	k.Zero(zero)
	n := gp(Load(Param("dst").Len(), GP64()))
	d := gp(Load(Param("dst").Base(), GP64()))
	x := gp(Load(Param("x").Base(), GP64()))
	dy := gp(Load(Param("dy").Base(), GP64()))
	k.StreamLoop(n, []reg.GPVirtual{d, x, dy}, unroll, func(blk kit.Block) {
		vx, vdy, r := k.Vec(), k.Vec(), k.Vec()
		blk.Load(x, vx)
		blk.Load(dy, vdy)
		selectWhere(k, kit.CmpGT_OQ, vx, zero, vdy, r)
		blk.Store(r, d)
	})
	VZEROUPPER()
	RET()
}
