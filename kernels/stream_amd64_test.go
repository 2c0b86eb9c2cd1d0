//go:build !purego && !noasm

package kernels

import (
	"testing"
	"unsafe"

	"github.com/klauspost/cpuid/v2"

	"github.com/descentlab/descent/asm"
)

// TestStreamThresholdReachesAsm: the default is the L3-based one, and what
// SetStreamThreshold sets is what the assembly reads.
func TestStreamThresholdReachesAsm(t *testing.T) {
	want := defaultStreamThreshold(cpuid.CPU.Cache.L3)
	if got := StreamThreshold(); got != want {
		t.Errorf("default StreamThreshold() = %d, want %d (L3 %d bytes)", got, want, cpuid.CPU.Cache.L3)
	}
	if got := asm.StreamMin(); got != want {
		t.Errorf("default asm.StreamMin() = %d, want %d", got, want)
	}
	defer SetStreamThreshold(SetStreamThreshold(12345))
	if got := asm.StreamMin(); got != 12345 {
		t.Errorf("after SetStreamThreshold(12345), asm.StreamMin() = %d", got)
	}
}

// TestStreamMisalignedDst: a dst that is not aligned to its element size
// (only package unsafe can make one) takes the cached path, where unaligned
// stores are legal, instead of faulting on a non-temporal store.
func TestStreamMisalignedDst(t *testing.T) {
	defer SetStreamThreshold(SetStreamThreshold(0))
	const n = 100
	for _, l := range Available() {
		if l == Generic {
			continue
		}
		p := levels[l]
		buf := make([]byte, 4*n+8)
		dst := unsafeFloat32s(buf[1:], n) // address ≡ 1 mod 4
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = float32(i), 1
		}
		p.f32.add(dst, a, b)
		for i, v := range dst {
			if v != float32(i)+1 {
				t.Fatalf("%s: misaligned Add: dst[%d] = %v, want %v", l, i, v, float32(i)+1)
			}
		}
	}
}

// unsafeFloat32s views n float32 at the start of b, whatever its alignment.
func unsafeFloat32s(b []byte, n int) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n)
}
