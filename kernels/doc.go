// Package kernels is descent's public numerical kernel API: BLAS-like vector
// operations, reductions, activations, row-wise softmax and matrix multiply
// (Gemm, MatMul), generic over float32 and float64, each backed by generated
// assembly (AVX-512 and AVX2+FMA on amd64, NEON on arm64) picked at run
// time, and by a pure-Go fallback everywhere else.
//
// Every function checks its arguments before any assembly runs and panics
// with a message naming the argument on a programmer error (mismatched
// lengths, a cols that does not divide the length). Lengths must agree
// exactly; a destination may be the same slice as an input (but must not
// partially overlap one).
//
// No function allocates at steady state. The vector, reduction, activation,
// softmax and optimizer-update functions keep no reference to their slices,
// so slices of a caller's stack arrays stay on the stack; Gemm and MatMul's
// operands are read by worker goroutines and so escape to the heap.
//
// The instruction set is chosen once at start-up with cpuid: the best level
// the CPU and operating system support, capped by the environment variable
// DESCENT_ISA (generic, avx2, avx512, neon). ISA reports the level in use,
// Available lists the levels this machine can run, and SetISA switches for
// tests and benchmarks. Building with the purego (or noasm) tag compiles no
// assembly at all.
//
// Accuracy: elementwise arithmetic (Add, Sub, Mul, Div, Axpy, Scale, ...) is
// exact IEEE arithmetic per element, with Axpy fused (one rounding) at the
// assembly levels. Reductions (Sum, Dot, Asum) use many independent
// accumulators, so their rounding differs from a left-to-right loop but stays
// within the classical bound γ_d·Σ|terms| with d = ⌈n/4⌉+8. Exp, Log, Sigmoid
// and Tanh are vectorised approximations whose error bounds are stated on
// each function. Gemm accumulates each element of C in k order, so its
// result is the same for any number of goroutines (SetThreads), though not
// across instruction-set levels, whose FMA contractions differ.
//
// Large outputs: from SetStreamThreshold bytes of dst on (a quarter of the
// last-level cache by default), Add, Sub, Mul, Div, AddScalar, MulScalar,
// ReLU, ReLUGrad and Clamp write dst with non-temporal stores at the amd64
// assembly levels, unless dst is one of their inputs: the same results,
// a quarter to a third less memory traffic, and dst is left in memory, not
// the cache.
package kernels
