package main

import (
	"fmt"
	"math"

	"github.com/descentlab/descent/gen/internal/mathconst"
)

// Vectorised exp, sigmoid and tanh for NEON, float32 and float64, the
// method of the amd64 kernels (gen/mathfn), with the constants of
// gen/internal/mathconst:
//
//   - exp: clamp x to [lo, hi], bounds already beyond underflow and overflow
//     (FMAX/FMIN propagate NaN); n = round-to-even(x·log2e) (FRINTN),
//     r = x - n·ln2hi - n·ln2lo (FMLS, ln 2 split so that n·ln2hi is exact);
//     e^r by its Taylor polynomial (degree 7 for float32, 13 for float64,
//     truncation below 0.1 ULP) by Horner with FMLA, each coefficient loaded
//     from a constant table (LDR q: a load-pipe µop instead of a SIMD copy);
//     then times 2^n as 2^h·2^(n-h), h = ⌊n/2⌋ (FRINTM): both factors are
//     normal for every n the clamp allows, each built by adding
//     1.5·2^mant + bias and shifting the integer left into the exponent
//     field (SHL); the first product is exact and the second rounds once,
//     into the subnormals or to +Inf exactly where the true value does.
//   - sigmoid: e = exp(-|x|), then 1/(1+e) or e/(1+e) by the sign of x; the
//     float32 kernel widens to float64 (FCVTL/FCVTL2), uses a degree-9 exp
//     and rounds once at the end (FCVTN/FCVTN2).
//   - tanh: for |x| < 0.625 the odd polynomial a + a·z·g(z), z = a²; beyond,
//     1 - 2/(e^(2|x|)+1); the sign of x is restored last.

// mathConsts maps constants to the vector registers holding them.
type mathConsts map[float64]int

// constRegs assigns registers from `from` up to the values (rounded to t),
// duplicates sharing one.
func constRegs(t typ, from int, vals []float64) mathConsts {
	c := mathConsts{}
	r := from
	for _, v := range vals {
		v = t.round(v)
		if _, ok := c[v]; !ok {
			if r > 31 {
				panic("arm64 gen: out of vector registers for constants")
			}
			c[v] = r
			r++
		}
	}
	return c
}

func (t typ) round(v float64) float64 {
	if t.size == 4 {
		return float64(float32(v))
	}
	return v
}

func (t typ) bits(v float64) uint64 {
	if t.size == 4 {
		return uint64(math.Float32bits(float32(v)))
	}
	return math.Float64bits(v)
}

// loadConsts broadcasts every constant of c into its register.
func loadConsts(f *fn, c mathConsts) {
	byReg := make([]float64, 32)
	used := make([]bool, 32)
	for v, r := range c {
		byReg[r], used[r] = v, true
	}
	for r, v := range byReg {
		if !used[r] {
			continue
		}
		if v == nanKey {
			v = math.NaN()
		}
		if f.t.size == 4 {
			f.in("MOVW $0x%08x, R8 // %v", f.t.bits(v), float32(v))
			f.in("VDUP R8, V%d.S4", r)
		} else {
			f.in("MOVD $0x%016x, R8 // %v", f.t.bits(v), v)
			f.in("VDUP R8, V%d.D2", r)
		}
	}
}

func (c mathConsts) reg(t typ, v float64) int {
	r, ok := c[t.round(v)]
	if !ok {
		panic(fmt.Sprintf("arm64 gen: constant %v not loaded", v))
	}
	return r
}

// A constant table in memory (one per element type, file-local), each
// value replicated over a 16-byte slot so that one LDR q loads the vector.
type ktable struct {
	name  string
	t     typ
	off   map[uint64]int
	order []uint64
}

var ktables = map[int]*ktable{}

func resetKtables() {
	ktables = map[int]*ktable{
		4: {name: "neonk32<>", t: f32, off: map[uint64]int{}},
		8: {name: "neonk64<>", t: f64, off: map[uint64]int{}},
	}
}

// kbase points R9 at the constant table of f's type.
func (f *fn) kbase() { f.in("MOVD $%s(SB), R9", ktables[f.t.size].name) }

// kload loads constant v (rounded to f's type) from the table into Vr.
func (f *fn) kload(v float64, r int) {
	k := ktables[f.t.size]
	b := f.t.bits(v)
	o, ok := k.off[b]
	if !ok {
		o = 16 * len(k.order)
		k.off[b] = o
		k.order = append(k.order, b)
	}
	f.in("FMOVQ %d(R9), F%d // %v", o, r, f.t.round(v))
}

func emitKtables(fl *file) {
	for _, size := range []int{4, 8} {
		k := ktables[size]
		if len(k.order) == 0 {
			continue
		}
		fmt.Fprintf(&fl.s, "\n")
		for i, b := range k.order {
			for j := 0; j < 16/size; j++ {
				fmt.Fprintf(&fl.s, "DATA %s+%d(SB)/%d, $0x%0*x\n", k.name, 16*i+size*j, size, 2*size, b)
			}
		}
		fmt.Fprintf(&fl.s, "GLOBL %s(SB), RODATA|NOPTR, $%d\n", k.name, 16*len(k.order))
	}
}

// plan lays out u vectors' registers in blocks: block b of vector j is
// V(b·u + j); resident constants follow the last block.
type plan struct{ u, blocks int }

func (p plan) r(b, j int) int { return b*p.u + j }
func (p plan) consts() int    { return p.blocks * p.u }

func mantBits(t typ) int {
	if t.size == 4 {
		return 23
	}
	return 52
}

func bias(t typ) float64 {
	if t.size == 4 {
		return 127
	}
	return 1023
}

// pow2Magic is 1.5·2^mant + bias: adding it to an integral m puts m+bias in
// the low mantissa bits.
func pow2Magic(t typ) float64 { return 1.5*math.Ldexp(1, mantBits(t)) + bias(t) }

// expResident lists the constants exp keeps in registers.
func expResident(t typ) []float64 {
	lo, hi := mathconst.ExpClamp(t.size)
	ln2hi, ln2lo := mathconst.Ln2(t.size)
	return []float64{lo, hi, math.Log2E, ln2hi, ln2lo, 0.5, pow2Magic(t)}
}

// emitExp computes e^x for the vectors xs: x is overwritten, n(j), p(j)
// and q(j) are scratch for vector j; the results are in p(j) or q(j) (the
// returned registers; the other one is free, as are x and n).
func emitExp(f *fn, c mathConsts, xs []int, n, p, q func(int) int, deg int) (res, free []int) {
	t := f.t
	lo, hi := mathconst.ExpClamp(t.size)
	ln2hi, ln2lo := mathconst.Ln2(t.size)
	coef := mathconst.ExpCoef(deg)
	k := func(v float64) int { return c.reg(t, v) }
	for _, x := range xs {
		f.word("FMAX", x, x, k(lo))
	}
	for _, x := range xs {
		f.word("FMIN", x, x, k(hi))
	}
	for j, x := range xs {
		f.word("FMUL", n(j), x, k(math.Log2E))
	}
	for j := range xs {
		f.word("FRINTN", n(j), n(j), 0)
	}
	for j, x := range xs {
		f.in("VFMLS %s, %s, %s", f.v(n(j)), f.v(k(ln2hi)), f.v(x)) // x -= n·ln2hi
	}
	for j, x := range xs {
		f.in("VFMLS %s, %s, %s", f.v(n(j)), f.v(k(ln2lo)), f.v(x)) // x -= n·ln2lo
	}
	acc, other := horner(f, xs, p, q, coef)
	// 2^n = 2^h·2^(n-h): h into `other`, n-h into n.
	for j := range xs {
		f.word("FMUL", other[j], n(j), k(0.5))
	}
	for j := range xs {
		f.word("FRINTM", other[j], other[j], 0)
	}
	for j := range xs {
		f.word("FSUB", n(j), n(j), other[j])
	}
	for j := range xs {
		for _, r := range []int{other[j], n(j)} {
			f.word("FADD", r, r, k(pow2Magic(t)))
			f.in("VSHL $%d, %s, %s", mantBits(t), f.v(r), f.v(r))
		}
	}
	for j := range xs {
		f.word("FMUL", acc[j], acc[j], other[j])
	}
	for j := range xs {
		f.word("FMUL", acc[j], acc[j], n(j))
	}
	return acc, other
}

// horner evaluates Σ coef[i]·z^i for each vector z of zs in registers a(j)
// and b(j), each coefficient loaded from the constant table into the
// register the FMLA accumulates into. It returns the result registers and
// the other ones (free).
func horner(f *fn, zs []int, a, b func(int) int, coef []float64) (acc, other []int) {
	acc, other = make([]int, len(zs)), make([]int, len(zs))
	for j := range zs {
		acc[j], other[j] = a(j), b(j)
		f.kload(coef[len(coef)-1], acc[j])
	}
	for i := len(coef) - 2; i >= 0; i-- {
		for j, z := range zs {
			f.kload(coef[i], other[j])
			f.in("VFMLA %s, %s, %s", f.v(acc[j]), f.v(z), f.v(other[j]))
			acc[j], other[j] = other[j], acc[j]
		}
	}
	return acc, other
}

// ---- kernels ----

var expPlan = plan{u: 4, blocks: 4} // x, n, p, q

func blk(p plan, b int) func(int) int { return func(j int) int { return p.r(b, j) } }

const noteExp = `Inner loop, per 4 vectors, per vector: 1 load, FMAX + FMIN (clamp), FMUL +
FRINTN (n), 2 FMLS (r), Horner: 7 (float32) or 13 (float64) FMLA, each
coefficient an LDR q from the constant table, FMUL + FRINTM + FSUB (split
n), 2 × (FADD + SHL) (two powers of two), 2 FMUL, 1 store. That is 21
(float32) or 27 (float64) FP/SIMD instructions and 9 or 15 loads per
vector: bound by the FP/SIMD pipes, about 11 (float32) or 14 (float64)
cycles per vector on an N1 (2 pipes; its 2 load pipes have room) and half
that on a V1 (4 pipes). The 4 independent vectors of an iteration, and the
out-of-order overlap of consecutive iterations, cover the Horner chain's
latency (4 cycles per FMLA). Registers: V0-V15 per-vector, V16-V22
resident constants (clamp, log2e, ln 2 in two parts, 0.5, the 2^n magic).`

const noteSigmoid = `float64, per vector (4 per iteration): ORR (-|x|), exp as in Exp, FADD
(1+e), FCMLT #0 + BIT (numerator e or 1), FDIV: about 31 FP/SIMD
instructions and an FDIV per vector, FP-bound (the divider on N1 accepts a
float64 vector divide every few cycles, under the ~16 cycles of the rest).
float32 works in float64: per 2 float32 vectors (one iteration), 2 FCVTL +
2 FCVTL2, the float64 body with a degree-9 exp on 4 vectors, 2 FCVTN + 2
FCVTN2: about twice the float64 cost per element.`

const noteLog = `Per vector (2 per iteration, 7 register blocks each): FCMGT + FMUL + ORR +
BIT (scale subnormals), USHR + ORR + 2 FSUB + AND (exponent), AND + ORR +
FCMGT + FMUL + BIT + AND + FADD (mantissa in [√½, √2)), FSUB + FADD + FDIV +
FMUL (s, z), Horner (4 float32 / 10 float64 FMLA, coefficients from the
table), FMUL + FSUB + FMUL + FMLS + FADD + FMLA (assembly), 3 compares + 3
bit selects (0, < 0, +Inf/NaN): about 33 (float32) or 39 (float64) FP/SIMD
instructions and one FDIV per vector, FP-bound on N1 and V1.`

const noteTanh = `Per vector (2 per iteration, 7 register blocks each): FABS, FADD (2|x|),
exp as in Exp, FADD + FDIV + FSUB (1 - 2/(e+1)), FMUL (z = a²), Horner on z
(5 float32 / 12 float64 FMLA, coefficients from the table), FMUL + FMLA
(a + a·z·g), FCMGT + BIT (select by |x| < 0.625), AND + ORR (sign): about
33 (float32) or 46 (float64) FP/SIMD instructions and one FDIV per vector,
FP-bound on N1 and V1 (both branches are computed for every lane).`

func mathfnKernels() []streamKernel {
	unary := func(name, doc, note string, unroll func(typ) int, body func(f *fn, in [][]int) []int, setup func(f *fn)) streamKernel {
		return streamKernel{
			name: name, doc: doc, note: note,
			args: func(t typ) []param { return []param{slice("dst", t), slice("x", t)} },
			ins:  []string{"x"}, out: "dst", n: "dst",
			unroll: unroll, setup: setup,
			body: func(f *fn, in [][]int, _ []int) []int { return body(f, in) },
		}
	}
	four := func(typ) int { return 4 }
	return []streamKernel{
		unary("Exp", "sets dst[i] = e^x[i]; lengths are checked by the caller.", noteExp, four,
			func(f *fn, in [][]int) []int {
				c := constRegs(f.t, expPlan.consts(), expResident(f.t))
				res, _ := emitExp(f, c, in[0], blk(expPlan, 1), blk(expPlan, 2), blk(expPlan, 3), mathconst.ExpDegree(f.t.size, false))
				return res
			},
			func(f *fn) {
				f.kbase()
				loadConsts(f, constRegs(f.t, expPlan.consts(), expResident(f.t)))
			}),
		unary("Sigmoid", "sets dst[i] = 1/(1+e^-x[i]); lengths are checked by the caller.", noteSigmoid,
			func(t typ) int { return map[int]int{4: 2, 8: 4}[t.size] },
			sigmoidBody,
			func(f *fn) {
				w := f.wide()
				w.kbase()
				loadConsts(w, sigmoidConsts(w.t))
			}),
		unary("Log", "sets dst[i] = log(x[i]); lengths are checked by the caller.", noteLog,
			func(typ) int { return 2 },
			logBody,
			func(f *fn) {
				f.kbase()
				loadConsts(f, logConsts(f.t))
			}),
		unary("Tanh", "sets dst[i] = tanh(x[i]); lengths are checked by the caller.", noteTanh,
			func(typ) int { return 2 },
			tanhBody,
			func(f *fn) {
				f.kbase()
				loadConsts(f, tanhConsts(f.t))
			}),
	}
}

// wide returns the emitter sigmoid computes with: float64 for both types.
func (f *fn) wide() *fn {
	return &fn{b: f.b, t: f64, off: f.off, tail: f.tail, widened: f.t.size == 4}
}

var sigmoidPlan = plan{u: 4, blocks: 5} // x, a, n, p, q

func sigmoidConsts(t typ) mathConsts {
	return constRegs(t, sigmoidPlan.consts(), append(expResident(t), 1, math.Copysign(0, -1)))
}

// sigmoidBody: float64 directly; float32 widened to float64 and narrowed
// back, so the float32 result is rounded once.
func sigmoidBody(f *fn, in [][]int) []int {
	if f.t.size == 8 {
		return sigmoid64(f, in[0])
	}
	w := f.wide()
	xs := in[0]
	var wx []int
	switch {
	case f.tail: // lane 0 only
		w.word("FCVTL", 0, 0, 0)
		wx = []int{0}
	default: // vectors V0.. → float64 vectors V0..V(2len-1), from the last down
		for j := len(xs) - 1; j >= 0; j-- {
			w.word("FCVTL2", 2*j+1, xs[j], 0)
			w.word("FCVTL", 2*j, xs[j], 0)
		}
		wx = seq(0, 2*len(xs))
	}
	res := sigmoid64(w, wx)
	if f.tail {
		w.word("FCVTN", 0, res[0], 0)
		return []int{0}
	}
	out := seq(0, len(xs))
	for j := range xs {
		w.word("FCVTN", out[j], res[2*j], 0)
		w.word("FCVTN2", out[j], res[2*j+1], 0)
	}
	return out
}

// sigmoid64 computes the float64 sigmoid of xs (registers V0..V3 of
// sigmoidPlan's block 0) and returns the result registers.
func sigmoid64(f *fn, xs []int) []int {
	p := sigmoidPlan
	c := sigmoidConsts(f.t)
	deg := mathconst.ExpDegree(8, f.widened)
	sign := c.reg(f.t, math.Copysign(0, -1))
	one := c.reg(f.t, 1)
	a := blk(p, 1)
	for j, x := range xs {
		f.in("VORR V%d.B16, V%d.B16, V%d.B16", sign, x, a(j)) // -|x|
	}
	as := make([]int, len(xs))
	for j := range xs {
		as[j] = a(j)
	}
	e, free := emitExp(f, c, as, blk(p, 2), blk(p, 3), blk(p, 4), deg)
	n := blk(p, 2)
	for j := range xs {
		f.word("FADD", n(j), e[j], one) // 1 + e
	}
	for j, x := range xs {
		f.word("FCMLTZ", a(j), x, 0) // x < 0
	}
	for j := range xs {
		f.kload(1, free[j])
		f.word("BIT", free[j], e[j], a(j)) // e where x < 0, else 1
	}
	for j, x := range xs {
		f.word("FDIV", x, free[j], n(j))
	}
	return xs
}

var logPlan = plan{u: 2, blocks: 7}

// logScale is the power of two subnormal inputs are scaled by.
func logScale(t typ) int {
	if t.size == 4 {
		return 24
	}
	return 54
}

func logConsts(t typ) mathConsts {
	ln2hi, ln2lo := mathconst.Ln2(t.size)
	two := math.Ldexp(1, mantBits(t))
	minNorm := math.Ldexp(1, -126)
	if t.size == 8 {
		minNorm = math.Ldexp(1, -1022)
	}
	mantMask := math.Float32frombits(1<<23 - 1)
	vals := []float64{minNorm, math.Ldexp(1, logScale(t)), float64(logScale(t)), two, two + bias(t), 0, 1, math.Sqrt2, 0.5, 2, ln2hi, ln2lo, math.Inf(-1), math.Inf(1)}
	if t.size == 4 {
		vals[5] = float64(mantMask)
	} else {
		vals[5] = math.Float64frombits(1<<52 - 1)
	}
	c := constRegs(t, logPlan.consts(), vals)
	c[nanKey] = logPlan.consts() + len(c)
	return c
}

// nanKey stands for NaN in a mathConsts map (a NaN key could never be
// found again); loadConsts writes the default quiet NaN for it.
const nanKey = -0x1.fffffp+1000

// logBody: x = 2^e·m with m in [√½, √2) (the exponent field, subnormals
// first scaled by 2^24 or 2^54), f = m-1, s = f/(2+f), log(1+f) =
// f - s·(f - R) with R = Σ 2s^(2k)/(2k+1), plus e·ln2 in two parts; special
// inputs (0, < 0, +Inf, NaN) patched by compares and bit selects.
func logBody(f *fn, in [][]int) []int {
	p := logPlan
	t := f.t
	c := logConsts(t)
	k := func(v float64) int { return c.reg(t, v) }
	ln2hi, ln2lo := mathconst.Ln2(t.size)
	two := math.Ldexp(1, mantBits(t))
	minNorm := math.Ldexp(1, -126)
	mask := float64(math.Float32frombits(1<<23 - 1))
	if t.size == 8 {
		minNorm = math.Ldexp(1, -1022)
		mask = math.Float64frombits(1<<52 - 1)
	}
	xs := in[0]
	b := func(i int) func(int) int { return blk(p, i) }
	B1, B2, B3, B4, B5, B6 := b(1), b(2), b(3), b(4), b(5), b(6)
	for j, x := range xs {
		f.word("FCMGT", B4(j), k(minNorm), x) // small: x < min normal
		f.word("FMUL", B5(j), x, k(math.Ldexp(1, logScale(t))))
		f.in("VORR V%d.B16, V%d.B16, V%d.B16", x, x, B1(j))
		f.word("BIT", B1(j), B5(j), B4(j)) // xs
	}
	for j := range xs {
		f.in("VUSHR $%d, %s, %s", mantBits(t), f.v(B1(j)), f.v(B2(j)))
		f.in("VORR V%d.B16, V%d.B16, V%d.B16", k(two), B2(j), B2(j))
		f.word("FSUB", B2(j), B2(j), k(two+bias(t)))
		f.in("VAND V%d.B16, V%d.B16, V%d.B16", k(float64(logScale(t))), B4(j), B5(j))
		f.word("FSUB", B2(j), B2(j), B5(j)) // e
	}
	for j := range xs {
		f.in("VAND V%d.B16, V%d.B16, V%d.B16", k(mask), B1(j), B3(j))
		f.in("VORR V%d.B16, V%d.B16, V%d.B16", k(1), B3(j), B3(j)) // m in [1, 2)
		f.word("FCMGT", B4(j), B3(j), k(math.Sqrt2))
		f.word("FMUL", B5(j), B3(j), k(0.5))
		f.word("BIT", B3(j), B5(j), B4(j)) // m in [√½, √2)
		f.in("VAND V%d.B16, V%d.B16, V%d.B16", k(1), B4(j), B5(j))
		f.word("FADD", B2(j), B2(j), B5(j))
	}
	zs := make([]int, len(xs))
	for j := range xs {
		f.word("FSUB", B3(j), B3(j), k(1)) // f = m - 1, exact
		f.word("FADD", B4(j), B3(j), k(2))
		f.word("FDIV", B4(j), B3(j), B4(j)) // s = f/(2+f)
		f.word("FMUL", B5(j), B4(j), B4(j)) // z = s²
		zs[j] = B5(j)
	}
	K := 10
	if t.size == 4 {
		K = 4
	}
	coef := make([]float64, K)
	for i := 1; i <= K; i++ {
		coef[i-1] = 2 / float64(2*i+1)
	}
	R, _ := horner(f, zs, B6, B1, coef)
	for j := range xs {
		f.word("FMUL", R[j], B5(j), R[j]) // z·P
		f.word("FSUB", R[j], B3(j), R[j]) // f - z·P
		f.word("FMUL", B5(j), B2(j), k(ln2lo))
		f.in("VFMLS %s, %s, %s", f.v(B4(j)), f.v(R[j]), f.v(B5(j))) // v = e·ln2lo - s·t
		f.word("FADD", B5(j), B5(j), B3(j))
		f.in("VFMLA %s, %s, %s", f.v(k(ln2hi)), f.v(B2(j)), f.v(B5(j))) // v += e·ln2hi
	}
	for j, x := range xs {
		f.word("FCMEQZ", B4(j), x, 0)
		f.word("BIT", B5(j), k(math.Inf(-1)), B4(j))
		f.word("FCMLTZ", B4(j), x, 0)
		f.word("BIT", B5(j), c[nanKey], B4(j))
		f.word("FCMGT", B4(j), k(math.Inf(1)), x) // x < +Inf; false for +Inf, NaN
		f.word("BIF", B5(j), x, B4(j))
	}
	out := make([]int, len(xs))
	for j := range xs {
		out[j] = B5(j)
	}
	return out
}

var tanhPlan = plan{u: 2, blocks: 7} // x, a, e (exp input), n, p, q, z

func tanhConsts(t typ) mathConsts {
	return constRegs(t, tanhPlan.consts(), append(expResident(t), 1, 2, mathconst.TanhSmall, math.Copysign(0, -1)))
}

func tanhBody(f *fn, in [][]int) []int {
	p := tanhPlan
	c := tanhConsts(f.t)
	k := func(v float64) int { return c.reg(f.t, v) }
	xs := in[0]
	a, ex, n, z := blk(p, 1), blk(p, 2), blk(p, 3), blk(p, 6)
	for j, x := range xs {
		f.word("FABS", a(j), x, 0)
	}
	es := make([]int, len(xs))
	for j := range xs {
		f.word("FADD", ex(j), a(j), a(j))
		es[j] = ex(j)
	}
	E, free := emitExp(f, c, es, n, blk(p, 4), blk(p, 5), mathconst.ExpDegree(f.t.size, false))
	// Exp form: y = 1 - 2/(e^2a + 1), in E.
	for j := range xs {
		f.word("FADD", E[j], E[j], k(1))
	}
	for j := range xs {
		f.word("FDIV", n(j), k(2), E[j])
	}
	for j := range xs {
		f.word("FSUB", E[j], k(1), n(j))
	}
	// Polynomial: a + a·z·g(z), z = a², in a.
	zs := make([]int, len(xs))
	for j := range xs {
		f.word("FMUL", z(j), a(j), a(j))
		zs[j] = z(j)
	}
	g, _ := horner(f, zs, func(j int) int { return ex(j) }, func(j int) int { return free[j] }, mathconst.TanhCoef(f.t.size))
	for j := range xs {
		f.word("FMUL", z(j), a(j), z(j)) // a·z
	}
	for j := range xs {
		f.word("FCMGT", n(j), k(mathconst.TanhSmall), a(j)) // |x| < 0.625 (false for NaN)
	}
	for j := range xs {
		f.in("VFMLA %s, %s, %s", f.v(g[j]), f.v(z(j)), f.v(a(j))) // a += g·a·z
	}
	for j := range xs {
		f.word("BIT", E[j], a(j), n(j))
	}
	// Restore the sign (tanh(-0) = -0; NaN stays NaN).
	for j, x := range xs {
		f.in("VAND V%d.B16, V%d.B16, V%d.B16", k(math.Copysign(0, -1)), x, z(j))
		f.in("VORR V%d.B16, V%d.B16, V%d.B16", z(j), E[j], E[j])
	}
	return E
}

const mathfnDoc = `// Transcendental kernels for arm64 NEON (Advanced SIMD), float32 and
// float64: the method of the amd64 kernels (see gen/arm64/mathfn.go), with
// the streaming loops of the elementwise kernels (a main loop, a one-vector
// loop and a one-element tail through the same vector code, so no byte
// outside the slices is touched). Vector FP instructions are WORDs from
// gen/arm64/enc.go with their Arm disassembly as a comment; polynomial
// coefficients come from the file's constant tables, one LDR q each.
`

func mathfn() *file {
	resetKtables()
	fl := newFile(command, mathfnDoc)
	for _, k := range mathfnKernels() {
		for _, t := range []typ{f32, f64} {
			emitStream(fl, k, t)
		}
	}
	for _, store := range []bool{true, false} {
		for _, t := range []typ{f32, f64} {
			emitExpSum(fl, t, store)
		}
	}
	emitKtables(fl)
	return fl
}

var expSumPlan = plan{u: 4, blocks: 4} // x, n, p, q

const noteExpSum = `As Exp (4 vectors per iteration), plus per vector 1 FSUB (x - shift) and 1
FADD into one of 4 accumulators, and (ExpShiftSum) 1 store: FP-bound, 23
(float32) or 29 (float64) FP/SIMD instructions per vector, on 2 pipes (N1)
or 4 (V1). Registers: V0-V15 per vector, V16-V22 exp's constants, V23-V26
accumulators, V27 the shift.`

// emitExpSum writes ExpShiftSum (store: dst[i] = e^(x[i]-shift), returns
// the sum) or SumExpShift (returns Σ e^(x[i]-shift), writes nothing).
func emitExpSum(fl *file, t typ, store bool) {
	name, doc := "SumExpShift", "returns Σ e^(x[i]-shift) and writes nothing."
	args := []param{slice("x", t), scalar("shift", t)}
	if store {
		name, doc = "ExpShiftSum", "sets dst[i] = e^(x[i]-shift) and returns their sum; lengths are checked by the caller."
		args = append([]param{slice("dst", t)}, args...)
	}
	note := noteExpSum
	if t != f32 {
		note = "Same loops as " + name + "F32NEON, on float64 vectors of 2 lanes."
	}
	sym := name + t.name + "NEON"
	f := fl.function(sym, t, sym+" "+doc, note, args, &param{"ret", false, t.goTyp})
	p := expSumPlan
	u := p.u
	c := constRegs(t, p.consts(), expResident(t))
	next := p.consts() + len(c)
	acc := seq(next, u)
	shift := next + u
	if shift > 31 {
		panic("arm64 gen: expsum registers")
	}
	deg := mathconst.ExpDegree(t.size, false)
	if store {
		f.argPtr("dst", "R0")
	}
	f.argPtr("x", "R1")
	f.argLen("x", "R4")
	f.kbase()
	loadConsts(f, c)
	f.broadcast("shift", shift)
	for _, r := range acc {
		f.zero(r)
	}
	group := func(xs []int) {
		for _, x := range xs {
			f.word("FSUB", x, x, shift)
		}
		res, _ := emitExp(f, c, xs, blk(p, 1), blk(p, 2), blk(p, 3), deg)
		if store {
			f.in("VST1.P %s, %d(R0)", f.list(res), 16*len(res))
		}
		for j, r := range res {
			f.word("FADD", acc[j], acc[j], r)
		}
	}
	step := u * t.lanes
	f.in("CMP $%d, R4", step)
	f.in("BLT one")
	f.label("loop")
	f.in("VLD1.P %d(R1), %s", 16*u, f.list(seq(0, u)))
	group(seq(0, u))
	f.in("SUB $%d, R4, R4", step)
	f.in("CMP $%d, R4", step)
	f.in("BGE loop")
	f.label("one")
	f.in("CMP $%d, R4", t.lanes)
	f.in("BLT fold")
	f.label("loop1")
	f.in("VLD1.P 16(R1), [%s]", f.v(0))
	group([]int{0})
	f.in("SUB $%d, R4, R4", t.lanes)
	f.in("CMP $%d, R4", t.lanes)
	f.in("BGE loop1")
	f.label("fold")
	for w := 1; w < len(acc); w *= 2 {
		for j := 0; j+w < len(acc); j += 2 * w {
			f.word("FADD", acc[j], acc[j], acc[j+w])
		}
	}
	for l := t.lanes; l > 1; l /= 2 {
		f.word("FADDP", acc[0], acc[0], acc[0])
	}
	f.in("CBZ R4, done")
	f.label("loopt")
	// One element: lane 0 of V0 (the other lanes are 0 and give e^-shift,
	// which is neither stored nor added: the sum takes lane 0 only).
	f.in("%s.P %d(R1), F0", t.fmov, t.size)
	f.word("FSUB", 0, 0, shift)
	res, _ := emitExp(f, c, []int{0}, blk(p, 1), blk(p, 2), blk(p, 3), deg)
	if store {
		f.in("%s.P F%d, %d(R0)", t.fmov, res[0], t.size)
	}
	f.in("FADD%s F%d, F%d, F%d", t.suf, res[0], acc[0], acc[0])
	f.in("SUBS $1, R4, R4")
	f.in("BNE loopt")
	f.label("done")
	f.in("%s F%d, ret+%d(FP)", t.fmov, acc[0], f.off["ret"])
	f.in("RET")
}
