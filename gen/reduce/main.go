// Command reduce generates the reduction kernels of package asm: Dot, Sum,
// Asum, SumSq, Max, Min and Index (ArgMax and ArgMin's second pass), for
// AVX2+FMA and AVX-512, float32 and float64.
//
// Every reduction keeps accs independent vector accumulators, one per
// vector of the unrolled main loop. Zen 5 retires two FP adds or FMAs per
// cycle with a latency of 2-4 cycles, so eight chains keep both pipes busy
// and the loop is bound by its loads; the chains are combined pairwise at
// the end (kit.Combine), then folded across lanes (Kit.Reduce).
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/descentlab/descent/gen/internal/kit"
)

const accs = 8

func main() {
	ConstraintExpr("!purego,!noasm")
	for _, k := range kit.All {
		dot(k)
		sum(k, false)
		sum(k, true)
		sumsq(k)
		extreme(k, true)
		extreme(k, false)
		index(k)
	}
	Generate()
}

func gp(op Op) reg.GPVirtual { return op.(reg.GPVirtual) }

func zeroed(k kit.Kit, n int) []reg.VecVirtual {
	v := k.Vecs(n)
	for _, a := range v {
		k.Zero(a)
	}
	return v
}

// fold combines the accumulators with op and stores lane 0 as the result.
func fold(k kit.Kit, v []reg.VecVirtual, op func(a, b, d Op)) {
	r := kit.Combine(v, op)
	k.Reduce(r, op)
	VZEROUPPER()
	Store(r.AsX(), ReturnIndex(0))
	RET()
}

// dot: Σ x[i]*y[i], one FMA chain per unrolled vector.
func dot(k kit.Kit) {
	k.Text("Dot", "func(x, y []T) T")
	Doc("Dot returns Σ x[i]*y[i] in eight independent vector partial sums; len(x) <= len(y) is checked by the caller.")
	acc := zeroed(k, accs)
	n := gp(Load(Param("x").Len(), GP64()))
	x := gp(Load(Param("x").Base(), GP64()))
	y := gp(Load(Param("y").Base(), GP64()))
	k.Loop(n, []reg.GPVirtual{x, y}, accs, func(blk kit.Block) {
		vx := k.Vec()
		blk.Load(x, vx)
		if blk.Masked() {
			vy := k.Vec()
			blk.Load(y, vy)
			k.FMA231(vy, vx, acc[blk.U])
		} else {
			k.FMA231(blk.At(y), vx, acc[blk.U])
		}
	})
	fold(k, acc, k.Add)
}

// sum: Σ x[i], or Σ |x[i]| (the sign bit cleared) for Asum.
func sum(k kit.Kit, abs bool) {
	name := "Sum"
	if abs {
		name = "Asum"
	}
	k.Text(name, "func(x []T) T")
	if abs {
		Doc("Asum returns Σ |x[i]| in eight independent vector partial sums.")
	} else {
		Doc("Sum returns Σ x[i] in eight independent vector partial sums.")
	}
	var mask reg.VecVirtual
	if abs {
		if k.T.Size == 4 {
			mask = k.Const(0x7fffffff)
		} else {
			mask = k.Const(0x7fffffffffffffff)
		}
	}
	acc := zeroed(k, accs)
	n := gp(Load(Param("x").Len(), GP64()))
	x := gp(Load(Param("x").Base(), GP64()))
	k.Loop(n, []reg.GPVirtual{x}, accs, func(blk kit.Block) {
		var src Op
		if blk.Masked() {
			v := k.Vec()
			blk.Load(x, v)
			src = v
		} else {
			src = blk.At(x)
		}
		if abs {
			v := k.Vec()
			k.And(src, mask, v)
			src = v
		}
		k.Add(src, acc[blk.U], acc[blk.U])
	})
	fold(k, acc, k.Add)
}

// sumsq: Σ x[i]² accumulated in float64; float32 input is widened first.
func sumsq(k kit.Kit) {
	k.Text("SumSq", "func(x []T) float64")
	Doc("SumSq returns Σ x[i]², accumulated in float64 (float32 input is converted exactly to float64 first).")
	k64 := kit.Kit{ISA: k.ISA, T: kit.Float64}
	acc := zeroed(k64, accs)
	n := gp(Load(Param("x").Len(), GP64()))
	x := gp(Load(Param("x").Base(), GP64()))
	if k.T.Size == 4 {
		k64.LoopWiden(n, x, accs, func(u int, v reg.VecVirtual) {
			k64.FMA231(v, v, acc[u])
		})
	} else {
		k.Loop(n, []reg.GPVirtual{x}, accs, func(blk kit.Block) {
			v := k.Vec()
			blk.Load(x, v)
			k.FMA231(v, v, acc[blk.U])
		})
	}
	fold(k64, acc, k64.Add)
}

// extreme: the largest (max) or smallest element, NaN if any element is NaN.
//
// VMAXPS/VMINPS return their second source when either is NaN, so a NaN
// does not survive in the running extreme; it is tracked apart instead.
// One unordered compare covers two vectors (it is true where either lane is
// NaN) and its mask is ORed into a flag: a vector register on AVX2, an
// opmask on AVX-512. The tail reads -Inf (max) or +Inf (min) into its
// unselected lanes, which cannot change the result.
func extreme(k kit.Kit, isMax bool) {
	name, op, inf := "Min", k.Min, uint64(0x7f800000)
	if isMax {
		name, op, inf = "Max", k.Max, 0xff800000
	}
	nanBits := uint64(0x7fc00000) // float32(math.NaN())
	if k.T.Size == 8 {
		inf = 0x7ff0000000000000
		if isMax {
			inf = 0xfff0000000000000
		}
		nanBits = 0x7ff8000000000001 // math.NaN()
	}
	k.Text(name, "func(x []T) T")
	Doc(name + " returns the " + map[bool]string{true: "largest", false: "smallest"}[isMax] + " element of x, or NaN if any element is NaN; len(x) > 0 is checked by the caller.")
	fill := k.Const(inf)
	acc := k.Vecs(accs)
	for _, a := range acc {
		k.Mov(fill, a)
	}
	var nanK reg.Register
	var nanV reg.VecVirtual
	if k.Is512() {
		nanK = K()
		KXORW(nanK, nanK, nanK)
	} else {
		nanV = k.Vec()
		k.Zero(nanV)
	}
	flagNaN := func(a, b reg.VecVirtual) {
		if k.Is512() {
			m := K()
			k.Cmp(kit.CmpUNORD, a, b, m)
			KORW(m, nanK, nanK)
			return
		}
		m := k.Vec()
		k.Cmp(kit.CmpUNORD, a, b, m)
		k.Or(m, nanV, nanV)
	}

	n := gp(Load(Param("x").Len(), GP64()))
	x := gp(Load(Param("x").Base(), GP64()))
	// Loop emits the accs main-loop blocks first, then the one-vector loop's
	// block and the tail's, which have no partner vector.
	var prev reg.VecVirtual
	calls := 0
	k.Loop(n, []reg.GPVirtual{x}, accs, func(blk kit.Block) {
		v := k.Vec()
		blk.LoadOr(x, v, fill)
		op(v, acc[blk.U], acc[blk.U])
		switch {
		case calls >= accs:
			flagNaN(v, v)
		case blk.U%2 == 0:
			prev = v
		default:
			flagNaN(prev, v)
		}
		calls++
	})
	r := kit.Combine(acc, op)
	k.Reduce(r, op)

	isNaN := kit.NewLabel("nan")
	if k.Is512() {
		KORTESTW(nanK, nanK)
	} else {
		g := GP32()
		if k.T.Size == 4 {
			VMOVMSKPS(nanV, g)
		} else {
			VMOVMSKPD(nanV, g)
		}
		TESTL(g, g)
	}
	JNZ(LabelRef(isNaN))
	VZEROUPPER()
	Store(r.AsX(), ReturnIndex(0))
	RET()

	Label(isNaN)
	VZEROUPPER()
	g := GP64()
	x0 := XMM()
	if k.T.Size == 4 {
		MOVL(U32(uint32(nanBits)), g.As32())
		VMOVD(g.As32(), x0)
	} else {
		MOVQ(U64(nanBits), g)
		VMOVQ(g, x0)
	}
	Store(x0, ReturnIndex(0))
	RET()
}

// index: the position of the first x[i] == m, or of the first NaN when m is
// NaN; len(x) when there is none. The main loop compares four vectors per
// iteration and tests their masks together, so it runs at the speed of its
// loads until the first hit; a one-vector loop and a masked tail follow, as
// in kit.Loop. ArgMax and ArgMin call it after Max or Min.
func index(k kit.Kit) {
	k.Text("Index", "func(x []T, m T) int")
	Doc("Index returns the position of the first x[i] == m, or of the first NaN when m is NaN;",
		"len(x) when there is none.")
	n := gp(Load(Param("x").Len(), GP64()))
	base := gp(Load(Param("x").Base(), GP64()))
	ms := XMM()
	Load(Param("m"), ms)
	mv := k.Vec()
	k.Broadcast(ms, mv)
	nan := kit.NewLabel("nan")
	if k.T.Size == 4 {
		VUCOMISS(ms, ms)
	} else {
		VUCOMISD(ms, ms)
	}
	JPS(LabelRef(nan)) // unordered: m is NaN
	scan(k, n, base, func(v reg.VecVirtual, d Op) { k.Cmp(kit.CmpEQ_OQ, mv, v, d) })
	Label(nan)
	scan(k, n, base, func(v reg.VecVirtual, d Op) { k.Cmp(kit.CmpUNORD, v, v, d) })
}

// scan emits one search loop of index and its returns; cmp(v, d) sets in d
// (an opmask on AVX-512, a vector on AVX2) the lanes of v sought.
func scan(k kit.Kit, n, base reg.GPVirtual, cmp func(v reg.VecVirtual, d Op)) {
	const unroll = 4
	lanes := k.Lanes()
	shift := uint8(2)
	if k.T.Size == 8 {
		shift = 3
	}
	main, single, tail, none := kit.NewLabel("main"), kit.NewLabel("single"), kit.NewLabel("tail"), kit.NewLabel("none")
	p := GP64()
	MOVQ(base, p)
	left := GP64()
	MOVQ(n, left)
	// bits returns the lanes cmp set, as the low bits of a GP register.
	mask := func() Op {
		if k.Is512() {
			return K()
		}
		return k.Vec()
	}
	bits := func(m Op) reg.GPVirtual {
		r := GP32()
		switch {
		case k.Is512():
			KMOVW(m, r)
		case k.T.Size == 4:
			VMOVMSKPS(m, r)
		default:
			VMOVMSKPD(m, r)
		}
		return r
	}
	// found returns (p-base)/size + off + the lowest set bit of r.
	found := func(r reg.GPVirtual, off int) {
		i := GP64()
		TZCNTL(r, r.As32())
		MOVL(r.As32(), i.As32()) // zero-extends
		t := GP64()
		MOVQ(p, t)
		SUBQ(base, t)
		SHRQ(U8(shift), t)
		ADDQ(t, i)
		if off > 0 {
			ADDQ(U32(uint32(off)), i)
		}
		VZEROUPPER()
		Store(i, ReturnIndex(0))
		RET()
	}

	Label(main)
	CMPQ(left, U32(uint32(unroll*lanes)))
	JB(LabelRef(single))
	ms := make([]Op, unroll)
	for u := range ms {
		v := k.Vec()
		k.Load(Mem{Base: p, Disp: u * k.VecBytes}, v)
		ms[u] = mask()
		cmp(v, ms[u])
	}
	hit := kit.NewLabel("hit")
	if k.Is512() {
		a, b := K(), K()
		KORW(ms[0], ms[1], a)
		KORW(ms[2], ms[3], b)
		KORTESTW(a, b)
	} else {
		a, b := k.Vec(), k.Vec()
		k.Or(ms[0], ms[1], a)
		k.Or(ms[2], ms[3], b)
		k.Or(a, b, a)
		VPTEST(a, a)
	}
	JNZ(LabelRef(hit))
	ADDQ(U32(uint32(unroll*k.VecBytes)), p)
	SUBQ(U32(uint32(unroll*lanes)), left)
	JMP(LabelRef(main))
	Label(hit)
	for u := range ms {
		r := bits(ms[u])
		next := kit.NewLabel("next")
		TESTL(r, r)
		JZ(LabelRef(next))
		found(r, u*lanes)
		Label(next)
	}
	JMP(LabelRef(none)) // not reached: one of the four had a hit

	Label(single)
	CMPQ(left, U32(uint32(lanes)))
	JB(LabelRef(tail))
	{
		v := k.Vec()
		k.Load(Mem{Base: p}, v)
		m := mask()
		cmp(v, m)
		r := bits(m)
		miss := kit.NewLabel("miss")
		TESTL(r, r)
		JZ(LabelRef(miss))
		found(r, 0)
		Label(miss)
	}
	ADDQ(U32(uint32(k.VecBytes)), p)
	SUBQ(U32(uint32(lanes)), left)
	JMP(LabelRef(single))

	Label(tail)
	TESTQ(left, left)
	JZ(LabelRef(none))
	{
		tm := k.TailMask(left)
		v := k.Vec()
		kit.Block{Kit: k, Mask: &tm}.Load(p, v)
		m := mask()
		cmp(v, m)
		r := bits(m)
		// Only the first left lanes count: the others were filled with 0,
		// which may equal m.
		all, t := GP32(), GP32()
		MOVL(I32(-1), all)
		BZHIL(left.As32(), all, t)
		ANDL(t, r)
		JZ(LabelRef(none))
		found(r, 0)
	}
	Label(none)
	VZEROUPPER()
	Store(n, ReturnIndex(0))
	RET()
}
