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
func checkAlias[T Float](fn string, dst []T, srcName string, src []T) {
	if len(dst) == 0 || len(src) == 0 {
		return
	}
	var z T
	size := unsafe.Sizeof(z)
	d := uintptr(unsafe.Pointer(unsafe.SliceData(dst)))
	s := uintptr(unsafe.Pointer(unsafe.SliceData(src)))
	if d == s {
		return
	}
	if d < s+uintptr(len(src))*size && s < d+uintptr(len(dst))*size {
		panic(fmt.Sprintf("kernels.%s: dst partially overlaps %s (they may be the same slice, or disjoint)", fn, srcName))
	}
}
