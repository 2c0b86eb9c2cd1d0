package main

import "fmt"

// streamKernel is a streaming elementwise kernel: it reads its input slices
// through R1, R2 and writes its output through R0, one element stream each,
// in three loops that share one body: four vectors per iteration, then one
// vector, then one element at a time (a scalar FMOVS/FMOVD load fills lane
// 0 and zeroes the others; only lane 0 is stored), so nothing outside the
// slices is read or written.
type streamKernel struct {
	name string
	doc  string // Go doc comment after the function name
	note string // instruction mix, emitted above the TEXT
	args func(t typ) []param
	ins  []string // slices read, in pointer order R1, R2
	out  string   // slice written through R0
	n    string   // slice whose length is the element count
	// unroll is the vectors per main-loop iteration (nil: streamUnroll).
	unroll func(t typ) int
	setup  func(f *fn)
	// body computes one group of vectors: in[k][j] holds vector j of input
	// k, tmp are scratch registers; it returns the registers to store.
	body func(f *fn, in [][]int, tmp []int) []int
}

const streamUnroll = 4

// Register use: inputs V0-V3 and V4-V7, scratch V8-V11, results V16-V19,
// broadcast scalar V31.
func streamRegs(u int) (in [][]int, tmp, out []int) {
	in = [][]int{seq(0, u), seq(4, u)}
	return in, seq(8, u), seq(16, u)
}

func seq(from, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = from + i
	}
	return s
}

// binary returns a kernel dst[i] = a[i] op b[i].
func binary(name, sym, op, note string) streamKernel {
	return streamKernel{
		name: name, doc: fmt.Sprintf("sets dst[i] = a[i] %s b[i]; lengths are checked by the caller.", sym), note: note,
		args: func(t typ) []param { return []param{slice("dst", t), slice("a", t), slice("b", t)} },
		ins:  []string{"a", "b"}, out: "dst", n: "dst",
		body: func(f *fn, in [][]int, _ []int) []int {
			_, _, out := streamRegs(len(in[0]))
			for j := range in[0] {
				f.word(op, out[j], in[0][j], in[1][j])
			}
			return out
		},
	}
}

// withScalar returns a kernel dst[i] = a[i] op s.
func withScalar(name, sym, op, note string) streamKernel {
	return streamKernel{
		name: name, doc: fmt.Sprintf("sets dst[i] = a[i] %s s; lengths are checked by the caller.", sym), note: note,
		args: func(t typ) []param { return []param{slice("dst", t), slice("a", t), scalar("s", t)} },
		ins:  []string{"a"}, out: "dst", n: "dst",
		setup: func(f *fn) { f.broadcast("s", 31) },
		body: func(f *fn, in [][]int, _ []int) []int {
			_, _, out := streamRegs(len(in[0]))
			for j := range in[0] {
				f.word(op, out[j], in[0][j], 31)
			}
			return out
		},
	}
}

const noteBinary = `Inner loop, per 4 vectors (16 float32 / 8 float64): 2 LD1 {4 regs} (8 q-loads),
4 %s, 1 ST1 {4 regs} (4 q-stores), 3 integer ops. Registers V0-V7 in, V16-V19 out.
Per vector 2 loads + 1 store + 1 FP op: a Neoverse N1 loads 2 and stores 1
q-register per cycle, so 1 vector per cycle, at its load and store limits,
with 1 of its 2 FP pipes busy; a V1 (3 loads, 2 stores, 4 FP pipes) is
load-bound at 1.5 vectors per cycle. The 3 integer ops go to separate pipes.`

const noteDiv = `Inner loop, per 4 vectors: 2 LD1 {4 regs}, 4 FDIV, 1 ST1 {4 regs}.
FDIV is not pipelined on N1/V1 (one vector divide every several cycles), so
this loop runs at the divider's throughput, far below the load/store limit;
four independent divides per iteration keep the divider busy back to back.`

const noteScalar = `Inner loop, per 4 vectors: 1 LD1 {4 regs}, 4 %s with the broadcast scalar
in V31, 1 ST1 {4 regs}. Per vector 1 load + 1 store + 1 FP op: store-bound
at 1 vector per cycle on N1 (1 store per cycle), 2 per cycle on V1; loads
and FP pipes have room to spare.`

var elementwiseKernels = []streamKernel{
	binary("Add", "+", "FADD", fmt.Sprintf(noteBinary, "FADD")),
	binary("Sub", "-", "FSUB", fmt.Sprintf(noteBinary, "FSUB")),
	binary("Mul", "*", "FMUL", fmt.Sprintf(noteBinary, "FMUL")),
	binary("Div", "/", "FDIV", noteDiv),
	withScalar("AddScalar", "+", "FADD", fmt.Sprintf(noteScalar, "FADD")),
	withScalar("MulScalar", "*", "FMUL", fmt.Sprintf(noteScalar, "FMUL")),
	{
		name: "Axpy", doc: "sets y[i] += alpha*x[i] with one rounding (FMLA); lengths are checked by the caller.",
		note: `Inner loop, per 4 vectors: 2 LD1 {4 regs} (x, y), 4 FMLA (V4-V7 += V0-V3 * V31),
1 ST1 {4 regs} back to y. Per vector 2 loads + 1 store + 1 FMLA, as Add:
1 vector per cycle on N1 (load and store limits), 1.5 on V1 (load limit).
The FMLAs are independent, so their 4-cycle latency is hidden by the
out-of-order window; y is read through R2 and written through R0.`,
		args: func(t typ) []param { return []param{scalar("alpha", t), slice("x", t), slice("y", t)} },
		ins:  []string{"x", "y"}, out: "y", n: "x",
		setup: func(f *fn) { f.broadcast("alpha", 31) },
		body: func(f *fn, in [][]int, _ []int) []int {
			for j := range in[0] {
				f.in("VFMLA %s, %s, %s", f.v(31), f.v(in[0][j]), f.v(in[1][j]))
			}
			return in[1]
		},
	},
	{
		name: "Scale", doc: "sets x[i] *= alpha; lengths are checked by the caller.",
		note: fmt.Sprintf(noteScalar, "FMUL"),
		args: func(t typ) []param { return []param{scalar("alpha", t), slice("x", t)} },
		ins:  []string{"x"}, out: "x", n: "x",
		setup: func(f *fn) { f.broadcast("alpha", 31) },
		body: func(f *fn, in [][]int, _ []int) []int {
			_, _, out := streamRegs(len(in[0]))
			for j := range in[0] {
				f.word("FMUL", out[j], in[0][j], 31)
			}
			return out
		},
	},
	{
		name: "ReLU", doc: "sets dst[i] = x[i] where x[i] > 0 or x[i] is NaN, and +0 elsewhere; lengths are checked by the caller.",
		note: `Inner loop, per 4 vectors: 1 LD1 {4 regs}, 4 FCMLE #0 (mask of x <= 0; false
for NaN, so NaN passes through unchanged), 4 BIC (x AND NOT mask: +0 where
x <= 0, so -0 becomes +0), 1 ST1 {4 regs}. Per vector 1 load + 1 store + 2
FP/SIMD ops: on N1 the 2 SIMD pipes and the 1 store per cycle both allow 1
vector per cycle; V1 (4 SIMD pipes, 2 stores) is store-bound at 2.`,
		args: func(t typ) []param { return []param{slice("dst", t), slice("x", t)} },
		ins:  []string{"x"}, out: "dst", n: "dst",
		body: func(f *fn, in [][]int, tmp []int) []int {
			_, _, out := streamRegs(len(in[0]))
			for j := range in[0] {
				f.word("FCMLEZ", tmp[j], in[0][j], 0)
			}
			for j := range in[0] {
				f.word("BIC", out[j], in[0][j], tmp[j])
			}
			return out
		},
	},
	{
		name: "ReLUGrad", doc: "sets dst[i] = dy[i] where x[i] > 0, and 0 elsewhere (NaN x included); lengths are checked by the caller.",
		note: `Inner loop, per 4 vectors: 2 LD1 {4 regs} (x, dy), 4 FCMGT #0 (mask of x > 0,
false for NaN), 4 AND (dy AND mask), 1 ST1 {4 regs}. Per vector 2 loads + 1
store + 2 SIMD ops: N1 runs 1 vector per cycle (loads, store and both SIMD
pipes all at their limit); V1 is load-bound at 1.5.`,
		args: func(t typ) []param { return []param{slice("dst", t), slice("x", t), slice("dy", t)} },
		ins:  []string{"x", "dy"}, out: "dst", n: "dst",
		body: func(f *fn, in [][]int, tmp []int) []int {
			_, _, out := streamRegs(len(in[0]))
			for j := range in[0] {
				f.word("FCMGTZ", tmp[j], in[0][j], 0)
			}
			for j := range in[0] {
				f.in("VAND V%d.B16, V%d.B16, V%d.B16", tmp[j], in[1][j], out[j])
			}
			return out
		},
	},
	{
		name: "Clamp", doc: "sets dst[i] = min(max(x[i], lo), hi); a NaN element stays NaN; lo <= hi, neither NaN, is checked by the caller.",
		note: `Inner loop, per 4 vectors: 1 LD1 {4 regs}, 4 FMAX with lo (V31), 4 FMIN with hi
(V30), 1 ST1 {4 regs}. FMAX and FMIN propagate a NaN element, and order -0
below +0, as Go's max and min do. Per vector 1 load + 1 store + 2 FP ops: on
N1 the 2 FP pipes and the 1 store per cycle both allow 1 vector per cycle;
V1 is store-bound at 2.`,
		args: func(t typ) []param {
			return []param{slice("dst", t), slice("x", t), scalar("lo", t), scalar("hi", t)}
		},
		ins: []string{"x"}, out: "dst", n: "dst",
		setup: func(f *fn) {
			f.broadcast("lo", 31)
			f.broadcast("hi", 30)
		},
		body: func(f *fn, in [][]int, _ []int) []int {
			_, _, out := streamRegs(len(in[0]))
			for j := range in[0] {
				f.word("FMAX", out[j], in[0][j], 31)
			}
			for j := range in[0] {
				f.word("FMIN", out[j], out[j], 30)
			}
			return out
		},
	},
}

// emitStream writes kernel k for type t.
func emitStream(fl *file, k streamKernel, t typ) {
	name := k.name + t.name + "NEON"
	note := k.note
	if t != f32 {
		note = "Same loops as " + k.name + "F32NEON, on float64 vectors of 2 lanes."
	}
	f := fl.function(name, t, name+" "+k.doc, note, k.args(t), nil)
	ptr := []string{"R1", "R2"}
	f.argPtr(k.out, "R0")
	for i, s := range k.ins {
		f.argPtr(s, ptr[i])
	}
	f.argLen(k.n, "R4")
	if k.setup != nil {
		f.setup(k.setup)
	}
	vec := t.lanes // elements per vector
	group := func(u int, loadStore func(regs []int, ptr string, store bool)) {
		in, tmp, _ := streamRegs(u)
		in = in[:len(k.ins)]
		for i := range k.ins {
			loadStore(in[i], ptr[i], false)
		}
		out := k.body(f, in, tmp)
		loadStore(out, "R0", true)
	}
	vectors := func(regs []int, p string, store bool) {
		if store {
			f.in("VST1.P %s, %d(%s)", f.list(regs), 16*len(regs), p)
		} else {
			f.in("VLD1.P %d(%s), %s", 16*len(regs), p, f.list(regs))
		}
	}
	u := streamUnroll
	if k.unroll != nil {
		u = k.unroll(t)
	}
	step := u * vec
	f.in("CMP $%d, R4", step)
	f.in("BLT one")
	f.label("loop")
	group(u, vectors)
	f.in("SUB $%d, R4, R4", step)
	f.in("CMP $%d, R4", step)
	f.in("BGE loop")
	f.label("one")
	f.in("CMP $%d, R4", vec)
	f.in("BLT tail")
	f.label("loop1")
	group(1, vectors)
	f.in("SUB $%d, R4, R4", vec)
	f.in("CMP $%d, R4", vec)
	f.in("BGE loop1")
	f.label("tail")
	f.in("CBZ R4, done")
	f.label("loopt")
	f.tail = true
	group(1, func(regs []int, p string, store bool) {
		if store {
			f.in("%s.P F%d, %d(%s)", t.fmov, regs[0], t.size, p)
		} else {
			f.in("%s.P %d(%s), F%d", t.fmov, t.size, p, regs[0])
		}
	})
	f.in("SUBS $1, R4, R4")
	f.in("BNE loopt")
	f.label("done")
	f.in("RET")
}

func (f *fn) setup(g func(*fn)) { g(f) }

const elementwiseDoc = `// Streaming elementwise kernels for arm64 NEON (Advanced SIMD), float32 and
// float64. Every kernel has the same three loops: 4 vectors (64 bytes) per
// iteration with post-incremented LD1/ST1 of 4 registers, then 1 vector,
// then 1 element (scalar loads, which zero the other lanes, through the
// same vector body; only lane 0 is stored), so no byte outside the slices
// is touched. Vector FP instructions are WORDs from gen/arm64/enc.go,
// each with its Arm disassembly as a comment. Throughput figures below are
// per 128-bit vector, from the Neoverse N1 and V1 software optimization
// guides (N1: 2 FP/SIMD pipes, 2 loads + 1 store of 16 bytes per cycle;
// V1: 4 FP/SIMD pipes, 3 loads + 2 stores per cycle).
`

func elementwise() *file {
	fl := newFile(command, elementwiseDoc)
	for _, k := range elementwiseKernels {
		for _, t := range []typ{f32, f64} {
			emitStream(fl, k, t)
		}
	}
	return fl
}
