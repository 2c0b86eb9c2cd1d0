package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The pictures of every subcommand share these helpers, so that they look
// alike and are written the same way.

// pictureDPI is the resolution of PNG output: a 6×4 inch plot is 576×384
// pixels.
const pictureDPI = 96

// newPlot returns a plot with a title and axis labels and a light grid.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	return p
}

// seriesColor returns the i-th colour of a palette that stays apart on
// screen and in print (plotutil's soft palette).
func seriesColor(i int) color.Color { return plotutil.Color(i) }

// pixels returns the PNG size in pixels of a plot of the given size.
func pixels(l vg.Length) int { return int(float64(l/vg.Inch)*pictureDPI + 0.5) }

// savePlot writes p to path, as PNG or SVG by the file's extension,
// w × h in size. The file is written to a temporary name and renamed, so a
// failed write never leaves half a picture.
func savePlot(p *plot.Plot, w, h vg.Length, path string) error {
	return saveCanvas(w, h, path, func(dc draw.Canvas) { p.Draw(dc) })
}

// saveCanvas writes whatever draw draws on a w × h canvas to path (PNG or
// SVG by extension): for pictures of several plots (plot.Align).
func saveCanvas(w, h vg.Length, path string, drawFn func(draw.Canvas)) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("write %s: want a .png or .svg file name", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".descent-*"+ext)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	var c vg.CanvasSizer
	var writeTo func() error
	if ext == ".png" {
		img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pictureDPI))
		c = img
		writeTo = func() error { _, err := vgimg.PngCanvas{Canvas: img}.WriteTo(tmp); return err }
	} else {
		s := newSVG(w, h)
		c = s
		writeTo = func() error { _, err := s.WriteTo(tmp); return err }
	}
	drawFn(draw.New(c))
	if err := writeTo(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; a picture is for anyone to read.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
