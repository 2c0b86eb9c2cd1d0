package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
	"unsafe"

	"github.com/klauspost/cpuid/v2"

	"github.com/descentlab/descent/bench"
	"github.com/descentlab/descent/kernels"
)

// `descent bench` runs the key kernels with testing.Benchmark in this
// process, names every result as package bench's suites name it under go
// test (BenchmarkAxpy/isa=avx2/dtype=f32/n=4096-2), and can write the go
// test benchmark format, so that `descent bench -o new.txt` compares with
// the output of `go test -bench` by benchstat or `descent compare`.

// benchOptions are what the groups build their cases from.
type benchOptions struct {
	short  bool
	levels []kernels.Level
}

// benchCase is one benchmark: one row of the table and, with -o, one line
// of the benchmark file per -count.
type benchCase struct {
	name   string        // as go test names it, without "Benchmark" and the -GOMAXPROCS suffix
	level  kernels.Level // set with kernels.SetISA around the run; "" runs at any level
	kernel string        // the table's columns
	dtype  string
	size   string
	f      func(b *testing.B)
	// figure turns the result (the median of -count runs) into the
	// table's figure. It is called right after the case has run, in the
	// order of the cases, so it may read what earlier cases measured.
	figure func(r testing.BenchmarkResult) figure
}

// figure is a row's measurement: rate in unit, and rate as a fraction of
// a reference (frac 0: none).
type figure struct {
	rate float64
	unit string
	frac float64
	of   string
}

// benchGroup is a part of the table: a function making its cases. Groups
// run in the order of benchGroups; another file adds a group by appending
// to it from an init function.
type benchGroup struct {
	name  string
	cases func(o benchOptions) []benchCase
}

var benchGroups = []benchGroup{
	{"copy", copyCases},
	{"vector", vectorCases},
	{"gemm", gemmCases},
}

// benchPkg is the package whose suites the names match: benchstat (and
// descent compare) group results by the file configuration, pkg included.
const benchPkg = "github.com/descentlab/descent/bench"

func runBench(args []string, stdout io.Writer) error {
	fs := newFlags("bench", stdout)
	short := fs.Bool("short", false, "small sizes, the generic and the best level only, a short benchtime: a quick look")
	levelList := fs.String("levels", "", "comma-separated instruction-set levels to run (default: every available level)")
	out := fs.String("o", "", "also write the results to `file` in the go test benchmark format (for benchstat or descent compare)")
	count := fs.Int("count", 1, "run each benchmark `n` times (benchstat needs several for its statistics)")
	benchtime := fs.Duration("benchtime", 0, "target run time of each benchmark (default 1s, 20ms with -short)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *count < 1 {
		return usageError{fmt.Errorf("-count=%d must be at least 1", *count)}
	}
	if *benchtime < 0 {
		return usageError{fmt.Errorf("-benchtime=%v must not be negative", *benchtime)}
	}
	if *benchtime == 0 {
		*benchtime = time.Second
		if *short {
			*benchtime = 20 * time.Millisecond
		}
	}
	levels, err := benchLevels(*levelList, *short)
	if err != nil {
		return err
	}
	o := benchOptions{short: *short, levels: levels}

	// The file is created first, so that a bad path fails before the run.
	var file *os.File
	results := bufio.NewWriter(io.Discard)
	if *out != "" {
		if file, err = os.Create(*out); err != nil {
			return err
		}
		defer file.Close()
		results = bufio.NewWriter(file)
		writeBenchHeader(results)
	}
	restore, err := setBenchtime(*benchtime)
	if err != nil {
		return err
	}
	defer restore()
	prevISA := kernels.ISA()
	defer kernels.SetISA(prevISA)
	defer kernels.SetThreads(kernels.SetThreads(1)) // one goroutine, as the FMA peak is measured

	rows := peakRows(levels)
	var cases []benchCase
	for _, g := range benchGroups {
		cases = append(cases, g.cases(o)...)
	}
	p := newProgress(progressOut, len(cases)*(*count))
	suffix := ""
	if procs := runtime.GOMAXPROCS(0); procs != 1 {
		suffix = fmt.Sprintf("-%d", procs)
	}
	for _, c := range cases {
		if c.level != "" {
			if err := kernels.SetISA(c.level); err != nil {
				p.done()
				return err
			}
		}
		runs := make([]testing.BenchmarkResult, 0, *count)
		for range *count {
			p.start(c.name)
			r := testing.Benchmark(c.f)
			if r.N == 0 {
				p.done()
				return fmt.Errorf("benchmark %s failed", c.name)
			}
			fmt.Fprintf(results, "Benchmark%s%s\t%s\t%s\n", c.name, suffix, r.String(), r.MemString())
			runs = append(runs, r)
		}
		rows = append(rows, tableRow{c.kernel, string(c.level), c.dtype, c.size, c.figure(median(runs))})
	}
	p.done()
	fmt.Fprintf(stdout, "one goroutine (GOMAXPROCS %d), benchtime %v, count %d; GEMM against the FMA peak at its level and dtype, vector kernels against copy's bandwidth\n\n",
		runtime.GOMAXPROCS(0), *benchtime, *count)
	if err := printBenchTable(stdout, rows); err != nil {
		return err
	}
	if file != nil {
		if err := errors.Join(results.Flush(), file.Close()); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
	}
	return nil
}

// benchLevels parses -levels; without it, every available level (with
// -short, the generic one and the best).
func benchLevels(list string, short bool) ([]kernels.Level, error) {
	avail := kernels.Available()
	if list == "" {
		if short && len(avail) > 2 {
			return []kernels.Level{avail[0], avail[len(avail)-1]}, nil
		}
		return avail, nil
	}
	var out []kernels.Level
	for _, s := range strings.Split(list, ",") {
		l, err := kernels.ParseLevel(s)
		if err != nil {
			return nil, usageError{fmt.Errorf("-levels: %v", err)}
		}
		if !slices.Contains(avail, l) {
			return nil, fmt.Errorf("-levels: %s is not available on this machine (available: %v)", l, avail)
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

// setBenchtime sets the benchtime testing.Benchmark uses (the
// test.benchtime flag, registered by testing.Init outside go test) and
// returns its undo.
func setBenchtime(d time.Duration) (func(), error) {
	testing.Init()
	f := flag.Lookup("test.benchtime")
	if f == nil {
		return nil, errors.New("testing registered no test.benchtime flag")
	}
	prev := f.Value.String()
	if err := f.Value.Set(d.String()); err != nil {
		return nil, err
	}
	return func() { f.Value.Set(prev) }, nil
}

// writeBenchHeader writes the file configuration go test writes before its
// results.
func writeBenchHeader(w io.Writer) {
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: %s\n", runtime.GOOS, runtime.GOARCH, benchPkg)
	if name := cpuName(); name != "" {
		fmt.Fprintf(w, "cpu: %s\n", name)
	}
}

// cpuName is the processor's name as go test's "cpu:" line gives it: the
// brand string on x86, else /proc/cpuinfo's model name.
func cpuName() string {
	if runtime.GOARCH == "amd64" || runtime.GOARCH == "386" {
		if name := strings.TrimSpace(cpuid.CPU.BrandName); name != "" {
			return name
		}
	}
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// median is the run with the median time per operation.
func median(runs []testing.BenchmarkResult) testing.BenchmarkResult {
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b testing.BenchmarkResult) int {
		return int(a.NsPerOp() - b.NsPerOp())
	})
	return s[len(s)/2]
}

func dtypeOf[T kernels.Float]() string {
	var z T
	if any(z) == any(float32(0)) {
		return "f32"
	}
	return "f64"
}

// bytesRate is a result's throughput in GB/s (10^9 bytes), from the bytes
// per operation set with b.SetBytes.
func bytesRate(r testing.BenchmarkResult) float64 {
	if r.T <= 0 {
		return 0
	}
	return float64(r.Bytes) * float64(r.N) / r.T.Seconds() / 1e9
}

// The tables of the command: copy, the key vector kernels, GEMM.

// copyBW is the copy bandwidth (GB/s) measured at each length, the
// memory-bound kernels' yardstick. The copy group fills it; it runs first.
var copyBW = map[int]float64{}

// vectorSizes are the lengths of the copy and vector benchmarks, bench's
// 4096 and 65536 (4096 only with -short).
func vectorSizes(o benchOptions) []int {
	if o.short {
		return []int{4096}
	}
	return []int{4096, 65536}
}

// copyCases time Go's copy of n float32 as bench's BenchmarkCopy does: 2·4·n
// bytes per call.
func copyCases(o benchOptions) []benchCase {
	clear(copyBW)
	var out []benchCase
	for _, n := range vectorSizes(o) {
		out = append(out, benchCase{
			name: fmt.Sprintf("Copy/n=%d", n), kernel: "Copy", dtype: "f32", size: fmt.Sprintf("n=%d", n),
			f: func(b *testing.B) {
				src, dst := make([]float32, n), make([]float32, n)
				fill(src, -1, 1, 1)
				b.SetBytes(int64(2 * 4 * n))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					copy(dst, src)
				}
			},
			figure: func(r testing.BenchmarkResult) figure {
				copyBW[n] = bytesRate(r)
				return figure{rate: copyBW[n], unit: "GB/s"}
			},
		})
	}
	return out
}

// vectorKernel is one of the key kernels. elems is the elements read plus
// written per input element, as bench's suite (kernels_test.go) counts
// them for b.SetBytes, so that MB/s compares with go test's.
type vectorKernel struct {
	name  string
	elems int
	wide  bool // inputs in [-6, 6), the interesting range of exp and sigmoid, else [-1, 1)
	rows  bool // softmax: rows x cols shapes, bench's 256x10 and 64x1000
}

var vectorKernels = []vectorKernel{
	{name: "Axpy", elems: 3},
	{name: "Dot", elems: 2},
	{name: "Add", elems: 3},
	{name: "Sum", elems: 1},
	{name: "Exp", elems: 2, wide: true},
	{name: "Sigmoid", elems: 2, wide: true},
	{name: "Softmax", elems: 2, wide: true, rows: true},
}

// vectorShape is n elements, as rows x cols for softmax.
type vectorShape struct{ n, rows, cols int }

func (s vectorShape) String() string {
	if s.rows > 0 {
		return fmt.Sprintf("shape=%dx%d", s.rows, s.cols)
	}
	return fmt.Sprintf("n=%d", s.n)
}

func (k vectorKernel) shapes(o benchOptions) []vectorShape {
	var out []vectorShape
	if k.rows {
		for _, rc := range [][2]int{{256, 10}, {64, 1000}}[:len(vectorSizes(o))] {
			out = append(out, vectorShape{rc[0] * rc[1], rc[0], rc[1]})
		}
		return out
	}
	for _, n := range vectorSizes(o) {
		out = append(out, vectorShape{n: n, cols: n})
	}
	return out
}

func vectorCases(o benchOptions) []benchCase {
	var out []benchCase
	for _, k := range vectorKernels {
		for _, l := range o.levels {
			out = append(out, vectorCasesOf[float32](k, l, o)...)
			out = append(out, vectorCasesOf[float64](k, l, o)...)
		}
	}
	return out
}

func vectorCasesOf[T kernels.Float](k vectorKernel, l kernels.Level, o benchOptions) []benchCase {
	var out []benchCase
	dt := dtypeOf[T]()
	for _, s := range k.shapes(o) {
		var z T
		bytes := int64(k.elems * s.n * int(unsafe.Sizeof(z)))
		ref := copyRef(s.n, o)
		out = append(out, benchCase{
			name:   fmt.Sprintf("%s/isa=%s/dtype=%s/%v", k.name, l, dt, s),
			level:  l,
			kernel: k.name, dtype: dt, size: strings.TrimPrefix(s.String(), "shape="),
			f: func(b *testing.B) {
				loop := vectorLoop[T](k, s)
				b.SetBytes(bytes)
				b.ReportAllocs()
				b.ResetTimer()
				loop(b.N)
			},
			figure: func(r testing.BenchmarkResult) figure {
				g := bytesRate(r)
				f := figure{rate: g, unit: "GB/s"}
				if bw := copyBW[ref]; bw > 0 {
					f.frac, f.of = g/bw, fmt.Sprintf("copy n=%d", ref)
				}
				return f
			},
		})
	}
	return out
}

// copyRef is the copy length a kernel of n elements is judged against:
// the smallest at least n, else the largest.
func copyRef(n int, o benchOptions) int {
	sizes := vectorSizes(o)
	for _, c := range sizes {
		if c >= n {
			return c
		}
	}
	return sizes[len(sizes)-1]
}

// benchSink keeps the reductions' results alive.
var benchSink float64

// vectorLoop prepares kernel k's operands for shape s and returns a loop
// of reps calls that allocates nothing.
func vectorLoop[T kernels.Float](k vectorKernel, s vectorShape) func(reps int) {
	lo, hi := -1.0, 1.0
	if k.wide {
		lo, hi = -6, 6
	}
	x, y, dst := make([]T, s.n), make([]T, s.n), make([]T, s.n)
	fill(x, lo, hi, 1)
	fill(y, lo, hi, 2)
	switch k.name {
	case "Axpy":
		// y grows by at most 0.5 per call: no overflow, no denormals.
		return func(reps int) {
			for range reps {
				kernels.Axpy(0.5, x, y)
			}
		}
	case "Dot":
		return func(reps int) {
			var t T
			for range reps {
				t += kernels.Dot(x, y)
			}
			benchSink = float64(t)
		}
	case "Add":
		return func(reps int) {
			for range reps {
				kernels.Add(dst, x, y)
			}
		}
	case "Sum":
		return func(reps int) {
			var t T
			for range reps {
				t += kernels.Sum(x)
			}
			benchSink = float64(t)
		}
	case "Exp":
		return func(reps int) {
			for range reps {
				kernels.Exp(dst, x)
			}
		}
	case "Sigmoid":
		return func(reps int) {
			for range reps {
				kernels.Sigmoid(dst, x)
			}
		}
	case "Softmax":
		return func(reps int) {
			for range reps {
				kernels.Softmax(dst, x, s.cols)
			}
		}
	}
	panic("descent bench: no loop for kernel " + k.name)
}

// fill sets s to deterministic uniform values in [lo, hi).
func fill[T kernels.Float](s []T, lo, hi float64, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, uint64(len(s))))
	for i := range s {
		s[i] = T(lo + (hi-lo)*rng.Float64())
	}
}

// gemmShape is C (m×n) = A (m×k) · B (k×n), named as bench's GEMM suite
// names it: shape=MxKxN/t=NN.
type gemmShape struct{ m, k, n int }

// gemmShapes are two squares and the 784-128-10 MLP's layers at batch 64;
// -short keeps the MLP shapes.
func gemmShapes(o benchOptions) []gemmShape {
	mlp := []gemmShape{{64, 784, 128}, {64, 128, 10}}
	if o.short {
		return mlp
	}
	return append([]gemmShape{{256, 256, 256}, {1024, 1024, 1024}}, mlp...)
}

func gemmCases(o benchOptions) []benchCase {
	var out []benchCase
	for _, l := range o.levels {
		for _, s := range gemmShapes(o) {
			out = append(out, gemmCase[float32](l, s))
		}
		for _, s := range gemmShapes(o) {
			out = append(out, gemmCase[float64](l, s))
		}
	}
	return out
}

func gemmCase[T kernels.Float](l kernels.Level, s gemmShape) benchCase {
	dt := dtypeOf[T]()
	flop := 2 * float64(s.m) * float64(s.k) * float64(s.n)
	return benchCase{
		name:   fmt.Sprintf("Gemm/isa=%s/dtype=%s/shape=%dx%dx%d/t=NN", l, dt, s.m, s.k, s.n),
		level:  l,
		kernel: "Gemm", dtype: dt, size: fmt.Sprintf("%dx%dx%d", s.m, s.k, s.n),
		f: func(b *testing.B) {
			a, bb, c := make([]T, s.m*s.k), make([]T, s.k*s.n), make([]T, s.m*s.n)
			fill(a, -1, 1, 3)
			fill(bb, -1, 1, 4)
			mul := func() { kernels.Gemm(kernels.NoTrans, kernels.NoTrans, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n) }
			mul() // warm the packing buffers and caches
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				mul()
			}
			g := flop * float64(b.N) / b.Elapsed().Seconds() / 1e9
			b.ReportMetric(g, "GFLOP/s")
			if peak := bench.Peak(l, dt == "f64"); peak > 0 {
				b.ReportMetric(100*g/peak, "%peak")
			}
		},
		figure: func(r testing.BenchmarkResult) figure {
			f := figure{rate: r.Extra["GFLOP/s"], unit: "GFLOP/s"}
			if peak := bench.Peak(l, dt == "f64"); peak > 0 {
				f.frac, f.of = f.rate/peak, fmt.Sprintf("FMA peak %s %s", l, dt)
			}
			return f
		},
	}
}

// tableRow is one line of the printed table.
type tableRow struct {
	kernel, level, dtype, size string
	figure
}

// peakRows measures the FMA peak of every level with a probe (bench.Peak:
// one goroutine, about 50 ms each), the GEMM rows' ceiling.
func peakRows(levels []kernels.Level) []tableRow {
	var rows []tableRow
	for _, l := range levels {
		for _, f64 := range []bool{false, true} {
			p := bench.Peak(l, f64)
			if p == 0 {
				continue
			}
			dt := "f32"
			if f64 {
				dt = "f64"
			}
			rows = append(rows, tableRow{"FMA peak", string(l), dt, "-", figure{rate: p, unit: "GFLOP/s"}})
		}
	}
	return rows
}

// printBenchTable aligns the rows, numbers to the right.
func printBenchTable(w io.Writer, rows []tableRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kernel\tlevel\tdtype\tsize\t     rate\t\tfraction\tof")
	for _, r := range rows {
		level, frac := r.level, "-"
		if level == "" {
			level = "-"
		}
		if r.frac > 0 {
			frac = fmt.Sprintf("%.0f%%", 100*r.frac)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%9.1f\t%s\t%8s\t%s\n", r.kernel, level, r.dtype, r.size, r.rate, r.unit, frac, r.of)
	}
	return tw.Flush()
}
