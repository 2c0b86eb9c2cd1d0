package main

import (
	"fmt"
	"strings"
)

// GEMM microkernels: the MR×NR tile of C that the BLIS driver
// (kernels/gemm_driver.go) calls on packed panels of A (MR values per step
// p) and B (NR values per step). The whole tile lives in registers for the
// kc-long loop: 24 accumulators in V8-V31 (8 rows × 3 vectors), B's row
// of the step in V0-V2, A's column of the step in V3-V4 (float32) or V3-V6
// (float64). Each FMA multiplies a vector of B by one lane of A (FMLA by
// element, a WORD from EncodeElem), so A needs no broadcast loads: per step
// 2 or 3 post-incremented LD1s feed 24 FMLAs.
//
//	float32: 8×12, per step LD1 {3 regs} of B + LD1 {2 regs} of A, 24 FMLA .4S
//	float64: 8×6,  per step LD1 {3 regs} of B + LD1 {4 regs} of A, 24 FMLA .2D
type gemmTile struct {
	t      typ
	mr, nr int
}

var gemmTiles = []gemmTile{{f32, 8, 12}, {f64, 8, 6}}

const gemmAcc = 8 // first accumulator register

func (g gemmTile) name() string { return fmt.Sprintf("GemmMicro%dx%d%sNEON", g.mr, g.nr, g.t.name) }

// bVecs and aVecs are the vectors of B and of A loaded per step.
func (g gemmTile) bVecs() int { return g.nr / g.t.lanes }
func (g gemmTile) aVecs() int { return g.mr / g.t.lanes }

// acc is the accumulator of row i, vector j of the tile.
func (g gemmTile) acc(i, j int) int { return gemmAcc + i*g.bVecs() + j }

const noteGemm = `Inner loop, per step p (%d FMAs of %s): LD1 {%d regs} of B (V0-V%d), LD1 {%d regs}
of A (V3-V%d), %d FMLA by element (row i, vector j: V%d+%d·i+j += Vj * A[i]),
unrolled twice: %d q-loads per %d FMLAs. A Neoverse N1 issues 2 FMLAs and 2
loads per cycle: %d cycles of FMLAs need %.1f of loads, so the FP pipes are
the limit. A V1 issues 4 FMLAs and 3 loads per cycle: %d cycles of FMLAs,
%.2f of loads. The 24 accumulators are 24 independent chains, far more than
the latency 4 × pipes (8 on N1, 16 on V1) needed to keep the FMA pipes full.
Then C = alpha·acc (FMUL) + beta·C (FMLA), C not read when beta == 0.`

func (g gemmTile) note() string {
	loads := g.bVecs() + g.aVecs()
	fmas := g.mr * g.bVecs()
	return fmt.Sprintf(noteGemm, g.mr*g.nr, g.t.goTyp, g.bVecs(), g.bVecs()-1, g.aVecs(), 2+g.aVecs(),
		fmas, gemmAcc, g.bVecs(), 2*loads, 2*fmas,
		fmas/2, float64(loads)/2, fmas/4, float64(loads)/3)
}

// wordElem emits a by-element instruction (EncodeElem) as a WORD with its
// Arm mnemonic as a comment: Vd, Vn, Vm[lane].
func (f *fn) wordElem(op string, d, n, m, lane int) {
	f.in("WORD $0x%08x // %s", EncodeElem(op, f.t.arr, d, n, m, lane),
		strings.ReplaceAll(DisasmElem(op, f.t.arr, d, n, m, lane), "\t", " "))
}

func emitGemmMicro(fl *file, g gemmTile) {
	t := g.t
	name := g.name()
	doc := fmt.Sprintf("%s sets the %d×%d tile of C at c (row stride ldc) to alpha·A·B + beta·C, "+
		"where A is a packed panel (a[p*%d+i]) and B a packed panel (b[p*%d+j]), p < kc. "+
		"C is not read when beta is 0. The caller guarantees kc >= 1, len(a) >= kc*%d, "+
		"len(b) >= kc*%d and len(c) >= %d*ldc+%d.", name, g.mr, g.nr, g.mr, g.nr, g.mr, g.nr, g.mr-1, g.nr)
	args := []param{{"kc", false, "int"}, slice("a", t), slice("b", t), slice("c", t), {"ldc", false, "int"},
		scalar("alpha", t), scalar("beta", t)}
	note := g.note()
	if t != f32 {
		note = fmt.Sprintf("Same loop as GemmMicro8x12F32NEON on float64, 8×6:\n"+
			"%d q-loads (3 of B, 4 of A) per 24 FMLA .2D: 12 cycles of FMLAs on N1 against 3.5 of loads,\n"+
			"6 on V1 against 2.33.", g.bVecs()+g.aVecs())
	}
	f := fl.function(name, t, doc, note, args, nil)
	f.in("MOVD kc+%d(FP), R3", f.off["kc"])
	f.argPtr("a", "R0")
	f.argPtr("b", "R1")
	f.argPtr("c", "R2")
	f.in("MOVD ldc+%d(FP), R4", f.off["ldc"])
	f.in("LSL $%d, R4, R4", map[int]int{4: 2, 8: 3}[t.size])
	for i := 0; i < g.mr; i++ {
		for j := 0; j < g.bVecs(); j++ {
			f.zero(g.acc(i, j))
		}
	}
	bRegs := seq(0, g.bVecs())
	aRegs := seq(3, g.aVecs())
	step := func() {
		f.in("VLD1.P %d(R1), %s", 16*len(bRegs), f.list(bRegs))
		f.in("VLD1.P %d(R0), %s", 16*len(aRegs), f.list(aRegs))
		for i := 0; i < g.mr; i++ {
			for j := range bRegs {
				a, lane := aRegs[i/t.lanes], i%t.lanes
				f.wordElem("FMLAE", g.acc(i, j), bRegs[j], a, lane)
			}
		}
	}
	// An odd kc runs its first step alone, then the loop takes steps in
	// pairs: the FMAs of each accumulator stay in the order p = 0, 1, ...
	f.in("TBZ $0, R3, pairs")
	step()
	f.label("pairs")
	f.in("LSR $1, R3, R3")
	f.in("CBZ R3, store")
	f.label("loop")
	step()
	step()
	f.in("SUBS $1, R3, R3")
	f.in("BNE loop")

	f.label("store")
	f.broadcast("alpha", 0)
	f.in("%s beta+%d(FP), F1", t.fmov, f.off["beta"])
	f.in("FCMP%s $(0.0), F1", t.suf)
	f.in("BEQ nobeta")
	f.broadcast("beta", 1)
	cRegs := seq(2, g.bVecs())
	for i := 0; i < g.mr; i++ {
		row := make([]int, g.bVecs())
		for j := range row {
			row[j] = g.acc(i, j)
		}
		f.in("VLD1 (R2), %s", f.list(cRegs))
		for j := range row {
			f.word("FMUL", row[j], row[j], 0)
		}
		for j := range row {
			f.in("VFMLA %s, %s, %s", f.v(1), f.v(cRegs[j]), f.v(row[j]))
		}
		f.in("VST1 %s, (R2)", f.list(row))
		if i < g.mr-1 {
			f.in("ADD R4, R2, R2")
		}
	}
	f.in("RET")
	f.label("nobeta")
	for i := 0; i < g.mr; i++ {
		row := make([]int, g.bVecs())
		for j := range row {
			row[j] = g.acc(i, j)
			f.word("FMUL", row[j], row[j], 0)
		}
		f.in("VST1 %s, (R2)", f.list(row))
		if i < g.mr-1 {
			f.in("ADD R4, R2, R2")
		}
	}
	f.in("RET")
}

const gemmDoc = `// GEMM microkernels for arm64 NEON (Advanced SIMD): the register-blocked
// MR×NR tile of the BLIS driver in kernels/gemm_driver.go, on packed panels
// of A (MR values per step) and B (NR values per step). 24 accumulators
// V8-V31 hold the tile for the whole kc loop; each FMA is an FMLA of a
// vector of B by one lane of A (a WORD from gen/arm64/enc.go, Go's
// assembler has no FMLA by element). Throughput figures are from the
// Neoverse N1 and V1 software optimization guides (N1: 2 FP/SIMD pipes,
// 2 loads of 16 bytes per cycle; V1: 4 FP/SIMD pipes, 3 loads per cycle;
// FMLA latency 4 on both).
`

func gemm() *file {
	fl := newFile(command, gemmDoc)
	for _, g := range gemmTiles {
		emitGemmMicro(fl, g)
	}
	return fl
}
