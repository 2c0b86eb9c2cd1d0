package main

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The pictures of train and sweep: the loss above, the test accuracy
// below, against the epoch, in one picture of trainPlotW × trainPlotH.
const (
	trainPlotW = 7 * vg.Inch
	trainPlotH = 6 * vg.Inch
)

// trainCurve is one run's curves in a picture.
type trainCurve struct {
	name    string // legend entry ("" for none)
	history []epochStats
}

// saveTrainPlot draws one run's training and test loss and its test
// accuracy.
func saveTrainPlot(title string, h []epochStats, path string) error {
	loss := newPlot(title, "", "loss (cross-entropy)")
	acc := newPlot("", "epoch", "test accuracy (%)")
	series := []struct {
		name string
		y    func(epochStats) float64
	}{
		{"training loss (mean over the epoch)", func(s epochStats) float64 { return s.TrainLoss }},
		{"test loss (after the epoch)", func(s epochStats) float64 { return s.TestLoss }},
	}
	logY := true
	for _, s := range h {
		logY = logY && !(s.TrainLoss <= 0) && !(s.TestLoss <= 0)
	}
	for i, s := range series {
		addTrainCurve(loss, s.name, i, trainPoints(h, s.y, logY))
	}
	addTrainCurve(acc, "", 2, trainPoints(h, func(s epochStats) float64 { return 100 * s.TestAcc }, false))
	return saveTrainPanels(loss, acc, logY, len(series), path)
}

// saveCurvesPlot draws the training loss and test accuracy of several
// runs, a colour each.
func saveCurvesPlot(title string, runs []trainCurve, path string) error {
	loss := newPlot(title, "", "training loss (log scale)")
	acc := newPlot("", "epoch", "test accuracy (%)")
	logY := true
	for _, r := range runs {
		for _, s := range r.history {
			logY = logY && !(s.TrainLoss <= 0)
		}
	}
	if !logY {
		loss.Y.Label.Text = "training loss"
	}
	for i, r := range runs {
		addTrainCurve(loss, r.name, i, trainPoints(r.history, func(s epochStats) float64 { return s.TrainLoss }, logY))
		addTrainCurve(acc, "", i, trainPoints(r.history, func(s epochStats) float64 { return 100 * s.TestAcc }, false))
	}
	return saveTrainPanels(loss, acc, logY, len(runs), path)
}

// points returns the finite values of y over h (positive ones, for a log
// axis), against the epoch.
func trainPoints(h []epochStats, y func(epochStats) float64, positive bool) plotter.XYs {
	var xys plotter.XYs
	for _, s := range h {
		v := y(s)
		if math.IsNaN(v) || math.IsInf(v, 0) || (positive && v <= 0) {
			continue
		}
		xys = append(xys, plotter.XY{X: float64(s.Epoch), Y: v})
	}
	return xys
}

// addTrainCurve adds a line with points in the i-th series colour; a single
// point shows as its marker alone.
func addTrainCurve(p *plot.Plot, name string, i int, xys plotter.XYs) {
	if len(xys) == 0 {
		return
	}
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return
	}
	l.Color = seriesColor(i)
	l.Width = vg.Points(1.5)
	s.Color = seriesColor(i)
	s.Shape = draw.CircleGlyph{}
	s.Radius = vg.Points(1.5)
	p.Add(l, s)
	if name != "" {
		p.Legend.Add(name, l, s)
	}
}

// saveTrainPanels draws loss above acc, aligned on the epoch axis, with
// room for legendLines lines of legend in the loss panel, and writes them to
// path.
func saveTrainPanels(loss, acc *plot.Plot, logY bool, legendLines int, path string) error {
	for _, p := range []*plot.Plot{loss, acc} {
		p.Add(plotter.NewGrid())
		p.X.Tick.Marker = epochTicks{}
	}
	if logY {
		loss.Y.Scale = plot.LogScale{}
		loss.Y.Tick.Marker = logTicks125{}
	}
	acc.Y.Tick.Marker = roundTicks{}
	// Room above the curves for the legend: a line of it takes about 7%
	// of the panel's height.
	if f := 0.07 * float64(legendLines); f > 0 && loss.Y.Max > loss.Y.Min {
		if logY {
			loss.Y.Max = loss.Y.Min * math.Pow(loss.Y.Max/loss.Y.Min, 1/(1-f))
		} else {
			loss.Y.Max = loss.Y.Min + (loss.Y.Max-loss.Y.Min)/(1-f)
		}
	}
	loss.Legend.Top = true
	loss.Legend.Left = false
	loss.Legend.XOffs = -vg.Points(6)
	loss.Legend.YOffs = -vg.Points(6)
	// The accuracy panel shares the loss panel's epochs even when a run
	// stopped early.
	lo, hi := math.Min(loss.X.Min, acc.X.Min), math.Max(loss.X.Max, acc.X.Max)
	loss.X.Min, loss.X.Max, acc.X.Min, acc.X.Max = lo, hi, lo, hi
	plots := [][]*plot.Plot{{loss}, {acc}}
	t := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Points(4), PadY: vg.Points(6),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(10)}
	return saveCanvas(trainPlotW, trainPlotH, path, func(dc draw.Canvas) {
		cs := plot.Align(plots, t, dc)
		loss.Draw(cs[0][0])
		acc.Draw(cs[1][0])
	})
}

// epochTicks marks whole epochs only, at most about ten of them.
type epochTicks struct{}

func (epochTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi := math.Ceil(min), math.Floor(max)
	if hi < lo {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	step := 1.0
	for (hi-lo)/step > 10 {
		switch {
		case step == 1:
			step = 2
		case step == 2:
			step = 5
		default:
			step *= 2
		}
	}
	var ticks []plot.Tick
	for v := lo; v <= hi; v++ {
		t := plot.Tick{Value: v}
		if math.Mod(v, step) == 0 || step == 1 {
			t.Label = formatFloatExact(v)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// roundTicks labels a linear axis at steps of 1, 2 or 5 times a power of
// ten, at most about six of them.
type roundTicks struct{}

func (roundTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	step := math.Pow(10, math.Floor(math.Log10((max-min)/6)))
	for _, m := range []float64{1, 2, 5, 10} {
		if (max-min)/(m*step) <= 6 {
			step *= m
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max+step*1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)})
	}
	return ticks
}

// logTicks125 labels a log axis at 1, 2 and 5 times each power of ten
// (only the powers of ten when the axis spans more than two decades), with
// unlabelled ticks at the other integers times each power.
type logTicks125 struct{}

func (logTicks125) Ticks(min, max float64) []plot.Tick {
	if !(min > 0 && max > min) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	few := math.Log10(max/min) > 2
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		p := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * p
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (!few && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(v, 'g', 6, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
