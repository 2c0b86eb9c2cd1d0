// Package nn builds neural networks on package autodiff: layers (Linear,
// activations, BatchNorm1d, Dropout, a residual wrapper) composed with
// Sequential, losses, the Xavier/Glorot and He/Kaiming initialisers, and
// the data side of training: the embedded handwritten digits, an IDX reader
// for MNIST and Fashion-MNIST, and a seeded mini-batch iterator.
//
// A layer's Forward records its operations on a tape; Params lists the
// tensors an optimizer updates. Layers hold their parameters and nothing
// per step, so one model runs on any number of tapes, and a training step on
// a reused tape allocates nothing.
package nn
