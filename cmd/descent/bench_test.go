package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/descentlab/descent/bench"
	"github.com/descentlab/descent/kernels"
)

// quietProgress sends the bench command's progress to w for the test.
func quietProgress(t *testing.T, w *bytes.Buffer) {
	prev := progressOut
	progressOut = w
	t.Cleanup(func() { progressOut = prev })
}

// readResults parses a benchmark file with benchfmt: each benchmark's
// units, and the file configuration.
func readResults(t *testing.T, path string) (units map[string][]string, config map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	units, config = map[string][]string{}, map[string]string{}
	r := benchfmt.NewReader(f, path)
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		case *benchfmt.Result:
			for _, c := range rec.Config {
				config[c.Key] = string(c.Value)
			}
			name := rec.Name.String()
			if units[name] == nil {
				for _, v := range rec.Values {
					units[name] = append(units[name], v.Unit)
				}
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return units, config
}

// TestBenchShort runs `descent bench -short -o FILE`: the table has a row
// per benchmark, the file parses with benchfmt with go test's names and
// units and its file configuration, and without a terminal the progress
// is one plain line per benchmark.
func TestBenchShort(t *testing.T) {
	var logged bytes.Buffer
	quietProgress(t, &logged)
	path := filepath.Join(t.TempDir(), "new.txt")
	isa := kernels.ISA()
	var out, errs bytes.Buffer
	if code := run([]string{"bench", "-short", "-o", path}, &out, &errs); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	if got := kernels.ISA(); got != isa {
		t.Errorf("the level is %s after the run, want it restored to %s", got, isa)
	}
	levels, err := benchLevels("", true)
	if err != nil {
		t.Fatal(err)
	}
	suffix := ""
	if p := runtime.GOMAXPROCS(0); p != 1 {
		suffix = fmt.Sprintf("-%d", p)
	}
	want := map[string][]string{"Copy/n=4096": {"sec/op", "B/s", "B/op", "allocs/op"}}
	for _, l := range levels {
		for _, dt := range []string{"f32", "f64"} {
			for _, k := range []string{"Axpy", "Dot", "Add", "Sum", "Exp", "Sigmoid"} {
				want[fmt.Sprintf("%s/isa=%s/dtype=%s/n=4096", k, l, dt)] = []string{"sec/op", "B/s", "B/op", "allocs/op"}
			}
			want[fmt.Sprintf("Softmax/isa=%s/dtype=%s/shape=256x10", l, dt)] = []string{"sec/op", "B/s", "B/op", "allocs/op"}
			for _, s := range []string{"64x784x128", "64x128x10"} {
				units := []string{"sec/op", "GFLOP/s"}
				if bench.Peak(l, dt == "f64") > 0 {
					units = append(units, "%peak")
				}
				want[fmt.Sprintf("Gemm/isa=%s/dtype=%s/shape=%s/t=NN", l, dt, s)] = append(units, "B/op", "allocs/op")
			}
		}
	}
	for _, pass := range []string{"backward", "step"} { // bench_backprop.go
		units := []string{"sec/op", "B/op", "allocs/op", "bwd/fwd"}
		if pass == "step" {
			units = []string{"sec/op", "B/op", "allocs/op", "gemm-share", "step/gemm", "tape/gemm", "update-share", "GFLOP/s"}
		}
		want["Backprop/batch=64/input=data/pass="+pass] = units
	}
	got, config := readResults(t, path)
	for name, units := range want {
		gotUnits, ok := got[name+suffix] // benchfmt drops the "Benchmark" prefix
		if !ok {
			t.Errorf("%s: not in the file", name+suffix)
			continue
		}
		slices.Sort(units)
		slices.Sort(gotUnits)
		if !slices.Equal(units, gotUnits) {
			t.Errorf("%s: units %v, want %v", name, gotUnits, units)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d benchmarks in the file, want %d", len(got), len(want))
	}
	for k, v := range map[string]string{"goos": runtime.GOOS, "goarch": runtime.GOARCH, "pkg": benchPkg} {
		if config[k] != v {
			t.Errorf("file configuration %s = %q, want %q", k, config[k], v)
		}
	}

	table := out.String()
	for name := range want {
		kernel := name[:strings.IndexAny(name, "/")]
		if strings.HasSuffix(name, "pass=step") {
			kernel = "Train step"
		}
		if !strings.Contains(table, kernel+" ") {
			t.Errorf("no %s row in the table:\n%s", kernel, table)
		}
	}
	if rows := strings.Count(table, "\n") - 1; rows < len(want) {
		t.Errorf("%d table rows, want at least %d:\n%s", rows, len(want), table)
	}
	if lines := strings.Count(logged.String(), "\n"); lines != len(want) {
		t.Errorf("%d progress lines, want %d:\n%s", lines, len(want), logged.String())
	}
}

// TestBenchCount: -count repeats every benchmark in the file.
func TestBenchCount(t *testing.T) {
	quietProgress(t, new(bytes.Buffer))
	path := filepath.Join(t.TempDir(), "count.txt")
	var out, errs bytes.Buffer
	args := []string{"bench", "-short", "-levels", "generic", "-count", "2", "-benchtime", "1ms", "-o", path}
	if code := run(args, &out, &errs); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(data), "\nBenchmarkAxpy/isa=generic/dtype=f32/n=4096")
	if lines != 2 {
		t.Errorf("Axpy f32 appears %d times, want 2:\n%s", lines, data)
	}
	if strings.Contains(string(data), "isa=avx") || strings.Contains(out.String(), "avx") {
		t.Errorf("-levels generic ran another level:\n%s", out.String())
	}
}

// TestBenchBadFlags: bad flags and values are usage errors (exit 2),
// a level this machine lacks or an unwritable -o file exit 1, and -h
// lists the flags.
func TestBenchBadFlags(t *testing.T) {
	quietProgress(t, new(bytes.Buffer))
	for _, args := range [][]string{
		{"bench", "-count", "0"},
		{"bench", "-levels", "pentium"},
		{"bench", "-nosuchflag"},
		{"bench", "-benchtime", "-1s"},
		{"bench", "extra"},
	} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if errs.Len() == 0 {
			t.Errorf("%q: nothing on stderr", args)
		}
	}
	exit1 := [][]string{{"bench", "-short", "-o", filepath.Join(t.TempDir(), "no", "such", "dir", "x.txt")}}
	for _, l := range []kernels.Level{kernels.Generic, kernels.AVX2, kernels.AVX512, kernels.NEON} {
		if !slices.Contains(kernels.Available(), l) {
			exit1 = append(exit1, []string{"bench", "-levels", string(l)})
			break
		}
	}
	for _, args := range exit1 {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 1 {
			t.Errorf("%q: exit %d, want 1", args, code)
		}
		if strings.Count(errs.String(), "\n") != 1 {
			t.Errorf("%q: want a one-line error, got %q", args, errs.String())
		}
	}
	var out, errs bytes.Buffer
	if code := run([]string{"bench", "-h"}, &out, &errs); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
	for _, f := range []string{"-short", "-levels", "-o", "-count", "-benchtime"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("-h does not list %s:\n%s", f, out.String())
		}
	}
}

// TestProgressLog: without a terminal, progress is one plain line per run.
func TestProgressLog(t *testing.T) {
	var w bytes.Buffer
	p := newProgress(&w, 2)
	p.start("A/n=1")
	p.start("B/n=1")
	p.done()
	if got, want := w.String(), "[1/2] A/n=1\n[2/2] B/n=1\n"; got != want {
		t.Errorf("progress log %q, want %q", got, want)
	}
}
