package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// A lesson is one of the ways gradient descent fails, as an experiment: it
// measures, prints a short table of what it measured and draws one picture,
// all on descent's own autodiff and optim, deterministic for a seed.
type lesson struct {
	name, summary string
	run           func(cfg lessonConfig, stdout io.Writer) (picture string, err error)
}

// lessonConfig is what every lesson takes from the command line.
type lessonConfig struct {
	dir   string // where the picture goes
	seed  uint64
	quick bool // a smaller, faster run (the tests use it)
}

// picture returns the path of the lesson's PNG.
func (c lessonConfig) picture(name string) string { return filepath.Join(c.dir, name+".png") }

var lessons = []lesson{
	{"local-minima", "plain GD, momentum and random restarts on a bowl with seven local dimples", runLessonMinima},
	{"vanishing", "per-layer gradient norms and training of a 16-layer MLP: sigmoid, ReLU, ReLU+BatchNorm, residual", runLessonVanishing},
	{"exploding", "a too-large initialisation overflowing to NaN, against gradient clipping and He initialisation", runLessonExploding},
	{"saddle", "GD stalling at the saddle of x²−y² and x²+y⁴/4−y²/2, against momentum, Adam and noisy SGD", runLessonSaddle},
	{"learning-rate", "too small, right, too large and divergent learning rates; warm-up+cosine and ReduceLROnPlateau", runLessonLR},
}

func lessonNames() string {
	var names []string
	for _, l := range lessons {
		names = append(names, l.name)
	}
	return strings.Join(names, ", ")
}

func listLessons(w io.Writer) {
	fmt.Fprintln(w, "usage: descent lesson NAME [-o DIR] [-seed N] [-quick]\n\nlessons:")
	for _, l := range lessons {
		fmt.Fprintf(w, "  %-14s %s\n", l.name, l.summary)
	}
}

func runLesson(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		listLessons(stdout)
		return nil
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		listLessons(stdout)
		return nil
	}
	if strings.HasPrefix(name, "-") {
		return usageError{fmt.Errorf("want a lesson name before the flags (one of %s)", lessonNames())}
	}
	var ls *lesson
	for i := range lessons {
		if lessons[i].name == name {
			ls = &lessons[i]
		}
	}
	if ls == nil {
		return usageError{fmt.Errorf("unknown lesson %q (want one of %s)", name, lessonNames())}
	}
	fs := newFlags("lesson "+name, stdout)
	dir := fs.String("o", ".", "write the picture to `DIR`/"+name+".png")
	seed := fs.Uint64("seed", 1, "seed of every random choice (same seed, same numbers)")
	quick := fs.Bool("quick", false, "a smaller, faster run (as the tests use)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		return usageError{fmt.Errorf("-o %s: not a directory", *dir)}
	}
	path, err := ls.run(lessonConfig{dir: *dir, seed: *seed, quick: *quick}, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwrote %s\n", path)
	return nil
}

// lessonTable returns a tabwriter for a lesson's table: columns of text
// separated by tabs, right-aligned.
func lessonTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
}
