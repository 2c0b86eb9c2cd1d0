package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/descentlab/descent/gen/internal/kit"
)

// The row-wise kernels: kernels.Softmax and kernels.LogSoftmax over every
// row in one or two calls instead of three or four kernel calls per row.
// Per row they do what the per-row Go loops they replace did, with the same
// arithmetic in the same order, so the results are the same bits:
//
//   - the row's maximum m as Max computes it (eight accumulators, combined
//     the same way, so that even a tie of +0 and -0 resolves alike);
//   - ExpShiftSum's or SumExpShift's loop exactly (the same four
//     accumulators), giving s = Σ exp(x-m);
//   - Softmax: dst *= 1/s, 1/s rounded once (MulScalar);
//   - LogSoftmax: dst = (x + -m) + -lse, the two AddScalar passes fused,
//     lse = log s computed in Go in float64 between the two kernels.
//
// What goes is the fixed cost per row (a Go call per kernel and each
// kernel's set-up), which dominated rows of 10, an MLP's output layer.

const rowUnroll = 4 // ExpShiftSum's unroll and accumulator count

// rowScan is the per-row loop of a row-wise kernel: left counts the
// elements still to do, the row pointers advance by a row per iteration,
// and body emits one row's work given its element count n (a scratch copy
// of cols it may clobber) and its pointers (copies, likewise).
func (g fn) rowScan(left, cols reg.GPVirtual, rows []reg.GPVirtual, shift uint8, body func(n reg.GPVirtual, ptrs []reg.GPVirtual)) {
	rowBytes := GP64()
	MOVQ(cols, rowBytes)
	SHLQ(U8(shift), rowBytes)
	row, done := kit.NewLabel("row"), kit.NewLabel("rows_done")
	Label(row)
	TESTQ(left, left)
	JZ(LabelRef(done))
	n := GP64()
	MOVQ(cols, n)
	ptrs := make([]reg.GPVirtual, len(rows))
	for i, r := range rows {
		ptrs[i] = GP64()
		MOVQ(r, ptrs[i])
	}
	body(n, ptrs)
	for _, r := range rows {
		ADDQ(rowBytes, r)
	}
	SUBQ(cols, left)
	JMP(LabelRef(row))
	Label(done)
}

// rowMax returns the maximum of the n elements at xp in lane 0, computed
// as Max does (accs accumulators, kit.Combine, Kit.Reduce; NaN aside,
// which the callers need not tell apart: a NaN makes every output NaN
// either way). n and xp are clobbered.
func (g fn) rowMax(n, xp reg.GPVirtual) reg.VecVirtual {
	const accs = 8 // gen/reduce's
	negInf := uint64(math.Float32bits(float32(math.Inf(-1))))
	if g.T.Size == 8 {
		negInf = math.Float64bits(math.Inf(-1))
	}
	fill := g.load(g.bits(negInf))
	maxes := g.Vecs(accs)
	for _, a := range maxes {
		g.Mov(fill, a)
	}
	g.Loop(n, []reg.GPVirtual{xp}, accs, func(b kit.Block) {
		v := g.Vec()
		b.LoadOr(xp, v, fill)
		g.Max(v, maxes[b.U], maxes[b.U])
	})
	m := kit.Combine(maxes, g.Max)
	g.Reduce(m, g.Max)
	return m
}

// rowExpSum returns Σ exp(x[i]-m) over the n elements at xp in lane 0,
// storing each exp at dp unless dp is nil: the loop of ExpShiftSum and
// SumExpShift, and of the row-wise kernels. n and the pointers are
// clobbered.
func (g fn) rowExpSum(n, xp, dp reg.GPVirtual, mv reg.VecVirtual) reg.VecVirtual {
	ptrs := []reg.GPVirtual{xp}
	if dp != nil {
		ptrs = []reg.GPVirtual{dp, xp}
	}
	accs := g.Vecs(rowUnroll)
	for _, a := range accs {
		g.Zero(a)
	}
	g.Loop(n, ptrs, rowUnroll, func(b kit.Block) {
		v := g.Vec()
		b.Load(xp, v)
		g.Sub(mv, v, v)
		e := g.exp(v)
		if dp != nil {
			b.Store(e, dp)
		}
		b.KeepSelected(e) // lanes past the end hold exp(-m), not 0
		g.Add(e, accs[b.U], accs[b.U])
	})
	s := kit.Combine(accs, g.Add)
	g.Reduce(s, g.Add)
	return s
}

func (g fn) elemShift() uint8 {
	if g.T.Size == 8 {
		return 3
	}
	return 2
}

// rowKernel emits a row-wise kernel func(dst, x []T, cols int): for each
// row, row(g, n, dp, xp, cols) with n a scratch copy of cols and dp, xp
// scratch copies of the row's pointers into dst and x.
func (g fn) rowKernel(name string, doc []string, row func(g fn, n, dp, xp, cols reg.GPVirtual)) {
	g.Text(name, "func(dst, x []T, cols int)")
	doc[0] = g.Name(name) + " " + doc[0]
	Doc(doc...)
	g = g.configure(name)
	g.hoisted(func() {
		left := gp(Load(Param("dst").Len(), GP64()))
		dRow := gp(Load(Param("dst").Base(), GP64()))
		xRow := gp(Load(Param("x").Base(), GP64()))
		cols := gp(Load(Param("cols"), GP64()))
		g.rowScan(left, cols, []reg.GPVirtual{dRow, xRow}, g.elemShift(), func(n reg.GPVirtual, p []reg.GPVirtual) {
			row(g, n, p[0], p[1], cols)
		})
		VZEROUPPER()
		RET()
	})
}

// rowMaxShift returns the row's maximum m (lane 0 of the first) and m
// broadcast (the second); n is then reset to cols and xp left as it was.
func (g fn) rowMaxShift(n, xp, cols reg.GPVirtual) (m, mv reg.VecVirtual) {
	xm := GP64()
	MOVQ(xp, xm)
	m = g.rowMax(n, xm)
	mv = g.Vec()
	g.Broadcast(m.AsX(), mv)
	MOVQ(cols, n)
	return m, mv
}

// softmaxRows emits SoftmaxRows: kernels.Softmax in one call.
func (g fn) softmaxRows() {
	g.rowKernel("SoftmaxRows", []string{"sets each row of cols elements of dst to exp(x-m)/Σexp(x-m), m the row's maximum,",
		"exactly as Max, ExpShiftSum and MulScalar by 1/sum row by row would;",
		"len(x) = len(dst), a multiple of cols > 0, is checked by the caller."},
		func(g fn, n, dp, xp, cols reg.GPVirtual) {
			_, mv := g.rowMaxShift(n, xp, cols)
			dp2 := GP64()
			MOVQ(dp, dp2)
			s := g.rowExpSum(n, xp, dp2, mv)
			// dst *= 1/s, 1/s rounded once: MulScalar(dst, dst, 1/s).
			inv := XMM()
			if g.T.Size == 4 {
				VMOVSS(g.mem(uint64(math.Float32bits(1))), inv)
				VDIVSS(s.AsX(), inv, inv)
			} else {
				VMOVSD(g.mem(math.Float64bits(1)), inv)
				VDIVSD(s.AsX(), inv, inv)
			}
			iv := g.Vec()
			g.Broadcast(inv, iv)
			MOVQ(cols, n)
			g.Loop(n, []reg.GPVirtual{dp}, rowUnroll, func(b kit.Block) {
				v := g.Vec()
				b.Load(dp, v)
				g.Mul(iv, v, v)
				b.Store(v, dp)
			})
		})
}

// logSoftmaxStats emits LogSoftmaxStats, LogSoftmax's first pass: for each
// row, m = its maximum into the row's first element of dst and
// s = Σ exp(x-m) into its second (cols >= 2; dst and x distinct). Go
// replaces s by log s, and LogSoftmaxApply writes the rows.
func (g fn) logSoftmaxStats() {
	g.rowKernel("LogSoftmaxStats", []string{"sets, for each row of cols >= 2 elements, the row's first element of dst to",
		"the maximum m of the row of x and its second to Σexp(x-m), as Max and SumExpShift",
		"would; len(x) = len(dst), a multiple of cols, is checked by the caller."},
		func(g fn, n, dp, xp, cols reg.GPVirtual) {
			m, mv := g.rowMaxShift(n, xp, cols)
			g.storeScalar(m, Mem{Base: dp})
			s := g.rowExpSum(n, xp, nil, mv)
			g.storeScalar(s, Mem{Base: dp, Disp: g.T.Size})
		})
}

// logSoftmaxApply emits LogSoftmaxApply, LogSoftmax's second pass: each
// row of dst = (x + -m) + -lse, m and lse read first from the row's first
// two elements of dst, where LogSoftmaxStats left m and the sum, and
// LogSoftmax then replaced the sum by its logarithm.
func (g fn) logSoftmaxApply() {
	sign := uint64(1) << 31
	if g.T.Size == 8 {
		sign = 1 << 63
	}
	g.rowKernel("LogSoftmaxApply", []string{"sets each row of cols >= 2 elements of dst to (x + -m) + -lse, m and lse read",
		"from the row's first two elements of dst first, as two AddScalar passes would;",
		"len(x) = len(dst), a multiple of cols, is checked by the caller."},
		func(g fn, n, dp, xp, _ reg.GPVirtual) {
			nm, nl := g.Vec(), g.Vec()
			g.Broadcast(Mem{Base: dp}, nm)
			g.Broadcast(Mem{Base: dp, Disp: g.T.Size}, nl)
			g.Xor(g.bits(sign), nm, nm) // -m, exactly
			g.Xor(g.bits(sign), nl, nl) // -lse
			g.Loop(n, []reg.GPVirtual{dp, xp}, rowUnroll, func(b kit.Block) {
				v := g.Vec()
				b.Load(xp, v)
				g.Add(nm, v, v)
				g.Add(nl, v, v)
				b.Store(v, dp)
			})
		})
}

// storeScalar writes lane 0 of v to m (EVEX-encodable, so v may be any
// register).
func (g fn) storeScalar(v reg.VecVirtual, m Mem) {
	if g.T.Size == 4 {
		VMOVSS(v.AsX(), m)
	} else {
		VMOVSD(v.AsX(), m)
	}
}
