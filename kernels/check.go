package kernels

import (
	"fmt"
	"unsafe"
)

// Float is the element type of every kernel: float32 or float64 (or a type
// defined on one of them).
type Float interface{ ~float32 | ~float64 }

// table returns the active level's kernels for T. The size test is a
// compile-time constant per instantiation, so this costs one atomic load.
func table[T Float]() *ops[T] {
	p := active.Load()
	var z T
	if unsafe.Sizeof(z) == 4 {
		return (*ops[T])(unsafe.Pointer(&p.f32))
	}
	return (*ops[T])(unsafe.Pointer(&p.f64))
}

// noEscape returns s unchanged, hiding from escape analysis that it flows
// into the call through the active table. A call through a function value
// makes every slice argument escape, so without this a caller's stack
// buffer (var buf [64]float32; kernels.Exp(buf[:], buf[:])) moved to the
// heap: one allocation per call. The kernels behind the table (assembly
// and the pure-Go fallbacks) only read and write their slices during the
// call and keep no reference, which is what makes hiding the flow sound;
// Gemm does not use it, as its worker goroutines read the operands. The
// pointer is a uintptr only within this inlined function, with no call
// before it is a slice again (a goroutine preempted there has that frame
// scanned conservatively); rebuilding the slice header from three words,
// unlike a uintptr-to-Pointer conversion, is not what go vet's unsafeptr
// check reports, and unlike unsafe.Slice it costs no length checks
// (AddScalar and Sum at n=16 measured alike with and without noEscape).
func noEscape[T Float](s []T) []T {
	h := [3]uintptr{uintptr(unsafe.Pointer(unsafe.SliceData(s))), uintptr(len(s)), uintptr(cap(s))}
	return *(*[]T)(unsafe.Pointer(&h))
}

// checkLen panics unless two lengths agree, naming both arguments.
func checkLen(fn, an string, a int, bn string, b int) {
	if a != b {
		panic(fmt.Sprintf("kernels.%s: len(%s)=%d != len(%s)=%d", fn, an, a, bn, b))
	}
}

// partialOverlap reports whether dst and src, of equal length, share memory
// without being the same slice: the vector kernels read and write whole
// registers, so a destination that starts a few elements into its source
// would silently give wrong answers. It is pure arithmetic so that it
// inlines into every public kernel: with n bytes in each, they overlap iff
// the byte distance diff = dst - src lies in (-n, n) and is not 0, in
// unsigned arithmetic diff+n-1 < 2n-1.
func partialOverlap[T Float](dst, src []T) bool {
	n := uintptr(len(dst)) * unsafe.Sizeof(*new(T))
	diff := uintptr(unsafe.Pointer(unsafe.SliceData(dst))) - uintptr(unsafe.Pointer(unsafe.SliceData(src)))
	return diff != 0 && n != 0 && diff+n-1 < 2*n-1
}

// checkAlias panics, naming the argument, if dst partially overlaps src;
// the caller has checked that len(dst) == len(src).
func checkAlias[T Float](fn string, dst []T, srcName string, src []T) {
	if partialOverlap(dst, src) {
		panicAlias(fn, srcName)
	}
}

func panicAlias(fn, srcName string) {
	panic(fmt.Sprintf("kernels.%s: dst partially overlaps %s (they may be the same slice, or disjoint)", fn, srcName))
}
