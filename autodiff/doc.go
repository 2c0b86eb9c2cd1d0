// Package autodiff is descent's reverse-mode automatic differentiation: tensors, a tape that records
// each operation's backward step as the forward pass runs, and Backward, which walks the tape from the
// loss back to every input and accumulates gradients (the chain rule, applied from the output back).
//
// Every forward and backward step runs on package kernels: a matrix product's backward is two GEMMs with
// transpose flags, never an explicit transpose; elementwise steps are kernel calls on whole rows.
//
// A Tape is reused step after step: Reset keeps every buffer it handed out, and a forward pass with the
// same shapes gets the same buffers back, so a steady-state training step allocates nothing.
//
//	tp := autodiff.NewTape[float32]()
//	for step := 0; step < steps; step++ {
//		tp.Reset()
//		h := tp.ReLU(tp.AddRow(tp.MatMul(x, w1), b1))
//		loss := tp.SoftmaxCrossEntropy(tp.AddRow(tp.MatMul(h, w2), b2), labels)
//		if err := tp.Backward(loss); err != nil { ... }
//		// w1.Grad(), b1.Grad(), ... now hold d loss / d w; an optimizer steps them.
//	}
//
// Tensors are scalars, vectors or matrices (row-major): the shapes a multilayer perceptron needs. Shape
// errors are programmer errors and panic with the op and both shapes; Backward returns an error for a
// misuse that depends on the run (a non-scalar loss, a second Backward on a spent tape).
//
// GradCheck compares the tape's gradients with central finite differences in float64, as
// torch.autograd.gradcheck does; every op and model in descent is tested with it.
package autodiff
