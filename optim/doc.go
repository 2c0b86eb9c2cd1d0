// Package optim steps a model's parameters against their gradients: SGD
// (momentum, dampening, Nesterov, weight decay), Adam and AdamW (amsgrad),
// RMSprop (centered, momentum) and Adagrad, with the update equations of
// torch.optim, so that a recipe ported from PyTorch follows the same
// trajectory to rounding; learning-rate schedules with the semantics of
// torch.optim.lr_scheduler (step, multi-step, exponential, cosine with warm
// restarts, linear warm-up, sequences, one-cycle, reduce-on-plateau); and
// gradient clipping by global norm and by value.
//
// Each update is one fused kernel (package kernels): one pass over the
// parameters, their gradients and the optimizer's state, in assembly on
// AVX2 and AVX-512. A Step allocates nothing. Unlike torch, state values
// (moments, momentum buffers) that fall below the smallest normal number
// are stored as 0: a parameter whose gradient stays 0 would otherwise keep
// a subnormal moment for good, and x86 computes with subnormals several
// times slower (kernels/update.go gives the measurement).
//
// Optimizers and schedules save their state with MarshalBinary and restore
// it with UnmarshalBinary, bit for bit, so that a run resumed from a
// checkpoint continues exactly as if it had never stopped.
package optim
