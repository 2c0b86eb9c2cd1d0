package fuzz_test

// The fused optimizer updates (AdamStep, SGDStep, RMSpropStep, AdagradStep)
// and Clamp, at every available level, float32 and float64, against the
// references of update_reference.go within the running error bounds of
// tolerance.go. Every option combination runs at every shape of shapes()
// (lengths 0..300, offsets 0..15, a few long vectors), each slice in its own
// NaN-guarded buffer at its own offset, for several steps in a row: each
// step's reference starts from the state the kernel left (so errors are
// judged per step, not compounded), with a fresh gradient each step. The
// gradient and any slice an option leaves unused must come back unchanged,
// bit for bit.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/descentlab/descent/fuzz"
	"github.com/descentlab/descent/kernels"
)

const updateSteps = 3

// updCall is one kernel with its options fixed: the slices it takes, their
// initial values, the kernel call and the reference.
type updCall[T kernels.Float] struct {
	name  string
	names []string // [0] is p, [1] is g (read only)
	init  [][]T    // initial values; a nil entry is passed as nil
	newG  func() []T
	run   func(s [][]T, t int)
	// ref returns the error bounds of each slice's outputs at the inputs
	// s (nil: the slice must come back unchanged) and then runs the
	// reference step t on s in place.
	ref func(s [][]float64, t int) [][]float64
}

func runUpdate[T kernels.Float](rep *reporter, level kernels.Level, call updCall[T], n, off int) {
	bufs := make([]guarded[T], len(call.init))
	sl := make([][]T, len(call.init))
	for k, v := range call.init {
		if v != nil {
			bufs[k] = newGuarded(v, (off+5*k)%16)
			sl[k] = bufs[k].s()
		}
	}
	for t := 1; t <= updateSteps; t++ {
		if t > 1 {
			copy(sl[1], call.newG())
		}
		c := fuzz.Case{Kernel: fmt.Sprintf("%s step %d", call.name, t), Level: string(level), Type: fuzz.TypeName[T](), N: n, Off: off}
		before := make([][]T, len(sl))
		ref := make([][]float64, len(sl))
		for k, s := range sl {
			if s != nil {
				before[k] = append([]T{}, s...)
				ref[k] = widen(s)
			}
		}
		call.run(sl, t)
		bounds := call.ref(ref, t)
		describe := func(i int) string {
			var b strings.Builder
			for k, s := range before {
				if s != nil {
					fmt.Fprintf(&b, "%s=%v ", call.names[k], s[i])
				}
			}
			return strings.TrimSpace(b.String())
		}
		for k, s := range sl {
			if s == nil {
				continue
			}
			name := c.String() + " " + call.names[k]
			if rep.err(bufs[k].intact(name)) {
				return
			}
			if bounds[k] == nil {
				if rep.err(bufs[k].unchanged(name, before[k])) {
					return
				}
				continue
			}
			for i, v := range s {
				if err := fuzz.CheckUpdate(c, i, "", v, ref[k][i], bounds[k][i]); err != nil {
					err = fuzz.CheckUpdate(c, i, describe(i), v, ref[k][i], bounds[k][i])
					rep.err(fmt.Errorf("%s: %w", call.names[k], err))
					return
				}
			}
		}
		if rep.done() {
			return
		}
	}
}

// ---------------------------------------------------------------------------
// Values: realistic magnitudes of parameters, gradients and state, with
// the kinds of kernels_test.go mapped onto them (special values in p and g,
// tiny gradients whose squares underflow, huge ones whose squares overflow).

type updGen struct {
	r    *rand.Rand
	kind valueKind
	f32  bool
	sp   []float64
}

// updVals draws n values of magnitude about scale (squares of such values if
// square, for second moments), special ones where the kind asks.
func updVals[T kernels.Float](ug updGen, n int, scale float64, square, special bool) []T {
	switch ug.kind {
	case kindTiny:
		if ug.f32 {
			scale *= 0x1p-60
		} else {
			scale *= 0x1p-500
		}
	case kindHuge:
		if ug.f32 {
			scale *= 0x1p60
		} else {
			scale *= 0x1p500
		}
	}
	out := make([]T, n)
	for i := range out {
		v := normalVal(ug.r) * scale
		if square {
			v *= v * (0.5 + ug.r.Float64())
		}
		if special && (ug.kind == kindSpecial && ug.r.IntN(5) == 0 || ug.kind == kindSingle && i == n/2) {
			v = ug.sp[ug.r.IntN(len(ug.sp))]
			if square {
				v = math.Abs(v)
			}
		}
		out[i] = T(v)
	}
	return out
}

func updPick(r *rand.Rand, common float64, lo, hi float64) float64 {
	if r.IntN(2) == 0 {
		return common
	}
	return lo + (hi-lo)*r.Float64()
}

func updName(base string, flags ...string) string {
	var on []string
	for i := 0; i+1 < len(flags); i += 2 {
		if flags[i+1] != "" {
			on = append(on, flags[i])
		}
	}
	return base + "(" + strings.Join(on, ",") + ")"
}

func updFlag(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// ---------------------------------------------------------------------------
// The calls.

func adamCall[T kernels.Float](ug updGen, n int, wd, adamw, ams bool) updCall[T] {
	r := ug.r
	a := kernels.AdamArgs[T]{
		Beta1: T(updPick(r, 0.9, 0, 1)), Beta2: T(updPick(r, 0.999, 0.5, 1)),
		Eps: T(updPick(r, 1e-8, 1e-6, 1e-3)), Decay: 1,
	}
	lr := updPick(r, 1e-3, 1e-4, 0.5)
	if wd {
		a.WeightDecay = T(updPick(r, 1e-2, 1e-4, 1))
	}
	if adamw {
		a.Decay = T(1 - lr*updPick(r, 1e-2, 1e-4, 1))
	}
	args := func(t int) kernels.AdamArgs[T] {
		a := a
		a.StepSize = T(lr / (1 - math.Pow(float64(a.Beta1), float64(t))))
		a.BC2Sqrt = T(math.Sqrt(1 - math.Pow(float64(a.Beta2), float64(t))))
		return a
	}
	init := [][]T{updVals[T](ug, n, 1, false, true), updVals[T](ug, n, 1.0/16, false, true),
		updVals[T](ug, n, 1.0/64, false, true), updVals[T](ug, n, 1.0/16, true, true), nil}
	if ams {
		init[4] = updVals[T](ug, n, 1.0/16, true, true)
	}
	return updCall[T]{
		name:  updName("AdamStep", "wd", updFlag(wd), "decoupled", updFlag(adamw), "amsgrad", updFlag(ams)),
		names: []string{"p", "g", "m", "v", "vmax"},
		init:  init,
		newG:  func() []T { return updVals[T](ug, n, 1.0/16, false, true) },
		run: func(s [][]T, t int) {
			kernels.AdamStep(s[0], s[1], s[2], s[3], s[4], args(t))
		},
		ref: func(s [][]float64, t int) [][]float64 {
			a := args(t)
			o := fuzz.AdamOpts{Beta1: float64(a.Beta1), Beta2: float64(a.Beta2), Eps: float64(a.Eps),
				WeightDecay: float64(a.WeightDecay), Decay: float64(a.Decay), StepSize: float64(a.StepSize), BC2Sqrt: float64(a.BC2Sqrt)}
			bp, bm, bv, bvmax := fuzz.AdamBounds[T](s[0], s[1], s[2], s[3], s[4], o)
			fuzz.Adam(s[0], s[1], s[2], s[3], s[4], o)
			return [][]float64{bp, nil, bm, bv, bvmax}
		},
	}
}

func sgdCall[T kernels.Float](ug updGen, n int, wd, momentum, nesterov, unusedBuf bool) updCall[T] {
	r := ug.r
	a := kernels.SGDArgs[T]{LR: T(updPick(r, 1e-2, 1e-4, 1)), Nesterov: nesterov}
	if wd {
		a.WeightDecay = T(updPick(r, 1e-2, 1e-4, 1))
	}
	if momentum {
		a.Momentum = T(updPick(r, 0.9, 0.01, 1))
		if !nesterov && r.IntN(2) == 0 {
			a.Dampening = T(updPick(r, 0.1, 0, 1))
		}
	}
	args := func(t int) kernels.SGDArgs[T] {
		a := a
		a.First = t == 1
		return a
	}
	init := [][]T{updVals[T](ug, n, 1, false, true), updVals[T](ug, n, 1.0/16, false, true), nil}
	if momentum || unusedBuf {
		// With momentum the first step overwrites buf: its initial
		// values only matter (and must be ignored) on step 1.
		init[2] = updVals[T](ug, n, 1.0/16, false, true)
	}
	return updCall[T]{
		name:  updName("SGDStep", "wd", updFlag(wd), "momentum", updFlag(momentum), "nesterov", updFlag(nesterov), "unused-buf", updFlag(unusedBuf)),
		names: []string{"p", "g", "buf"},
		init:  init,
		newG:  func() []T { return updVals[T](ug, n, 1.0/16, false, true) },
		run:   func(s [][]T, t int) { kernels.SGDStep(s[0], s[1], s[2], args(t)) },
		ref: func(s [][]float64, t int) [][]float64 {
			a := args(t)
			o := fuzz.SGDOpts{LR: float64(a.LR), Momentum: float64(a.Momentum), Dampening: float64(a.Dampening),
				WeightDecay: float64(a.WeightDecay), Nesterov: a.Nesterov, First: a.First}
			bp, bbuf := fuzz.SGDBounds[T](s[0], s[1], s[2], o)
			fuzz.SGD(s[0], s[1], s[2], o)
			return [][]float64{bp, nil, bbuf}
		},
	}
}

func rmspropCall[T kernels.Float](ug updGen, n int, wd, centered, momentum, unused bool) updCall[T] {
	r := ug.r
	a := kernels.RMSpropArgs[T]{LR: T(updPick(r, 1e-2, 1e-4, 1)), Alpha: T(updPick(r, 0.99, 0.5, 1)),
		Eps: T(updPick(r, 1e-8, 1e-6, 1e-3)), Centered: centered}
	if wd {
		a.WeightDecay = T(updPick(r, 1e-2, 1e-4, 1))
	}
	if momentum {
		a.Momentum = T(updPick(r, 0.9, 0.01, 1))
	}
	init := [][]T{updVals[T](ug, n, 1, false, true), updVals[T](ug, n, 1.0/16, false, true),
		updVals[T](ug, n, 1.0/16, true, true), nil, nil}
	if centered || unused {
		ga := updVals[T](ug, n, 1.0/16, false, true)
		if centered {
			// sq ≥ gavg², as the running averages keep it.
			for i, v := range ga {
				init[2][i] = T(float64(v)*float64(v)*(1.5+r.Float64())) + init[2][i]
			}
		}
		init[3] = ga
	}
	if momentum || unused {
		init[4] = updVals[T](ug, n, 1.0/16, false, true)
	}
	return updCall[T]{
		name:  updName("RMSpropStep", "wd", updFlag(wd), "centered", updFlag(centered), "momentum", updFlag(momentum), "unused-state", updFlag(unused)),
		names: []string{"p", "g", "sq", "gavg", "buf"},
		init:  init,
		newG:  func() []T { return updVals[T](ug, n, 1.0/16, false, true) },
		run:   func(s [][]T, _ int) { kernels.RMSpropStep(s[0], s[1], s[2], s[3], s[4], a) },
		ref: func(s [][]float64, _ int) [][]float64 {
			o := fuzz.RMSpropOpts{LR: float64(a.LR), Alpha: float64(a.Alpha), Eps: float64(a.Eps),
				WeightDecay: float64(a.WeightDecay), Momentum: float64(a.Momentum), Centered: centered}
			gavg, buf := s[3], s[4]
			if !centered {
				gavg = nil
			}
			if !momentum {
				buf = nil
			}
			bp, bsq, bgavg, bbuf := fuzz.RMSpropBounds[T](s[0], s[1], s[2], gavg, buf, o)
			fuzz.RMSprop(s[0], s[1], s[2], gavg, buf, o)
			return [][]float64{bp, nil, bsq, bgavg, bbuf}
		},
	}
}

func adagradCall[T kernels.Float](ug updGen, n int, wd bool) updCall[T] {
	r := ug.r
	a := kernels.AdagradArgs[T]{LR: T(updPick(r, 1e-2, 1e-4, 1)), Eps: T(updPick(r, 1e-10, 1e-8, 1e-3))}
	if wd {
		a.WeightDecay = T(updPick(r, 1e-2, 1e-4, 1))
	}
	sum := updVals[T](ug, n, 1.0/16, true, true)
	if r.IntN(3) == 0 {
		clear(sum) // initial_accumulator_value = 0
	}
	return updCall[T]{
		name:  updName("AdagradStep", "wd", updFlag(wd)),
		names: []string{"p", "g", "sum"},
		init:  [][]T{updVals[T](ug, n, 1, false, true), updVals[T](ug, n, 1.0/16, false, true), sum},
		newG:  func() []T { return updVals[T](ug, n, 1.0/16, false, true) },
		run:   func(s [][]T, _ int) { kernels.AdagradStep(s[0], s[1], s[2], a) },
		ref: func(s [][]float64, _ int) [][]float64 {
			o := fuzz.AdagradOpts{LR: float64(a.LR), Eps: float64(a.Eps), WeightDecay: float64(a.WeightDecay)}
			bp, bsum := fuzz.AdagradBounds[T](s[0], s[1], s[2], o)
			fuzz.Adagrad(s[0], s[1], s[2], o)
			return [][]float64{bp, nil, bsum}
		},
	}
}

// updateCalls returns every option combination of every update kernel.
func updateCalls[T kernels.Float](ug updGen, n int) []updCall[T] {
	var out []updCall[T]
	for _, wd := range []bool{false, true} {
		for _, adamw := range []bool{false, true} {
			for _, ams := range []bool{false, true} {
				out = append(out, adamCall[T](ug, n, wd, adamw, ams))
			}
		}
		for _, unused := range []bool{false, true} {
			out = append(out, sgdCall[T](ug, n, wd, false, false, unused))
		}
		for _, nesterov := range []bool{false, true} {
			out = append(out, sgdCall[T](ug, n, wd, true, nesterov, false))
		}
		for _, centered := range []bool{false, true} {
			for _, momentum := range []bool{false, true} {
				out = append(out, rmspropCall[T](ug, n, wd, centered, momentum, !centered && !momentum && n%2 == 0))
			}
		}
		out = append(out, adagradCall[T](ug, n, wd))
	}
	return out
}

func testUpdate[T kernels.Float](t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	rep := &reporter{tb: t}
	shs := shapes(r)
	eachLevel(t, func(l kernels.Level) {
		for i, sh := range shs {
			for _, kind := range updKinds(i, sh.n) {
				ug := updGen{r: rand.New(rand.NewPCG(seed, uint64(i)<<8|uint64(kind))), kind: kind, f32: is32[T](), sp: specials[T]()}
				for _, call := range updateCalls[T](ug, sh.n) {
					runUpdate(rep, l, call, sh.n, sh.off)
					if rep.done() {
						return
					}
				}
			}
		}
	})
}

// updKinds: realistic values always, and one other kind in turn; for the
// long vectors (which only add more of the same main-loop iterations) one
// kind in turn.
func updKinds(i, n int) []valueKind {
	others := []valueKind{kindSpecial, kindSingle, kindTiny, kindHuge}
	if n > 300 {
		return []valueKind{append(others, kindNormal)[i%(len(others)+1)]}
	}
	return []valueKind{kindNormal, others[i%len(others)]}
}

func TestUpdate(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testUpdate[float32](t, 1) })
	t.Run("float64", func(t *testing.T) { testUpdate[float64](t, 2) })
}

// ---------------------------------------------------------------------------
// Clamp: exact (a selection), NaN stays NaN, dst may be x.

func runClamp[T kernels.Float](rep *reporter, x []T, lo, hi T, off int, inPlace bool) {
	ref := make([]float64, len(x))
	fuzz.Clamp(ref, widen(x), float64(lo), float64(hi))
	eachLevel(rep.tb, func(l kernels.Level) {
		c := fuzz.Case{Kernel: fmt.Sprintf("Clamp(lo=%v,hi=%v,inplace=%v)", lo, hi, inPlace), Level: string(l), Type: fuzz.TypeName[T](), N: len(x), Off: off}
		xb := newGuarded(x, off)
		db := xb
		if !inPlace {
			db = newGuarded(make([]T, len(x)), (off+3)%16)
		}
		kernels.Clamp(db.s(), xb.s(), lo, hi)
		if rep.err(db.intact(c.String()+" dst")) || rep.err(xb.intact(c.String()+" x")) {
			return
		}
		if !inPlace && rep.err(xb.unchanged(c.String()+" x", x)) {
			return
		}
		for i, v := range db.s() {
			want := ref[i]
			if !(float64(v) == want || v != v && want != want) {
				rep.err(&fuzz.Mismatch{Case: c, Index: i, Input: fmt.Sprint(x[i]), Got: float64(v), Want: want, Bound: "must be equal (a selection)"})
				return
			}
		}
	})
}

func testClamp[T kernels.Float](t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 9))
	rep := &reporter{tb: t}
	sp := specials[T]()
	for i, sh := range shapes(r) {
		for _, kind := range kindsFor(i) {
			x := genVals[T](r, sh.n, kind, genNormal)
			var lo, hi T
			switch i % 4 {
			case 0:
				lo, hi = -1, 1
			case 1:
				lo = T(normalVal(r))
				hi = lo
			case 2:
				lo, hi = T(math.Inf(-1)), T(sp[r.IntN(len(sp))])
				if hi != hi {
					hi = T(math.Inf(1))
				}
			default:
				a, b := T(normalVal(r)), T(normalVal(r))
				lo, hi = min(a, b), max(a, b)
			}
			runClamp(rep, x, lo, hi, sh.off, i%3 == 0)
			if rep.done() {
				return
			}
		}
	}
}

func TestClamp(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testClamp[float32](t, 3) })
	t.Run("float64", func(t *testing.T) { testClamp[float64](t, 4) })
}

// TestClampStreamed is TestClamp with every call on the non-temporal store
// path (see TestElementwiseStreamed).
func TestClampStreamed(t *testing.T) {
	defer kernels.SetStreamThreshold(kernels.SetStreamThreshold(0))
	t.Run("float32", func(t *testing.T) { testClamp[float32](t, 5) })
	t.Run("float64", func(t *testing.T) { testClamp[float64](t, 6) })
}

// ---------------------------------------------------------------------------
// Argument checks: every length and partial overlap is reported, naming the
// argument; the same slice twice and unused nil slices are accepted.

func TestUpdateArgs(t *testing.T) {
	mustPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			t.Helper()
			e := recover()
			if e == nil {
				t.Errorf("%s: no panic, want one containing %q", name, want)
				return
			}
			if msg := fmt.Sprint(e); !strings.Contains(msg, want) {
				t.Errorf("%s: panic %q, want one containing %q", name, msg, want)
			}
		}()
		f()
	}
	mk := func(n int) []float32 { return make([]float32, n) }
	buf := mk(64)
	p, g, m, v := buf[0:10], buf[10:20], buf[20:30], buf[30:40]
	var aa kernels.AdamArgs[float32]
	mustPanic("adam g", "len(g)=3 != len(p)=10", func() { kernels.AdamStep(p, mk(3), m, v, nil, aa) })
	mustPanic("adam v", "len(v)=9 != len(p)=10", func() { kernels.AdamStep(p, g, m, mk(9), nil, aa) })
	mustPanic("adam vmax", "len(vmax)=0 != len(p)=10", func() { kernels.AdamStep(p, g, m, v, mk(0), aa) })
	mustPanic("adam overlap", "m partially overlaps p", func() { kernels.AdamStep(p, g, buf[5:15], v, nil, aa) })
	mustPanic("adam overlap vmax", "vmax partially overlaps v", func() { kernels.AdamStep(p, g, m, v, buf[35:45], aa) })
	mustPanic("sgd buf", "len(buf)=0 != len(p)=10", func() {
		kernels.SGDStep(p, g, nil, kernels.SGDArgs[float32]{Momentum: 0.9})
	})
	mustPanic("sgd g", "len(g)=11 != len(p)=10", func() { kernels.SGDStep(p, mk(11), nil, kernels.SGDArgs[float32]{}) })
	mustPanic("rmsprop gavg", "len(gavg)=0 != len(p)=10", func() {
		kernels.RMSpropStep(p, g, m, nil, nil, kernels.RMSpropArgs[float32]{Centered: true})
	})
	mustPanic("rmsprop buf overlap", "buf partially overlaps gavg", func() {
		kernels.RMSpropStep(p, g, m, v, buf[31:41], kernels.RMSpropArgs[float32]{Centered: true, Momentum: 0.5})
	})
	mustPanic("adagrad sum", "len(sum)=2 != len(p)=10", func() { kernels.AdagradStep(p, g, mk(2), kernels.AdagradArgs[float32]{}) })
	mustPanic("adagrad overlap", "sum partially overlaps g", func() {
		kernels.AdagradStep(p, g, buf[19:29], kernels.AdagradArgs[float32]{})
	})
	mustPanic("clamp bounds", "lo <= hi", func() { kernels.Clamp(p, p, 1, 0) })
	mustPanic("clamp NaN", "lo <= hi", func() { kernels.Clamp(p, p, float32(math.NaN()), 0) })
	mustPanic("clamp len", "len(x)=3", func() { kernels.Clamp(p, mk(3), 0, 1) })

	// Accepted: unused slices of any length, identical slices, empty p.
	kernels.SGDStep(p, g, mk(3), kernels.SGDArgs[float32]{})
	kernels.RMSpropStep(p, g, m, mk(1), nil, kernels.RMSpropArgs[float32]{})
	kernels.AdamStep(p, p, m, v, nil, aa)
	kernels.AdamStep(nil, nil, nil, nil, nil, aa)
	kernels.SGDStep(nil, nil, nil, kernels.SGDArgs[float32]{Momentum: 0.9})
	kernels.Clamp(p, p, 0, 0)
}

// TestUpdateStateNoSubnormals: once the gradients stop, the optimizer state
// decays to exactly 0 at every level instead of getting stuck among the
// subnormals (which x86 computes with slowly); see kernels/update.go.
func TestUpdateStateNoSubnormals(t *testing.T) {
	testStateFlush[float32](t, 0x1p-126)
	testStateFlush[float64](t, 0x1p-1022)
}

func testStateFlush[T kernels.Float](t *testing.T, tiny float64) {
	defer kernels.SetISA(kernels.ISA())
	const n = 37 // full vectors and a tail
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			t.Fatal(err)
		}
		p, g := make([]T, n), make([]T, n)
		m, v, vmax, buf, sq, gavg, mbuf := make([]T, n), make([]T, n), make([]T, n), make([]T, n), make([]T, n), make([]T, n), make([]T, n)
		adam := kernels.AdamArgs[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Decay: 1, StepSize: 1e-3, BC2Sqrt: 1}
		sgd := kernels.SGDArgs[T]{LR: 1e-3, Momentum: 0.9}
		rms := kernels.RMSpropArgs[T]{LR: 1e-3, Alpha: 0.5, Eps: 1e-8, Momentum: 0.5, Centered: true}
		for step := 0; step < 12000; step++ {
			for i := range g {
				g[i] = 0
				if step < 10 {
					g[i] = T(1e-3 * float64(i+1))
				}
			}
			kernels.AdamStep(p, g, m, v, vmax, adam)
			kernels.SGDStep(p, g, buf, sgd)
			kernels.RMSpropStep(p, g, sq, gavg, mbuf, rms)
		}
		for name, s := range map[string][]T{"Adam m": m, "SGD buf": buf, "RMSprop gavg": gavg, "RMSprop buf": mbuf, "RMSprop sq": sq} {
			for i, x := range s {
				if x != 0 && math.Abs(float64(x)) < tiny {
					t.Errorf("level %s %T: %s[%d] = %g is subnormal", l, x, name, i, x)
				}
				if x != 0 {
					t.Errorf("level %s %T: %s[%d] = %g, want 0 after 12000 steps without gradient", l, x, name, i, x)
				}
			}
		}
	}
}
