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

// checkLen panics unless two lengths agree, naming both arguments.
func checkLen(fn, an string, a int, bn string, b int) {
	if a != b {
		panic(fmt.Sprintf("kernels.%s: len(%s)=%d != len(%s)=%d", fn, an, a, bn, b))
	}
}

// checkAlias panics if dst and src overlap without being the same slice:
// the vector kernels read and write whole registers, so a destination that
// starts a few elements into its source would silently give wrong answers.
// The caller has checked that len(dst) == len(src). It is written to be
// inlined: it runs on every call, and for short vectors a function call
// here was a measurable share of the kernel's time.
func checkAlias[T Float](fn string, dst []T, srcName string, src []T) {
	// With n bytes in each, they overlap iff the byte distance
	// diff = dst - src lies in (-n, n) and is not 0: in unsigned
	// arithmetic, diff+n-1 < 2n-1.
	n := uintptr(len(dst)) * unsafe.Sizeof(*new(T))
	diff := uintptr(unsafe.Pointer(unsafe.SliceData(dst))) - uintptr(unsafe.Pointer(unsafe.SliceData(src)))
	if diff != 0 && n != 0 && diff+n-1 < 2*n-1 {
		panicAlias(fn, srcName)
	}
}

func panicAlias(fn, srcName string) {
	panic(fmt.Sprintf("kernels.%s: dst partially overlaps %s (they may be the same slice, or disjoint)", fn, srcName))
}
