package fuzz_test

// `go test -fuzz` targets, one per kernel family. The fuzzer's bytes become
// the element values (4 or 8 bytes each, little-endian, the byte string
// repeated as needed), so every bit pattern is reachable: NaN payloads,
// subnormals, infinities. The other arguments choose the length, the offset
// inside the guarded buffer, the kernel, the element type and the aliasing.
// Each input runs at every available level against the reference with the
// same tolerances as the tests (runVec, runRed, runSoftmax).
//
//	go test -run XXX -fuzz FuzzReduce -fuzztime 30s ./fuzz/

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/descentlab/descent/kernels"
)

// decode returns n values of T read from data at byte offset start,
// cyclically; zeros when data is too short to hold one value.
func decode[T kernels.Float](data []byte, start, n int) []T {
	out := make([]T, n)
	size := 8
	if is32[T]() {
		size = 4
	}
	if len(data) < size {
		return out
	}
	var buf [8]byte
	for i := range out {
		for j := 0; j < size; j++ {
			buf[j] = data[(start+i*size+j)%len(data)]
		}
		if size == 4 {
			out[i] = T(math.Float32frombits(binary.LittleEndian.Uint32(buf[:4])))
		} else {
			out[i] = T(math.Float64frombits(binary.LittleEndian.Uint64(buf[:])))
		}
	}
	return out
}

// maxFuzzLen keeps one input fast: past a few vector widths and unroll
// factors every length behaves like a shorter one.
const maxFuzzLen = 1100

func seedBytes() [][]byte {
	f32 := func(vs ...float32) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		return b
	}
	f64 := func(vs ...float64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	inf := math.Inf(1)
	return [][]byte{
		nil,
		f32(1, -2, 0.5, 3, -0.25, 7, 1e-3, 100),
		f32(float32(math.NaN()), 1, float32(inf), -1, 0x1p-149, 1e38, -1e38, 0),
		f64(1, -2, 0.5, 3, -0.25, 7, 1e-3, 100),
		f64(math.NaN(), 1, inf, -1, 0x1p-1074, 1e300, -1e300, math.Copysign(0, -1)),
		f64(88.5, -100, 709.7, -745, 20, -20, 1e-9, 0.75),
	}
}

// pickSpecs returns the transcendental vecSpecs, or all the others.
func pickSpecs[T kernels.Float](transcendental bool) []vecSpec[T] {
	var out []vecSpec[T]
	for _, sp := range vecSpecs[T]() {
		if (sp.tol == tolULP) == transcendental {
			out = append(out, sp)
		}
	}
	return out
}

func fuzzVec[T kernels.Float](t *testing.T, transcendental bool, data []byte, off, n, sel int) {
	specs := pickSpecs[T](transcendental)
	sp := specs[sel%len(specs)]
	in := vecInputs[T]{off: off % 16, alias: -1}
	for k := 0; k < sp.srcs; k++ {
		in.src = append(in.src, decode[T](data, 7*k, n))
	}
	a := (sel/16)%3 - 1
	switch {
	case sp.inPlace && a == 0 && sp.srcs > 0: // Axpy(alpha, y, y)
		in.dst0 = append([]T(nil), in.src[0]...)
		in.alias = 0
	case sp.inPlace:
		in.dst0 = decode[T](data, 13, n)
	case a < sp.srcs:
		in.alias = a
	}
	if sp.scalar {
		in.s = decode[T](data, 5, 1)[0]
	}
	runVec(&reporter{tb: t}, sp, in)
}

// FuzzElementwise: Add, Sub, Mul, Div, AddScalar, MulScalar, Axpy, Scale,
// ReLU, ReLUGrad; with bit 6 of off set, on the non-temporal store path
// (stream threshold 0; the offset uses off's low four bits).
func FuzzElementwise(f *testing.F) {
	for i, b := range seedBytes() {
		f.Add(b, uint8(i), uint16(17+i*13), uint8(i*37))
		f.Add(b, uint8(i|64), uint16(40+i*29), uint8(i*53))
	}
	f.Fuzz(func(t *testing.T, data []byte, off uint8, n uint16, sel uint8) {
		if off&64 != 0 {
			defer kernels.SetStreamThreshold(kernels.SetStreamThreshold(0))
		}
		if sel&128 == 0 {
			fuzzVec[float32](t, false, data, int(off), int(n)%maxFuzzLen, int(sel&127))
		} else {
			fuzzVec[float64](t, false, data, int(off), int(n)%maxFuzzLen, int(sel&127))
		}
	})
}

// FuzzActivation: Exp, Log, Sigmoid, Tanh.
func FuzzActivation(f *testing.F) {
	for i, b := range seedBytes() {
		f.Add(b, uint8(i), uint16(9+i*29), uint8(i*41))
	}
	f.Fuzz(func(t *testing.T, data []byte, off uint8, n uint16, sel uint8) {
		if sel&128 == 0 {
			fuzzVec[float32](t, true, data, int(off), int(n)%maxFuzzLen, int(sel&127))
		} else {
			fuzzVec[float64](t, true, data, int(off), int(n)%maxFuzzLen, int(sel&127))
		}
	})
}

// FuzzReduce: Sum, Asum, Dot, Nrm2, Max, Min, ArgMax, ArgMin.
func FuzzReduce(f *testing.F) {
	for i, b := range seedBytes() {
		f.Add(b, uint8(i), uint16(1+i*19), uint8(i*33))
	}
	f.Fuzz(func(t *testing.T, data []byte, off uint8, n uint16, sel uint8) {
		k := redKind(int(sel&127) % int(numRed))
		m := int(n) % maxFuzzLen
		if sel&128 == 0 {
			runRed(&reporter{tb: t}, k, decode[float32](data, 0, m), decode[float32](data, 11, m), int(off)%16)
		} else {
			runRed(&reporter{tb: t}, k, decode[float64](data, 0, m), decode[float64](data, 11, m), int(off)%16)
		}
	})
}

// FuzzSoftmax: Softmax and LogSoftmax on rows×cols.
func FuzzSoftmax(f *testing.F) {
	for i, b := range seedBytes() {
		f.Add(b, uint8(i), uint8(i), uint16(1+i*11), uint8(i*3))
	}
	f.Fuzz(func(t *testing.T, data []byte, off, rows uint8, cols uint16, sel uint8) {
		c := 1 + int(cols)%maxFuzzLen
		r := int(rows) % 4
		log, alias := sel&1 != 0, sel&2 != 0
		if sel&128 == 0 {
			runSoftmax(&reporter{tb: t}, log, decode[float32](data, 0, r*c), c, int(off)%16, alias)
		} else {
			runSoftmax(&reporter{tb: t}, log, decode[float64](data, 0, r*c), c, int(off)%16, alias)
		}
	})
}
