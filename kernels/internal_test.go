package kernels

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// TestTablesComplete: every level's table has every kernel filled in, and
// (where the build has assembly) the assembly levels really replaced the
// generic functions they wire, so a wiring mistake cannot go unnoticed.
func TestTablesComplete(t *testing.T) {
	for l, p := range levels {
		for _, tab := range []reflect.Value{reflect.ValueOf(p.f32), reflect.ValueOf(p.f64)} {
			for i := 0; i < tab.NumField(); i++ {
				if tab.Field(i).IsNil() && !optionalKernels[tab.Type().Field(i).Name] {
					t.Errorf("level %s: %s kernel %s is nil", l, tab.Type(), tab.Type().Field(i).Name)
				}
			}
		}
	}
	g := levels[Generic]
	for _, l := range []Level{AVX2, AVX512} {
		p, ok := levels[l]
		if !ok {
			continue
		}
		if reflect.ValueOf(p.f32.add).Pointer() == reflect.ValueOf(g.f32.add).Pointer() {
			t.Errorf("level %s still runs the generic Add: the assembly was not wired before dispatch chose", l)
		}
	}
}

// TestIndexEveryLevel holds each level's index (ArgMax and ArgMin's second
// pass) to the generic scan: the first match at every position of every
// length, no match (len(x)), m = 0 where the masked tail's unused lanes are
// 0 too, ±0 as equal, NaN found by a NaN m and never by a number, and
// matches just past the end of the slice never reported.
func TestIndexEveryLevel(t *testing.T) {
	testIndex[float32](t)
	testIndex[float64](t)
}

func testIndex[T Float](t *testing.T) {
	nan := T(0)
	nan = nan / nan
	for l, p := range levels {
		index := tableOf[T](p).index
		for n := 0; n <= 140; n++ {
			buf := make([]T, n+40)
			for off := 0; off < 3; off++ {
				x := buf[off : off+n]
				for i := range buf {
					buf[i] = 7 // past the end: a match that must not count
				}
				for i := range x {
					x[i] = T(i%5) + 1 // never 0, never 7
				}
				check := func(m T, want int) {
					t.Helper()
					if got := index(x, m); got != want {
						t.Fatalf("level %s %T: index(len %d, off %d, m=%v) = %d, want %d", l, m, n, off, m, got, want)
					}
				}
				check(7, n)   // only past the end
				check(0, n)   // absent; the tail's zero fill must not match
				check(nan, n) // no NaN in x
				check(1, min(n, 0))
				if n == 0 {
					continue
				}
				for _, at := range []int{0, n / 3, n / 2, n - 1} {
					old := x[at]
					x[at] = 0
					check(0, at)
					x[at] = T(negZero)
					check(0, at) // -0 == +0
					x[at] = nan
					check(nan, at)
					check(0, n)
					x[at] = old
				}
			}
		}
	}
}

var negZero = -1 / posInf()

func posInf() float64 { var z float64; return 1 / z }

// tableOf returns p's table for T.
func tableOf[T Float](p *impl) ops[T] {
	var z T
	if any(z) == any(float32(0)) {
		return any(p.f32).(ops[T])
	}
	return any(p.f64).(ops[T])
}

// optionalKernels are the table entries a level may leave nil.
var optionalKernels = map[string]bool{"softmaxRows": true, "logSoftmaxStats": true, "logSoftmaxApply": true, "argmax": true, "argmin": true}

// TestSoftmaxRowsSameBits: a level's row-wise Softmax and LogSoftmax
// kernels give the same bits as the row-by-row loops on the same level's
// kernels, for every cols up to 70 (tiles, tails, one-element rows), rows
// with NaN, ±Inf, ±0, huge and tiny values, and dst the same slice as x.
func TestSoftmaxRowsSameBits(t *testing.T) {
	testSoftmaxRows[float32](t)
	testSoftmaxRows[float64](t)
}

func testSoftmaxRows[T Float](t *testing.T) {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1e30, -1e30, 88, -104, 700, -750}
	tested := 0
	defer func() {
		// The assembly levels have the kernel: this test must not pass by
		// finding none.
		if _, asm := levels[AVX2]; asm && tested == 0 {
			t.Error("no level has softmaxRows")
		}
	}()
	for l, p := range levels {
		tab := tableOf[T](p)
		if tab.softmaxRows == nil {
			continue
		}
		tested++
		r := rand.New(rand.NewPCG(1, uint64(l[0])))
		for cols := 1; cols <= 70; cols++ {
			for _, rows := range []int{0, 1, 3, 64, 65, 129} { // LogSoftmax's log blocks are 64 rows
				x := make([]T, rows*cols)
				for i := range x {
					x[i] = T(r.NormFloat64() * 10)
					if r.IntN(20) == 0 {
						x[i] = T(specials[r.IntN(len(specials))])
					}
				}
				if rows == 3 {
					// Row 1: zeros of both signs tie for the maximum
					// (which one Max keeps shows in LogSoftmax's -0 or
					// +0), the rest -Inf.
					for j := 0; j < cols; j++ {
						x[cols+j] = T(math.Inf(-1))
					}
					x[cols] = T(math.Copysign(0, -1))
					x[cols+cols/2] = 0
				}
				want, got := make([]T, len(x)), make([]T, len(x))
				softmaxRowByRow(&tab, want, x, cols)
				tab.softmaxRows(got, x, cols)
				inPlace := slices.Clone(x)
				tab.softmaxRows(inPlace, inPlace, cols)
				for i := range want {
					if !sameBits(got[i], want[i]) || !sameBits(inPlace[i], want[i]) {
						t.Fatalf("level %s %T Softmax cols %d rows %d: element %d (x=%v) is %v (in place %v), row by row %v",
							l, x[i], cols, rows, i, x[i], got[i], inPlace[i], want[i])
					}
				}
				// LogSoftmax through the public function at this level:
				// the two-pass kernels (cols >= 2, distinct dst) or the
				// row loop (cols 1, in place), against the row loop.
				logSoftmaxRowByRow(&tab, want, x, cols)
				prev := ISA()
				if err := SetISA(l); err != nil {
					t.Fatal(err)
				}
				LogSoftmax(got, x, cols)
				inPlace = slices.Clone(x)
				LogSoftmax(inPlace, inPlace, cols)
				SetISA(prev)
				for i := range want {
					if !sameBits(got[i], want[i]) || !sameBits(inPlace[i], want[i]) {
						t.Fatalf("level %s %T LogSoftmax cols %d rows %d: element %d (x=%v) is %v (in place %v), row by row %v",
							l, x[i], cols, rows, i, x[i], got[i], inPlace[i], want[i])
					}
				}
			}
		}
	}
}

// sameBits: equal bit patterns, or both NaN (which NaN a sum of NaNs ends
// up as is not part of the contract).
func sameBits[T Float](a, b T) bool {
	if a != a && b != b {
		return true
	}
	return math.Float64bits(float64(a)) == math.Float64bits(float64(b))
}

// TestArgExtremeEveryLevel holds each level's one-call argmax and argmin
// (where it has them) to its own two passes, index(x, max(x)): every length
// up to 300 at offsets 0..2 (the blocks, the overlapping last block, the
// one-vector loop, the masked tail), the extreme at the first, a middle
// and the last position and tied at two, ±0 together, ±Inf, all elements
// equal, and NaN (the first NaN wins, wherever the extreme is); elements
// just past the slice that would win must never be seen.
func TestArgExtremeEveryLevel(t *testing.T) {
	testArgExtreme[float32](t)
	testArgExtreme[float64](t)
}

func testArgExtreme[T Float](t *testing.T) {
	nan := T(math.NaN())
	inf := T(math.Inf(1))
	rng := rand.New(rand.NewPCG(3, 4))
	tested := 0
	for l, p := range levels {
		tab := tableOf[T](p)
		if tab.argmax == nil || tab.argmin == nil {
			continue
		}
		tested++
		buf := make([]T, 300+40)
		for n := 1; n <= 300; n++ {
			for off := 0; off < 3; off++ {
				for i := range buf {
					buf[i] = nan // past the ends: must never be seen
				}
				x := buf[off : off+n]
				check := func(what string) {
					t.Helper()
					if got, want := tab.argmax(x), tab.index(x, tab.max(x)); got != want {
						t.Fatalf("level %s %T n=%d off=%d %s: argmax = %d, want %d (%v)", l, x[0], n, off, what, got, want, x)
					}
					if got, want := tab.argmin(x), tab.index(x, tab.min(x)); got != want {
						t.Fatalf("level %s %T n=%d off=%d %s: argmin = %d, want %d (%v)", l, x[0], n, off, what, got, want, x)
					}
				}
				for i := range x {
					x[i] = T(rng.NormFloat64())
				}
				check("random")
				for _, at := range []int{0, n / 2, n - 1} {
					old := x[at]
					x[at] = 100
					check("max")
					x[at] = -100
					check("min")
					x[n-1-at] = -100
					check("tied min")
					x[n-1-at] = T(rng.NormFloat64())
					x[at] = inf
					check("+Inf")
					x[at] = -inf
					check("-Inf")
					x[at] = nan
					check("NaN")
					x[(at+n/3)%n] = nan
					check("two NaNs")
					x[(at+n/3)%n] = 0
					x[at] = old
				}
				for i := range x {
					x[i] = 0
				}
				x[n/2] = T(negZero)
				check("±0")
				for i := range x {
					x[i] = 3
				}
				check("all equal")
			}
		}
	}
	for _, l := range []Level{AVX2, AVX512} {
		if p := levels[l]; p != nil && tableOf[T](p).argmax == nil {
			t.Errorf("level %s has no one-call argmax", l)
		}
	}
	t.Logf("%d levels with one-call argmax and argmin", tested)
}
