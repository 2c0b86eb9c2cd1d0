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
var optionalKernels = map[string]bool{"softmaxRows": true, "logSoftmaxStats": true, "logSoftmaxApply": true}

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
