package main

import (
	"fmt"
	"testing"

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
		size := fmt.Sprintf("784-128-10 b=%d", batch)
		out = append(out, benchCase{
			name:   fmt.Sprintf("Backprop/batch=%d/input=data/pass=backward", batch),
			kernel: "Backprop", dtype: "f32", size: size,
			f: bp.BenchBackward,
			figure: func(r testing.BenchmarkResult) figure {
				return figure{rate: r.Extra["bwd/fwd"], unit: "bwd/fwd"}
			},
		}, benchCase{
			name:   fmt.Sprintf("Backprop/batch=%d/input=data/pass=step", batch),
			kernel: "Train step", dtype: "f32", size: size,
			f: bp.BenchStep,
			figure: func(r testing.BenchmarkResult) figure {
				return figure{rate: r.Extra["GFLOP/s"], unit: "GFLOP/s", frac: r.Extra["gemm-share"], of: "of the step in GEMM"}
			},
		})
	}
	return out
}
