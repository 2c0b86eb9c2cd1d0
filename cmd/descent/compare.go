package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"
)

// `descent compare OLD NEW` is a small benchstat: for each unit, one line
// per benchmark with the old and new centers and their confidence
// intervals, the change and its p-value ("~" when the change is not
// significant). The files are go test -bench output or descent bench -o
// output; benchfmt reads them and benchmath does the statistics.

func runCompare(args []string, stdout io.Writer) error {
	fs := newFlags("compare", stdout)
	alpha := fs.Float64("alpha", 0.05, "significance level: a change with a p-value above it shows as ~")
	confidence := fs.Float64("confidence", 0.95, "confidence level of the ± intervals")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: descent compare [flags] OLD NEW\n\nOLD and NEW are benchmark files (go test -bench or descent bench -o output).\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() != 2 {
		return usageError{fmt.Errorf("want two files, got %d arguments (usage: descent compare [flags] OLD NEW)", fs.NArg())}
	}
	if !(*alpha > 0 && *alpha < 1) {
		return usageError{fmt.Errorf("-alpha=%g must be between 0 and 1", *alpha)}
	}
	if !(*confidence > 0 && *confidence < 1) {
		return usageError{fmt.Errorf("-confidence=%g must be between 0 and 1", *confidence)}
	}
	oldPath, newPath := fs.Arg(0), fs.Arg(1)
	r := new(benchfmt.Reader) // one reader for both files: unit metadata carries across
	old, err := readBenchFile(r, oldPath)
	if err != nil {
		return err
	}
	cur, err := readBenchFile(r, newPath)
	if err != nil {
		return err
	}
	thresholds := benchmath.DefaultThresholds
	thresholds.CompareAlpha = *alpha
	return printComparison(stdout, old, cur, r.Units(), &thresholds, *confidence)
}

// benchFile is one file's measurements: values by benchmark and unit, and
// the benchmarks and units in the order they first appear.
type benchFile struct {
	path   string
	config []string // "key: value" lines of the file configuration, as first seen
	names  []string
	units  []string
	values map[benchKey][]float64
	syntax []string // lines benchfmt could not parse
}

type benchKey struct{ name, unit string }

func readBenchFile(r *benchfmt.Reader, path string) (*benchFile, error) {
	data, err := os.ReadFile(path) // its errors name the file
	if err != nil {
		return nil, err
	}
	f := &benchFile{path: path, values: map[benchKey][]float64{}}
	r.Reset(bytes.NewReader(data), path)
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			f.syntax = append(f.syntax, rec.Error())
		case *benchfmt.Result:
			if f.config == nil {
				for _, c := range rec.Config {
					if c.File {
						f.config = append(f.config, fmt.Sprintf("%s: %s", c.Key, c.Value))
					}
				}
			}
			name := nameWithoutProcs(rec.Name)
			if !slices.Contains(f.names, name) {
				f.names = append(f.names, name)
			}
			for _, v := range rec.Values {
				k := benchKey{name, v.Unit}
				if !slices.Contains(f.units, v.Unit) {
					f.units = append(f.units, v.Unit)
				}
				f.values[k] = append(f.values[k], v.Value)
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(f.names) == 0 {
		return nil, fmt.Errorf("%s: no benchmark results", path)
	}
	return f, nil
}

// printComparison writes the old file's configuration, then a section per
// unit (time first, as benchstat orders them) with a line per benchmark,
// then the notes benchmath attached to the statistics.
func printComparison(w io.Writer, old, cur *benchFile, units benchfmt.UnitMetadataMap, th *benchmath.Thresholds, confidence float64) error {
	for _, c := range old.config {
		fmt.Fprintln(w, c)
	}
	var names, allUnits []string
	for _, f := range []*benchFile{old, cur} {
		for _, n := range f.names {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		for _, u := range f.units {
			if !slices.Contains(allUnits, u) {
				allUnits = append(allUnits, u)
			}
		}
	}
	slices.SortStableFunc(allUnits, func(a, b string) int { return unitRank(a) - unitRank(b) })

	var notes []string
	note := func(errs []error) {
		for _, e := range errs {
			if !slices.Contains(notes, e.Error()) {
				notes = append(notes, e.Error())
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, unit := range allUnits {
		assume := units.GetAssumption(unit)
		fmt.Fprintf(tw, "\n%s\t%s\t%s\tvs base\t\n", unit, old.path, cur.path)
		for _, name := range names {
			k := benchKey{name, unit}
			ov, nv := old.values[k], cur.values[k]
			if ov == nil && nv == nil {
				continue
			}
			var cols [2]string
			var centers [2]float64
			var samples [2]*benchmath.Sample
			for i, v := range [][]float64{ov, nv} {
				if v == nil {
					cols[i] = "-"
					continue
				}
				samples[i] = benchmath.NewSample(v, th)
				s := assume.Summary(samples[i], confidence)
				note(samples[i].Warnings)
				note(s.Warnings)
				centers[i] = s.Center
				cols[i] = fmt.Sprintf("%s ± %s", benchunit.Scale(s.Center, benchunit.ClassOf(unit)), s.PctRangeString())
			}
			delta := "?"
			if samples[0] != nil && samples[1] != nil {
				c := assume.Compare(samples[0], samples[1])
				note(c.Warnings)
				delta = fmt.Sprintf("%s (%s)", c.FormatDelta(centers[0], centers[1]), c)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, cols[0], cols[1], delta)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, f := range []*benchFile{old, cur} {
		for _, s := range f.syntax {
			notes = append(notes, "skipped "+s)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}

// unitRank orders the units as benchstat does: time, then throughput,
// then the rest in the order they came.
func unitRank(unit string) int {
	switch unit {
	case "sec/op":
		return 0
	case "B/s":
		return 1
	}
	return 2
}

// nameWithoutProcs returns a benchmark's name without its -GOMAXPROCS
// suffix, so that runs on machines with different core counts pair up (as
// benchstat pairs them: it keeps GOMAXPROCS as a key of its own).
func nameWithoutProcs(n benchfmt.Name) string {
	base, parts := n.Parts()
	if k := len(parts); k > 0 && len(parts[k-1]) > 0 && parts[k-1][0] == '-' {
		parts = parts[:k-1]
	}
	return string(base) + string(bytes.Join(parts, nil))
}
