package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/descentlab/descent/bench"
)

// The backprop rows: the 784-128-10 MLP's training step at the level in
// use, as bench's BenchmarkBackprop measures it (same names, so the files
// compare): backward over forward time (the Baur–Strassen ratio), and the
// step's rate with the share of it spent in GEMM.
func init() {
	benchGroups = append(benchGroups, benchGroup{"backprop", backpropCases})
}

func backpropCases(o benchOptions) []benchCase {
	batches := []int{64, 256}
	if o.short {
		batches = batches[:1]
	}
	var out []benchCase
	for _, batch := range batches {
		bp := bench.NewBackprop([]int{784, 128, 10}, batch, false)
		fwdFlop, bwdFlop := bp.FLOPs()
		size := fmt.Sprintf("784-128-10 b=%d", batch)
		out = append(out, benchCase{
			name:   fmt.Sprintf("Backprop/batch=%d/input=data/pass=backward", batch),
			kernel: "Backprop", dtype: "f32", size: size,
			f: func(b *testing.B) {
				bp.Forward()
				bp.Backward()
				var fwd, bwd time.Duration
				n := 0
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					t0 := time.Now()
					bp.Forward()
					t1 := time.Now()
					bp.Backward()
					fwd += t1.Sub(t0)
					bwd += time.Since(t1)
					n++
				}
				b.ReportMetric(float64(bwd.Nanoseconds())/float64(n), "ns/op")
				b.ReportMetric(float64(bwd)/float64(fwd), "bwd/fwd")
			},
			figure: func(r testing.BenchmarkResult) figure {
				return figure{rate: r.Extra["bwd/fwd"], unit: "bwd/fwd"}
			},
		}, benchCase{
			name:   fmt.Sprintf("Backprop/batch=%d/input=data/pass=step", batch),
			kernel: "Train step", dtype: "f32", size: size,
			f: func(b *testing.B) {
				var step, gemm time.Duration
				n := 0
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					t0 := time.Now()
					bp.Forward()
					bp.Backward()
					bp.Update()
					t1 := time.Now()
					bp.GEMMs()
					step += t1.Sub(t0)
					gemm += time.Since(t1)
					n++
				}
				b.ReportMetric(float64(step.Nanoseconds())/float64(n), "ns/op")
				b.ReportMetric(float64(gemm)/float64(step), "gemm-share")
				b.ReportMetric(float64(step)/float64(gemm), "step/gemm")
				b.ReportMetric((fwdFlop+bwdFlop)*float64(n)/step.Seconds()/1e9, "GFLOP/s")
			},
			figure: func(r testing.BenchmarkResult) figure {
				return figure{rate: r.Extra["GFLOP/s"], unit: "GFLOP/s", frac: r.Extra["gemm-share"], of: "of the step in GEMM"}
			},
		})
	}
	return out
}
