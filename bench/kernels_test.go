package bench

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descentlab/descent/kernels"
)

// suite is every public vector kernel of package kernels with the inputs it
// runs on and how many elements it moves, and descent's implementation of
// it. The peers (peers_test.go) register theirs under the same names.
var suite = []struct {
	spec kernelSpec
	own  impls
}{
	{kernelSpec{name: "Axpy", elems: 3, in: []role{roleX, roleY}, big: true},
		impls{axpyPrep(kernels.Axpy[float32]), axpyPrep(kernels.Axpy[float64])}},
	{kernelSpec{name: "Scale", elems: 2, in: []role{roleX}, big: true},
		impls{scalePrep(kernels.Scale[float32]), scalePrep(kernels.Scale[float64])}},
	{kernelSpec{name: "Dot", elems: 2, in: []role{roleX, roleY}, big: true},
		impls{reduce2Prep(kernels.Dot[float32]), reduce2Prep(kernels.Dot[float64])}},
	{kernelSpec{name: "Sum", elems: 1, in: []role{roleX}},
		impls{reducePrep(kernels.Sum[float32]), reducePrep(kernels.Sum[float64])}},
	{kernelSpec{name: "Asum", elems: 1, in: []role{roleX}},
		impls{reducePrep(kernels.Asum[float32]), reducePrep(kernels.Asum[float64])}},
	{kernelSpec{name: "Nrm2", elems: 1, in: []role{roleX}},
		impls{reducePrep(kernels.Nrm2[float32]), reducePrep(kernels.Nrm2[float64])}},
	{kernelSpec{name: "Add", elems: 3, in: []role{roleX, roleY}, big: true},
		impls{binaryPrep(kernels.Add[float32]), binaryPrep(kernels.Add[float64])}},
	{kernelSpec{name: "Sub", elems: 3, in: []role{roleX, roleY}, big: true},
		impls{binaryPrep(kernels.Sub[float32]), binaryPrep(kernels.Sub[float64])}},
	{kernelSpec{name: "Mul", elems: 3, in: []role{roleX, roleY}, big: true},
		impls{binaryPrep(kernels.Mul[float32]), binaryPrep(kernels.Mul[float64])}},
	{kernelSpec{name: "Div", elems: 3, in: []role{roleX, rolePos}, big: true},
		impls{binaryPrep(kernels.Div[float32]), binaryPrep(kernels.Div[float64])}},
	{kernelSpec{name: "AddScalar", elems: 2, in: []role{roleX}, big: true},
		impls{scalarPrep(kernels.AddScalar[float32]), scalarPrep(kernels.AddScalar[float64])}},
	{kernelSpec{name: "MulScalar", elems: 2, in: []role{roleX}, big: true},
		impls{scalarPrep(kernels.MulScalar[float32]), scalarPrep(kernels.MulScalar[float64])}},
	{kernelSpec{name: "Max", elems: 1, in: []role{roleX}},
		impls{reducePrep(kernels.Max[float32]), reducePrep(kernels.Max[float64])}},
	{kernelSpec{name: "Min", elems: 1, in: []role{roleX}},
		impls{reducePrep(kernels.Min[float32]), reducePrep(kernels.Min[float64])}},
	{kernelSpec{name: "ArgMax", elems: 1, in: []role{roleX}},
		impls{argPrep(kernels.ArgMax[float32]), argPrep(kernels.ArgMax[float64])}},
	{kernelSpec{name: "ArgMin", elems: 1, in: []role{roleX}},
		impls{argPrep(kernels.ArgMin[float32]), argPrep(kernels.ArgMin[float64])}},
	{kernelSpec{name: "ReLU", elems: 2, in: []role{roleX}, big: true},
		impls{unaryPrep(kernels.ReLU[float32]), unaryPrep(kernels.ReLU[float64])}},
	{kernelSpec{name: "ReLUGrad", elems: 3, in: []role{roleX, roleY}, big: true},
		impls{binaryPrep(kernels.ReLUGrad[float32]), binaryPrep(kernels.ReLUGrad[float64])}},
	{kernelSpec{name: "Exp", elems: 2, in: []role{roleWide}},
		impls{unaryPrep(kernels.Exp[float32]), unaryPrep(kernels.Exp[float64])}},
	{kernelSpec{name: "Log", elems: 2, in: []role{rolePos}},
		impls{unaryPrep(kernels.Log[float32]), unaryPrep(kernels.Log[float64])}},
	{kernelSpec{name: "Sigmoid", elems: 2, in: []role{roleWide}},
		impls{unaryPrep(kernels.Sigmoid[float32]), unaryPrep(kernels.Sigmoid[float64])}},
	{kernelSpec{name: "Tanh", elems: 2, in: []role{roleWide}},
		impls{unaryPrep(kernels.Tanh[float32]), unaryPrep(kernels.Tanh[float64])}},
	{kernelSpec{name: "Softmax", elems: 2, in: []role{roleWide}, rows: true},
		impls{rowsPrep(kernels.Softmax[float32]), rowsPrep(kernels.Softmax[float64])}},
	{kernelSpec{name: "LogSoftmax", elems: 2, in: []role{roleWide}, rows: true},
		impls{rowsPrep(kernels.LogSoftmax[float32]), rowsPrep(kernels.LogSoftmax[float64])}},
}

func bench(b *testing.B, name string) {
	for _, e := range suite {
		if e.spec.name == name {
			runKernel(b, e.spec, e.own)
			return
		}
	}
	b.Fatalf("bench: no kernel %q in the suite", name)
}

func BenchmarkAxpy(b *testing.B)       { bench(b, "Axpy") }
func BenchmarkScale(b *testing.B)      { bench(b, "Scale") }
func BenchmarkDot(b *testing.B)        { bench(b, "Dot") }
func BenchmarkSum(b *testing.B)        { bench(b, "Sum") }
func BenchmarkAsum(b *testing.B)       { bench(b, "Asum") }
func BenchmarkNrm2(b *testing.B)       { bench(b, "Nrm2") }
func BenchmarkAdd(b *testing.B)        { bench(b, "Add") }
func BenchmarkSub(b *testing.B)        { bench(b, "Sub") }
func BenchmarkMul(b *testing.B)        { bench(b, "Mul") }
func BenchmarkDiv(b *testing.B)        { bench(b, "Div") }
func BenchmarkAddScalar(b *testing.B)  { bench(b, "AddScalar") }
func BenchmarkMulScalar(b *testing.B)  { bench(b, "MulScalar") }
func BenchmarkMax(b *testing.B)        { bench(b, "Max") }
func BenchmarkMin(b *testing.B)        { bench(b, "Min") }
func BenchmarkArgMax(b *testing.B)     { bench(b, "ArgMax") }
func BenchmarkArgMin(b *testing.B)     { bench(b, "ArgMin") }
func BenchmarkReLU(b *testing.B)       { bench(b, "ReLU") }
func BenchmarkReLUGrad(b *testing.B)   { bench(b, "ReLUGrad") }
func BenchmarkExp(b *testing.B)        { bench(b, "Exp") }
func BenchmarkLog(b *testing.B)        { bench(b, "Log") }
func BenchmarkSigmoid(b *testing.B)    { bench(b, "Sigmoid") }
func BenchmarkTanh(b *testing.B)       { bench(b, "Tanh") }
func BenchmarkSoftmax(b *testing.B)    { bench(b, "Softmax") }
func BenchmarkLogSoftmax(b *testing.B) { bench(b, "LogSoftmax") }

// BenchmarkCopy is the memory-bandwidth yardstick: Go's copy of n float32
// (the runtime's memmove, AVX with non-temporal stores for large blocks),
// counted as n*4 bytes read plus n*4 written, like the kernels' B/s. The
// streaming kernels at n=2^24 are meant to reach 90% of it in the same run.
func BenchmarkCopy(b *testing.B) {
	sizes := append([]int(nil), vectorSizes...)
	if !testing.Short() {
		sizes = append(sizes, bigSize)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			src, dst := input[float32](n, roleX), scratch[float32](n, 0)
			b.SetBytes(int64(2 * 4 * n))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				copy(dst, src)
			}
		})
	}
}

// notInSuite are the exported generic kernels benchmarked elsewhere.
var notInSuite = map[string]string{
	"Gemm":   "gemm_test.go",
	"MatMul": "gemm_test.go (MatMul is Gemm without transposes)",
}

// TestSuiteComplete keeps the suite in step with package kernels: every
// exported generic function of kernels (read from its source) has an entry,
// with both element types, and no entry names a function that is gone.
func TestSuiteComplete(t *testing.T) {
	public := map[string]bool{}
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "kernels", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.IsExported() && fn.Type.TypeParams != nil {
				public[fn.Name.Name] = true
			}
		}
	}
	if len(public) == 0 {
		t.Fatal("found no exported generic function in ../kernels")
	}
	listed := map[string]bool{}
	for _, e := range suite {
		name := e.spec.name
		if listed[name] {
			t.Errorf("%s: listed twice", name)
		}
		listed[name] = true
		if !public[name] {
			t.Errorf("%s: in the suite but not an exported generic function of kernels", name)
		}
		if e.own.f32 == nil || e.own.f64 == nil {
			t.Errorf("%s: missing an element type", name)
		}
	}
	for name := range public {
		if !listed[name] && notInSuite[name] == "" {
			t.Errorf("kernels.%s has no benchmark: add it to the suite (or to notInSuite)", name)
		}
	}
}

// TestZeroAllocs runs every kernel of the suite at every level on the
// benchmark's own operands and checks that a call allocates nothing, so
// that the benchmarks' 0 allocs/op is a property the suite guards.
func TestZeroAllocs(t *testing.T) {
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
		for _, e := range suite {
			s := e.spec.shapes()[0]
			checkAllocs(t, fmt.Sprintf("%s/isa=%s/dtype=f32/%v", e.spec.name, l, s), e.own.f32(operands[float32](e.spec, s)))
			checkAllocs(t, fmt.Sprintf("%s/isa=%s/dtype=f64/%v", e.spec.name, l, s), e.own.f64(operands[float64](e.spec, s)))
		}
	}
}

func checkAllocs(t *testing.T, name string, run loop) {
	t.Helper()
	if n := testing.AllocsPerRun(20, func() { run(1) }); n != 0 {
		t.Errorf("%s: %v allocations per call, want 0", name, n)
	}
}
