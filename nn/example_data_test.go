package nn_test

import (
	"fmt"

	"github.com/descentlab/descent/nn"
)

// ExampleDigits walks the embedded digits in shuffled mini-batches of 32, as a training loop
// does: size 1 would be SGD, size train.Len() full-batch gradient descent.
func ExampleDigits() {
	train, test := nn.Digits()
	fmt.Printf("%d training and %d test images of %d pixels, %d classes\n",
		train.Len(), test.Len(), train.Features, train.Classes)

	const batchSize = 32
	batches := nn.NewBatches(train.Len(), batchSize, true, 1, false)
	x := make([]float32, batchSize*train.Features) // reused by every batch
	y := make([]int, batchSize)
	for range 2 {
		samples := 0
		for batches.Next() {
			idx := batches.Indices()
			n := len(idx) // the last batch of an epoch may be short
			nn.Gather(train, idx, x[:n*train.Features], y[:n])
			if samples == 0 {
				fmt.Printf("epoch %d starts with digits %v\n", batches.Epoch(), y[:8])
			}
			samples += n // a training step on x[:n*64] and y[:n] goes here
		}
		fmt.Printf("epoch %d: %d batches, %d samples\n", batches.Epoch(), batches.NumBatches(), samples)
		batches.Reset()
	}
	// Output:
	// 1437 training and 360 test images of 64 pixels, 10 classes
	// epoch 1 starts with digits [6 3 4 1 8 6 7 8]
	// epoch 1: 45 batches, 1437 samples
	// epoch 2 starts with digits [6 9 0 1 5 2 2 5]
	// epoch 2: 45 batches, 1437 samples
}
