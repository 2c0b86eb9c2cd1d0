//go:build peers

package bench

// The peers: the same kernels written the usual way elsewhere, run by the
// same loops on the same data under isa=gcc, isa=vek and isa=gonum, so that
// `benchstat -col /isa` sets them beside descent's levels.
//
//   - gcc: plain C loops compiled by gcc through cgo with -O3 -march=native
//     (AVX-512 on this machine). The reductions get fast-math (so gcc may
//     reassociate and vectorise them) plus unrolling with variable expansion
//     (so it keeps two independent vector accumulators; more would need a
//     --param that cgo does not accept). The transcendental loops get
//     fast-math so that gcc calls glibc's vector math library (libmvec):
//     `objdump -d` of the test binary shows exp_f32 calling
//     _ZGVeN16v_expf (16 floats per call, AVX-512) with _ZGVdN8v_expf for
//     the remainder, log_f32 calling _ZGVeN16v_logf, tanh_f32
//     _ZGVeN16v_tanhf, and the float64 loops _ZGVeN8v_exp, _ZGVeN8v_log,
//     _ZGVeN8v_tanh (peers_cgo.go says how the declarations get there).
//     Each kernel is noipa so gcc cannot specialise or hoist it, and the
//     repetition loop runs in C (one cgo call per timed run, not per kernel
//     call), so the figures are gcc's code without the cgo call overhead.
//   - vek: github.com/viterin/vek (vek32 for float32), Go with AVX2
//     assembly; it has no axpy, sigmoid, tanh or softmax.
//   - gonum: gonum.org/v1/gonum/blas/gonum (Saxpy, Sdot, ... for both types)
//     and gonum.org/v1/gonum/floats (float64 only).
//
// Semantics differ at the edges (fast-math max ignores NaN, vek's Maximum
// is not descent's ReLU on NaN, libmvec's exp is accurate to 4 ULP): the
// benchmarks only use finite inputs well inside every range, and
// TestPeersAgree checks that every peer computes the same values as
// descent on them.

import (
	"math"
	"testing"

	"github.com/descentlab/descent/kernels"
	"github.com/viterin/vek"
	"github.com/viterin/vek/vek32"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/floats"
)

func init() {
	registerGCC() // peers_cgo.go
	registerVek()
	registerGonum()
}

// ---- vek ----

func registerVek() {
	m := peerKernels("vek")
	m["Scale"] = both(scalePrep(func(a float32, x []float32) { vek32.MulNumber_Inplace(x, a) }),
		scalePrep(func(a float64, x []float64) { vek.MulNumber_Inplace(x, a) }))
	m["Dot"] = both(reduce2Prep(vek32.Dot), reduce2Prep(vek.Dot))
	m["Sum"] = both(reducePrep(vek32.Sum), reducePrep(vek.Sum))
	m["Asum"] = both(reducePrep(vek32.ManhattanNorm), reducePrep(vek.ManhattanNorm))
	m["Nrm2"] = both(reducePrep(vek32.Norm), reducePrep(vek.Norm))
	m["Max"] = both(reducePrep(vek32.Max), reducePrep(vek.Max))
	m["Min"] = both(reducePrep(vek32.Min), reducePrep(vek.Min))
	m["ArgMax"] = both(argPrep(vek32.ArgMax), argPrep(vek.ArgMax))
	m["ArgMin"] = both(argPrep(vek32.ArgMin), argPrep(vek.ArgMin))
	m["Add"] = both(binaryPrep(func(d, a, b []float32) { vek32.Add_Into(d, a, b) }),
		binaryPrep(func(d, a, b []float64) { vek.Add_Into(d, a, b) }))
	m["Sub"] = both(binaryPrep(func(d, a, b []float32) { vek32.Sub_Into(d, a, b) }),
		binaryPrep(func(d, a, b []float64) { vek.Sub_Into(d, a, b) }))
	m["Mul"] = both(binaryPrep(func(d, a, b []float32) { vek32.Mul_Into(d, a, b) }),
		binaryPrep(func(d, a, b []float64) { vek.Mul_Into(d, a, b) }))
	m["Div"] = both(binaryPrep(func(d, a, b []float32) { vek32.Div_Into(d, a, b) }),
		binaryPrep(func(d, a, b []float64) { vek.Div_Into(d, a, b) }))
	m["AddScalar"] = both(scalarPrep(func(d, a []float32, s float32) { vek32.AddNumber_Into(d, a, s) }),
		scalarPrep(func(d, a []float64, s float64) { vek.AddNumber_Into(d, a, s) }))
	m["MulScalar"] = both(scalarPrep(func(d, a []float32, s float32) { vek32.MulNumber_Into(d, a, s) }),
		scalarPrep(func(d, a []float64, s float64) { vek.MulNumber_Into(d, a, s) }))
	m["ReLU"] = both(unaryPrep(func(d, x []float32) { vek32.MaximumNumber_Into(d, x, 0) }),
		unaryPrep(func(d, x []float64) { vek.MaximumNumber_Into(d, x, 0) }))
	// vek has Exp and Log for float32 only.
	m["Exp"] = impls{f32: unaryPrep(func(d, x []float32) { vek32.Exp_Into(d, x) })}
	m["Log"] = impls{f32: unaryPrep(func(d, x []float32) { vek32.Log_Into(d, x) })}
}

// ---- gonum ----

func registerGonum() {
	var impl gonum.Implementation
	m := peerKernels("gonum")
	m["Axpy"] = both(axpyPrep(func(a float32, x, y []float32) { impl.Saxpy(len(x), a, x, 1, y, 1) }),
		axpyPrep(func(a float64, x, y []float64) { impl.Daxpy(len(x), a, x, 1, y, 1) }))
	m["Scale"] = both(scalePrep(func(a float32, x []float32) { impl.Sscal(len(x), a, x, 1) }),
		scalePrep(func(a float64, x []float64) { impl.Dscal(len(x), a, x, 1) }))
	m["Dot"] = both(reduce2Prep(func(x, y []float32) float32 { return impl.Sdot(len(x), x, 1, y, 1) }),
		reduce2Prep(func(x, y []float64) float64 { return impl.Ddot(len(x), x, 1, y, 1) }))
	m["Asum"] = both(reducePrep(func(x []float32) float32 { return impl.Sasum(len(x), x, 1) }),
		reducePrep(func(x []float64) float64 { return impl.Dasum(len(x), x, 1) }))
	m["Nrm2"] = both(reducePrep(func(x []float32) float32 { return impl.Snrm2(len(x), x, 1) }),
		reducePrep(func(x []float64) float64 { return impl.Dnrm2(len(x), x, 1) }))
	// package floats is float64 only.
	m["Sum"] = impls{f64: reducePrep(floats.Sum)}
	m["Max"] = impls{f64: reducePrep(floats.Max)}
	m["Min"] = impls{f64: reducePrep(floats.Min)}
	m["ArgMax"] = impls{f64: argPrep(floats.MaxIdx)}
	m["ArgMin"] = impls{f64: argPrep(floats.MinIdx)}
	m["Add"] = impls{f64: binaryPrep(func(d, a, b []float64) { floats.AddTo(d, a, b) })}
	m["Sub"] = impls{f64: binaryPrep(func(d, a, b []float64) { floats.SubTo(d, a, b) })}
	m["Mul"] = impls{f64: binaryPrep(func(d, a, b []float64) { floats.MulTo(d, a, b) })}
	m["Div"] = impls{f64: binaryPrep(func(d, a, b []float64) { floats.DivTo(d, a, b) })}
	m["MulScalar"] = impls{f64: scalarPrep(func(d, a []float64, s float64) { floats.ScaleTo(d, s, a) })}
}

// TestPeersAgree runs each peer's kernels once beside descent's on the
// benchmark inputs (the smallest shape) and checks that they compute the
// same values, so that every peer is timed doing the same work.
func TestPeersAgree(t *testing.T) {
	for _, e := range suite {
		for _, p := range peerOrder {
			im, ok := peers[p][e.spec.name]
			if !ok {
				continue
			}
			s := e.spec.shapes()[0]
			if im.f32 != nil {
				compare(t, p+"/"+e.spec.name+"/f32", e.spec, s, e.own.f32, im.f32, 1e-4)
			}
			if im.f64 != nil {
				compare(t, p+"/"+e.spec.name+"/f64", e.spec, s, e.own.f64, im.f64, 1e-12)
			}
		}
	}
}

func compare[T kernels.Float](t *testing.T, name string, k kernelSpec, s shape, own, peer prep[T], tol float64) {
	t.Helper()
	want, got := freshOperands[T](k, s), freshOperands[T](k, s)
	own(want)(1)
	ws := sink
	peer(got)(1)
	gs := sink
	if !near(ws, gs, tol) {
		t.Errorf("%s: result %v, descent %v", name, gs, ws)
	}
	for i := range want.dst {
		if !near(float64(want.dst[i]), float64(got.dst[i]), tol) || !near(float64(want.io[i]), float64(got.io[i]), tol) {
			t.Errorf("%s: [%d] dst %v io %v, descent dst %v io %v", name, i, got.dst[i], got.io[i], want.dst[i], want.io[i])
			return
		}
	}
}

// near compares with a relative tolerance, absolute near zero.
func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}
