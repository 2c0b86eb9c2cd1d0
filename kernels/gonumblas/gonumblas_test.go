package gonumblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/blas/testblas"

	"github.com/descentlab/descent/kernels"
)

// forEachLevel runs f at every instruction set this machine has.
func forEachLevel(t *testing.T, f func(t *testing.T)) {
	old := kernels.ISA()
	defer kernels.SetISA(old)
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			t.Fatal(err)
		}
		t.Run(string(l), f)
	}
}

// gonum's own conformance suite.
func TestDgemm(t *testing.T) {
	forEachLevel(t, func(t *testing.T) { testblas.TestDgemm(t, Implementation{}) })
}
func TestDdot(t *testing.T) {
	forEachLevel(t, func(t *testing.T) { testblas.DdotTest(t, Implementation{}) })
}
func TestDaxpy(t *testing.T) {
	forEachLevel(t, func(t *testing.T) { testblas.DaxpyTest(t, Implementation{}) })
}
func TestDscal(t *testing.T) {
	forEachLevel(t, func(t *testing.T) { testblas.DscalTest(t, Implementation{}) })
}
func TestDnrm2(t *testing.T) {
	forEachLevel(t, func(t *testing.T) { testblas.Dnrm2Test(t, Implementation{}) })
}
func TestDasum(t *testing.T) {
	forEachLevel(t, func(t *testing.T) { testblas.DasumTest(t, Implementation{}) })
}
func TestDsymm(t *testing.T)  { testblas.DsymmTest(t, Implementation{}) }
func TestDgemv(t *testing.T)  { testblas.DgemvTest(t, Implementation{}) }
func TestDsyrk(t *testing.T)  { testblas.DsyrkTest(t, Implementation{}) }
func TestDtrmm(t *testing.T)  { testblas.DtrmmTest(t, Implementation{}) }
func TestDsyr2k(t *testing.T) { testblas.Dsyr2kTest(t, Implementation{}) }

// The float32 routines have no testblas suite: compare with gonum's own.
func TestFloat32AgainstGonum(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 1))
		var ours Implementation
		var ref gonum.Implementation
		rnd := func(n int) []float32 {
			s := make([]float32, n)
			for i := range s {
				s[i] = float32(rng.NormFloat64())
			}
			return s
		}
		close32 := func(name string, got, want float32, scale float64) {
			t.Helper()
			if math.Abs(float64(got-want)) > 1e-5*scale {
				t.Errorf("%s: got %v, want %v", name, got, want)
			}
		}
		for _, n := range []int{1, 7, 33, 100, 1000} {
			x, y := rnd(n), rnd(n)
			close32(fmt.Sprint("Sdot ", n), ours.Sdot(n, x, 1, y, 1), ref.Sdot(n, x, 1, y, 1), float64(n))
			close32(fmt.Sprint("Snrm2 ", n), ours.Snrm2(n, x, 1), ref.Snrm2(n, x, 1), float64(n))
			close32(fmt.Sprint("Sasum ", n), ours.Sasum(n, x, 1), ref.Sasum(n, x, 1), float64(n))
			y1, y2 := append([]float32(nil), y...), append([]float32(nil), y...)
			ours.Saxpy(n, 0.5, x, 1, y1, 1)
			ref.Saxpy(n, 0.5, x, 1, y2, 1)
			ours.Sscal(n, -3, y1, 1)
			ref.Sscal(n, -3, y2, 1)
			for i := range y1 {
				close32(fmt.Sprint("Saxpy+Sscal ", n), y1[i], y2[i], 1)
			}
		}
		for _, tr := range [][2]blas.Transpose{{blas.NoTrans, blas.NoTrans}, {blas.Trans, blas.NoTrans}, {blas.NoTrans, blas.Trans}, {blas.ConjTrans, blas.Trans}} {
			m, n, k := 37, 51, 70
			a, b, c := rnd(m*k), rnd(k*n), rnd(m*n)
			lda, ldb := k, n
			if tr[0] != blas.NoTrans {
				lda = m
			}
			if tr[1] != blas.NoTrans {
				ldb = k
			}
			c2 := append([]float32(nil), c...)
			ours.Sgemm(tr[0], tr[1], m, n, k, 1.5, a, lda, b, ldb, -0.5, c, n)
			ref.Sgemm(tr[0], tr[1], m, n, k, 1.5, a, lda, b, ldb, -0.5, c2, n)
			for i := range c {
				close32(fmt.Sprintf("Sgemm %c%c", tr[0], tr[1]), c[i], c2[i], float64(k))
			}
		}
	})
}

// Invalid arguments reach gonum, which panics with its own messages.
func TestPanicsAsGonum(t *testing.T) {
	var ours Implementation
	var ref gonum.Implementation
	msg := func(f func()) (s string) {
		defer func() { s = fmt.Sprint(recover()) }()
		f()
		return ""
	}
	a := make([]float64, 6)
	for _, call := range []func(blas.Float64){
		func(i blas.Float64) {
			i.Dgemm(blas.NoTrans, blas.NoTrans, 2, 3, 3, 1, a, 2, a, 3, 0, make([]float64, 6), 3)
		},
		func(i blas.Float64) { i.Dgemm('X', blas.NoTrans, 2, 3, 3, 1, a, 3, a, 3, 0, make([]float64, 6), 3) },
		func(i blas.Float64) {
			i.Dgemm(blas.NoTrans, blas.NoTrans, 3, 3, 3, 1, a, 3, a, 3, 0, make([]float64, 9), 3)
		},
		func(i blas.Float64) { i.Ddot(7, a, 1, a, 1) },
		func(i blas.Float64) { i.Daxpy(-1, 1, a, 1, a, 1) },
	} {
		got, want := msg(func() { call(ours) }), msg(func() { call(ref) })
		if got != want || want == "" {
			t.Errorf("panic %q, gonum's %q", got, want)
		}
	}
}
