// Command reduce generates the reduction kernels of package asm: Dot, Sum,
// Asum, SumSq, Max, Min, Index, and ArgMax and ArgMin (Max or Min, then
// Index, in one function), for AVX2+FMA and AVX-512, float32 and float64.
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
		extreme(k, true, false)
		extreme(k, false, false)
		index(k)
		extreme(k, true, true)
		extreme(k, false, true)
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
	k.SpreadSingles = true
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
	k.SpreadSingles = true
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

// sumsq: Σ x[i]² accumulated in float64.
//
// float32 input: converting every element to float64 made the kernel
// bound by its converts (two per vector), at 0.6-0.8x vek's plain float32
// Norm. The main loop instead squares and adds groups of eight vectors in
// float32, a MUL and an FMA per pair and a binary tree over the four pairs,
// so each term carries at most 4 float32 roundings (relative error
// γ₄(2⁻²⁴) ≈ 2.4e-7 of the sum, all terms being positive), and converts only
// the group's sum to float64: two converts per eight vectors. Groups of four
// and two vectors take what is left, and the last vector and the tail are
// widened element by element and exact. A square or group sum past
// MaxFloat32 gives +Inf, and squares below 2⁻¹²⁶ lose bits; Nrm2 detects
// both from the sum and takes its scaled path.
func sumsq(k kit.Kit) {
	k.Text("SumSq", "func(x []T) float64")
	if k.T.Size == 4 {
		Doc("SumSq returns Σ x[i]², in float32 groups of up to eight vectors of squares summed in float64: +Inf if a group overflows float32, and squares below 2^-126 lose bits.")
	} else {
		Doc("SumSq returns Σ x[i]².")
	}
	k64 := kit.Kit{ISA: k.ISA, T: kit.Float64}
	acc := zeroed(k64, accs)
	n := gp(Load(Param("x").Len(), GP64()))
	x := gp(Load(Param("x").Base(), GP64()))
	if k.T.Size == 4 {
		sumsqGroups(k, n, x, acc[0:2], 8, true)
		sumsqGroups(k, n, x, acc[2:4], 4, false)
		sumsqGroups(k, n, x, acc[4:6], 2, false)
		k64.LoopWiden(n, x, accs, func(u int, v reg.VecVirtual) {
			k64.FMA231(v, v, acc[u])
		})
	} else {
		k.SpreadSingles = true
		k.Loop(n, []reg.GPVirtual{x}, accs, func(blk kit.Block) {
			v := k.Vec()
			blk.Load(x, v)
			k.FMA231(v, v, acc[blk.U])
		})
	}
	fold(k64, acc, k64.Add)
}

// sumsqGroups is float32 SumSq's main loop: groups of vecs vectors (a
// power of two, at least 2), squared in pairs (a MUL and an FMA) and summed
// as a binary tree in float32, so each term carries log2(vecs)+1 roundings;
// the group's sum is converted to float64 and added to acc[0] (low half)
// and acc[1] (high half). With loop it repeats while a whole group is
// left, otherwise it runs at most once. n and x advance past the elements
// consumed.
func sumsqGroups(k kit.Kit, n, x reg.GPVirtual, acc []reg.VecVirtual, vecs int, loop bool) {
	top, done := kit.NewLabel("groups"), kit.NewLabel("groupsDone")
	step := vecs * k.Lanes()
	at := func(v int) Mem { return Mem{Base: x, Disp: v * k.VecBytes} }
	Label(top)
	CMPQ(n, U32(uint32(step)))
	JB(LabelRef(done))
	sq := make([]reg.VecVirtual, vecs/2)
	for p := range sq {
		a, b := k.Vec(), k.Vec()
		k.Load(at(2*p), a)
		k.Load(at(2*p+1), b)
		k.Mul(a, a, a)
		k.FMA231(b, b, a)
		sq[p] = a
	}
	for w := 1; w < len(sq); w *= 2 {
		for p := 0; p+w < len(sq); p += 2 * w {
			k.Add(sq[p+w], sq[p], sq[p])
		}
	}
	a := sq[0]
	lo, hi := k.Vec(), k.Vec()
	if k.Is512() {
		half := YMM()
		VEXTRACTF32X8(U8(1), a, half)
		VCVTPS2PD(a.AsY(), lo)
		VCVTPS2PD(half, hi)
	} else {
		half := XMM()
		VEXTRACTF128(U8(1), a, half)
		VCVTPS2PD(a.AsX(), lo)
		VCVTPS2PD(half, hi)
	}
	VADDPD(lo, acc[0], acc[0])
	VADDPD(hi, acc[1], acc[1])
	ADDQ(U32(uint32(vecs*k.VecBytes)), x)
	SUBQ(U32(uint32(step)), n)
	if loop {
		JMP(LabelRef(top))
	}
	Label(done)
}

// extreme: the largest (max) or smallest element, NaN if any element is NaN.
//
// VMAXPS/VMINPS return their second source when either is NaN, so a NaN
// does not survive in the running extreme; it is tracked apart instead.
// One unordered compare covers two vectors (it is true where either lane is
// NaN) and its mask is ORed into a flag: a vector register on AVX2, an
// opmask on AVX-512. The tail reads -Inf (max) or +Inf (min) into its
// unselected lanes, which cannot change the result.
//
// With arg, it emits ArgMax or ArgMin instead: the same pass, and then,
// in the same function, index's search for the extreme found (or for the
// first NaN), where the public ArgMax called Max and Index through the
// table one after the other. With the two calls through function values
// (each through the ABI wrapper of an assembly function) and the Go between
// them, float32 ArgMax at n=1000 took 32.5-37.6 ns (maximum in the middle)
// and 45-49 (at the end); in one function 27-29 and 33-38 (builds
// alternated, Zen 5).
func extreme(k kit.Kit, isMax, arg bool) {
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
	ex := extremeExit{nanBits: nanBits}
	if arg {
		k.Text("Arg"+name, "func(x []T) int")
		Doc("Arg" + name + " returns the position of the first " + map[bool]string{true: "largest", false: "smallest"}[isMax] + " element of x, or of the first NaN if x holds one; len(x) > 0 is checked by the caller.")
		ex.arg = true
	} else {
		k.Text(name, "func(x []T) T")
		Doc(name + " returns the " + map[bool]string{true: "largest", false: "smallest"}[isMax] + " element of x, or NaN if any element is NaN; len(x) > 0 is checked by the caller.")
	}
	if k.Is512() {
		extreme512(k, op, inf, ex)
		return
	}
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
	ex.value(k, r)
	Label(isNaN)
	ex.nan(k)
}

// extremeExit emits the returns of an extreme kernel: Max and Min return
// the value found, or NaN; ArgMax and ArgMin go on to search x for it.
type extremeExit struct {
	arg     bool
	nanBits uint64 // Max and Min's NaN
}

// value returns r's lane 0, which is not NaN, or its first position in x.
func (e extremeExit) value(k kit.Kit, r reg.VecVirtual) {
	if e.arg {
		n := gp(Load(Param("x").Len(), GP64()))
		base := gp(Load(Param("x").Base(), GP64()))
		indexOf(k, n, base, r.AsX())
		return
	}
	VZEROUPPER()
	k.StoreScalar(r.AsX(), ReturnIndex(0))
	RET()
}

// nan returns NaN, or the position of the first NaN in x.
func (e extremeExit) nan(k kit.Kit) {
	if e.arg {
		n := gp(Load(Param("x").Len(), GP64()))
		base := gp(Load(Param("x").Base(), GP64()))
		scanNaN(k, n, base)
		return
	}
	VZEROUPPER()
	g := GP64()
	x0 := XMM()
	if k.T.Size == 4 {
		MOVL(U32(uint32(e.nanBits)), g.As32())
		VMOVD(g.As32(), x0)
	} else {
		MOVQ(U64(e.nanBits), g)
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
	indexOf(k, n, base, ms)
}

// indexOf is index's search for the value in lane 0 of ms, in the n
// elements at base.
func indexOf(k kit.Kit, n, base reg.GPVirtual, ms reg.Register) {
	mv := k.Vec()
	k.Broadcast(ms, mv)
	nan := kit.NewLabel("nan")
	if k.T.Size == 4 {
		VUCOMISS(ms, ms)
	} else {
		VUCOMISD(ms, ms)
	}
	JPS(LabelRef(nan)) // unordered: m is NaN
	if k.Is512() {
		// m != ±0: x[i] == m iff their bits are equal.
		zero := kit.NewLabel("zero")
		xz := XMM()
		VXORPS(xz, xz, xz)
		if k.T.Size == 4 {
			VUCOMISS(xz, ms)
		} else {
			VUCOMISD(xz, ms)
		}
		JEQ(LabelRef(zero))
		scanBits512(k, n, base, mv, func(v reg.VecVirtual, d Op) { k.Cmp(kit.CmpEQ_OQ, mv, v, d) })
		Label(zero)
	}
	scan(k, n, base, func(v reg.VecVirtual, d Op) { k.Cmp(kit.CmpEQ_OQ, mv, v, d) })
	Label(nan)
	scanNaN(k, n, base)
}

// scanBits512 is scan for AVX-512 and an m that is neither NaN nor ±0, so
// that x[i] == m iff their bits are equal. scan compares each vector into
// an opmask and ORs the masks, and the k-register ops compete with the
// compares for the same two pipes. Here a block of 4 vectors takes the
// unsigned minimum of x XOR m, integer ops that issue on all four pipes,
// and one VPTESTNMD finds a zero lane, a hit; the XORs then say which
// vector holds it. A search that finds nothing took 118 ns at n=4096
// through scan, 58 here. What is left after the blocks runs as whole
// vectors, the last one ending at the end of x and overlapping its
// predecessor (whose lanes held no hit), and only fewer than Lanes()
// elements need a masked load.
func scanBits512(k kit.Kit, n, base reg.GPVirtual, mv reg.VecVirtual, cmp func(v reg.VecVirtual, d Op)) {
	const block = 4
	lanes := k.Lanes()
	size := uint8(k.T.Size)
	shift := uint8(2)
	xor, umin, testnm := VPXORD, VPMINUD, VPTESTNMD
	if k.T.Size == 8 {
		shift = 3
		xor, umin, testnm = VPXORQ, VPMINUQ, VPTESTNMQ
	}
	p := GP64()
	MOVQ(base, p)
	end := GP64()
	LEAQ(Mem{Base: base, Index: n, Scale: size}, end)
	found := func(r, q reg.GPVirtual) { returnIndex(r, q, base, shift, 0) }
	tail, vectors, lastVec, none := kit.NewLabel("tail"), kit.NewLabel("vectors"), kit.NewLabel("last"), kit.NewLabel("none")
	CMPQ(n, U32(uint32(lanes)))
	JB(LabelRef(tail))
	lastV := GP64()
	LEAQ(Mem{Base: end, Disp: -k.VecBytes}, lastV)
	lastB := GP64()
	LEAQ(Mem{Base: end, Disp: -block * k.VecBytes}, lastB)
	blocks, hit := kit.NewLabel("blocks"), kit.NewLabel("hit")
	Label(blocks)
	CMPQ(p, lastB)
	JA(LabelRef(vectors))
	{
		d := k.Vecs(block)
		for u := range d {
			xor(Mem{Base: p, Disp: u * k.VecBytes}, mv, d[u])
		}
		t := k.Vecs(block / 2)
		for i := range t {
			umin(d[2*i], d[2*i+1], t[i])
		}
		r := kit.Combine(t, func(a, b, d Op) { umin(a, b, d) })
		z := K()
		testnm(r, r, z)
		KORTESTW(z, z)
		JNZ(LabelRef(hit))
		ADDQ(U32(uint32(block*k.VecBytes)), p)
		JMP(LabelRef(blocks))
		// The first vector of the block with a zero lane has the hit.
		Label(hit)
		for u := range d {
			testnm(d[u], d[u], z)
			r := GP32()
			KMOVW(z, r)
			next := kit.NewLabel("next")
			TESTL(r, r)
			JZ(LabelRef(next))
			if u > 0 {
				ADDQ(U32(uint32(u*k.VecBytes)), p)
			}
			found(r, p)
			Label(next)
		}
	}

	Label(vectors)
	CMPQ(p, lastV)
	JAE(LabelRef(lastVec))
	{
		v, m := k.Vec(), K()
		k.Load(Mem{Base: p}, v)
		cmp(v, m)
		r := GP32()
		KMOVW(m, r)
		miss := kit.NewLabel("miss")
		TESTL(r, r)
		JZ(LabelRef(miss))
		found(r, p)
		Label(miss)
	}
	ADDQ(U32(uint32(k.VecBytes)), p)
	JMP(LabelRef(vectors))

	Label(lastVec)
	{
		v, m := k.Vec(), K()
		k.Load(Mem{Base: lastV}, v)
		cmp(v, m)
		r := GP32()
		KMOVW(m, r)
		TESTL(r, r)
		JZ(LabelRef(none))
		found(r, lastV)
	}

	Label(tail)
	{
		tm := k.TailMask(n)
		v := k.Vec()
		kit.Block{Kit: k, Mask: &tm}.Load(p, v)
		m := K()
		cmp(v, m)
		r := GP32()
		KMOVW(m, r)
		// Only the first n lanes count: the others were filled with 0,
		// which may equal m.
		all, t := GP32(), GP32()
		MOVL(I32(-1), all)
		BZHIL(n.As32(), all, t)
		ANDL(t, r)
		JZ(LabelRef(none))
		found(r, p)
	}
	Label(none)
	VZEROUPPER()
	Store(n, ReturnIndex(0))
	RET()
}

// scanNaN is scan for the first NaN (x[i] != x[i]).
func scanNaN(k kit.Kit, n, base reg.GPVirtual) {
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
	found := func(r reg.GPVirtual, off int) { returnIndex(r, p, base, shift, off) }

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

// extreme512 is extreme for AVX-512, shaped by measurements on Zen 5.
//
// VMAXPS/VMINPS and VCMPPS share two of the four vector pipes (two per
// cycle between them), so the NaN flag of the AVX2 loop, one compare and
// one KORW per two vectors, made an 8-vector block take 6 cycles instead of
// the 4 its loads and maxima need: Max was 21.9 ns at n=1000, 11.2 ns with
// no NaN check at all. VFIXUPIMMPS issues on the other two pipes: with a
// table that answers "quiet NaN of the source" for a NaN lane and "leave the
// destination alone" for every other class (zero, ±Inf, denormal and
// normal values alike), it keeps one sticky NaN flag per accumulator at no
// cost in the block (4 cycles, as without a check; Max 12-13 ns at n=1000).
// Compares masked by the running flag instead took 5.5 cycles (their
// 6-cycle latency), integer maxima of the raw bits 5, and a running sum of
// x·1 on the FMA pipes 4, but 3x slower on denormal input, and a NaN from
// +Inf-Inf would have needed a second pass to tell from a real one.
//
// Maximum and minimum are idempotent, so the elements past the last whole
// block are covered by one more whole block that ends at the end of x and
// overlaps the one before: n=1000 runs 8 blocks and no one-vector loop or
// masked tail, whose serial chain through one accumulator cost 6 single
// steps at n=1000. Below one block, whole vectors and one overlapping last
// vector do the same; below one vector, a masked load fills with ∓Inf.
func extreme512(k kit.Kit, op func(a, b, d Op), inf uint64, ex extremeExit) {
	const block = accs // vectors per block, one accumulator each
	lanes := k.Lanes()
	size := uint8(k.T.Size)
	blockBytes := block * k.VecBytes
	f32 := k.T.Size == 4

	n := gp(Load(Param("x").Len(), GP64()))
	p := gp(Load(Param("x").Base(), GP64()))
	end := GP64()
	LEAQ(Mem{Base: p, Index: n, Scale: size}, end)
	acc := k.Vecs(block)
	nanK := K() // the lanes that saw a NaN
	small, reduce := kit.NewLabel("small"), kit.NewLabel("reduce")

	CMPQ(n, U32(uint32(block*lanes)))
	JB(LabelRef(small))
	// VFIXUPIMM classifies each lane of v and answers from a 4-bit field
	// of this table per class: 2 (the quiet NaN of v) for class 0, quiet
	// NaN, and class 1, signalling NaN; 0 (keep the destination) for the
	// others. So nan[u] stays 0 until a NaN passes through slot u.
	table := k.Const(0x22)
	nan := k.Vecs(block)
	for _, v := range nan {
		k.Zero(v)
	}
	fixup := map[bool]func(...Op){true: VFIXUPIMMPS, false: VFIXUPIMMPD}[f32]
	blockAt := func(m func(off int) Mem, first bool) {
		for u := 0; u < block; u++ {
			v := k.Vec()
			if first {
				v = acc[u]
			}
			k.Load(m(u*k.VecBytes), v)
			if !first {
				op(v, acc[u], acc[u])
			}
			fixup(U8(0), table, v, nan[u])
		}
	}
	at := func(base reg.GPVirtual) func(int) Mem {
		return func(off int) Mem { return Mem{Base: base, Disp: off} }
	}
	blockAt(at(p), true)
	last := GP64()
	LEAQ(Mem{Base: end, Disp: -blockBytes}, last)
	ADDQ(U32(uint32(blockBytes)), p)
	loop, rest, fold := kit.NewLabel("blocks"), kit.NewLabel("rest"), kit.NewLabel("fold")
	CMPQ(p, last)
	JA(LabelRef(rest))
	Label(loop)
	blockAt(at(p), false)
	ADDQ(U32(uint32(blockBytes)), p)
	CMPQ(p, last)
	JBE(LabelRef(loop))
	Label(rest)
	CMPQ(p, end)
	JAE(LabelRef(fold))
	blockAt(at(last), false) // overlaps the block before it
	Label(fold)
	r := kit.Combine(acc, op)
	s := kit.Combine(nan, k.Or) // a lane is 0, or some NaN
	if f32 {
		VPTESTMD(s, s, nanK)
	} else {
		VPTESTMQ(s, s, nanK)
	}
	JMP(LabelRef(reduce))

	// Fewer than block*lanes elements: whole vectors into r, the last one
	// overlapping its predecessor; below one vector, a masked load.
	Label(small)
	tiny, smallLoop, smallDone := kit.NewLabel("tiny"), kit.NewLabel("vectors"), kit.NewLabel("vectorsdone")
	CMPQ(n, U32(uint32(lanes)))
	JB(LabelRef(tiny))
	lastV := GP64()
	LEAQ(Mem{Base: end, Disp: -k.VecBytes}, lastV)
	k.Load(Mem{Base: lastV}, r)
	k.Cmp(kit.CmpUNORD, r, r, nanK)
	Label(smallLoop)
	CMPQ(p, lastV)
	JAE(LabelRef(smallDone))
	{
		v, m := k.Vec(), K()
		k.Load(Mem{Base: p}, v)
		op(v, r, r)
		k.Cmp(kit.CmpUNORD, v, v, m)
		KORW(m, nanK, nanK)
	}
	ADDQ(U32(uint32(k.VecBytes)), p)
	JMP(LabelRef(smallLoop))
	Label(smallDone)
	JMP(LabelRef(reduce))

	Label(tiny)
	{
		m := k.TailMask(n)
		kit.Block{Kit: k, Mask: &m}.LoadOr(p, r, k.Const(inf))
		k.Cmp(kit.CmpUNORD, r, r, nanK)
	}

	Label(reduce)
	k.Reduce(r, op)
	isNaN := kit.NewLabel("nan")
	KORTESTW(nanK, nanK)
	JNZ(LabelRef(isNaN))
	ex.value(k, r)
	Label(isNaN)
	ex.nan(k)
}

// returnIndex returns from an index search with the element index
// (q-base)>>shift + off + the lowest set bit of r (the lanes that matched
// in the vector at q).
func returnIndex(r, q, base reg.GPVirtual, shift uint8, off int) {
	i := GP64()
	TZCNTL(r, r.As32())
	MOVL(r.As32(), i.As32()) // zero-extends
	t := GP64()
	MOVQ(q, t)
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
