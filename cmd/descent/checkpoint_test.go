package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/descentlab/descent/nn"
)

// TestCheckpointSchedules: for every schedule, a run stopped after 2 of its
// 4 epochs, saved and restored into a fresh trainer, ends exactly where the
// run that never stopped does. (The command cannot stop a run shaped by
// its length early; the trainer can.)
func TestCheckpointSchedules(t *testing.T) {
	d, err := loadTrainData("", []int{16})
	if err != nil {
		t.Fatal(err)
	}
	for _, sched := range trainSchedules {
		cfg := trainConfig{opt: "momentum", lr: 0.05, batch: 100, epochs: 4, schedule: sched, clip: 2, seed: 3}
		ck := checkpointConfig(cfg, d, nil)
		path := filepath.Join(t.TempDir(), "ckpt")
		newRun := func() *trainer[float32] {
			tr, err := newTrainer(cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			tr.Test = nil // evaluation does not touch the state; skip it
			return tr
		}
		straight := newRun()
		if err := straight.fit(); err != nil {
			t.Fatal(err)
		}
		first := newRun()
		first.Epochs = 2
		if err := first.fit(); err != nil {
			t.Fatal(err)
		}
		if err := saveCheckpoint(path, ck, first); err != nil {
			t.Fatal(err)
		}
		second := newRun()
		if err := loadCheckpoint(path, ck, second); err != nil {
			t.Fatalf("%s: %v", sched, err)
		}
		if err := second.fit(); err != nil {
			t.Fatal(err)
		}
		for i, p := range straight.Model.Params() {
			if !slices.Equal(p.Data, second.Model.Params()[i].Data) {
				t.Errorf("%s: parameter %d differs after resuming", sched, i)
			}
		}
		for e := range straight.History {
			a, b := straight.History[e], second.History[e]
			if a.TrainLoss != b.TrainLoss || a.LR != b.LR {
				t.Errorf("%s: epoch %d: loss %v, lr %v straight; loss %v, lr %v resumed", sched, e+1, a.TrainLoss, a.LR, b.TrainLoss, b.LR)
			}
		}
		if lrs := []float64{straight.History[1].LR, straight.History[3].LR}; sched != "none" && sched != "plateau" && lrs[0] == lrs[1] {
			t.Errorf("%s: the learning rate did not change: %v", sched, lrs)
		}
	}
}

// TestCheckpointBatchNorm: BatchNorm1d running statistics are saved and
// restored.
func TestCheckpointBatchNorm(t *testing.T) {
	d, err := loadTrainData("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := trainConfig{opt: "adam", lr: 1e-3, batch: 64, epochs: 1, schedule: "none", seed: 1}
	build := func() *trainer[float32] {
		tr, err := newTrainer(cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	withBN := func(tr *trainer[float32]) *trainer[float32] {
		s := tr.Model.(*nn.Sequential[float32])
		s.Layers = slices.Insert(s.Layers, 1, nn.Layer[float32](nn.NewBatchNorm1d[float32](32)))
		opt, err := newTrainOptimizer(cfg.opt, cfg.lr, 0, s.Params())
		if err != nil {
			t.Fatal(err)
		}
		tr.Opt = opt
		return tr
	}
	a := withBN(build())
	if err := a.fit(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bn")
	ck := checkpointConfig(cfg, d, nil)
	if err := saveCheckpoint(path, ck, a); err != nil {
		t.Fatal(err)
	}
	b := withBN(build())
	if err := loadCheckpoint(path, ck, b); err != nil {
		t.Fatal(err)
	}
	bnA, bnB := batchNorms(a.Model), batchNorms(b.Model)
	if len(bnA) != 1 || !slices.Equal(bnA[0].RunningMean, bnB[0].RunningMean) || !slices.Equal(bnA[0].RunningVar, bnB[0].RunningVar) {
		t.Fatal("running statistics not restored")
	}
	if slices.Equal(bnA[0].RunningMean, make([]float32, 32)) {
		t.Fatal("running mean still zero after training")
	}
	// A model without the layer does not take the checkpoint.
	if err := loadCheckpoint(path, ck, build()); err == nil {
		t.Fatal("a checkpoint with BatchNorm1d loaded into a model without")
	}
}
