// Package kit is the small vocabulary the Avo programs in gen/ share: one
// value Kit per (instruction set, element type) pair that picks the right
// instruction forms (PS or PD, YMM or ZMM), and the standard loop every
// streaming kernel uses: an unrolled main loop, a one-vector loop, and a
// masked tail (AVX-512 opmask, or AVX2 VMASKMOV with a mask read from a
// table) so that no kernel ever touches memory past the end of a slice.
package kit

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Type is an element type.
type Type struct {
	Name   string // F32 or F64, used in function names
	GoType string // float32 or float64
	Size   int    // bytes
}

var (
	Float32 = Type{"F32", "float32", 4}
	Float64 = Type{"F64", "float64", 8}
)

// ISA is an instruction-set level.
type ISA struct {
	Name     string // AVX2 or AVX512, used in function names
	VecBytes int
}

var (
	AVX2   = ISA{"AVX2", 32}
	AVX512 = ISA{"AVX512", 64}
)

// Kit is one (ISA, Type) pair.
type Kit struct {
	ISA
	T Type
	// Interleave, when 2 or more, makes Loop interleave its unrolled copies
	// in groups of that many (see Interleave).
	Interleave int
	// SpreadSingles makes Loop run the vectors left after its main loop
	// (fewer than unroll) as straight-line blocks with U = 0, 1, ..., each
	// into its own partial sum, instead of a one-vector loop whose blocks
	// all have U = 0: a reduction's last vectors then do not wait on one
	// another (at n=1000 float32, AVX-512, six dependent adds).
	SpreadSingles bool
	// nt makes Block.Store of a full vector a non-temporal store (the
	// aligned main loops of StreamLoop).
	nt bool
}

// All lists the pairs every kernel family is generated for.
var All = []Kit{{ISA: AVX2, T: Float32}, {ISA: AVX2, T: Float64}, {ISA: AVX512, T: Float32}, {ISA: AVX512, T: Float64}}

// Is512 reports whether k uses ZMM registers and opmasks.
func (k Kit) Is512() bool { return k.VecBytes == 64 }

// Lanes is the number of elements in one vector register.
func (k Kit) Lanes() int { return k.VecBytes / k.T.Size }

// Name returns the assembly function name for kernel base, e.g. AddF32AVX512.
func (k Kit) Name(base string) string { return base + k.T.Name + k.ISA.Name }

// Sig substitutes the Go element type for every T in a signature template:
// "func(dst, x []T, s T)".
func (k Kit) Sig(tmpl string) string {
	out := []byte{}
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == 'T' && (i+1 == len(tmpl) || !isIdent(tmpl[i+1])) && (i == 0 || !isIdent(tmpl[i-1])) {
			out = append(out, k.T.GoType...)
			continue
		}
		out = append(out, tmpl[i])
	}
	return string(out)
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Text starts a function for this pair.
func (k Kit) Text(base, sigTmpl string) {
	TEXT(k.Name(base), NOSPLIT, k.Sig(sigTmpl))
}

// Vec allocates a vector register of the pair's width.
func (k Kit) Vec() reg.VecVirtual {
	if k.Is512() {
		return ZMM()
	}
	return YMM()
}

// Vecs allocates n vector registers.
func (k Kit) Vecs(n int) []reg.VecVirtual {
	v := make([]reg.VecVirtual, n)
	for i := range v {
		v[i] = k.Vec()
	}
	return v
}

// X returns the XMM (low 128 bits) view of a vector register.
func X(v reg.VecVirtual) reg.Register { return v.AsX() }

// pick returns the single-precision form for float32, the double for float64.
func pick[F any](k Kit, ps, pd F) F {
	if k.T.Size == 4 {
		return ps
	}
	return pd
}

// The instruction helpers use Go assembler operand order: sources first,
// destination last, so Sub(a, b, d) is d = b - a, as VSUBPS a, b, d.

func (k Kit) Load(src, dst Op)          { pick(k, VMOVUPS, VMOVUPD)(src, dst) }
func (k Kit) Store(src, dst Op)         { pick(k, VMOVUPS, VMOVUPD)(src, dst) }
func (k Kit) Mov(src, dst Op)           { pick(k, VMOVAPS, VMOVAPD)(src, dst) }
func (k Kit) Add(a, b, d Op)            { pick(k, VADDPS, VADDPD)(a, b, d) }
func (k Kit) Sub(a, b, d Op)            { pick(k, VSUBPS, VSUBPD)(a, b, d) }
func (k Kit) Mul(a, b, d Op)            { pick(k, VMULPS, VMULPD)(a, b, d) }
func (k Kit) Div(a, b, d Op)            { pick(k, VDIVPS, VDIVPD)(a, b, d) }
func (k Kit) Max(a, b, d Op)            { pick(k, VMAXPS, VMAXPD)(a, b, d) }
func (k Kit) Min(a, b, d Op)            { pick(k, VMINPS, VMINPD)(a, b, d) }
func (k Kit) And(a, b, d Op)            { pick(k, VANDPS, VANDPD)(a, b, d) }
func (k Kit) AndNot(a, b, d Op)         { pick(k, VANDNPS, VANDNPD)(a, b, d) } // d = a AND NOT b
func (k Kit) Or(a, b, d Op)             { pick(k, VORPS, VORPD)(a, b, d) }
func (k Kit) Xor(a, b, d Op)            { pick(k, VXORPS, VXORPD)(a, b, d) }
func (k Kit) FMA231(a, b, acc Op)       { pick(k, VFMADD231PS, VFMADD231PD)(a, b, acc) }   // acc += a*b
func (k Kit) FMA213(a, b, d Op)         { pick(k, VFMADD213PS, VFMADD213PD)(a, b, d) }     // d = d*b + a
func (k Kit) FNMA231(a, b, acc Op)      { pick(k, VFNMADD231PS, VFNMADD231PD)(a, b, acc) } // acc -= a*b
func (k Kit) Zero(v Op)                 { k.Xor(v, v, v) }
func (k Kit) Sqrt(a, d Op)              { pick(k, VSQRTPS, VSQRTPD)(a, d) }
func (k Kit) ScalarAdd(a, b, d Op)      { pick(k, VADDSS, VADDSD)(a, b, d) }
func (k Kit) Cmp(imm uint8, a, b, d Op) { pick(k, VCMPPS, VCMPPD)(Imm(uint64(imm)), a, b, d) }

// Broadcast fills every lane of dst with the scalar in the low lane of an
// XMM register or in memory.
func (k Kit) Broadcast(src, dst Op) { pick(k, VBROADCASTSS, VBROADCASTSD)(src, dst) }

// Comparison predicates for Cmp.
const (
	CmpEQ_OQ  = 0x00
	CmpLT_OS  = 0x01
	CmpLE_OS  = 0x02
	CmpUNORD  = 0x03
	CmpNEQ_UQ = 0x04
	CmpNLT_US = 0x05
	CmpNLE_US = 0x06
	CmpORD    = 0x07
	CmpGT_OQ  = 0x1e
	CmpGE_OQ  = 0x1d
)

// Param loads a scalar float parameter and broadcasts it to a new vector.
func (k Kit) Param(name string) reg.VecVirtual {
	x := XMM()
	Load(Param(name), x)
	v := k.Vec()
	k.Broadcast(x, v)
	return v
}

// Const broadcasts a constant (given as its bit pattern for this type) into
// a new vector register, through a general-purpose register.
func (k Kit) Const(bits uint64) reg.VecVirtual {
	g := GP64()
	x := XMM()
	v := k.Vec()
	if k.T.Size == 4 {
		MOVL(U32(uint32(bits)), g.As32())
		VMOVD(g.As32(), x)
	} else {
		MOVQ(U64(bits), g)
		VMOVQ(g, x)
	}
	k.Broadcast(x, v)
	return v
}

var labels = map[string]int{}

// NewLabel returns a label name unique in the generated file.
func NewLabel(base string) string {
	labels[base]++
	return fmt.Sprintf("%s_%d", base, labels[base])
}
