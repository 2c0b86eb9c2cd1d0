package optim_test

import (
	"fmt"

	"github.com/descentlab/descent/optim"
)

// scheduleGroups stands in for an optimizer: one learning rate per parameter group.
type scheduleGroups []float64

func (g scheduleGroups) NumGroups() int               { return len(g) }
func (g scheduleGroups) GroupLR(i int) float64        { return g[i] }
func (g scheduleGroups) SetGroupLR(i int, lr float64) { g[i] = lr }

// A linear warm-up over 3 epochs, then cosine annealing to zero over 6 epochs.
func ExampleSequentialLR() {
	opt := scheduleGroups{0.1}
	warmup := optim.NewLinearLR(opt, 0.25, 1, 3)
	cosine := optim.NewCosineAnnealingLR(opt, 6, 0)
	sched := optim.NewSequentialLR(opt, []optim.Scheduler{warmup, cosine}, []int{3})
	for epoch := 0; epoch <= 9; epoch++ {
		// ... train one epoch with learning rate opt[0] ...
		fmt.Printf("epoch %d: lr %.4f\n", sched.Epoch(), opt[0])
		sched.Step()
	}
	// Output:
	// epoch 0: lr 0.0250
	// epoch 1: lr 0.0500
	// epoch 2: lr 0.0750
	// epoch 3: lr 0.1000
	// epoch 4: lr 0.0933
	// epoch 5: lr 0.0750
	// epoch 6: lr 0.0500
	// epoch 7: lr 0.0250
	// epoch 8: lr 0.0067
	// epoch 9: lr 0.0000
}

// The learning rate falls tenfold once the validation loss has not improved for two epochs.
func ExampleReduceLROnPlateau() {
	opt := scheduleGroups{0.1}
	cfg := optim.DefaultPlateau()
	cfg.Patience = 2
	sched := optim.NewReduceLROnPlateau(opt, cfg)
	for _, loss := range []float64{1.0, 0.8, 0.7, 0.71, 0.72, 0.70, 0.69, 0.5} {
		sched.Step(loss)
		fmt.Printf("epoch %d: loss %.2f, lr %.3f\n", sched.Epoch(), loss, opt[0])
	}
	// Output:
	// epoch 1: loss 1.00, lr 0.100
	// epoch 2: loss 0.80, lr 0.100
	// epoch 3: loss 0.70, lr 0.100
	// epoch 4: loss 0.71, lr 0.100
	// epoch 5: loss 0.72, lr 0.100
	// epoch 6: loss 0.70, lr 0.010
	// epoch 7: loss 0.69, lr 0.010
	// epoch 8: loss 0.50, lr 0.010
}

// Checkpointing: save a schedule's state and continue it elsewhere as if it had never stopped.
func ExampleScheduler_checkpoint() {
	opt := scheduleGroups{0.1, 0.01}
	sched := optim.NewStepLR(opt, 2, 0.5)
	sched.Step()
	sched.Step()
	state, err := sched.MarshalBinary()
	if err != nil {
		fmt.Println(err)
		return
	}

	resumed := scheduleGroups{0.1, 0.01}
	again := optim.NewStepLR(resumed, 2, 0.5)
	if err := again.UnmarshalBinary(state); err != nil {
		fmt.Println(err)
		return
	}
	again.Step()
	again.Step()
	fmt.Println(again.Epoch(), again.LastLR())

	wrong := optim.NewExponentialLR(scheduleGroups{0.1, 0.01}, 0.9)
	fmt.Println(wrong.UnmarshalBinary(state))
	// Output:
	// 4 [0.025 0.0025]
	// optim: restore ExponentialLR: state is for StepLR
}
