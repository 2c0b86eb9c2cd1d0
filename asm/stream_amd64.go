//go:build !purego && !noasm

package asm

import "sync/atomic"

// streamMin is the size of dst, in bytes, from which Add, Sub, Mul, Div,
// AddScalar, MulScalar, ReLU, ReLUGrad and Clamp store with non-temporal
// stores; their assembly reads it on entry (kit.StreamLoop in
// gen/internal/kit).
// Package kernels sets it from the L3 size.
var streamMin int64 = 8 << 20

// SetStreamMin sets the dst size in bytes from which the elementwise
// kernels stream their stores (0: every call).
func SetStreamMin(bytes int) { atomic.StoreInt64(&streamMin, int64(bytes)) }

// StreamMin returns the threshold the kernels read.
func StreamMin() int { return int(atomic.LoadInt64(&streamMin)) }
