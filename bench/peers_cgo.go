//go:build peers

package bench

// The gcc peer: plain C loops compiled by gcc through cgo (cgo is not
// allowed in _test.go files, and a bare .c file would break the default
// build, so the C lives in this peers-tagged file's preamble). See
// peers_test.go for how the peers are chosen and compared.

/*
#cgo CFLAGS: -O3 -march=native -fno-builtin-expf -fno-builtin-logf -fno-builtin-exp -fno-builtin-log
#cgo LDFLAGS: -lmvec -lm

#include <math.h>

// glibc's <math.h> declares the libmvec variants only when the whole file
// is compiled with -ffast-math (cgo's flag allow-list has no -fno-math-errno
// either), so they are declared here. expf and logf are also taken out of
// gcc's builtins: as builtins they may set errno, which keeps the
// vectoriser off them even inside a fast-math function; declared const,
// as libmvec is, they vectorise.
float expf(float) __attribute__((simd("notinbranch"), const));
float logf(float) __attribute__((simd("notinbranch"), const));
float tanhf(float) __attribute__((simd("notinbranch")));
double exp(double) __attribute__((simd("notinbranch"), const));
double log(double) __attribute__((simd("notinbranch"), const));
double tanh(double) __attribute__((simd("notinbranch")));

#define STREAM __attribute__((noipa))
#define REDUCE __attribute__((noipa, optimize("fast-math", "unroll-loops", "variable-expansion-in-unroller")))
#define MATH __attribute__((noipa, optimize("fast-math")))

#define KERNELS(T, S, EXP, LOG, TANH) \
STREAM static void axpy_##S(long n, T alpha, const T *restrict x, T *restrict y) { \
	for (long i = 0; i < n; i++) y[i] += alpha * x[i]; \
} \
STREAM static void scale_##S(long n, T alpha, T *restrict x) { \
	for (long i = 0; i < n; i++) x[i] *= alpha; \
} \
STREAM static void add_##S(long n, T *restrict d, const T *restrict a, const T *restrict b) { \
	for (long i = 0; i < n; i++) d[i] = a[i] + b[i]; \
} \
STREAM static void sub_##S(long n, T *restrict d, const T *restrict a, const T *restrict b) { \
	for (long i = 0; i < n; i++) d[i] = a[i] - b[i]; \
} \
STREAM static void mul_##S(long n, T *restrict d, const T *restrict a, const T *restrict b) { \
	for (long i = 0; i < n; i++) d[i] = a[i] * b[i]; \
} \
STREAM static void div_##S(long n, T *restrict d, const T *restrict a, const T *restrict b) { \
	for (long i = 0; i < n; i++) d[i] = a[i] / b[i]; \
} \
STREAM static void relugrad_##S(long n, T *restrict d, const T *restrict x, const T *restrict dy) { \
	for (long i = 0; i < n; i++) d[i] = x[i] > 0 ? dy[i] : 0; \
} \
STREAM static void addscalar_##S(long n, T *restrict d, const T *restrict a, T s) { \
	for (long i = 0; i < n; i++) d[i] = a[i] + s; \
} \
STREAM static void mulscalar_##S(long n, T *restrict d, const T *restrict a, T s) { \
	for (long i = 0; i < n; i++) d[i] = a[i] * s; \
} \
STREAM static void relu_##S(long n, T *restrict d, const T *restrict x) { \
	for (long i = 0; i < n; i++) d[i] = x[i] > 0 ? x[i] : 0; \
} \
MATH static void exp_##S(long n, T *restrict d, const T *restrict x) { \
	for (long i = 0; i < n; i++) d[i] = EXP(x[i]); \
} \
MATH static void log_##S(long n, T *restrict d, const T *restrict x) { \
	for (long i = 0; i < n; i++) d[i] = LOG(x[i]); \
} \
MATH static void sigmoid_##S(long n, T *restrict d, const T *restrict x) { \
	for (long i = 0; i < n; i++) d[i] = 1 / (1 + EXP(-x[i])); \
} \
MATH static void tanh_##S(long n, T *restrict d, const T *restrict x) { \
	for (long i = 0; i < n; i++) d[i] = TANH(x[i]); \
} \
REDUCE static double dot_##S(long n, const T *restrict x, const T *restrict y) { \
	T s = 0; \
	for (long i = 0; i < n; i++) s += x[i] * y[i]; \
	return s; \
} \
REDUCE static double sum_##S(long n, const T *restrict x, const T *restrict unused) { \
	T s = 0; \
	for (long i = 0; i < n; i++) s += x[i]; \
	return s; \
} \
REDUCE static double asum_##S(long n, const T *restrict x, const T *restrict unused) { \
	T s = 0; \
	for (long i = 0; i < n; i++) s += fabs(x[i]); \
	return s; \
} \
REDUCE static double nrm2_##S(long n, const T *restrict x, const T *restrict unused) { \
	double s = 0; \
	for (long i = 0; i < n; i++) s += (double)x[i] * x[i]; \
	return sqrt(s); \
} \
REDUCE static double max_##S(long n, const T *restrict x, const T *restrict unused) { \
	T m = x[0]; \
	for (long i = 1; i < n; i++) m = x[i] > m ? x[i] : m; \
	return m; \
} \
REDUCE static double min_##S(long n, const T *restrict x, const T *restrict unused) { \
	T m = x[0]; \
	for (long i = 1; i < n; i++) m = x[i] < m ? x[i] : m; \
	return m; \
} \
STREAM static long argmax_##S(long n, const T *restrict x) { \
	long k = 0; \
	for (long i = 1; i < n; i++) if (x[i] > x[k]) k = i; \
	return k; \
} \
STREAM static long argmin_##S(long n, const T *restrict x) { \
	long k = 0; \
	for (long i = 1; i < n; i++) if (x[i] < x[k]) k = i; \
	return k; \
} \
MATH static void softmax_##S(long rows, long cols, T *restrict dst, const T *restrict x) { \
	for (long r = 0; r < rows; r++) { \
		const T *xr = x + r * cols; \
		T *dr = dst + r * cols; \
		T m = xr[0]; \
		for (long i = 1; i < cols; i++) m = xr[i] > m ? xr[i] : m; \
		T s = 0; \
		for (long i = 0; i < cols; i++) { \
			T e = EXP(xr[i] - m); \
			dr[i] = e; \
			s += e; \
		} \
		T inv = 1 / s; \
		for (long i = 0; i < cols; i++) dr[i] *= inv; \
	} \
} \
MATH static void logsoftmax_##S(long rows, long cols, T *restrict dst, const T *restrict x) { \
	for (long r = 0; r < rows; r++) { \
		const T *xr = x + r * cols; \
		T *dr = dst + r * cols; \
		T m = xr[0]; \
		for (long i = 1; i < cols; i++) m = xr[i] > m ? xr[i] : m; \
		T s = 0; \
		for (long i = 0; i < cols; i++) s += EXP(xr[i] - m); \
		T lse = LOG(s); \
		for (long i = 0; i < cols; i++) dr[i] = xr[i] - m - lse; \
	} \
}

KERNELS(float, f32, expf, logf, tanhf)
KERNELS(double, f64, exp, log, tanh)

// Kernel numbers within each family; the Go side names them C.K_...
enum { K_ADD, K_SUB, K_MUL, K_DIV, K_RELUGRAD };
enum { K_ADDSCALAR, K_MULSCALAR };
enum { K_RELU, K_EXP, K_LOG, K_SIGMOID, K_TANH };
enum { K_DOT, K_SUM, K_ASUM, K_NRM2, K_MAX, K_MIN };
enum { K_ARGMAX, K_ARGMIN };
enum { K_SOFTMAX, K_LOGSOFTMAX };

// The repetition loops: one cgo call runs a kernel reps times. f64 picks
// the element type; pointers arrive as void* and are the element type's.

static void rep_axpy(int f64, long reps, long n, double alpha, const void *x, void *y) {
	for (long r = 0; r < reps; r++) {
		if (f64) axpy_f64(n, alpha, x, y); else axpy_f32(n, (float)alpha, x, y);
	}
}

static void rep_scale(int f64, long reps, long n, double alpha, void *x) {
	for (long r = 0; r < reps; r++) {
		if (f64) scale_f64(n, alpha, x); else scale_f32(n, (float)alpha, x);
	}
}

typedef void (*binary_f32)(long, float *restrict, const float *restrict, const float *restrict);
typedef void (*binary_f64)(long, double *restrict, const double *restrict, const double *restrict);
static const binary_f32 binaries_f32[] = {add_f32, sub_f32, mul_f32, div_f32, relugrad_f32};
static const binary_f64 binaries_f64[] = {add_f64, sub_f64, mul_f64, div_f64, relugrad_f64};

static void rep_binary(int k, int f64, long reps, long n, void *d, const void *a, const void *b) {
	for (long r = 0; r < reps; r++) {
		if (f64) binaries_f64[k](n, d, a, b); else binaries_f32[k](n, d, a, b);
	}
}

static void rep_scalar(int k, int f64, long reps, long n, void *d, const void *a, double s) {
	for (long r = 0; r < reps; r++) {
		if (f64) {
			if (k == K_ADDSCALAR) addscalar_f64(n, d, a, s); else mulscalar_f64(n, d, a, s);
		} else {
			if (k == K_ADDSCALAR) addscalar_f32(n, d, a, (float)s); else mulscalar_f32(n, d, a, (float)s);
		}
	}
}

typedef void (*unary_f32)(long, float *restrict, const float *restrict);
typedef void (*unary_f64)(long, double *restrict, const double *restrict);
static const unary_f32 unaries_f32[] = {relu_f32, exp_f32, log_f32, sigmoid_f32, tanh_f32};
static const unary_f64 unaries_f64[] = {relu_f64, exp_f64, log_f64, sigmoid_f64, tanh_f64};

static void rep_unary(int k, int f64, long reps, long n, void *d, const void *x) {
	for (long r = 0; r < reps; r++) {
		if (f64) unaries_f64[k](n, d, x); else unaries_f32[k](n, d, x);
	}
}

typedef double (*reduce_f32)(long, const float *restrict, const float *restrict);
typedef double (*reduce_f64)(long, const double *restrict, const double *restrict);
static const reduce_f32 reduces_f32[] = {dot_f32, sum_f32, asum_f32, nrm2_f32, max_f32, min_f32};
static const reduce_f64 reduces_f64[] = {dot_f64, sum_f64, asum_f64, nrm2_f64, max_f64, min_f64};

// y may be NULL for the one-input reductions, which ignore it.
static double rep_reduce(int k, int f64, long reps, long n, const void *x, const void *y) {
	double s = 0;
	for (long r = 0; r < reps; r++) {
		s += f64 ? reduces_f64[k](n, x, y) : reduces_f32[k](n, x, y);
	}
	return s;
}

static long rep_arg(int k, int f64, long reps, long n, const void *x) {
	long s = 0;
	for (long r = 0; r < reps; r++) {
		if (f64) s += k == K_ARGMAX ? argmax_f64(n, x) : argmin_f64(n, x);
		else s += k == K_ARGMAX ? argmax_f32(n, x) : argmin_f32(n, x);
	}
	return s;
}

static void rep_rows(int k, int f64, long reps, long rows, long cols, void *d, const void *x) {
	for (long r = 0; r < reps; r++) {
		if (f64) {
			if (k == K_SOFTMAX) softmax_f64(rows, cols, d, x); else logsoftmax_f64(rows, cols, d, x);
		} else {
			if (k == K_SOFTMAX) softmax_f32(rows, cols, d, x); else logsoftmax_f32(rows, cols, d, x);
		}
	}
}
*/
import "C"

import (
	"unsafe"

	"github.com/descentlab/descent/kernels"
)

func ptr[T kernels.Float](s []T) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(s)) }

func isF64[T kernels.Float]() C.int {
	var z T
	if unsafe.Sizeof(z) == 8 {
		return 1
	}
	return 0
}

func both(p32 prep[float32], p64 prep[float64]) impls { return impls{p32, p64} }

func gccAxpy[T kernels.Float]() prep[T] {
	return func(a *args[T]) loop {
		x, y := a.a, a.io
		return func(reps int) {
			C.rep_axpy(isF64[T](), C.long(reps), C.long(len(x)), 0.5, ptr(x), ptr(y))
		}
	}
}

func gccScale[T kernels.Float]() prep[T] {
	return func(a *args[T]) loop {
		x := a.io
		return func(reps int) { C.rep_scale(isF64[T](), C.long(reps), C.long(len(x)), -1, ptr(x)) }
	}
}

func gccBinary[T kernels.Float](k C.int) prep[T] {
	return func(a *args[T]) loop {
		d, x, y := a.dst, a.a, a.b
		return func(reps int) {
			C.rep_binary(k, isF64[T](), C.long(reps), C.long(len(d)), ptr(d), ptr(x), ptr(y))
		}
	}
}

func gccScalar[T kernels.Float](k C.int) prep[T] {
	return func(a *args[T]) loop {
		d, x := a.dst, a.a
		return func(reps int) {
			C.rep_scalar(k, isF64[T](), C.long(reps), C.long(len(d)), ptr(d), ptr(x), 1.5)
		}
	}
}

func gccUnary[T kernels.Float](k C.int) prep[T] {
	return func(a *args[T]) loop {
		d, x := a.dst, a.a
		return func(reps int) { C.rep_unary(k, isF64[T](), C.long(reps), C.long(len(d)), ptr(d), ptr(x)) }
	}
}

func gccReduce[T kernels.Float](k C.int) prep[T] {
	return func(a *args[T]) loop {
		x, y := a.a, a.b
		return func(reps int) {
			sink = float64(C.rep_reduce(k, isF64[T](), C.long(reps), C.long(len(x)), ptr(x), ptr(y)))
		}
	}
}

func gccArg[T kernels.Float](k C.int) prep[T] {
	return func(a *args[T]) loop {
		x := a.a
		return func(reps int) {
			sink = float64(C.rep_arg(k, isF64[T](), C.long(reps), C.long(len(x)), ptr(x)))
		}
	}
}

func gccRows[T kernels.Float](k C.int) prep[T] {
	return func(a *args[T]) loop {
		d, x, cols := a.dst, a.a, a.cols
		return func(reps int) {
			C.rep_rows(k, isF64[T](), C.long(reps), C.long(len(x)/cols), C.long(cols), ptr(d), ptr(x))
		}
	}
}

func registerGCC() {
	m := peerKernels("gcc")
	m["Axpy"] = both(gccAxpy[float32](), gccAxpy[float64]())
	m["Scale"] = both(gccScale[float32](), gccScale[float64]())
	for name, k := range map[string]C.int{"Add": C.K_ADD, "Sub": C.K_SUB, "Mul": C.K_MUL, "Div": C.K_DIV, "ReLUGrad": C.K_RELUGRAD} {
		m[name] = both(gccBinary[float32](k), gccBinary[float64](k))
	}
	for name, k := range map[string]C.int{"AddScalar": C.K_ADDSCALAR, "MulScalar": C.K_MULSCALAR} {
		m[name] = both(gccScalar[float32](k), gccScalar[float64](k))
	}
	for name, k := range map[string]C.int{"ReLU": C.K_RELU, "Exp": C.K_EXP, "Log": C.K_LOG, "Sigmoid": C.K_SIGMOID, "Tanh": C.K_TANH} {
		m[name] = both(gccUnary[float32](k), gccUnary[float64](k))
	}
	for name, k := range map[string]C.int{"Dot": C.K_DOT, "Sum": C.K_SUM, "Asum": C.K_ASUM, "Nrm2": C.K_NRM2, "Max": C.K_MAX, "Min": C.K_MIN} {
		m[name] = both(gccReduce[float32](k), gccReduce[float64](k))
	}
	for name, k := range map[string]C.int{"ArgMax": C.K_ARGMAX, "ArgMin": C.K_ARGMIN} {
		m[name] = both(gccArg[float32](k), gccArg[float64](k))
	}
	for name, k := range map[string]C.int{"Softmax": C.K_SOFTMAX, "LogSoftmax": C.K_LOGSOFTMAX} {
		m[name] = both(gccRows[float32](k), gccRows[float64](k))
	}
}
