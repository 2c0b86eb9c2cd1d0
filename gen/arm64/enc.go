package main

import (
	"fmt"
	"strings"
)

// Go's arm64 assembler has no vector floating-point arithmetic (its VADD is
// the integer add), so the generator emits those instructions as WORD
// directives. Encode is the one place that builds them, from the A64
// encodings in the Arm Architecture Reference Manual (C4.1.95, "Advanced
// SIMD three same" and "Advanced SIMD two-register miscellaneous"); the test
// in enc_test.go assembles every form and checks the disassembly.

// Arrangement is a vector arrangement: 4S (four float32) or 2D (two float64).
type Arrangement int

const (
	S4 Arrangement = iota // float32 x 4, Go V0.S4, GNU v0.4s
	D2                    // float64 x 2, Go V0.D2, GNU v0.2d
)

func (a Arrangement) sz() uint32 {
	if a == D2 {
		return 1
	}
	return 0
}

// gnu is the arrangement as GNU objdump prints it.
func (a Arrangement) gnu() string {
	if a == D2 {
		return "2d"
	}
	return "4s"
}

type encForm int

const (
	threeSame encForm = iota // Vd = op(Vn, Vm)
	twoMisc                  // Vd = op(Vn) (compares against zero included)
	logic                    // bitwise, arrangement ignored (16B)
	widen                    // FCVTL/FCVTL2: Vd.2D = widen(Vn.2S / Vn.4S upper)
	narrow                   // FCVTN/FCVTN2: Vd.2S (lower half) / Vd.4S (upper half) = narrow(Vn.2D)
	byElement                // Vd = op(Vn, Vm[index]): EncodeElem, not Encode
)

type encoding struct {
	form   encForm
	u, a   uint32 // bit 29 (U) and bit 23 (a / size<1>)
	opcode uint32 // bits 15:11 (three same) or 16:12 (two-reg misc)
	q      int    // for widen: 0 = FCVTL (low half), 1 = FCVTL2 (high half); -1 = always 1
	gnu    string // mnemonic as GNU objdump prints it
}

// encodings lists every instruction the generator may emit as a WORD.
var encodings = map[string]encoding{
	"FADD":  {threeSame, 0, 0, 0b11010, -1, "fadd"},
	"FSUB":  {threeSame, 0, 1, 0b11010, -1, "fsub"},
	"FMUL":  {threeSame, 1, 0, 0b11011, -1, "fmul"},
	"FDIV":  {threeSame, 1, 0, 0b11111, -1, "fdiv"},
	"FMAX":  {threeSame, 0, 0, 0b11110, -1, "fmax"},
	"FMIN":  {threeSame, 0, 1, 0b11110, -1, "fmin"},
	"FADDP": {threeSame, 1, 0, 0b11010, -1, "faddp"},
	"FMAXP": {threeSame, 1, 0, 0b11110, -1, "fmaxp"},
	"FMINP": {threeSame, 1, 1, 0b11110, -1, "fminp"},
	"FCMGT": {threeSame, 1, 1, 0b11100, -1, "fcmgt"},
	"FCMGE": {threeSame, 1, 0, 0b11100, -1, "fcmge"},
	"FCMEQ": {threeSame, 0, 0, 0b11100, -1, "fcmeq"},
	"FMLA":  {threeSame, 0, 0, 0b11001, -1, "fmla"},
	"FMLS":  {threeSame, 0, 1, 0b11001, -1, "fmls"},

	// Vector by element (C4.1.95, "Advanced SIMD vector x indexed
	// element"): opcode is bits 15:12.
	"FMLAE": {byElement, 0, 1, 0b0001, -1, "fmla"}, // Vd += Vn * Vm[index]

	"FABS":   {twoMisc, 0, 1, 0b01111, -1, "fabs"},
	"FNEG":   {twoMisc, 1, 1, 0b01111, -1, "fneg"},
	"FSQRT":  {twoMisc, 1, 1, 0b11111, -1, "fsqrt"},
	"FCMGTZ": {twoMisc, 0, 1, 0b01100, -1, "fcmgt"}, // Vn > 0
	"FCMGEZ": {twoMisc, 1, 1, 0b01100, -1, "fcmge"}, // Vn >= 0
	"FCMEQZ": {twoMisc, 0, 1, 0b01101, -1, "fcmeq"}, // Vn == 0
	"FCMLEZ": {twoMisc, 1, 1, 0b01101, -1, "fcmle"}, // Vn <= 0
	"FCMLTZ": {twoMisc, 0, 1, 0b01110, -1, "fcmlt"}, // Vn < 0
	"FRINTN": {twoMisc, 0, 0, 0b11000, -1, "frintn"},
	"FRINTM": {twoMisc, 0, 0, 0b11001, -1, "frintm"},
	"FCVTZS": {twoMisc, 0, 1, 0b11011, -1, "fcvtzs"},
	"SCVTF":  {twoMisc, 0, 0, 0b11101, -1, "scvtf"},
	"FCVTL":  {widen, 0, 0, 0b10111, 0, "fcvtl"},
	"FCVTL2": {widen, 0, 0, 0b10111, 1, "fcvtl2"},
	"FCVTN":  {narrow, 0, 0, 0b10110, 0, "fcvtn"},
	"FCVTN2": {narrow, 0, 0, 0b10110, 1, "fcvtn2"},
	"BIT":    {logic, 1, 0b10, 0b00011, -1, "bit"}, // Vd = Vm ? Vn : Vd, bitwise
	"BIF":    {logic, 1, 0b11, 0b00011, -1, "bif"}, // Vd = Vm ? Vd : Vn, bitwise
	"BIC":    {logic, 0, 0b01, 0b00011, -1, "bic"}, // Vd = Vn AND NOT Vm
	"ORN":    {logic, 0, 0b11, 0b00011, -1, "orn"},
}

// Encode returns the 32-bit A64 encoding of op with destination Vd and
// sources Vn, Vm (m is ignored by one-source forms), the arrangement arr
// (ignored by the bitwise forms, which are 16B, and by FCVTL/FCVTL2, whose
// destination is 2D and source 2S/4S). Operand order is the Arm order:
// Vd, Vn, Vm (FSUB: Vd = Vn - Vm; FDIV: Vd = Vn / Vm; FCMGT: Vd = Vn > Vm;
// BIC: Vd = Vn &^ Vm; BIT: Vd = Vn where Vm is set, else Vd; FMLA:
// Vd += Vn * Vm).
func Encode(op string, arr Arrangement, d, n, m int) uint32 {
	e, ok := encodings[op]
	if !ok {
		panic("arm64 gen: no encoding for " + op)
	}
	for _, r := range []int{d, n, m} {
		if r < 0 || r > 31 {
			panic(fmt.Sprintf("arm64 gen: %s: register V%d out of range", op, r))
		}
	}
	const q = 1 << 30 // every form here works on the full 128 bits
	rd, rn, rm := uint32(d), uint32(n)<<5, uint32(m)<<16
	switch e.form {
	case threeSame:
		// 0 Q U 01110 a sz 1 Rm opcode 1 Rn Rd
		return q | e.u<<29 | 0b01110<<24 | e.a<<23 | arr.sz()<<22 | 1<<21 | rm | e.opcode<<11 | 1<<10 | rn | rd
	case twoMisc:
		// 0 Q U 01110 a sz 10000 opcode 10 Rn Rd
		return q | e.u<<29 | 0b01110<<24 | e.a<<23 | arr.sz()<<22 | 0b10000<<17 | e.opcode<<12 | 0b10<<10 | rn | rd
	case widen, narrow:
		// 0 Q 0 01110 0 sz=1 10000 opcode 10 Rn Rd (single <-> double)
		return uint32(e.q)<<30 | 0b01110<<24 | 1<<22 | 0b10000<<17 | e.opcode<<12 | 0b10<<10 | rn | rd
	case logic:
		// 0 Q 0 01110 size 1 Rm 00011 1 Rn Rd
		return q | e.u<<29 | 0b01110<<24 | e.a<<22 | 1<<21 | rm | e.opcode<<11 | 1<<10 | rn | rd
	case byElement:
		panic("arm64 gen: " + op + " takes a lane index: use EncodeElem")
	}
	panic("unreachable")
}

// EncodeElem returns the encoding of a by-element op (FMLAE: FMLA Vd.4S,
// Vn.4S, Vm.S[index], or .2D and .D[index]): Vd, Vn and Vm as in Encode,
// index the lane of Vm (0-3 for S4, 0-1 for D2). Single and double
// precision reach all 32 registers as Vm (M is the top bit of Rm).
func EncodeElem(op string, arr Arrangement, d, n, m, index int) uint32 {
	e, ok := encodings[op]
	if !ok || e.form != byElement {
		panic("arm64 gen: no by-element encoding for " + op)
	}
	for _, r := range []int{d, n, m} {
		if r < 0 || r > 31 {
			panic(fmt.Sprintf("arm64 gen: %s: register V%d out of range", op, r))
		}
	}
	if index < 0 || index >= 4>>arr.sz() {
		panic(fmt.Sprintf("arm64 gen: %s: lane %d out of range", op, index))
	}
	// 0 Q U 01111 a sz L M:Rm(5) opcode H 0 Rn Rd; the index is H:L (S)
	// or H with L = 0 (D).
	h, l := uint32(index), uint32(0)
	if arr == S4 {
		h, l = uint32(index)>>1, uint32(index)&1
	}
	const q = 1 << 30
	return q | e.u<<29 | 0b01111<<24 | e.a<<23 | arr.sz()<<22 | l<<21 | uint32(m)<<16 | e.opcode<<12 | h<<11 | uint32(n)<<5 | uint32(d)
}

// DisasmElem is the GNU objdump text for the instruction EncodeElem builds.
func DisasmElem(op string, arr Arrangement, d, n, m, index int) string {
	e := encodings[op]
	ar := arr.gnu()
	return fmt.Sprintf("%s\tv%d.%s, v%d.%s, v%d.%s[%d]", e.gnu, d, ar, n, ar, m, ar[1:], index)
}

// Disasm is the GNU objdump text for the instruction Encode builds (the
// test compares the two; the generator writes it as the WORD's comment).
func Disasm(op string, arr Arrangement, d, n, m int) string {
	e := encodings[op]
	v := func(r int, a string) string { return fmt.Sprintf("v%d.%s", r, a) }
	ar := arr.gnu()
	switch e.form {
	case threeSame:
		return fmt.Sprintf("%s\t%s, %s, %s", e.gnu, v(d, ar), v(n, ar), v(m, ar))
	case twoMisc:
		s := fmt.Sprintf("%s\t%s, %s", e.gnu, v(d, ar), v(n, ar))
		if strings.HasSuffix(op, "Z") {
			s += ", #0.0"
		}
		return s
	case widen:
		src := "2s"
		if e.q == 1 {
			src = "4s"
		}
		return fmt.Sprintf("%s\t%s, %s", e.gnu, v(d, "2d"), v(n, src))
	case narrow:
		dst := "2s"
		if e.q == 1 {
			dst = "4s"
		}
		return fmt.Sprintf("%s\t%s, %s", e.gnu, v(d, dst), v(n, "2d"))
	case logic:
		return fmt.Sprintf("%s\t%s, %s, %s", e.gnu, v(d, "16b"), v(n, "16b"), v(m, "16b"))
	}
	return ""
}
