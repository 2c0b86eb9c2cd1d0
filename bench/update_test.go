package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/descentlab/descent/kernels"
)

// The fused optimizer updates, as BenchmarkUpdate/kernel=adam/isa=avx512/
// dtype=f32/n=65536: every kernel at every level, at a cache-resident and
// a 2^20-element size. Bytes (b.SetBytes) count each slice read once and
// each slice written once, so that MB/s compares with the copy yardstick
// run in the same benchmark: kernel=copy-as-<k> copies as many bytes as
// kernel k moves (its reads plus writes), with Go's copy.
//
//	go test -run XXX -bench 'Update/kernel=(adam|copy-as-adam)/' -count 5 ./bench/ | benchstat -col /kernel -
//
// Clamp has a plain vector signature and joins the suite of kernels_test.go.

func init() {
	for _, k := range updateBenches {
		notInSuite[k.fn] = "update_test.go (BenchmarkUpdate)"
	}
	suite = append(suite, struct {
		spec kernelSpec
		own  impls
	}{kernelSpec{name: "Clamp", elems: 2, in: []role{roleWide}, big: true},
		impls{unaryPrep(clampTo1[float32]), unaryPrep(clampTo1[float64])}})
}

func clampTo1[T kernels.Float](dst, x []T) { kernels.Clamp(dst, x, -1, 1) }

func BenchmarkClamp(b *testing.B) { bench(b, "Clamp") }

// updateSizes: one that fits in L2 (65536 float32: 256 KiB per slice) and
// one that streams from L3 or memory (2^20: 4 MiB per float32 slice).
var updateSizes = []int{65536, 1 << 20}

// updateBench is one benchmarked configuration of an update kernel: its
// state slices (beyond p and g), the elements it reads and writes per
// parameter, and a steady-state call (no First step, so every loop reads
// all of its state).
type updateBench struct {
	name, fn string
	state    int // state slices beside p and g
	rw       int // slices read + slices written
	f32      func(s [][]float32) func()
	f64      func(s [][]float64) func()
}

var updateBenches = []updateBench{
	// Adam reads p, g, m, v and writes p, m, v.
	{"adam", "AdamStep", 2, 7, adamLoop[float32], adamLoop[float64]},
	// SGD with momentum reads p, g, buf and writes p, buf.
	{"sgd-momentum", "SGDStep", 1, 5, sgdLoop[float32], sgdLoop[float64]},
	// RMSprop (plain) reads p, g, sq and writes p, sq.
	{"rmsprop", "RMSpropStep", 1, 5, rmspropLoop[float32], rmspropLoop[float64]},
	// Adagrad reads p, g, sum and writes p, sum.
	{"adagrad", "AdagradStep", 1, 5, adagradLoop[float32], adagradLoop[float64]},
}

func adamLoop[T kernels.Float](s [][]T) func() {
	a := kernels.AdamArgs[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Decay: 1, StepSize: 1e-3 / (1 - 0.9), BC2Sqrt: 0.0316}
	return func() { kernels.AdamStep(s[0], s[1], s[2], s[3], nil, a) }
}

func sgdLoop[T kernels.Float](s [][]T) func() {
	a := kernels.SGDArgs[T]{LR: 1e-3, Momentum: 0.9}
	return func() { kernels.SGDStep(s[0], s[1], s[2], a) }
}

func rmspropLoop[T kernels.Float](s [][]T) func() {
	a := kernels.RMSpropArgs[T]{LR: 1e-3, Alpha: 0.99, Eps: 1e-8}
	return func() { kernels.RMSpropStep(s[0], s[1], s[2], nil, nil, a) }
}

func adagradLoop[T kernels.Float](s [][]T) func() {
	a := kernels.AdagradArgs[T]{LR: 1e-3, Eps: 1e-10}
	return func() { kernels.AdagradStep(s[0], s[1], s[2], a) }
}

// updateSlices returns p, g and the state slices: p and g in [-1, 1), the
// state (moments, sums) in [0, 1), so that no call meets a denormal or a
// NaN however many times it runs.
func updateSlices[T kernels.Float](n, state int) [][]T {
	r := rand.New(rand.NewPCG(uint64(n), uint64(state)))
	out := make([][]T, 2+state)
	for k := range out {
		out[k] = make([]T, n)
		for i := range out[k] {
			v := r.Float64()
			if k < 2 {
				v = 2*v - 1
			}
			out[k][i] = T(v)
		}
	}
	return out
}

func BenchmarkUpdate(b *testing.B) {
	for _, ub := range updateBenches {
		b.Run("kernel="+ub.name, func(b *testing.B) {
			eachUpdateLevel(b, func(b *testing.B) {
				runUpdateSizes(b, ub, ub.f32)
				runUpdateSizes(b, ub, ub.f64)
			})
		})
		b.Run("kernel=copy-as-"+ub.name, func(b *testing.B) {
			copyAs[float32](b, ub)
			copyAs[float64](b, ub)
		})
	}
}

// eachUpdateLevel runs f under isa=<level> for every level this machine has.
func eachUpdateLevel(b *testing.B, f func(b *testing.B)) {
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
			f(b)
		})
	}
}

func runUpdateSizes[T kernels.Float](b *testing.B, ub updateBench, mk func(s [][]T) func()) {
	var z T
	b.Run("dtype="+dtypeName[T](), func(b *testing.B) {
		for _, n := range updateSizes {
			b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
				run := mk(updateSlices[T](n, ub.state))
				b.SetBytes(int64(ub.rw * n * int(unsafe.Sizeof(z))))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					run()
				}
			})
		}
	})
}

// copyAs copies rw/2 slices' worth of bytes, so that its bytes read plus
// written equal the update's: the bandwidth yardstick for ub, under the
// same dtype= and n= names.
func copyAs[T kernels.Float](b *testing.B, ub updateBench) {
	var z T
	b.Run("dtype="+dtypeName[T](), func(b *testing.B) {
		for _, n := range updateSizes {
			b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
				m := ub.rw * n / 2
				src, dst := make([]T, m), make([]T, m)
				for i := range src {
					src[i] = T(i)
				}
				b.SetBytes(int64(2 * m * int(unsafe.Sizeof(z))))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					copy(dst, src)
				}
			})
		}
	})
}

// TestUpdateZeroAllocs: a steady-state update call allocates nothing, at
// any level.
func TestUpdateZeroAllocs(t *testing.T) {
	prev := kernels.ISA()
	defer func() {
		if err := kernels.SetISA(prev); err != nil {
			t.Fatal(err)
		}
	}()
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			t.Fatal(err)
		}
		for _, ub := range updateBenches {
			f32, f64 := ub.f32(updateSlices[float32](100, ub.state)), ub.f64(updateSlices[float64](100, ub.state))
			checkAllocs(t, fmt.Sprintf("%s/isa=%s/dtype=f32", ub.name, l), func(int) { f32() })
			checkAllocs(t, fmt.Sprintf("%s/isa=%s/dtype=f64", ub.name, l), func(int) { f64() })
		}
	}
}
