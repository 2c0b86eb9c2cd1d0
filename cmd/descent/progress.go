package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressOut is where `descent bench` reports its progress: stderr, so
// that the table on stdout can be redirected. Tests replace it.
var progressOut io.Writer = os.Stderr

// progress tells the user which benchmark is running and how many are
// left: start is called as each run begins, done once at the end.
type progress interface {
	start(name string)
	done()
}

// newProgress returns a progress bar when w is a terminal, else a log of
// one plain line per run (or nothing, when w is nil).
func newProgress(w io.Writer, total int) progress {
	if w == nil {
		return &lineLog{w: io.Discard, total: total}
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		cols, _, err := term.GetSize(int(f.Fd()))
		if err != nil || cols <= 0 {
			cols = 80
		}
		return &bar{b: progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(20),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetRenderBlankState(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionShowDescriptionAtLineEnd(),
		), cols: cols}
	}
	return &lineLog{w: w, total: total}
}

// bar is the terminal's progress: the bar advances when the next run
// starts, its description names the one running.
type bar struct {
	b       *progressbar.ProgressBar
	cols    int // the terminal's width: a line that wraps cannot be redrawn
	started bool
}

// barWidth is what the bar takes besides its description: percentage,
// 20 cells, count and times.
const barWidth = 50

func (p *bar) start(name string) {
	if p.started {
		p.b.Add(1)
	}
	p.started = true
	if r, room := []rune(name), max(p.cols-barWidth, 9); len(r) > room {
		name = string(r[:room/2]) + "…" + string(r[len(r)-(room-1-room/2):])
	}
	p.b.Describe(name)
}

func (p *bar) done() {
	p.b.Finish()
}

// lineLog is the progress where there is no terminal to redraw: a line
// per run, "[3/37] Axpy/isa=avx2/dtype=f32/n=4096".
type lineLog struct {
	w     io.Writer
	i     int
	total int
}

func (p *lineLog) start(name string) {
	p.i++
	fmt.Fprintf(p.w, "[%d/%d] %s\n", p.i, p.total, name)
}

func (p *lineLog) done() {}
