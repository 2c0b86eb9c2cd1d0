package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// section returns the lines of the comparison's section for unit, without
// its header.
func section(out, unit string) []string {
	for _, s := range strings.Split(out, "\n\n") {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		if strings.HasPrefix(lines[0], unit+" ") {
			return lines[1:]
		}
	}
	return nil
}

// TestCompareBenchFiles compares two files of `descent bench -short -o`:
// each unit's section has one line per benchmark, with a delta or "~".
func TestCompareBenchFiles(t *testing.T) {
	quietProgress(t, new(bytes.Buffer))
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"old.txt", "new.txt"} {
		path := filepath.Join(dir, name)
		args := []string{"bench", "-short", "-levels", "generic", "-count", "3", "-benchtime", "1ms", "-o", path}
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 0 {
			t.Fatalf("bench: exit %d, stderr:\n%s", code, errs.String())
		}
		paths = append(paths, path)
	}
	units, _ := readResults(t, paths[0])
	var out, errs bytes.Buffer
	if code := run([]string{"compare", paths[0], paths[1]}, &out, &errs); code != 0 {
		t.Fatalf("compare: exit %d, stderr:\n%s", code, errs.String())
	}
	lines := section(out.String(), "sec/op")
	if len(lines) != len(units) {
		t.Errorf("%d lines in the sec/op section, want one per benchmark (%d):\n%s", len(lines), len(units), out.String())
	}
	for full := range units {
		name := nameWithoutProcs(benchfmt.Name(full)) // compare pairs names without the -GOMAXPROCS suffix
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, name+" ") {
				n++
				if !strings.Contains(l, "n=3") || !(strings.Contains(l, "~") || strings.Contains(l, "%")) {
					t.Errorf("%s: no delta and sample size in %q", name, l)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d lines in the sec/op section, want 1:\n%s", name, n, out.String())
		}
	}
	for _, unit := range []string{"B/s", "GFLOP/s", "allocs/op"} {
		if section(out.String(), unit) == nil {
			t.Errorf("no %s section:\n%s", unit, out.String())
		}
	}
}

// TestCompareStatistics: made-up samples, no timing. A halved time over
// six runs each is a significant -50%; the same samples are "~".
func TestCompareStatistics(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, ns ...float64) string {
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\npkg: example\n")
		for _, v := range ns {
			fmt.Fprintf(&b, "BenchmarkX/n=1-2\t1000\t%g ns/op\n", v)
			fmt.Fprintf(&b, "BenchmarkY/n=1-2\t1000\t%g ns/op\n", v)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	old := write("old.txt", 100, 101, 102, 99, 100, 98)
	fast := write("fast.txt", 50, 51, 49, 50, 52, 50)
	var out, errs bytes.Buffer
	if code := run([]string{"compare", old, fast}, &out, &errs); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	lines := section(out.String(), "sec/op")
	if len(lines) != 2 || !strings.Contains(lines[0], "-50.") || !strings.Contains(lines[0], "p=0.002 n=6") {
		t.Errorf("want X and Y at -50%% (p=0.002 n=6):\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"compare", old, old}, &out, &errs); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	if lines := section(out.String(), "sec/op"); len(lines) != 2 || !strings.Contains(lines[0], "~") {
		t.Errorf("a file against itself: want ~:\n%s", out.String())
	}
}

// TestCompareErrors: a file that is missing, unreadable or holds no
// results is exit 1 with a one-line error naming it; the wrong number of
// arguments or a bad flag is a usage error, exit 2.
func TestCompareErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	if err := os.WriteFile(good, []byte("BenchmarkX-2\t10\t5 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte("PASS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.txt")
	for _, c := range []struct {
		args []string
		code int
		name string // the file the error must name
	}{
		{[]string{"compare", missing, good}, 1, missing},
		{[]string{"compare", good, missing}, 1, missing},
		{[]string{"compare", good, dir}, 1, dir},
		{[]string{"compare", good, empty}, 1, empty},
		{[]string{"compare"}, 2, ""},
		{[]string{"compare", good}, 2, ""},
		{[]string{"compare", good, good, good}, 2, ""},
		{[]string{"compare", "-alpha", "2", good, good}, 2, ""},
		{[]string{"compare", "-nosuchflag", good, good}, 2, ""},
	} {
		var out, errs bytes.Buffer
		if code := run(c.args, &out, &errs); code != c.code {
			t.Errorf("%q: exit %d, want %d", c.args, code, c.code)
		}
		msg := errs.String()
		if c.code == 1 && (strings.Count(msg, "\n") != 1 || !strings.Contains(msg, c.name)) {
			t.Errorf("%q: want one line naming %s, got %q", c.args, c.name, msg)
		}
		if c.code == 2 && msg == "" {
			t.Errorf("%q: no usage message", c.args)
		}
	}
	var out, errs bytes.Buffer
	if code := run([]string{"compare", "-h"}, &out, &errs); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
	for _, f := range []string{"OLD NEW", "-alpha", "-confidence"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("-h does not show %s:\n%s", f, out.String())
		}
	}
}

// TestCompareAcrossProcs: results from machines with different GOMAXPROCS
// pair up by name.
func TestCompareAcrossProcs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, procs string, ns int) string {
		var b strings.Builder
		for i := 0; i < 6; i++ {
			fmt.Fprintf(&b, "BenchmarkX/n=8-%s 100 %d ns/op\n", procs, ns+i)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	old, new := write("old.txt", "8", 1000), write("new.txt", "16", 500)
	var out, errs bytes.Buffer
	if code := run([]string{"compare", old, new}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "X/n=8") || !strings.Contains(out.String(), "-49.88%") {
		t.Fatalf("X-8 and X-16 did not pair:\n%s", out.String())
	}
}
