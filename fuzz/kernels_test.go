package fuzz_test

// The reference suite: every kernel of package kernels, float32 and float64,
// at every level in kernels.Available(), against the float64 references of
// package fuzz and the tolerances of tolerance.go. Every slice sits at an
// offset of 0..15 elements inside a larger buffer whose other elements are
// a distinctive NaN sentinel: a write outside a destination changes a
// sentinel, a read outside a source puts a NaN into a result. Sources must
// come back unchanged, bit for bit. Each level's output is also compared
// with the generic level's (cross-level agreement, within twice the
// tolerance, since both are within it of the exact result).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/descentlab/descent/fuzz"
	"github.com/descentlab/descent/kernels"
)

// ---------------------------------------------------------------------------
// Guarded buffers.

const guardLen = 16

// Sentinels: quiet NaNs with payloads no arithmetic produces (x86's default
// NaN is 0xFFC00000 / 0xFFF8000000000000, ARM's 0x7FC00000 / ...).
const (
	sentinel32 = 0x7FDEAD01
	sentinel64 = 0x7FFDEAD0DEADBEEF
)

func is32[T kernels.Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

func bitsOf[T kernels.Float](v T) uint64 {
	if is32[T]() {
		return uint64(*(*uint32)(unsafe.Pointer(&v)))
	}
	return *(*uint64)(unsafe.Pointer(&v))
}

func sentinel[T kernels.Float]() T {
	var v T
	if is32[T]() {
		*(*uint32)(unsafe.Pointer(&v)) = sentinel32
	} else {
		*(*uint64)(unsafe.Pointer(&v)) = sentinel64
	}
	return v
}

// guarded is a slice of n elements at offset off inside a buffer of
// sentinels. The slice's capacity runs to the end of the buffer, so a kernel
// that used cap instead of len would write into the guard.
type guarded[T kernels.Float] struct {
	buf    []T
	lo, hi int
}

func newGuarded[T kernels.Float](vals []T, off int) guarded[T] {
	g := guarded[T]{buf: make([]T, guardLen+off+len(vals)+guardLen), lo: guardLen + off}
	g.hi = g.lo + len(vals)
	s := sentinel[T]()
	for i := range g.buf {
		g.buf[i] = s
	}
	copy(g.buf[g.lo:], vals)
	return g
}

func (g guarded[T]) s() []T { return g.buf[g.lo:g.hi] }

// intact returns an error naming the first guard element that changed.
func (g guarded[T]) intact(name string) error {
	want := bitsOf(sentinel[T]())
	for i, v := range g.buf {
		if (i < g.lo || i >= g.hi) && bitsOf(v) != want {
			pos := i - g.lo
			if i >= g.hi {
				pos = i - g.hi
				return fmt.Errorf("%s: guard element %d past the end overwritten with %v (%#x)", name, pos, v, bitsOf(v))
			}
			return fmt.Errorf("%s: guard element %d before the start overwritten with %v (%#x)", name, -pos, v, bitsOf(v))
		}
	}
	return nil
}

// unchanged returns an error if the slice no longer holds vals, bit for bit.
func (g guarded[T]) unchanged(name string, vals []T) error {
	for i, v := range g.s() {
		if bitsOf(v) != bitsOf(vals[i]) {
			return fmt.Errorf("source %s changed at index %d: %v -> %v", name, i, vals[i], v)
		}
	}
	return nil
}

func widen[T kernels.Float](x []T) []float64 {
	if x == nil {
		return nil
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// ---------------------------------------------------------------------------
// Levels.

// eachLevel calls f at every available level and restores the level in use.
func eachLevel(tb testing.TB, f func(l kernels.Level)) {
	old := kernels.ISA()
	defer func() {
		if err := kernels.SetISA(old); err != nil {
			tb.Fatal(err)
		}
	}()
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			tb.Fatal(err)
		}
		f(l)
	}
}

// reporter stops reporting (and the generators stop generating) after a
// few failures, so that one bug does not drown the log.
type reporter struct {
	tb    testing.TB
	fails int
}

func (r *reporter) err(err error) bool {
	if err == nil {
		return false
	}
	r.fails++
	if r.fails <= 12 {
		r.tb.Error(err)
	}
	return true
}

func (r *reporter) done() bool { return r.fails > 12 }

// ---------------------------------------------------------------------------
// Values.

type valueKind int

const (
	kindNormal  valueKind = iota // ±[1,2)·2^[-8,8]
	kindSpecial                  // a fifth of the elements special (±0, ±Inf, NaN, subnormal, huge, ...)
	kindSingle                   // normal, with one special element somewhere
	kindTies                     // small integers and ±0: ties for Max/ArgMax, exact sums
	kindHuge                     // magnitudes near overflow (1e38 float32, 1e300 float64)
	kindTiny                     // tiny and subnormal magnitudes
	numKinds
)

func (k valueKind) String() string {
	return [...]string{"normal", "special", "single", "ties", "huge", "tiny"}[k]
}

func normalVal(r *rand.Rand) float64 {
	v := math.Ldexp(1+r.Float64(), r.IntN(17)-8)
	if r.IntN(2) == 0 {
		v = -v
	}
	return v
}

// specials returns the special values of T, as float64.
func specials[T kernels.Float]() []float64 {
	if is32[T]() {
		return []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
			0x1p-149, -0x1p-149, 0x1p-127, -0x1.fffffcp-127, 0x1p-126, math.MaxFloat32, -math.MaxFloat32,
			1e38, -1e38, 3e-39, 1, -1, 0.5, 88.72, -87.34, -103.9, 0x1p60, -0x1p-60}
	}
	return []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		0x1p-1074, -0x1p-1074, 0x1p-1023, -0x1.ffffffffffffep-1023, 0x1p-1022, math.MaxFloat64, -math.MaxFloat64,
		1e300, -1e300, 1e-310, 1, -1, 0.5, 709.78, -708.39, -745.1, 0x1p500, -0x1p-500}
}

// genFn draws one ordinary value of a kernel's domain.
type genFn func(r *rand.Rand, f32 bool) float64

func genNormal(r *rand.Rand, _ bool) float64 { return normalVal(r) }

// genVals draws n values of T of the given kind from the domain gen.
func genVals[T kernels.Float](r *rand.Rand, n int, kind valueKind, gen genFn) []T {
	sp := specials[T]()
	f32 := is32[T]()
	out := make([]T, n)
	for i := range out {
		var v float64
		switch kind {
		case kindSpecial:
			if r.IntN(5) == 0 {
				v = sp[r.IntN(len(sp))]
			} else {
				v = gen(r, f32)
			}
		case kindTies:
			v = float64(r.IntN(7) - 3)
			if v == 0 && r.IntN(2) == 0 {
				v = math.Copysign(0, -1)
			}
		case kindHuge:
			big := 1e300
			if f32 {
				big = 1e38
			}
			v = big * (1 + 2*r.Float64()) * float64(1-2*r.IntN(2))
		case kindTiny:
			e := -1074
			if f32 {
				e = -149
			}
			v = math.Ldexp(float64(1+r.IntN(1<<20)), e+r.IntN(40)) * float64(1-2*r.IntN(2))
		default:
			v = gen(r, f32)
		}
		out[i] = T(v)
	}
	if kind == kindSingle && n > 0 {
		out[r.IntN(n)] = T(sp[r.IntN(len(sp))])
	}
	return out
}

// Domains of the transcendental functions: wide enough to cross overflow
// and underflow, dense where the function changes.
func genExp(r *rand.Rand, f32 bool) float64 {
	switch r.IntN(3) {
	case 0:
		return normalVal(r)
	case 1:
		if f32 {
			return -105 + 195*r.Float64()
		}
		return -750 + 1462*r.Float64()
	}
	return 20 * (r.Float64() - 0.5)
}

func genLog(r *rand.Rand, f32 bool) float64 {
	switch r.IntN(4) {
	case 0:
		return 1 + (r.Float64()-0.5)*math.Ldexp(1, -r.IntN(30)) // near 1
	case 1:
		return math.Abs(normalVal(r))
	}
	lo, span := -150, 278
	if !f32 {
		lo, span = -1075, 2099
	}
	return math.Ldexp(1+r.Float64(), lo+r.IntN(span))
}

func genSigmoid(r *rand.Rand, f32 bool) float64 {
	switch r.IntN(3) {
	case 0:
		return normalVal(r)
	case 1:
		if f32 {
			return 220 * (r.Float64() - 0.5)
		}
		return 1520 * (r.Float64() - 0.5)
	}
	return 30 * (r.Float64() - 0.5)
}

func genTanh(r *rand.Rand, _ bool) float64 {
	switch r.IntN(3) {
	case 0:
		return normalVal(r)
	case 1:
		return math.Ldexp(r.Float64()-0.5, -r.IntN(40)) // tiny: tanh x ≈ x
	}
	return 24 * (r.Float64() - 0.5)
}

// ---------------------------------------------------------------------------
// Shapes: every length 0..300 at a rotating offset, every offset 0..15 for
// the lengths around vector and unroll boundaries, and a few random lengths
// up to 100k. Under -short (qemu) a thinned set.

type shape struct{ n, off int }

func shapes(r *rand.Rand) []shape {
	var out []shape
	step := 1
	if testing.Short() {
		step = 5
	}
	for n := 0; n <= 300; n++ {
		if n > 70 && n%step != 0 {
			continue
		}
		out = append(out, shape{n, (n * 7) % 16})
	}
	all := []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257}
	if testing.Short() {
		all = []int{3, 8, 17, 33, 64, 129}
	}
	for _, n := range all {
		for off := 0; off < 16; off++ {
			if off != (n*7)%16 {
				out = append(out, shape{n, off})
			}
		}
	}
	big := 6
	if testing.Short() {
		big = 1
	}
	for range big {
		out = append(out, shape{1000 + r.IntN(99001), r.IntN(16)})
	}
	return out
}

// kindsFor returns the value kinds to draw for the i-th shape: all of them,
// or under -short the normal values and one other kind in turn.
func kindsFor(i int) []valueKind {
	if testing.Short() {
		return []valueKind{kindNormal, valueKind(1 + i%(int(numKinds)-1))}
	}
	return []valueKind{kindNormal, kindSpecial, kindSingle, kindTies, kindHuge, kindTiny}
}

// ---------------------------------------------------------------------------
// Elementwise kernels: dst (or an in-place operand) and 0..2 sources.

type tolKind int

const (
	tolExact tolKind = iota
	tolAxpy
	tolULP
)

type vecSpec[T kernels.Float] struct {
	name    string
	srcs    int  // number of source slices
	scalar  bool // takes a scalar (alpha, s)
	inPlace bool // the destination is read too (Axpy's y, Scale's x)
	gen     genFn
	run     func(dst []T, src [][]T, s T)
	ref     func(dst []float64, src [][]float64, s float64)
	tol     tolKind
}

func vecSpecs[T kernels.Float]() []vecSpec[T] {
	bin := func(name string, k func(dst, a, b []T), ref func(dst, a, b []float64)) vecSpec[T] {
		return vecSpec[T]{name: name, srcs: 2, gen: genNormal,
			run: func(dst []T, src [][]T, _ T) { k(dst, src[0], src[1]) },
			ref: func(dst []float64, src [][]float64, _ float64) { ref(dst, src[0], src[1]) }}
	}
	un := func(name string, k func(dst, x []T), ref func(dst, x []float64), gen genFn, tol tolKind) vecSpec[T] {
		return vecSpec[T]{name: name, srcs: 1, gen: gen, tol: tol,
			run: func(dst []T, src [][]T, _ T) { k(dst, src[0]) },
			ref: func(dst []float64, src [][]float64, _ float64) { ref(dst, src[0]) }}
	}
	return []vecSpec[T]{
		bin("Add", kernels.Add[T], fuzz.Add),
		bin("Sub", kernels.Sub[T], fuzz.Sub),
		bin("Mul", kernels.Mul[T], fuzz.Mul),
		bin("Div", kernels.Div[T], fuzz.Div),
		{name: "AddScalar", srcs: 1, scalar: true, gen: genNormal,
			run: func(dst []T, src [][]T, s T) { kernels.AddScalar(dst, src[0], s) },
			ref: func(dst []float64, src [][]float64, s float64) { fuzz.AddScalar(dst, src[0], s) }},
		{name: "MulScalar", srcs: 1, scalar: true, gen: genNormal,
			run: func(dst []T, src [][]T, s T) { kernels.MulScalar(dst, src[0], s) },
			ref: func(dst []float64, src [][]float64, s float64) { fuzz.MulScalar(dst, src[0], s) }},
		{name: "Axpy", srcs: 1, scalar: true, inPlace: true, gen: genNormal, tol: tolAxpy,
			run: func(dst []T, src [][]T, s T) { kernels.Axpy(s, src[0], dst) },
			ref: func(dst []float64, src [][]float64, s float64) { fuzz.Axpy(s, src[0], dst) }},
		{name: "Scale", scalar: true, inPlace: true, gen: genNormal,
			run: func(dst []T, _ [][]T, s T) { kernels.Scale(s, dst) },
			ref: func(dst []float64, _ [][]float64, s float64) { fuzz.Scale(s, dst) }},
		un("ReLU", kernels.ReLU[T], fuzz.ReLU, genNormal, tolExact),
		{name: "ReLUGrad", srcs: 2, gen: genNormal,
			run: func(dst []T, src [][]T, _ T) { kernels.ReLUGrad(dst, src[0], src[1]) },
			ref: func(dst []float64, src [][]float64, _ float64) { fuzz.ReLUGrad(dst, src[0], src[1]) }},
		un("Exp", kernels.Exp[T], fuzz.Exp, genExp, tolULP),
		un("Log", kernels.Log[T], fuzz.Log, genLog, tolULP),
		un("Sigmoid", kernels.Sigmoid[T], fuzz.Sigmoid, genSigmoid, tolULP),
		un("Tanh", kernels.Tanh[T], fuzz.Tanh, genTanh, tolULP),
	}
}

// vecInputs are the operands of one elementwise call.
type vecInputs[T kernels.Float] struct {
	src   [][]T
	dst0  []T // initial destination (in-place kernels)
	s     T
	off   int
	alias int // -1, or the source that dst is (dst == src[alias]; for an in-place kernel dst0 then equals it)
}

func (in vecInputs[T]) describe(i int) string {
	var b strings.Builder
	for k, s := range in.src {
		fmt.Fprintf(&b, "src%d=%v ", k, s[i])
	}
	if in.dst0 != nil {
		fmt.Fprintf(&b, "dst=%v ", in.dst0[i])
	}
	fmt.Fprintf(&b, "s=%v alias=%d", in.s, in.alias)
	return b.String()
}

// runVec runs one elementwise call at every level and checks it against the
// reference and the generic level.
func runVec[T kernels.Float](rep *reporter, sp vecSpec[T], in vecInputs[T]) {
	n := len(in.dst0)
	if sp.srcs > 0 {
		n = len(in.src[0])
	}
	srcW := make([][]float64, len(in.src))
	for k, s := range in.src {
		srcW[k] = widen(s)
	}
	ref := make([]float64, n)
	if sp.inPlace {
		copy(ref, widen(in.dst0))
	}
	sp.ref(ref, srcW, float64(in.s))
	var generic []T
	eachLevel(rep.tb, func(l kernels.Level) {
		c := fuzz.Case{Kernel: sp.name, Level: string(l), Type: fuzz.TypeName[T](), N: n, Off: in.off}
		bufs := make([]guarded[T], len(in.src))
		src := make([][]T, len(in.src))
		for k := range in.src {
			bufs[k] = newGuarded(in.src[k], (in.off+5*k)%16)
			src[k] = bufs[k].s()
		}
		var dbuf guarded[T]
		switch {
		case in.alias >= 0:
			dbuf = bufs[in.alias]
		case sp.inPlace:
			dbuf = newGuarded(in.dst0, in.off)
		default:
			dbuf = newGuarded(make([]T, n), in.off)
			for i := range dbuf.s() {
				dbuf.s()[i] = sentinel[T]() // an unwritten element shows as a NaN
			}
		}
		sp.run(dbuf.s(), src, in.s)
		if rep.err(dbuf.intact(c.String() + " dst")) {
			return
		}
		for k := range bufs {
			if rep.err(bufs[k].intact(fmt.Sprintf("%v src%d", c, k))) {
				return
			}
			if k != in.alias && rep.err(bufs[k].unchanged(fmt.Sprintf("%v src%d", c, k), in.src[k])) {
				return
			}
		}
		got := dbuf.s()
		check := func(i int, input string) error {
			switch sp.tol {
			case tolAxpy:
				return fuzz.CheckAxpy(c, i, input, got[i], ref[i], float64(in.s)*srcW[0][i])
			case tolULP:
				return fuzz.CheckULP(c, i, input, got[i], ref[i], fuzz.TranscendentalULP[T](sp.name))
			}
			return fuzz.CheckExact(c, i, input, got[i], ref[i])
		}
		for i := 0; i < n; i++ {
			// Format the inputs only for a failure: fmt per element would
			// dominate the run time.
			if check(i, "") != nil && rep.err(check(i, in.describe(i))) {
				return
			}
		}
		if l == kernels.Generic {
			generic = append([]T(nil), got...)
			return
		}
		if generic == nil {
			return
		}
		c.Kernel += " vs generic"
		cross := func(i int, input string) error {
			switch sp.tol {
			case tolAxpy:
				prod := float64(in.s) * srcW[0][i]
				if math.IsInf(float64(T(prod)), 0) {
					return nil // one level may overflow the unfused product
				}
				bound := 2 * (fuzz.ULP[T](ref[i]) + fuzz.ULP[T](prod)/2)
				return fuzz.CheckAbs(c, i, input, got[i], float64(generic[i]), bound)
			case tolULP:
				return fuzz.CheckULP(c, i, input, got[i], float64(generic[i]), 2*fuzz.TranscendentalULP[T](sp.name))
			}
			return fuzz.CheckExact(c, i, input, got[i], float64(generic[i]))
		}
		for i := 0; i < n; i++ {
			if cross(i, "") != nil && rep.err(cross(i, in.describe(i))) {
				return
			}
		}
	})
}

// newVecInputs draws the operands of sp for one shape.
func newVecInputs[T kernels.Float](r *rand.Rand, sp vecSpec[T], sh shape, kind valueKind, alias int) vecInputs[T] {
	in := vecInputs[T]{off: sh.off, alias: -1}
	for k := 0; k < sp.srcs; k++ {
		in.src = append(in.src, genVals[T](r, sh.n, kind, sp.gen))
	}
	switch {
	case sp.inPlace && alias == 0 && sp.srcs > 0: // Axpy(alpha, y, y)
		in.dst0 = append([]T(nil), in.src[0]...)
		in.alias = 0
	case sp.inPlace:
		in.dst0 = genVals[T](r, sh.n, kind, sp.gen)
	case alias >= 0 && alias < sp.srcs:
		in.alias = alias
	}
	if sp.scalar {
		in.s = T(normalVal(r))
		if kind == kindSpecial || kind == kindSingle {
			sv := specials[T]()
			in.s = T(sv[r.IntN(len(sv))])
		}
	}
	return in
}

func testVec[T kernels.Float](t *testing.T) {
	r := rand.New(rand.NewPCG(1, uint64(unsafe.Sizeof(T(0)))))
	shs := shapes(r)
	for _, sp := range vecSpecs[T]() {
		t.Run(sp.name, func(t *testing.T) {
			rep := &reporter{tb: t}
			for i, sh := range shs {
				for _, kind := range kindsFor(i) {
					runVec(rep, sp, newVecInputs(r, sp, sh, kind, i%3-1))
					if rep.done() {
						return
					}
				}
			}
		})
	}
}

func TestElementwise(t *testing.T) {
	t.Run("float32", testVec[float32])
	t.Run("float64", testVec[float64])
}

// TestElementwiseStreamed runs the elementwise checks again with every
// call above the stream threshold (0 bytes), so that the non-temporal
// store path of the assembly levels, with its aligning head block, meets
// every length, offset, guard region and special value the cached path
// does.
func TestElementwiseStreamed(t *testing.T) {
	defer kernels.SetStreamThreshold(kernels.SetStreamThreshold(0))
	t.Run("float32", testVec[float32])
	t.Run("float64", testVec[float64])
}

// ---------------------------------------------------------------------------
// Reductions.

type redKind int

const (
	redSum redKind = iota
	redAsum
	redDot
	redNrm2
	redMax
	redMin
	redArgMax
	redArgMin
	numRed
)

var redNames = [...]string{"Sum", "Asum", "Dot", "Nrm2", "Max", "Min", "ArgMax", "ArgMin"}

// runRed runs one reduction at every level and checks it against the
// reference and the generic level. y is used by Dot only.
func runRed[T kernels.Float](rep *reporter, k redKind, x, y []T, off int) {
	n := len(x)
	if n == 0 && k >= redMax {
		return // undefined; the panic is tested in kernels/panic_test.go
	}
	xw, yw := widen(x), widen(y)
	var ref float64
	var refIdx int
	switch k {
	case redSum:
		ref = fuzz.Sum(xw)
	case redAsum:
		ref = fuzz.Asum(xw)
	case redDot:
		ref = fuzz.Dot(xw, yw)
	case redNrm2:
		ref = fuzz.Nrm2(xw)
	case redMax:
		ref = fuzz.Max(xw)
	case redMin:
		ref = fuzz.Min(xw)
	case redArgMax:
		refIdx = fuzz.ArgMax(xw)
	case redArgMin:
		refIdx = fuzz.ArgMin(xw)
	}
	var generic T
	eachLevel(rep.tb, func(l kernels.Level) {
		c := fuzz.Case{Kernel: redNames[k], Level: string(l), Type: fuzz.TypeName[T](), N: n, Off: off}
		xb, yb := newGuarded(x, off), newGuarded(y, (off+9)%16)
		var got T
		var idx int
		switch k {
		case redSum:
			got = kernels.Sum(xb.s())
		case redAsum:
			got = kernels.Asum(xb.s())
		case redDot:
			got = kernels.Dot(xb.s(), yb.s())
		case redNrm2:
			got = kernels.Nrm2(xb.s())
		case redMax:
			got = kernels.Max(xb.s())
		case redMin:
			got = kernels.Min(xb.s())
		case redArgMax:
			idx = kernels.ArgMax(xb.s())
		case redArgMin:
			idx = kernels.ArgMin(xb.s())
		}
		for _, e := range []error{xb.intact(c.String() + " x"), xb.unchanged(c.String()+" x", x),
			yb.intact(c.String() + " y"), yb.unchanged(c.String()+" y", y)} {
			if rep.err(e) {
				return
			}
		}
		var err error
		switch k {
		case redSum:
			err = fuzz.CheckSum(c, got, ref, xw)
		case redAsum:
			err = fuzz.CheckAsum(c, got, ref, xw)
		case redDot:
			err = fuzz.CheckDot(c, got, ref, xw, yw)
		case redNrm2:
			err = fuzz.CheckNrm2(c, got, ref)
		case redMax, redMin:
			err = fuzz.CheckEqual(c, got, ref)
		case redArgMax, redArgMin:
			err = fuzz.CheckIndex(c, idx, refIdx)
		}
		if rep.err(err) || k >= redArgMax {
			return // ArgMax/ArgMin: the index check is exact, nothing to add
		}
		if l == kernels.Generic {
			generic = got
			return
		}
		// Cross-level: both within the bound of the exact result, so within
		// twice the bound of each other (non-finite results must agree).
		c.Kernel += " vs generic"
		terms := absSum(xw, nil)
		if k == redDot {
			terms = absSum(xw, yw)
		}
		var bound float64
		switch k {
		case redSum, redAsum:
			bound = 2 * fuzz.SumBound[T](n, terms, ref, false)
		case redDot:
			bound = 2 * fuzz.SumBound[T](n, terms, ref, true)
		case redNrm2:
			bound = 2 * fuzz.Nrm2Bound[T](n, ref)
		}
		if (!isFinite(float64(got)) || !isFinite(float64(generic))) && terms >= 0.5*maxOf[T]() {
			return // near overflow one order may overflow (to ±Inf, or NaN) where another does not
		}
		rep.err(fuzz.CheckAbs(c, -1, "", got, float64(generic), bound))
	})
}

func absSum(x, y []float64) float64 {
	var s float64
	for i, v := range x {
		if y != nil {
			v *= y[i]
		}
		s += math.Abs(v)
	}
	return s
}

func isFinite(v float64) bool { return !math.IsInf(v, 0) && v == v }

func maxOf[T kernels.Float]() float64 {
	if is32[T]() {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

func testRed[T kernels.Float](t *testing.T) {
	r := rand.New(rand.NewPCG(2, uint64(unsafe.Sizeof(T(0)))))
	shs := shapes(r)
	for k := redKind(0); k < numRed; k++ {
		t.Run(redNames[k], func(t *testing.T) {
			rep := &reporter{tb: t}
			for i, sh := range shs {
				for _, kind := range kindsFor(i) {
					x := genVals[T](r, sh.n, kind, genNormal)
					var y []T
					if k == redDot {
						y = genVals[T](r, sh.n, kind, genNormal)
					}
					runRed(rep, k, x, y, sh.off)
					if rep.done() {
						return
					}
				}
			}
		})
	}
}

func TestReductions(t *testing.T) {
	t.Run("float32", testRed[float32])
	t.Run("float64", testRed[float64])
}

// TestReductionEdges: the cases the random draws reach only by luck.
func TestReductionEdges(t *testing.T) {
	t.Run("float32", testRedEdges[float32])
	t.Run("float64", testRedEdges[float64])
}

func testRedEdges[T kernels.Float](t *testing.T) {
	rep := &reporter{tb: t}
	huge, tiny := 1e300, 1e-300
	if is32[T]() {
		huge, tiny = 1e38, 1e-40
	}
	nan, inf := T(math.NaN()), T(math.Inf(1))
	fill := func(n int, v T) []T {
		x := make([]T, n)
		for i := range x {
			x[i] = v
		}
		return x
	}
	lengths := []int{1, 2, 3, 7, 8, 16, 17, 31, 64, 65, 100, 257}
	if testing.Short() {
		lengths = []int{1, 3, 8, 17, 65}
	}
	for _, n := range lengths {
		// Nrm2 near overflow and underflow: no spurious Inf or 0. 2^63
		// and 2^-64 are float32's edges for squares in float32 (four
		// squares of 2^63 overflow it, a square of 2^-64 is subnormal).
		for _, v := range []float64{huge, -huge, tiny, 0x1p-1074, 0x1p-149, 0x1p63, 0x1p-64, 0x1p-70} {
			runRed(rep, redNrm2, fill(n, T(v)), nil, n%16)
		}
		// A NaN or an extreme value at every position: tails and lanes.
		for pos := 0; pos < n; pos++ {
			x := fill(n, 1)
			for i := range x {
				x[i] = T(i%5) - 2
			}
			for _, v := range []T{nan, inf, -inf, T(huge), T(-huge)} {
				old := x[pos]
				x[pos] = v
				for k := redKind(0); k < numRed; k++ {
					var y []T
					if k == redDot {
						y = fill(n, 1)
					}
					runRed(rep, k, x, y, (pos+n)%16)
				}
				x[pos] = old
				if rep.done() {
					return
				}
			}
		}
		// Ties: the first of equal maxima, -0 against +0.
		z := fill(n, T(math.Copysign(0, -1)))
		z[n-1] = 0
		for _, k := range []redKind{redMax, redMin, redArgMax, redArgMin} {
			runRed(rep, k, z, nil, 3)
		}
		// +Inf and -Inf together: NaN for Sum; +Inf for Asum and Nrm2.
		if n >= 2 {
			x := fill(n, 1)
			x[0], x[n-1] = inf, -inf
			for _, k := range []redKind{redSum, redAsum, redNrm2} {
				runRed(rep, k, x, nil, 5)
			}
			// Inf·0 in Dot is NaN.
			y := fill(n, 1)
			y[0] = 0
			runRed(rep, redDot, x, y, 6)
		}
	}
}

// ---------------------------------------------------------------------------
// Softmax and LogSoftmax.

func runSoftmax[T kernels.Float](rep *reporter, log bool, x []T, cols, off int, alias bool) {
	name := "Softmax"
	run, ref := kernels.Softmax[T], fuzz.Softmax
	bounds := fuzz.SoftmaxBounds[T]
	if log {
		name = "LogSoftmax"
		run, ref, bounds = kernels.LogSoftmax[T], fuzz.LogSoftmax, fuzz.LogSoftmaxBounds[T]
	}
	n := len(x)
	xw := widen(x)
	want := make([]float64, n)
	ref(want, xw, cols)
	bound := make([]float64, 0, n)
	for r := 0; r < n; r += cols {
		bound = append(bound, bounds(xw[r:r+cols])...)
	}
	var generic []T
	eachLevel(rep.tb, func(l kernels.Level) {
		c := fuzz.Case{Kernel: fmt.Sprintf("%s cols=%d alias=%v", name, cols, alias), Level: string(l), Type: fuzz.TypeName[T](), N: n, Off: off}
		xb := newGuarded(x, off)
		db := xb
		if !alias {
			db = newGuarded(make([]T, n), (off+3)%16)
		}
		run(db.s(), xb.s(), cols)
		if rep.err(db.intact(c.String()+" dst")) || rep.err(xb.intact(c.String()+" x")) {
			return
		}
		if !alias && rep.err(xb.unchanged(c.String()+" x", x)) {
			return
		}
		got := db.s()
		in := func(i int) string { return fmt.Sprintf("x=%v row=%d col=%d", x[i], i/cols, i%cols) }
		for i := range got {
			if fuzz.CheckAbs(c, i, "", got[i], want[i], bound[i]) != nil && rep.err(fuzz.CheckAbs(c, i, in(i), got[i], want[i], bound[i])) {
				return
			}
		}
		if l == kernels.Generic {
			generic = append([]T(nil), got...)
			return
		}
		if generic == nil {
			return
		}
		c.Kernel += " vs generic"
		for i := range got {
			if fuzz.CheckAbs(c, i, "", got[i], float64(generic[i]), 2*bound[i]) != nil && rep.err(fuzz.CheckAbs(c, i, in(i), got[i], float64(generic[i]), 2*bound[i])) {
				return
			}
		}
	})
}

func testSoftmax[T kernels.Float](t *testing.T) {
	r := rand.New(rand.NewPCG(3, uint64(unsafe.Sizeof(T(0)))))
	colsList := []int{1, 2, 3, 10, 17, 64, 1000}
	for _, log := range []bool{false, true} {
		name := "Softmax"
		if log {
			name = "LogSoftmax"
		}
		t.Run(name, func(t *testing.T) {
			rep := &reporter{tb: t}
			for ci, cols := range colsList {
				rowsList := []int{0, 1, 2, 3, 5}
				if testing.Short() || cols >= 1000 {
					rowsList = []int{0, 1, 3}
				}
				for _, rows := range rowsList {
					for kind := valueKind(0); kind < numKinds+2; kind++ {
						var x []T
						switch {
						case kind == numKinds: // stability: rows around ±1000
							x = genVals[T](r, rows*cols, kindNormal, genNormal)
							for i := range x {
								x[i] += T(1000 * float64(1-2*((i/cols)%2)))
							}
						case kind == numKinds+1: // spread: most exps underflow
							x = genVals[T](r, rows*cols, kindNormal, func(r *rand.Rand, _ bool) float64 { return 200 * (r.Float64() - 0.5) })
						case kind == kindSpecial:
							// Specials in a few rows only, so the others stay finite.
							x = genVals[T](r, rows*cols, kindNormal, genNormal)
							for row := 0; row < rows; row += 2 {
								sp := specials[T]()
								x[row*cols+r.IntN(cols)] = T(sp[r.IntN(len(sp))])
							}
						default:
							x = genVals[T](r, rows*cols, kind, genNormal)
						}
						runSoftmax(rep, log, x, cols, (ci+rows+int(kind))%16, (rows+int(kind))%2 == 0)
						if rep.done() {
							return
						}
					}
				}
			}
		})
	}
}

func TestSoftmax(t *testing.T) {
	t.Run("float32", testSoftmax[float32])
	t.Run("float64", testSoftmax[float64])
}

// TestSoftmaxStable: rows of large values give the same probabilities as the
// shifted rows (exactly representable shifts), and never Inf or NaN.
func TestSoftmaxStable(t *testing.T) {
	eachLevel(t, func(l kernels.Level) {
		for _, cols := range []int{1, 2, 3, 10, 17, 64, 1000} {
			x := make([]float32, cols)
			sh := make([]float32, cols)
			for i := range x {
				sh[i] = float32(i%7) * 0.25
				x[i] = sh[i] + 1000
			}
			a, b := make([]float32, cols), make([]float32, cols)
			kernels.Softmax(a, x, cols)
			kernels.Softmax(b, sh, cols)
			for i := range a {
				if a[i] != b[i] || !(a[i] > 0) {
					t.Fatalf("%s cols=%d: Softmax(x+1000)[%d] = %v, Softmax(x)[%d] = %v", l, cols, i, a[i], i, b[i])
				}
			}
			kernels.LogSoftmax(a, x, cols)
			kernels.LogSoftmax(b, sh, cols)
			for i := range a {
				if a[i] != b[i] || math.IsInf(float64(a[i]), 0) || a[i] != a[i] {
					t.Fatalf("%s cols=%d: LogSoftmax(x+1000)[%d] = %v, LogSoftmax(x)[%d] = %v", l, cols, i, a[i], i, b[i])
				}
			}
		}
	})
}

// ---------------------------------------------------------------------------
// Cross-level agreement on larger random inputs (the per-case tests above
// compare every level with the generic one too).

func TestCrossLevel(t *testing.T) {
	if len(kernels.Available()) < 2 {
		t.Skip("only the generic level on this machine: nothing to compare")
	}
	t.Run("float32", testCross[float32])
	t.Run("float64", testCross[float64])
}

func testCross[T kernels.Float](t *testing.T) {
	r := rand.New(rand.NewPCG(4, uint64(unsafe.Sizeof(T(0)))))
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	rep := &reporter{tb: t}
	for range rounds {
		n := 301 + r.IntN(20000)
		off := r.IntN(16)
		for _, sp := range vecSpecs[T]() {
			runVec(rep, sp, newVecInputs(r, sp, shape{n, off}, kindNormal, r.IntN(3)-1))
		}
		for k := redKind(0); k < numRed; k++ {
			runRed(rep, k, genVals[T](r, n, kindNormal, genNormal), genVals[T](r, n, kindNormal, genNormal), off)
		}
		cols := 1 + r.IntN(300)
		runSoftmax(rep, false, genVals[T](r, cols*(1+r.IntN(8)), kindNormal, genNormal), cols, off, false)
		runSoftmax(rep, true, genVals[T](r, cols*(1+r.IntN(8)), kindNormal, genNormal), cols, off, true)
		if rep.done() {
			return
		}
	}
}
