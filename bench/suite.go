package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/descentlab/descent/kernels"
)

// This file is the plumbing shared by the kernel suite (kernels_test.go) and
// the peer suite (peers_test.go, build tag peers): sizes, deterministic
// input data, the instruction-set loop and the registry through which the
// peers add themselves beside descent's own levels, so that one run of one
// benchmark measures every implementation on the same inputs.

// vectorSizes are the lengths every vector kernel runs at: an L1-resident
// MLP layer, a page-sized vector, and one that lives in L2.
var vectorSizes = []int{1000, 4096, 65536}

// bigSize is the streaming size, 2^24 elements (64 MiB of float32 per
// slice): far past every cache, so it measures memory bandwidth. Only the
// streaming kernels and one reduction run at it, and never under -short.
const bigSize = 1 << 24

// rowShapes are the softmax shapes: a batch of 256 ten-class outputs, and
// 64 rows of a thousand classes.
var rowShapes = [][2]int{{256, 10}, {64, 1000}}

// role names one input of a kernel; each role has its own value range so
// that every kernel runs on data that keeps it out of special cases
// (denormals, NaN, division by zero).
type role int

const (
	roleX    role = iota // uniform in [-1, 1)
	roleY                // uniform in [-1, 1), independent of X
	roleWide             // uniform in [-6, 6): the interesting range of exp, tanh, sigmoid
	rolePos              // uniform in [0.25, 4): logarithms and divisors
	numRoles
)

var roleRange = [numRoles][2]float64{
	roleX:    {-1, 1},
	roleY:    {-1, 1},
	roleWide: {-6, 6},
	rolePos:  {0.25, 4},
}

// kernelSpec describes one benchmarked kernel, independent of who
// implements it.
type kernelSpec struct {
	name  string
	elems int    // elements read plus written per input element (b.SetBytes): each operand once, however many passes a kernel makes
	in    []role // the kernel's inputs, in argument order
	big   bool   // also run at bigSize
	rows  bool   // rows x cols shapes (softmax) instead of vector lengths
}

// args are the operands one call of a kernel gets. a and b are read-only
// inputs; dst is a scratch output; io is an in/out operand (Axpy's y,
// Scale's x), refilled before each timed run so repeated runs start alike.
type args[T kernels.Float] struct {
	a, b, dst, io []T
	cols          int
}

// loop runs a prepared kernel call reps times. Preparing (picking operands,
// wrapping a peer) happens outside the timer; a loop allocates nothing.
type loop func(reps int)

// prep binds an implementation to operands.
type prep[T kernels.Float] func(a *args[T]) loop

// impls is one implementation of a kernel for both element types; a nil
// entry means that implementation has no such kernel for that type.
type impls struct {
	f32 prep[float32]
	f64 prep[float64]
}

// peers maps a peer's name (used as its isa= key) to the kernels it has,
// by kernel name. peers_test.go fills it from an init function when built
// with -tags peers; without the tag it is empty.
var peers = map[string]map[string]impls{}

// peerOrder is the order the peers run in, after descent's levels.
var peerOrder = []string{"gcc", "vek", "gonum"}

// sink keeps reductions' results alive.
var sink float64

// pool caches input data by element type, length and role, so every
// implementation of every kernel sees exactly the same numbers, and the
// 2^24-element slices are generated once per run.
var pool = map[poolKey]any{}

type poolKey struct {
	size uintptr
	n    int
	r    role
}

func input[T kernels.Float](n int, r role) []T {
	var z T
	k := poolKey{unsafe.Sizeof(z), n, r}
	if s, ok := pool[k]; ok {
		return s.([]T)
	}
	s := make([]T, n)
	if r < numRoles { // scratch slots stay zero
		lo, hi := roleRange[r][0], roleRange[r][1]
		rng := rand.New(rand.NewPCG(uint64(r)+1, uint64(n)))
		for i := range s {
			s[i] = T(lo + (hi-lo)*rng.Float64())
		}
	}
	pool[k] = s
	return s
}

// scratch returns a reusable output slice of n elements (slot tells apart
// dst and io).
func scratch[T kernels.Float](n int, slot role) []T {
	return input[T](n, numRoles+slot)
}

func dtypeName[T kernels.Float]() string {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return "f32"
	}
	return "f64"
}

// shape is one size a kernel runs at: a vector of n, or rows x cols.
type shape struct{ n, rows, cols int }

func (s shape) String() string {
	if s.rows > 0 {
		return fmt.Sprintf("shape=%dx%d", s.rows, s.cols)
	}
	return fmt.Sprintf("n=%d", s.n)
}

func (k kernelSpec) shapes() []shape {
	var out []shape
	if k.rows {
		for _, rc := range rowShapes {
			out = append(out, shape{rc[0] * rc[1], rc[0], rc[1]})
		}
		return out
	}
	for _, n := range vectorSizes {
		out = append(out, shape{n: n, cols: n})
	}
	if k.big && !testing.Short() {
		out = append(out, shape{n: bigSize, cols: bigSize})
	}
	return out
}

// runKernel runs kernel k as sub-benchmarks isa=<level>/dtype=<t>/<shape>:
// first descent's own implementation (own) at every level this machine has,
// then every registered peer that has the kernel, under isa=<peer>.
func runKernel(b *testing.B, k kernelSpec, own impls) {
	for _, l := range kernels.Available() {
		b.Run("isa="+string(l), func(b *testing.B) {
			prev := kernels.ISA()
			if err := kernels.SetISA(l); err != nil {
				b.Fatal(err)
			}
			defer func() {
				if err := kernels.SetISA(prev); err != nil {
					b.Fatal(err)
				}
			}()
			runTypes(b, k, own)
		})
	}
	for _, p := range peerOrder {
		if im, ok := peers[p][k.name]; ok {
			b.Run("isa="+p, func(b *testing.B) { runTypes(b, k, im) })
		}
	}
}

func runTypes(b *testing.B, k kernelSpec, im impls) {
	if im.f32 != nil {
		runShapes(b, k, im.f32)
	}
	if im.f64 != nil {
		runShapes(b, k, im.f64)
	}
}

func runShapes[T kernels.Float](b *testing.B, k kernelSpec, p prep[T]) {
	b.Run("dtype="+dtypeName[T](), func(b *testing.B) { runShapesOf(b, k, p) })
}

func runShapesOf[T kernels.Float](b *testing.B, k kernelSpec, p prep[T]) {
	for _, s := range k.shapes() {
		b.Run(s.String(), func(b *testing.B) {
			a := operands[T](k, s)
			run := p(a)
			var z T
			b.SetBytes(int64(k.elems * s.n * int(unsafe.Sizeof(z))))
			b.ReportAllocs()
			b.ResetTimer()
			run(b.N)
		})
	}
}

// operands gathers a kernel's inputs for one shape from the pool, with
// pooled scratch for dst and io. io (Axpy's y, Scale's x) is reset to a
// copy of the kernel's last input.
func operands[T kernels.Float](k kernelSpec, s shape) *args[T] {
	return operandsWith(k, s, scratch[T](s.n, 0), scratch[T](s.n, 1))
}

// freshOperands is operands with newly allocated dst and io, for tests
// that compare the outputs of two implementations.
func freshOperands[T kernels.Float](k kernelSpec, s shape) *args[T] {
	return operandsWith(k, s, make([]T, s.n), make([]T, s.n))
}

func operandsWith[T kernels.Float](k kernelSpec, s shape, dst, io []T) *args[T] {
	a := &args[T]{cols: s.cols, dst: dst, io: io}
	if len(k.in) > 0 {
		a.a = input[T](s.n, k.in[0])
		copy(a.io, input[T](s.n, k.in[len(k.in)-1]))
	}
	if len(k.in) > 1 {
		a.b = input[T](s.n, k.in[1])
	}
	return a
}

// The implementation families: each turns a function with a kernel's
// signature into a prep. Descent's kernels and the Go peers (vek, gonum)
// both go through these, so they are timed by the same loop.

func axpyPrep[T kernels.Float](f func(alpha T, x, y []T)) prep[T] {
	return func(a *args[T]) loop {
		// y grows by at most 0.5 per call: no overflow, no denormals.
		x, y := a.a, a.io
		return func(reps int) {
			for range reps {
				f(0.5, x, y)
			}
		}
	}
}

func scalePrep[T kernels.Float](f func(alpha T, x []T)) prep[T] {
	return func(a *args[T]) loop {
		// Scaling by -1 is exact: the values neither drift nor decay.
		x := a.io
		return func(reps int) {
			for range reps {
				f(-1, x)
			}
		}
	}
}

func binaryPrep[T kernels.Float](f func(dst, a, b []T)) prep[T] {
	return func(a *args[T]) loop {
		dst, x, y := a.dst, a.a, a.b
		return func(reps int) {
			for range reps {
				f(dst, x, y)
			}
		}
	}
}

func unaryPrep[T kernels.Float](f func(dst, x []T)) prep[T] {
	return func(a *args[T]) loop {
		dst, x := a.dst, a.a
		return func(reps int) {
			for range reps {
				f(dst, x)
			}
		}
	}
}

func scalarPrep[T kernels.Float](f func(dst, x []T, s T)) prep[T] {
	return func(a *args[T]) loop {
		dst, x := a.dst, a.a
		return func(reps int) {
			for range reps {
				f(dst, x, 1.5)
			}
		}
	}
}

func reduce2Prep[T kernels.Float](f func(x, y []T) T) prep[T] {
	return func(a *args[T]) loop {
		x, y := a.a, a.b
		return func(reps int) {
			var s T
			for range reps {
				s += f(x, y)
			}
			sink = float64(s)
		}
	}
}

func reducePrep[T kernels.Float](f func(x []T) T) prep[T] {
	return func(a *args[T]) loop {
		x := a.a
		return func(reps int) {
			var s T
			for range reps {
				s += f(x)
			}
			sink = float64(s)
		}
	}
}

func argPrep[T kernels.Float](f func(x []T) int) prep[T] {
	return func(a *args[T]) loop {
		x := a.a
		return func(reps int) {
			s := 0
			for range reps {
				s += f(x)
			}
			sink = float64(s)
		}
	}
}

func rowsPrep[T kernels.Float](f func(dst, x []T, cols int)) prep[T] {
	return func(a *args[T]) loop {
		dst, x, cols := a.dst, a.a, a.cols
		return func(reps int) {
			for range reps {
				f(dst, x, cols)
			}
		}
	}
}

// peerKernels returns peer p's registry, creating it.
func peerKernels(p string) map[string]impls {
	if !slices.Contains(peerOrder, p) {
		panic("bench: unknown peer " + p)
	}
	m := peers[p]
	if m == nil {
		m = map[string]impls{}
		peers[p] = m
	}
	return m
}
