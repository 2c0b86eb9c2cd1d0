package kernels

import (
	"reflect"
	"testing"
)

// TestTablesComplete: every level's table has every kernel filled in, and
// (where the build has assembly) the assembly levels really replaced the
// generic functions they wire, so a wiring mistake cannot go unnoticed.
func TestTablesComplete(t *testing.T) {
	for l, p := range levels {
		for _, tab := range []reflect.Value{reflect.ValueOf(p.f32), reflect.ValueOf(p.f64)} {
			for i := 0; i < tab.NumField(); i++ {
				if tab.Field(i).IsNil() {
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
