package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// pngSize decodes the PNG at path and returns its size in pixels: the
// pictures' tests check that each one decodes and has the size asked for.
func pngSize(t *testing.T, path string) (w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	return b.Dx(), b.Dy()
}

func TestSavePlot(t *testing.T) {
	dir := t.TempDir()
	p := newPlot("t", "x", "y")
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	l.Color = seriesColor(0)
	p.Add(l)
	path := filepath.Join(dir, "a.png")
	if err := savePlot(p, 6*vg.Inch, 4*vg.Inch, path); err != nil {
		t.Fatal(err)
	}
	if w, h := pngSize(t, path); w != pixels(6*vg.Inch) || h != pixels(4*vg.Inch) {
		t.Fatalf("png %dx%d, want %dx%d", w, h, pixels(6*vg.Inch), pixels(4*vg.Inch))
	}
	svg := filepath.Join(dir, "a.svg")
	if err := savePlot(p, 6*vg.Inch, 4*vg.Inch, svg); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "<svg") {
		t.Fatalf("svg: %v", err)
	}
	if err := savePlot(p, vg.Inch, vg.Inch, filepath.Join(dir, "a.gif")); err == nil {
		t.Fatal("a .gif name was accepted")
	}
	if err := savePlot(p, vg.Inch, vg.Inch, filepath.Join(dir, "missing", "a.png")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("unwritable path: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}
