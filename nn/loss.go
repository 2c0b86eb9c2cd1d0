package nn

import (
	"fmt"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/kernels"
)

// CrossEntropy is the classification loss: the mean over the batch of
// −log softmax(logits)[label], fused with its softmax so that it is stable
// for any logits (torch.nn.CrossEntropyLoss on raw logits).
func CrossEntropy[T autodiff.Float](tp *autodiff.Tape[T], logits *autodiff.Tensor[T], labels []int) *autodiff.Tensor[T] {
	return tp.SoftmaxCrossEntropy(logits, labels)
}

// MSE is the regression loss mean((pred − target)²) (torch.nn.MSELoss).
func MSE[T autodiff.Float](tp *autodiff.Tape[T], pred, target *autodiff.Tensor[T]) *autodiff.Tensor[T] {
	return tp.MSE(pred, target)
}

// Accuracy returns the fraction of rows of logits (batch × classes) whose
// largest entry is at the row's label.
func Accuracy[T autodiff.Float](logits *autodiff.Tensor[T], labels []int) float64 {
	rows, cols := logits.Rows(), logits.Cols()
	if len(logits.Shape()) != 2 || len(labels) != rows {
		panic(fmt.Sprintf("nn: Accuracy: logits of shape %v and %d labels, want a matrix with one row per label", logits.Shape(), len(labels)))
	}
	if rows == 0 {
		return 0
	}
	right := 0
	for i, l := range labels {
		if kernels.ArgMax(logits.Data[i*cols:(i+1)*cols]) == l {
			right++
		}
	}
	return float64(right) / float64(rows)
}
