// Command mathfn generates the vectorised transcendental kernels of package
// asm: Exp, Log, Sigmoid, Tanh, the two softmax helpers ExpShiftSum and
// SumExpShift, and the row-wise SoftmaxRows, LogSoftmaxStats and
// LogSoftmaxApply (softmax.go), for AVX2+FMA and AVX-512, float32 and
// float64.
//
// Method (classical, no table look-ups):
//
//   - exp: clamp x to a range that already overflows/underflows, n =
//     round(x·log2e), r = x - n·ln2 with ln2 split in two constants (FMA), e^r
//     by its Taylor polynomial on |r| <= ln2/2 (degree 7 for float32, 13 for
//     float64; the truncation error is below 0.1 ULP), then scale by 2^n:
//     VSCALEF on AVX-512, and on AVX2 two factors 2^⌊n/2⌋·2^(n-⌊n/2⌋) built
//     by shifting into the exponent field, so that the product rounds once,
//     into the subnormals or to +Inf, exactly like the true value.
//   - log (AVX2): x = 2^e·m with m in [√½, √2) (from the exponent field,
//     subnormals pre-scaled by 2^24 or 2^54), f = m-1,
//     s = f/(2+f), log(1+f) = f - s·(f - R) with R = Σ 2s^(2k)/(2k+1) (the
//     atanh series, 4 terms for float32, 10 for float64), plus e·ln2 in two
//     parts; special inputs (0, <0, +Inf, NaN) are patched by comparisons.
//     AVX-512 (log512): m in [3/4, 3/2), 5 or 12 terms, the float32
//     quotient by VRCP14PS and a correction, the special inputs by one
//     VFIXUPIMM; float32 0.954 ULP at most over all 2^32 inputs.
//   - sigmoid: e = exp(-|x|), then 1/(1+e) or e/(1+e) by the sign of x;
//     for float32 with 1+e carried as an unevaluated sum and the quotient
//     corrected by its residual (sigmoid32), no division.
//   - tanh: for |x| < 0.625 an odd polynomial a + a·z·g(z), z = a², whose
//     coefficients ./fit derives (Chebyshev interpolation in 256-bit
//     arithmetic); beyond, 1 - 2/(e^(2|x|)+1); the sign is restored last.
//     For float32 (tanh32), e^(2|x|) by a near-minimax degree-6 polynomial
//     and 1 - 2/d as (d-2)/d, exact numerator, one rounding fewer.
//
// Constants live in one read-only table per element type, each replicated to
// 32 bytes. The AVX2 kernels use them as memory operands (this keeps them
// within 16 registers); the table is 32-byte aligned, so no such load
// crosses a cache line. The AVX-512 kernels broadcast them into registers
// once per call, before the loop (hoist): a 64-byte memory operand from a
// table the Go linker aligns only to 32 bytes split a cache line on every
// load whenever the table landed 32 bytes off a 64-byte boundary, which
// halved the speed of these kernels in some binaries and not in others.
package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/descentlab/descent/gen/internal/kit"
	"github.com/descentlab/descent/gen/internal/mathconst"
)

func main() {
	ConstraintExpr("!purego,!noasm")
	for _, k := range kit.All {
		g := fn{Kit: k, h: &hoist{}}
		g.unary("Exp", "computes dst[i] = e^x[i]; lengths are checked by the caller.", g.exp)
		g.unary("Log", "computes dst[i] = log(x[i]); lengths are checked by the caller.", g.log)
		sigmoid := g.sigmoid
		if k.T.Size == 4 {
			sigmoid = g.sigmoid32
		}
		g.unary("Sigmoid", "computes dst[i] = 1/(1+e^-x[i]); lengths are checked by the caller.", sigmoid)
		tanh := g.tanh
		if k.T.Size == 4 {
			tanh = g.tanh32
		}
		g.unary("Tanh", "computes dst[i] = tanh(x[i]); lengths are checked by the caller.", tanh)
		g.expSum(true)
		g.expSum(false)
		g.softmaxRows()
		g.logSoftmaxStats()
		g.logSoftmaxApply()
	}
	emitTables()
	Generate()
}

// fn adds the constant table and the transcendental bodies to a Kit.
type fn struct {
	kit.Kit
	h *hoist
}

// hoist holds the constants an AVX-512 function keeps in registers: while
// on, bits and c hand out a register per distinct constant (up to max;
// beyond, a broadcast at the point of use), and hoisted emits the
// broadcasts that fill them.
type hoist struct {
	max  int
	on   bool
	regs map[uint64]reg.VecVirtual
	keys []uint64
}

// ---- constant tables ----

type table struct {
	name  string
	size  int
	order []uint64
	off   map[uint64]int
}

var tables = map[int]*table{
	4: {name: "mathfn32", size: 4, off: map[uint64]int{}},
	8: {name: "mathfn64", size: 8, off: map[uint64]int{}},
}

const slot = 32 // every constant is replicated over a YMM width

// mem returns the address of the table entry holding the bit pattern b.
func (g fn) mem(b uint64) Mem {
	t := tables[g.T.Size]
	o, ok := t.off[b]
	if !ok {
		o = len(t.order) * slot
		t.off[b] = o
		t.order = append(t.order, b)
	}
	return NewDataAddr(NewStaticSymbol(t.name), o)
}

// bits returns a vector operand whose every lane holds the bit pattern b:
// a hoisted register inside hoisted, else the table entry (AVX2).
func (g fn) bits(b uint64) Op {
	m := g.mem(b)
	if g.h == nil || !g.h.on {
		return m
	}
	if r, ok := g.h.regs[b]; ok {
		return r
	}
	r := g.Vec()
	if len(g.h.keys) < g.h.max {
		g.h.regs[b] = r
		g.h.keys = append(g.h.keys, b)
		return r
	}
	g.Broadcast(m, r)
	return r
}

// hoisted emits body (which must end in RET) so that the constants it asks
// for are broadcast into registers once, on entry: the entry jumps to a
// block after body that fills the registers and jumps back. On AVX2 it
// only emits body.
func (g fn) hoisted(body func()) {
	if !g.Is512() {
		body()
		return
	}
	start, fill := kit.NewLabel("start"), kit.NewLabel("consts")
	JMP(LabelRef(fill))
	Label(start)
	*g.h = hoist{max: g.h.max, on: true, regs: map[uint64]reg.VecVirtual{}}
	body()
	g.h.on = false
	Label(fill)
	for _, b := range g.h.keys {
		g.Broadcast(g.mem(b), g.h.regs[b])
	}
	JMP(LabelRef(start))
}

// c returns a vector operand of v rounded to the element type.
func (g fn) c(v float64) Op {
	if g.T.Size == 4 {
		return g.bits(uint64(math.Float32bits(float32(v))))
	}
	return g.bits(math.Float64bits(v))
}

func emitTables() {
	for _, size := range []int{4, 8} {
		t := tables[size]
		if len(t.order) == 0 {
			continue
		}
		GLOBL(t.name, RODATA|NOPTR)
		for i, b := range t.order {
			for j := 0; j < slot/size; j++ {
				if size == 4 {
					DATA(i*slot+j*4, U32(uint32(b)))
				} else {
					DATA(i*slot+j*8, U64(b))
				}
			}
		}
	}
}

// ---- small vocabulary ----

func (g fn) f32() bool { return g.T.Size == 4 }

func pick[F any](g fn, ps, pd F) F {
	if g.f32() {
		return ps
	}
	return pd
}

// load reads a constant into a new register.
func (g fn) load(m Op) reg.VecVirtual {
	v := g.Vec()
	g.Load(m, v)
	return v
}

// cond is the result of a lane-wise comparison: an opmask on AVX-512, a
// vector of all-ones/all-zeros lanes on AVX2.
type cond struct {
	k reg.Register
	v reg.VecVirtual
}

// cmp returns the lanes where b pred a (Go operand order, as VCMPPS).
func (g fn) cmp(pred uint8, a Op, b reg.VecVirtual) cond {
	if g.Is512() {
		k := K()
		g.Cmp(pred, a, b, k)
		return cond{k: k}
	}
	v := g.Vec()
	g.Cmp(pred, a, b, v)
	return cond{v: v}
}

// sel sets d = a in the lanes of c, leaving the others.
func (g fn) sel(c cond, a Op, d reg.VecVirtual) {
	if g.Is512() {
		pick(g, VMOVUPS, VMOVUPD)(a, c.k, d)
		return
	}
	pick(g, VBLENDVPS, VBLENDVPD)(c.v, a, d, d)
}

// addIf adds the constant m to d in the lanes of c.
func (g fn) addIf(c cond, m Op, d reg.VecVirtual) {
	if g.Is512() {
		pick(g, VADDPS, VADDPD)(m, d, c.k, d)
		return
	}
	t := g.Vec()
	g.And(m, c.v, t)
	g.Add(t, d, d)
}

// horner evaluates c[0] + z·(c[1] + z·(... + z·c[n])) with FMAs.
func (g fn) horner(z reg.VecVirtual, coef []float64) reg.VecVirtual {
	acc := g.load(g.c(coef[len(coef)-1]))
	for i := len(coef) - 2; i >= 0; i-- {
		g.FMA213(g.c(coef[i]), z, acc) // acc = acc*z + c[i]
	}
	return acc
}

// Per-type parameters.
func (g fn) mantBits() int    { return pick(g, 23, 52) }
func (g fn) bias() float64    { return pick(g, 127.0, 1023.0) }
func (g fn) signBit() uint64  { return pick(g, uint64(1)<<31, uint64(1)<<63) }
func (g fn) mantMask() uint64 { return uint64(1)<<g.mantBits() - 1 }
func (g fn) allBits() uint64  { return pick(g, uint64(math.MaxUint32), uint64(math.MaxUint64)) }

// ln2 split: hi is ln 2 rounded to the element type, lo the rest.
func (g fn) ln2() (hi, lo float64) { return mathconst.Ln2(g.T.Size) }

// ---- exp ----

// expCoef are the Taylor coefficients 1/k! of e^r (mathconst.ExpDegree:
// 7 for float32, 13 for float64).
func (g fn) expCoef() []float64 { return mathconst.ExpCoef(mathconst.ExpDegree(g.T.Size, false)) }

// exp returns e^x in a new register; x is left intact. NaN propagates,
// large x gives +Inf, very negative x the correctly scaled subnormal or 0.
func (g fn) exp(x reg.VecVirtual) reg.VecVirtual {
	// Clamp so that n stays small enough for the scaling below; the bounds
	// are already beyond overflow and underflow. MAX/MIN return their second
	// source (x here) when either is NaN, so NaN survives.
	lo, hi := mathconst.ExpClamp(g.T.Size)
	r := g.load(g.c(lo))
	pick(g, VMAXPS, VMAXPD)(x, r, r) // r = max(lo, x), x if NaN
	t := g.load(g.c(hi))
	pick(g, VMINPS, VMINPD)(r, t, t) // t = min(hi, r), r if NaN
	r = t
	n := g.Vec()
	g.Mul(g.c(math.Log2E), r, n)
	if g.Is512() {
		pick(g, VRNDSCALEPS, VRNDSCALEPD)(U8(0), n, n) // round to nearest even
	} else {
		pick(g, VROUNDPS, VROUNDPD)(U8(0), n, n)
	}
	ln2hi, ln2lo := g.ln2()
	g.FNMA231(g.c(ln2hi), n, r) // r = x - n·ln2hi
	g.FNMA231(g.c(ln2lo), n, r) // r -= n·ln2lo
	p := g.horner(r, g.expCoef())
	if g.Is512() {
		pick(g, VSCALEFPS, VSCALEFPD)(n, p, p) // p·2^n, one rounding
		return p
	}
	// 2^n as 2^h·2^(n-h), h = ⌊n/2⌋: both factors are normal numbers for
	// every n the clamp allows, the first product is exact, and the second
	// rounds once (to a subnormal, 0 or +Inf where the true value does).
	h := g.Vec()
	g.Mul(g.c(0.5), n, h)
	pick(g, VROUNDPS, VROUNDPD)(U8(1), h, h) // floor
	g.Sub(h, n, n)                           // n = n - h
	g.pow2(h)
	g.pow2(n)
	g.Mul(h, p, p)
	g.Mul(n, p, p)
	return p
}

// pow2 replaces an integral value m (|m| < 2^20, m+bias in [1, 2·bias]) by
// 2^m: adding 1.5·2^mant + bias puts m+bias in the low mantissa bits, and a
// left shift by mant moves it into the exponent field, dropping the rest.
func (g fn) pow2(m reg.VecVirtual) {
	magic := 1.5*math.Ldexp(1, g.mantBits()) + g.bias()
	g.Add(g.c(magic), m, m)
	pick(g, VPSLLD, VPSLLQ)(U8(uint8(g.mantBits())), m, m)
}

// ---- log ----

// logCoef are the atanh-series coefficients 2/(2k+1), k = 1..K, of
// R(s²) = Σ 2s^(2k)/(2k+1); with |s| <= (√2-1)/(√2+1) = 0.1716 the first
// omitted term is below 0.02 ULP (K = 4 for float32, 10 for float64).
func (g fn) logCoef() []float64 { return logSeries(pick(g, 4, 10)) }

// logSeries is the first K coefficients 2/(2k+1), k = 1..K, of the series.
func logSeries(K int) []float64 {
	c := make([]float64, K)
	for k := 1; k <= K; k++ {
		c[k-1] = 2 / float64(2*k+1)
	}
	return c
}

// logFinish returns e·ln2 + log(1+f) from s = f/(2+f): log(1+f) = f -
// s·(f - R), R = z·Σ coef[k]·z^k with z = s², and e·ln2 in two parts.
func (g fn) logFinish(e, f, s reg.VecVirtual, coef []float64) reg.VecVirtual {
	z := g.Vec()
	g.Mul(s, s, z)
	R := g.horner(z, coef)
	g.Mul(z, R, R)
	g.Sub(R, f, R) // t = f - R
	ln2hi, ln2lo := g.ln2()
	v := g.Vec()
	g.Mul(g.c(ln2lo), e, v)
	g.FNMA231(s, R, v)         // v = e·ln2lo - s·t
	g.Add(f, v, v)             // v += f
	g.FMA231(g.c(ln2hi), e, v) // v += e·ln2hi
	return v
}

func (g fn) log(x reg.VecVirtual) reg.VecVirtual {
	if g.Is512() {
		return g.log512(x)
	}
	// AVX2 only (AVX-512 takes log512).
	e, m := g.Vec(), g.Vec()
	// Subnormals: scale into the normal range first and remember it.
	scale := pick(g, 24, 54)
	small := g.cmp(kit.CmpLT_OS, g.c(pick(g, 0x1p-126, 0x1p-1022)), x)
	xs := g.Vec()
	g.Mul(g.c(math.Ldexp(1, scale)), x, xs)
	pick(g, VBLENDVPS, VBLENDVPD)(small.v, xs, x, xs)
	// e = float(exponent field) - bias - (scale where small), the
	// integer turned float by OR-ing it into the mantissa of 2^mant.
	two := math.Ldexp(1, g.mantBits())
	pick(g, VPSRLD, VPSRLQ)(U8(uint8(g.mantBits())), xs, e)
	g.Or(g.c(two), e, e)
	g.Sub(g.c(two+g.bias()), e, e)
	adj := g.Vec()
	g.And(g.c(float64(scale)), small.v, adj)
	g.Sub(adj, e, e)
	g.And(g.bits(g.mantMask()), xs, m)
	g.Or(g.c(1), m, m)
	// m in [√2, 2): halve it and count one more in the exponent.
	above := g.cmp(kit.CmpGT_OQ, g.c(math.Sqrt2), m)
	hm := g.Vec()
	g.Mul(g.c(0.5), m, hm)
	g.sel(above, hm, m)
	g.addIf(above, g.c(1), e)

	f := m
	g.Sub(g.c(1), f, f) // f = m - 1, exact
	s := g.Vec()
	g.Add(g.c(2), f, s)
	g.Div(s, f, s) // s = f/(2+f)
	v := g.logFinish(e, f, s, g.logCoef())

	// Special inputs, as math.Log.
	g.sel(g.cmp(kit.CmpEQ_OQ, g.c(0), x), g.c(math.Inf(-1)), v)
	g.sel(g.cmp(kit.CmpLT_OS, g.c(0), x), g.c(math.NaN()), v)
	g.sel(g.cmp(kit.CmpNLT_US, g.c(math.Inf(1)), x), x, v) // +Inf or NaN: x
	return v
}

// log512 is log on AVX-512, in fewer instructions than log (27 per vector
// there): on Zen 4, whose 512-bit units are two 256-bit halves, the
// float32 kernel was bound by their count, at 0.82-0.87x gcc's libmvec
// logf loop. VGETMANT takes m in [3/4, 3/2) directly (no compare, halve
// and select), and the exponent is getexp(x) - getexp(m), 0 or -1 more;
// f = m-1 is exact (Sterbenz) and |s| = |f/(2+f)| <= 0.2, for which five
// atanh terms (float32) or twelve (float64) leave a first omitted term
// below 0.01 ULP. float32 takes the quotient as VRCP14PS (relative error
// below 2^-14) and one correction, within about one rounding of the
// divide; float64 divides. One VFIXUPIMM patches the special inputs (six
// compares and selects there): from its 4-bit answer per class, QNaN and
// SNaN give the quiet NaN of x (2), zero gives -Inf (4), one gives +0
// (8), -Inf and negative values the default NaN (3), +Inf gives +Inf (5),
// and positive values keep the computed value (0).
func (g fn) log512(x reg.VecVirtual) reg.VecVirtual {
	getexp := pick(g, VGETEXPPS, VGETEXPPD)
	e, m, em := g.Vec(), g.Vec(), g.Vec()
	getexp(x, e)
	pick(g, VGETMANTPS, VGETMANTPD)(U8(3), x, m) // [3/4, 3/2), sign of x
	getexp(m, em)                                // -1 below 1, else 0
	g.Sub(em, e, e)

	f := m
	g.Sub(g.c(1), f, f) // f = m - 1, exact
	d := g.Vec()
	g.Add(g.c(2), f, d)
	s := g.Vec()
	if g.f32() {
		r, t := g.Vec(), g.Vec()
		VRCP14PS(d, r)
		g.Mul(r, f, s)
		g.Mov(f, t)
		g.FNMA231(d, s, t) // t = f - d·s
		g.FMA231(r, t, s)  // s = f/(2+f)
	} else {
		g.Div(d, f, s) // s = f/(2+f)
	}
	v := g.logFinish(e, f, s, logSeries(pick(g, 5, 12)))
	pick(g, VFIXUPIMMPS, VFIXUPIMMPD)(U8(0), g.bits(0x03538422), x, v)
	return v
}

// ---- sigmoid, tanh ----

func (g fn) sigmoid(x reg.VecVirtual) reg.VecVirtual {
	a := g.Vec()
	g.Or(g.bits(g.signBit()), x, a) // -|x|
	e := g.exp(a)                   // in [0, 1]: no overflow
	d := g.Vec()
	g.Add(g.c(1), e, d)
	num := g.load(g.c(1))
	if g.Is512() {
		g.sel(g.cmp(kit.CmpLT_OS, g.c(0), x), e, num)
	} else {
		pick(g, VBLENDVPS, VBLENDVPD)(x, e, num, num) // by the sign bit of x
	}
	g.Div(d, num, num) // x >= 0: 1/(1+e); x < 0: e/(1+e)
	return num
}

// sigmoidExpCoef are the coefficients of e^r on |r| <= ln2/2: those of
// tanhExpCoef (e^(2u) on |u| <= ln2/4) divided by 2^k, which is exact.
var sigmoidExpCoef = func() []float64 {
	c := make([]float64, len(tanhExpCoef))
	for k, v := range tanhExpCoef {
		c[k] = math.Ldexp(v, -k)
	}
	return c
}()

// sigmoid32 is the float32 Sigmoid: E = e^-|x| (reduction by n·ln2 in two
// parts, the near-minimax degree-6 polynomial of tanh32, scaled by 2^n),
// d = 1 + E rounded with its rounding error dl = (1 - d) + E exact
// (Fast2Sum, E <= 1), and num/(d + dl) for num = 1 (x >= 0) or E (x < 0)
// without a division: q0 = num·rd with rd an approximate 1/d (VRCP14PS, or
// VRCPPS and a Newton step on AVX2), then q = q0 + (num - q0·d - q0·dl)·rd.
//
// Error: the corrected quotient is num/(1+E)·(1 - ε²) before its rounding,
// ε the error of rd (|ε| < 2^-14 architecturally for VRCP14PS, so up to
// 2^-28, 1/16 ULP; about 2^-23·2^-21 after AVX2's Newton step). What
// remains is E's error (its last rounding, 0.5 ULP of E, plus the
// polynomial's 0.09 ULP), damped by E/(1+E) <= 1/2 for x >= 0 but carried
// whole for x < 0, where it can count double: when E lies just above a
// power of two and q = E/(1+E) just below one, an ULP of E is two ULPs of
// q. With q's own rounding that bounds the error by about 1.7 ULP to first
// order; measured over all 2^32 inputs it is 1.49 ULP (AVX-512, on Zen 5)
// and 1.48 (AVX2), 99.995% of results within 1 ULP. The stated bound, 1.6,
// leaves room for another CPU's VRCP14PS (the 1/16 ULP above). Subnormal
// results (x < -87.3) come from E's scaling, rounded once there. This
// replaced a version that carried E as a double-float, 0.80 ULP at 0.8x
// the speed of gcc's 1/(1+expf(-x)) loop; this one is about 1.1x.
func (g fn) sigmoid32(x reg.VecVirtual) reg.VecVirtual {
	a := g.Vec()
	g.Or(g.bits(g.signBit()), x, a) // -|x|
	lo, _ := mathconst.ExpClamp(g.T.Size)
	r := g.load(g.c(lo))
	VMAXPS(a, r, r) // max(lo, -|x|): the second source, -|x|, if NaN
	n := g.Vec()
	g.Mul(g.c(math.Log2E), r, n)
	if g.Is512() {
		VRNDSCALEPS(U8(0), n, n)
	} else {
		VROUNDPS(U8(0), n, n)
	}
	ln2hi, ln2lo := g.ln2()
	g.FNMA231(g.c(ln2hi), n, r) // r -= n·ln2hi, exact
	g.FNMA231(g.c(ln2lo), n, r) // r -= n·ln2lo
	E := g.horner(r, sigmoidExpCoef)
	if g.Is512() {
		VSCALEFPS(n, E, E)
	} else {
		// 2^n as 2^h·2^(n-h), h = ⌊n/2⌋, as exp does: both normal.
		h := g.Vec()
		g.Mul(g.c(0.5), n, h)
		VROUNDPS(U8(1), h, h)
		g.Sub(h, n, n)
		g.pow2(h)
		g.pow2(n)
		g.Mul(h, E, E)
		g.Mul(n, E, E)
	}
	d := g.Vec()
	g.Add(g.c(1), E, d) // d = 1 + E, rounded
	dl := g.load(g.c(1))
	g.Sub(d, dl, dl) // 1 - d, exact
	g.Add(E, dl, dl) // + E: d's rounding error, exact
	num := g.load(g.c(1))
	rd := g.Vec()
	if g.Is512() {
		VMOVUPS(E, g.cmp(kit.CmpLT_OS, g.c(0), x).k, num) // x < 0: num = E
		VRCP14PS(d, rd)
	} else {
		VBLENDVPS(x, E, num, num) // by the sign bit of x
		VRCPPS(d, rd)             // 12 bits; a Newton step makes 23
		t := g.load(g.c(1))
		g.FNMA231(d, rd, t) // 1 - d·rd
		g.FMA231(rd, t, rd)
	}
	q := g.Vec()
	g.Mul(rd, num, q)     // q0
	g.FNMA231(q, d, num)  // num - q0·d
	g.FNMA231(q, dl, num) // - q0·dl
	g.FMA231(num, rd, q)  // q0 + residual/d
	return q
}

// tanhExpCoef are the coefficients of E(r) = Σ c_k·r^k ≈ e^(2r) on
// |r| <= ln2/4: c0 = 1, the rest a Chebyshev interpolation of
// (e^(2r)-1)/r (near-minimax) rounded to float32; relative error of E
// with these coefficients 0.09 ULP (Taylor needs degree 7 for that).
var tanhExpCoef = []float64{1, 2, 2, 1.3333203792572021, 0.6666634678840637, 0.26781296730041504, 0.08917535841464996}

// tanh32 is the float32 Tanh (AVX-512 and AVX2). The MUL/FMA pipes are its
// bottleneck, so it spends fewer of those operations than tanh: a = |x|
// clamped to 20 (where tanh already rounds to 1 and e^(2a) is finite; NaN
// survives), e^(2a) = 2^n·E(r) with r = a - n·ln2hi/2 (no 2a formed, and
// no second reduction constant: the n·(ln2-ln2hi)/2 left in r changes E by
// n·2e-9 relative, which tanh damps by 2E/(E²-1), below 0.03 ULP), a
// near-minimax E of degree 6, and tanh = 1 - 2/den = (den-2)/den with
// den = E+1 rounded once: den - 2 is exact for den in [4, 2^25), so only
// den's rounding, E's error and the division's remain, with no
// cancellation (1 - q rounds once more). Above 2^25 (a > 8.67), where
// tanh is within 2^-24 of 1, the result is 1 (at most 1 ULP off): den - 2
// rounded up (AVX-512) is den, and AVX2 sets those lanes.
func (g fn) tanh32(x reg.VecVirtual) reg.VecVirtual {
	a := g.Vec()
	g.And(g.bits(^g.signBit()&g.allBits()), x, a) // |x|
	r := g.load(g.c(20))
	VMINPS(a, r, r) // min(20, a), a if NaN
	n := g.Vec()
	g.Mul(g.c(2*math.Log2E), r, n)
	if g.Is512() {
		VRNDSCALEPS(U8(0), n, n)
	} else {
		VROUNDPS(U8(0), n, n)
	}
	ln2hi, _ := g.ln2()
	g.FNMA231(g.c(ln2hi/2), n, r) // r = a - n·ln2hi/2, exact
	E := g.horner(r, tanhExpCoef)
	if g.Is512() {
		VSCALEFPS(n, E, E)
	} else {
		g.pow2(n) // 2^n, n <= 58: a normal number
		g.Mul(n, E, E)
	}
	g.Add(g.c(1), E, E) // den = E + 1, rounded
	num := g.Vec()
	var big cond
	if g.Is512() {
		two := g.c(2)
		if _, ok := two.(reg.VecVirtual); !ok {
			two = g.load(two) // SAE forms take registers only
		}
		VSUBPS_RU_SAE(two, E, num) // den - 2: exact below 2^25, else den
	} else {
		// No embedded rounding: den - 2 rounds to nearest, which for den in
		// [2^25, 2^26) is a tie; those lanes (and beyond) are set to 1.
		big = g.cmp(kit.CmpGE_OQ, g.c(0x1p25), E) // den >= 2^25, not NaN
		g.Sub(g.c(2), E, num)
	}
	g.Div(E, num, num) // (den-2)/den = 1 - 2/den
	y := num
	if !g.Is512() {
		g.sel(big, g.c(1), y)
	}
	g.tanhSmall(a, y)
	// Restore the sign: y | (x & sign), in one ternary-logic op on AVX-512.
	if g.Is512() {
		VPTERNLOGD(U8(0xF8), g.bits(g.signBit()), x, y)
	} else {
		sg := g.Vec()
		g.And(g.bits(g.signBit()), x, sg)
		g.Or(sg, y, y)
	}
	return y
}

// tanhSmall sets y = a + a·z·g(z), z = a², the odd polynomial of tanh, in
// the lanes where a < TanhSmall (tanh and tanh32 share it).
func (g fn) tanhSmall(a, y reg.VecVirtual) {
	z := g.Vec()
	g.Mul(a, a, z)
	p := g.horner(z, mathconst.TanhCoef(g.T.Size))
	g.Mul(a, z, z)
	g.FMA213(a, z, p) // p = p·a·z + a
	g.sel(g.cmp(kit.CmpLT_OS, g.c(mathconst.TanhSmall), a), p, y)
}

func (g fn) tanh(x reg.VecVirtual) reg.VecVirtual {
	a := g.Vec()
	g.And(g.bits(^g.signBit()&g.allBits()), x, a) // |x|
	// Exp form, accurate once tanh(a) > 1/2 (no cancellation).
	a2 := g.Vec()
	g.Add(a, a, a2)
	E := g.exp(a2)
	g.Add(g.c(1), E, E)
	q := g.load(g.c(2))
	g.Div(E, q, q) // 2/(e^2a+1), 0 when e^2a overflows
	y := g.load(g.c(1))
	g.Sub(q, y, y) // 1 - q
	g.tanhSmall(a, y)
	// Restore the sign (tanh(-0) = -0; NaN stays NaN).
	sg := g.Vec()
	g.And(g.bits(g.signBit()), x, sg)
	g.Or(sg, y, y)
	return y
}

// ---- kernels ----

// layout is how each AVX-512 kernel's loop is laid out: its unrolled copies
// interleaved in groups of il (kit.Interleave), and up to hoist constants kept
// in registers. More of either needs more registers (opmasks too); these are
// the fastest combinations that allocate, measured on Zen 5 with
// BenchmarkExp/Log/Sigmoid/Tanh/Softmax (10-20% over one copy after another,
// for the long dependency chains of Log, Sigmoid and Tanh).
var layout = map[string]struct{ il, hoist int }{
	"ExpF32":             {4, 20},
	"ExpF64":             {4, 20},
	"LogF32":             {2, 20}, // log512, measured on Zen 4 (4x4 and 4x0 were 10-30% slower)
	"LogF64":             {2, 20},
	"SigmoidF32":         {2, 20},
	"SigmoidF64":         {2, 20},
	"TanhF32":            {2, 20}, // Zen 4: 15-25% faster than the {4, 8} chosen on Zen 5
	"TanhF64":            {4, 8},
	"ExpShiftSumF32":     {2, 20},
	"ExpShiftSumF64":     {2, 20},
	"SumExpShiftF32":     {2, 20},
	"SumExpShiftF64":     {2, 20},
	"SoftmaxRowsF32":     {2, 20},
	"SoftmaxRowsF64":     {2, 20},
	"LogSoftmaxStatsF32": {2, 20},
	"LogSoftmaxStatsF64": {2, 20},
	"LogSoftmaxApplyF32": {4, 20},
	"LogSoftmaxApplyF64": {4, 20},
}

// layout2 is the Interleave group width of the AVX2 kernels that use one
// (the others run one unrolled copy after another).
var layout2 = map[string]int{
	"TanhF32": 2,
}

// configure sets g's loop layout for kernel name.
func (g fn) configure(name string) fn {
	g.Kit.Interleave, g.h.max = 0, 0
	if g.Is512() {
		l, ok := layout[name+g.T.Name]
		if !ok {
			panic("mathfn: no layout for " + name + g.T.Name)
		}
		g.Kit.Interleave, g.h.max = l.il, l.hoist
	} else if il, ok := layout2[name+g.T.Name]; ok {
		g.Kit.Interleave = il
	}
	return g
}

func gp(c Op) reg.GPVirtual { return c.(reg.GPVirtual) }

// unary emits dst[i] = f(x[i]).
func (g fn) unary(name, doc string, f func(reg.VecVirtual) reg.VecVirtual) {
	g.Text(name, "func(dst, x []T)")
	Doc(g.Name(name) + " " + doc)
	g = g.configure(name)
	g.hoisted(func() {
		n := gp(Load(Param("dst").Len(), GP64()))
		d := gp(Load(Param("dst").Base(), GP64()))
		xp := gp(Load(Param("x").Base(), GP64()))
		g.Loop(n, []reg.GPVirtual{d, xp}, 4, func(b kit.Block) {
			v := g.Vec()
			b.Load(xp, v)
			b.Store(f(v), d)
		})
		VZEROUPPER()
		RET()
	})
}

// expSum emits ExpShiftSum (store: dst[i] = exp(x[i]-shift), returns the
// sum) or SumExpShift (returns Σ exp(x[i]-shift), writes nothing).
func (g fn) expSum(store bool) {
	name, sig := "SumExpShift", "func(x []T, shift T) T"
	doc := "returns the sum of exp(x[i]-shift) and writes nothing."
	if store {
		name, sig = "ExpShiftSum", "func(dst, x []T, shift T) T"
		doc = "sets dst[i] = exp(x[i]-shift) and returns their sum; lengths are checked by the caller."
	}
	g.Text(name, sig)
	Doc(g.Name(name) + " " + doc)
	g = g.configure(name)
	g.hoisted(func() {
		var n, d reg.GPVirtual
		if store {
			n = gp(Load(Param("dst").Len(), GP64()))
			d = gp(Load(Param("dst").Base(), GP64()))
		} else {
			n = gp(Load(Param("x").Len(), GP64()))
		}
		xp := gp(Load(Param("x").Base(), GP64()))
		acc := g.rowExpSum(n, xp, d, g.Param("shift"))
		g.StoreScalar(acc.AsX(), ReturnIndex(0))
		VZEROUPPER()
		RET()
	})
}
