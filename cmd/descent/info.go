package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/klauspost/cpuid/v2"

	"github.com/descentlab/descent/bench"
	"github.com/descentlab/descent/kernels"
)

func runInfo(args []string, stdout io.Writer) error {
	fs := newFlags("info", stdout)
	n := fs.Int("n", 4096, "vector length of the throughput table")
	quick := fs.Bool("quick", false, "skip the throughput tables")
	gemmN := fs.Int("gemm", 512, "matrix size of the GEMM table (0 skips it)")
	dur := fs.Duration("time", 40*time.Millisecond, "time spent measuring each table cell")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n <= 0 {
		return usageError{fmt.Errorf("-n=%d must be positive", *n)}
	}
	if *gemmN < 0 {
		return usageError{fmt.Errorf("-gemm=%d must not be negative", *gemmN)}
	}
	c := cpuid.CPU
	fmt.Fprintf(stdout, "CPU        %s (%s, family %d model %d), %d logical cores, GOMAXPROCS %d\n",
		c.BrandName, c.VendorString, c.Family, c.Model, c.LogicalCores, runtime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "Caches     L1d %s, L2 %s, L3 %s\n", size(c.Cache.L1D), size(c.Cache.L2), size(c.Cache.L3))
	var feats []string
	for _, f := range []cpuid.FeatureID{cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.BMI2, cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.ASIMD} {
		if c.Supports(f) {
			feats = append(feats, f.String())
		}
	}
	fmt.Fprintf(stdout, "Features   %s\n", strings.Join(feats, " "))
	var avail []string
	for _, l := range kernels.Available() {
		avail = append(avail, string(l))
	}
	fmt.Fprintf(stdout, "Levels     %s (in use: %s; cap with DESCENT_ISA)\n", strings.Join(avail, " "), kernels.ISA())
	if *quick {
		return nil
	}
	fmt.Fprintf(stdout, "\nfloat32 throughput at n=%d (Gelem/s; ratio to the pure-Go level in the same run):\n", *n)
	if err := throughputTable(stdout, *n, *dur); err != nil {
		return err
	}
	if *gemmN == 0 {
		return nil
	}
	fmt.Fprintf(stdout, "\nGEMM %d³, one goroutine (GFLOP/s; %% of the FMA peak the probe measures at that level):\n", *gemmN)
	return gemmTable(stdout, *gemmN, *dur)
}

// gemmTable times C = A·B on n×n matrices at every level, float32 and
// float64, on one goroutine, against bench.Peak.
func gemmTable(w io.Writer, n int, dur time.Duration) error {
	defer kernels.SetThreads(kernels.SetThreads(1))
	a32, b32, c32 := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	a64, b64, c64 := make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
	for i := range a32 {
		v := float64(i%17)/17 - 0.5
		a32[i], b32[i], a64[i], b64[i] = float32(v), float32(-v), v, -v
	}
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "level\tsgemm\tof peak\tdgemm\tof peak\t\n")
	flop := 2 * float64(n) * float64(n) * float64(n)
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			return err
		}
		g32 := flop / perCall(func() { kernels.MatMul(c32, a32, b32, n, n, n) }, dur).Seconds() / 1e9
		g64 := flop / perCall(func() { kernels.MatMul(c64, a64, b64, n, n, n) }, dur).Seconds() / 1e9
		fmt.Fprintf(tw, "%s\t%.1f\t%s\t%.1f\t%s\t\n", l, g32, pct(g32, bench.Peak(l, false)), g64, pct(g64, bench.Peak(l, true)))
	}
	return tw.Flush()
}

func pct(g, peak float64) string {
	if peak == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*g/peak)
}

func size(b int) string {
	switch {
	case b <= 0:
		return "?"
	case b >= 1<<20:
		return fmt.Sprintf("%d MiB", b>>20)
	default:
		return fmt.Sprintf("%d KiB", b>>10)
	}
}

// throughputTable times a few representative kernels at every level. It
// is a first impression, not a benchmark: `go test -bench . ./bench` with
// benchstat is the measurement.
func throughputTable(w io.Writer, n int, dur time.Duration) error {
	x, y, d := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(i%97)/97 - 0.5
		y[i] = float32(i%89) / 89
	}
	var sink float32
	rows := []struct {
		name string
		f    func()
	}{
		{"Axpy", func() { kernels.Axpy(0.5, x, y) }},
		{"Add", func() { kernels.Add(d, x, y) }},
		{"Dot", func() { sink += kernels.Dot(x, y) }},
		{"Sum", func() { sink += kernels.Sum(x) }},
		{"Max", func() { sink += kernels.Max(x) }},
		{"Exp", func() { kernels.Exp(d, x) }},
		{"Sigmoid", func() { kernels.Sigmoid(d, x) }},
		{"Tanh", func() { kernels.Tanh(d, x) }},
		{"Softmax", func() { kernels.Softmax(d, x, 64) }},
	}
	levels := kernels.Available()
	prev := kernels.ISA()
	defer kernels.SetISA(prev)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "kernel\t")
	for _, l := range levels {
		fmt.Fprintf(tw, "%s\t", l)
	}
	fmt.Fprintln(tw, "best/generic\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t", r.name)
		var base, best float64
		for _, l := range levels {
			if err := kernels.SetISA(l); err != nil {
				return err
			}
			rate := float64(n) / perCall(r.f, dur).Seconds() / 1e9
			if l == kernels.Generic {
				base = rate
			}
			best = max(best, rate)
			fmt.Fprintf(tw, "%.2f\t", rate)
		}
		fmt.Fprintf(tw, "%.1fx\t\n", best/base)
	}
	_ = sink
	return tw.Flush()
}

// perCall returns the fastest of a few timed batches of calls.
func perCall(f func(), dur time.Duration) time.Duration {
	f()
	reps := 1
	for {
		t := time.Now()
		for range reps {
			f()
		}
		if el := time.Since(t); el > dur/8 || reps > 1<<24 {
			break
		}
		reps *= 2
	}
	best := time.Duration(1<<63 - 1)
	for range 5 {
		t := time.Now()
		for range reps {
			f()
		}
		best = min(best, time.Since(t)/time.Duration(reps))
	}
	return best
}
