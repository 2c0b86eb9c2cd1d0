package main

import "fmt"

// reduceKernel is a reduction: it reads one or two slices through R1, R2
// into accumulators V16-V23, in a main loop of `unroll` vectors per input,
// then a one-vector loop into V16; it then folds the accumulators into V16,
// folds V16's lanes pairwise into lane 0 (F16), and finishes the elements
// left over one at a time with scalar instructions, so nothing outside the
// slices is read.
type reduceKernel struct {
	name, doc, note string
	ins             []string
	ret             func(t typ) string // result type
	unroll          func(t typ) int    // vectors per input per main iteration
	acc             func(t typ) typ    // accumulator type (SumSq of float32: float64)
	init            func(f *fn, acc []int)
	// body folds vectors in[k][0..] into accumulators acc (len(acc) =
	// len(in[0]) in the main loop, 1 in the one-vector loop).
	body    func(f *fn, in [][]int, acc []int)
	combine string // Arm op folding two accumulators: FADD / FMAX / FMIN
	pair    string // pairwise lane fold: FADDP / FMAXP / FMINP
	// scalar folds F0 (and F8, the second input) into F16.
	scalar func(f *fn, t typ)
}

var accRegs = seq(16, 8)

func same(t typ) typ       { return t }
func eight(typ) int        { return 8 }
func retSame(t typ) string { return t.goTyp }

func zeroAcc(f *fn, acc []int) {
	for _, r := range acc {
		f.zero(r)
	}
}

// firstAcc fills every accumulator with x[0] (max and min of a non-empty
// slice start from an element, so no identity value is needed).
func firstAcc(f *fn, acc []int) {
	f.in("VLD1R (R1), [%s]", f.v(acc[0]))
	for _, r := range acc[1:] {
		f.in("VORR V%d.B16, V%d.B16, V%d.B16", acc[0], acc[0], r)
	}
}

func sumLike(name, doc, op string, abs bool, note string) reduceKernel {
	return reduceKernel{
		name: name, doc: doc, note: note, ins: []string{"x"},
		ret: retSame, unroll: eight, acc: same, init: zeroAcc,
		body: func(f *fn, in [][]int, acc []int) {
			for j := range acc {
				if abs {
					f.word("FABS", in[0][j], in[0][j], 0)
				}
				f.word(op, acc[j], acc[j], in[0][j])
			}
		},
		combine: "FADD", pair: "FADDP",
		scalar: func(f *fn, t typ) {
			if abs {
				f.in("FABS%s F0, F0", t.suf)
			}
			f.in("FADD%s F0, F16, F16", t.suf)
		},
	}
}

func extreme(name, op, pair, doc, note string) reduceKernel {
	return reduceKernel{
		name: name, doc: doc, note: note, ins: []string{"x"},
		ret: retSame, unroll: eight, acc: same, init: firstAcc,
		body: func(f *fn, in [][]int, acc []int) {
			for j := range acc {
				f.word(op, acc[j], acc[j], in[0][j])
			}
		},
		combine: op, pair: pair,
		scalar: func(f *fn, t typ) { f.in("%s%s F0, F16, F16", op, t.suf) },
	}
}

const noteSum = `Inner loop, per 8 vectors (32 float32 / 16 float64): 2 LD1 {4 regs}, 8 FADD
into 8 accumulators V16-V23 (inputs V0-V7). Per vector 1 load + 1 FADD. FADD
has 2-cycle latency: N1 (2 loads per cycle, 2 FP pipes) needs 4 independent
chains to add 2 vectors per cycle, V1 (3 loads per cycle) needs 6; 8 chains
keep both at their load limit.`

const noteAsum = `Inner loop, per 8 vectors: 2 LD1 {4 regs}, 8 FABS + 8 FADD into 8 accumulators.
Per vector 1 load + 2 FP ops, so FP-bound: 1 vector per cycle on N1 (2 FP
pipes; its loads would allow 2) and 2 on V1 (4 FP pipes; loads allow 3).
NEON has no FP absolute-accumulate, so the FABS cannot be folded away; the
8 chains of 2-cycle FADDs are more than either core needs.`

const noteExtreme = `Inner loop, per 8 vectors: 2 LD1 {4 regs}, 8 %s into 8 accumulators started at
x[0]. %s propagates NaN (any NaN operand gives NaN), which is the required
result; the ±0 tie may come out either sign. Per vector 1 load + 1 op of
2-cycle latency: as Sum, load-bound on N1 (2 per cycle) and V1 (3 per cycle).`

var reduceKernels = []reduceKernel{
	{
		name: "Dot", doc: "returns Σ x[i]*y[i] (fused multiply-adds, 8 partial sums); lengths are checked by the caller.",
		note: `Inner loop, per 8 vectors: 4 LD1 {4 regs} (x into V0-V7, y into V8-V15), 8 FMLA
into 8 accumulators V16-V23. Per vector 2 loads + 1 FMLA of 4-cycle latency:
N1 is load-bound at 1 FMLA per cycle, which needs 4 chains; V1 at 1.5 per
cycle needs 6; 8 chains keep both at their load limit.`,
		ins: []string{"x", "y"}, ret: retSame, unroll: eight, acc: same, init: zeroAcc,
		body: func(f *fn, in [][]int, acc []int) {
			for j := range acc {
				f.in("VFMLA %s, %s, %s", f.v(in[0][j]), f.v(in[1][j]), f.v(acc[j]))
			}
		},
		combine: "FADD", pair: "FADDP",
		scalar: func(f *fn, t typ) { f.in("FMADD%s F0, F16, F8, F16", t.suf) },
	},
	sumLike("Sum", "returns Σ x[i] (8 partial sums); lengths are checked by the caller.", "FADD", false, noteSum),
	sumLike("Asum", "returns Σ |x[i]| (8 partial sums); lengths are checked by the caller.", "FADD", true, noteAsum),
	{
		name: "SumSq", doc: "returns Σ x[i]², accumulated in float64 whatever the element type.",
		ins: []string{"x"}, ret: func(typ) string { return "float64" },
		unroll: func(t typ) int {
			if t.lanes == 4 {
				return 4 // each float32 vector widens to two float64 ones
			}
			return 8
		},
		acc:  func(typ) typ { return f64 },
		init: zeroAcc,
		body: func(f *fn, in [][]int, acc []int) {
			if f.t.lanes == 2 {
				for j := range acc {
					f.in("VFMLA %s, %s, %s", f.v(in[0][j]), f.v(in[0][j]), f.v(acc[j]))
				}
				return
			}
			// float32: widen each vector's halves to float64 in V8-V15.
			for j := range in[0] {
				f.word("FCVTL", 8+2*j, in[0][j], 0)
				f.word("FCVTL2", 9+2*j, in[0][j], 0)
			}
			for j := range 2 * len(in[0]) {
				r := fmt.Sprintf("V%d.D2", 8+j)
				f.in("VFMLA %s, %s, V%d.D2", r, r, acc[j%len(acc)])
			}
		},
		combine: "FADD", pair: "FADDP",
		scalar: func(f *fn, t typ) {
			if t.lanes == 4 {
				f.in("FCVTSD F0, F0")
			}
			f.in("FMADDD F0, F16, F0, F16")
		},
	},
	extreme("Max", "FMAX", "FMAXP", "returns the largest element, or NaN if any element is NaN; len(x) > 0.", fmt.Sprintf(noteExtreme, "FMAX", "FMAX (not FMAXNM)")),
	extreme("Min", "FMIN", "FMINP", "returns the smallest element, or NaN if any element is NaN; len(x) > 0.", fmt.Sprintf(noteExtreme, "FMIN", "FMIN (not FMINNM)")),
}

func init() {
	reduceKernels[3].note = `float64: inner loop, per 8 vectors: 2 LD1 {4 regs}, 8 FMLA (x*x) into 8
accumulators. Per vector 1 load + 1 FMLA: N1 runs 2 per cycle (load limit =
FMA limit), which with 4-cycle FMLAs needs exactly 8 chains; V1 would need
12 chains for its 3 loads per cycle, so it reaches 2 of 3.
float32 (summed in float64): per 4 vectors (16 elements): 1 LD1 {4 regs}, 4
FCVTL + 4 FCVTL2 into V8-V15, 8 FMLA .2D into 8 accumulators. Per input
vector 1 load + 4 FP ops: FP-bound, 0.5 vector per cycle on N1 and 1 on V1,
the price of exact float64 squares.`
}

func emitReduce(fl *file, k reduceKernel, t typ) {
	name := k.name + t.name + "NEON"
	var args []param
	for _, s := range k.ins {
		args = append(args, slice(s, t))
	}
	rt := k.ret(t)
	ret := &param{"ret", false, rt}
	note := k.note
	if t != f32 {
		note = "Same loops as " + k.name + "F32NEON, on float64 vectors of 2 lanes."
	}
	f := fl.function(name, t, name+" "+k.doc, note, args, ret)
	at := k.acc(t)
	af := &fn{b: f.b, t: at, off: f.off} // emitter for accumulator-typed ops
	ptr := []string{"R1", "R2"}
	for i, s := range k.ins {
		f.argPtr(s, ptr[i])
	}
	f.argLen(k.ins[0], "R4")
	u := k.unroll(t)
	acc := accRegs[:8]
	k.init(af, acc)
	in := [][]int{seq(0, u), seq(8, u)}
	load := func(regs []int, p string) {
		for i := 0; i < len(regs); i += 4 {
			r := regs[i:min(i+4, len(regs))]
			f.in("VLD1.P %d(%s), %s", 16*len(r), p, f.list(r))
		}
	}
	step := u * t.lanes
	f.in("CMP $%d, R4", step)
	f.in("BLT one")
	f.label("loop")
	for i := range k.ins {
		load(in[i], ptr[i])
	}
	k.body(f, in, acc[:8])
	f.in("SUB $%d, R4, R4", step)
	f.in("CMP $%d, R4", step)
	f.in("BGE loop")
	f.label("one")
	f.in("CMP $%d, R4", t.lanes)
	f.in("BLT fold")
	f.label("loop1")
	one := [][]int{{0}, {8}}
	for i := range k.ins {
		load(one[i], ptr[i])
	}
	oneAcc := acc[:1]
	if at.lanes != t.lanes {
		oneAcc = acc[:2] // a widened float32 vector feeds two accumulators
	}
	k.body(f, one, oneAcc)
	f.in("SUB $%d, R4, R4", t.lanes)
	f.in("CMP $%d, R4", t.lanes)
	f.in("BGE loop1")
	f.label("fold")
	for w := 1; w < len(acc); w *= 2 {
		for j := 0; j+w < len(acc); j += 2 * w {
			af.word(k.combine, acc[j], acc[j], acc[j+w])
		}
	}
	for l := at.lanes; l > 1; l /= 2 {
		af.word(k.pair, acc[0], acc[0], acc[0])
	}
	f.in("CBZ R4, done")
	f.label("loopt")
	for i := range k.ins {
		f.in("%s.P %d(%s), F%d", t.fmov, t.size, ptr[i], one[i][0])
	}
	k.scalar(f, t)
	f.in("SUBS $1, R4, R4")
	f.in("BNE loopt")
	f.label("done")
	rf := "FMOVS"
	if rt == "float64" {
		rf = "FMOVD"
	}
	f.in("%s F16, ret+%d(FP)", rf, f.off["ret"])
	f.in("RET")
}

const reduceDoc = `// Reductions for arm64 NEON (Advanced SIMD), float32 and float64: a main
// loop of 8 vectors per input into 8 accumulator vectors V16-V23 (4 for the
// widening float32 SumSq), a one-vector loop, a fold of the accumulators and
// of their lanes (pairwise FADDP/FMAXP/FMINP) into F16, and a scalar loop
// for the last elements, so no byte outside the slices is read. Vector FP
// instructions are WORDs from gen/arm64/enc.go with their Arm disassembly
// as a comment. Throughput figures are per 128-bit vector, from the
// Neoverse N1 and V1 software optimization guides (N1: 2 FP/SIMD pipes, 2
// loads of 16 bytes per cycle; V1: 4 FP/SIMD pipes, 3 loads per cycle).
`

func reduce() *file {
	fl := newFile(command, reduceDoc)
	for _, k := range reduceKernels {
		for _, t := range []typ{f32, f64} {
			emitReduce(fl, k, t)
		}
	}
	for _, t := range []typ{f32, f64} {
		emitIndex(fl, t)
	}
	return fl
}

const noteIndex = `Inner loop, per 4 vectors (16 float32 / 8 float64): 1 LD1 {4 regs}, 4
FCMEQ against m broadcast in V31, 3 ORR, the two halves of the result moved
to general registers, ORR and CBNZ: per vector 1 load and 1.75 SIMD ops, so
about 1 vector per cycle on N1 (2 FP/SIMD pipes) until the first block
that holds m, which the scalar loop then finds. The scalar loop also takes
the last elements, so nothing outside x is read. FCMEQ is an ordered
compare (+0 equals -0, NaN equals nothing), so a NaN m goes to a scalar
loop of its own that looks for x[i] != x[i].`

// emitIndex writes Index<T>NEON(x, m): the position of the first x[i] == m,
// or of the first NaN when m is NaN; len(x) when there is none. ArgMax and
// ArgMin call it after Max or Min.
func emitIndex(fl *file, t typ) {
	name := "Index" + t.name + "NEON"
	note := noteIndex
	if t != f32 {
		note = "Same loops as IndexF32NEON, on float64 vectors of 2 lanes."
	}
	f := fl.function(name, t, name+" returns the position of the first x[i] == m, or of the first NaN when m is NaN; len(x) when there is none.",
		note, []param{slice("x", t), scalar("m", t)}, &param{"ret", false, "int"})
	f.argPtr("x", "R1")
	f.argLen("x", "R4")
	f.in("MOVD R1, R5") // x's base, for the index
	f.broadcast("m", 31)
	f.in("FCMP%s F31, F31", t.suf)
	f.in("BVS nan") // unordered: m is NaN
	block := 4 * t.lanes
	f.label("loop")
	f.in("CMP $%d, R4", block)
	f.in("BLT scalar")
	f.in("VLD1 (R1), %s", f.list([]int{0, 1, 2, 3}))
	for r := 0; r < 4; r++ {
		f.word("FCMEQ", r, r, 31)
	}
	f.in("VORR V0.B16, V1.B16, V4.B16")
	f.in("VORR V2.B16, V3.B16, V5.B16")
	f.in("VORR V4.B16, V5.B16, V4.B16")
	f.in("VMOV V4.D[0], R6")
	f.in("VMOV V4.D[1], R7")
	f.in("ORR R6, R7, R6")
	f.in("CBNZ R6, scalar") // m is in this block: the scalar loop finds it
	f.in("ADD $%d, R1, R1", block*t.size)
	f.in("SUB $%d, R4, R4", block)
	f.in("B loop")
	f.label("scalar")
	f.in("CBZ R4, none")
	f.in("%s.P %d(R1), F0", t.fmov, t.size)
	f.in("FCMP%s F31, F0", t.suf)
	f.in("BEQ found")
	f.in("SUB $1, R4, R4")
	f.in("B scalar")
	f.label("nan")
	f.in("CBZ R4, none")
	f.in("%s.P %d(R1), F0", t.fmov, t.size)
	f.in("FCMP%s F0, F0", t.suf)
	f.in("BVS found")
	f.in("SUB $1, R4, R4")
	f.in("B nan")
	f.label("found")
	// R1 has passed the element found: its index is (R1-base)/size - 1.
	f.in("SUB R5, R1, R1")
	shift := 2
	if t.size == 8 {
		shift = 3
	}
	f.in("LSR $%d, R1, R1", shift)
	f.in("SUB $1, R1, R1")
	f.in("MOVD R1, ret+%d(FP)", f.off["ret"])
	f.in("RET")
	f.label("none")
	f.in("MOVD x_len+%d(FP), R1", f.off["x"]+8)
	f.in("MOVD R1, ret+%d(FP)", f.off["ret"])
	f.in("RET")
}
