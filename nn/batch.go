package nn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strings"
)

// Batches iterates over a data set of n samples in mini-batches: size 1 is SGD, size n is (full)
// batch gradient descent.
//
// An epoch is one pass over all n samples, each exactly once. NewBatches starts the first epoch;
// Next hands out its batches in turn and returns false at its end, after which Reset starts the
// next one. Every batch has size samples except, when n is not a multiple of size, the last one
// of an epoch, which is shorter, or dropped when dropLast is set.
//
// Without shuffling, every epoch visits the samples in order 0, 1, ..., n-1. With shuffling, the
// order of epoch e (counting from 0, so e = Epoch()-1) is a permutation that depends only on the
// seed and e: it does not depend on what happened in earlier epochs, so a run restored from a
// checkpoint (MarshalBinary) sees exactly the batches the original run would have seen. It is
// computed with Go's PCG generator (math/rand/v2) and a Fisher–Yates shuffle of our own, so it is
// the same on every platform and Go version.
//
// Next, Indices and Reset allocate nothing. A Batches is not safe for concurrent use.
type Batches struct {
	n, size  int
	shuffle  bool
	dropLast bool
	seed     uint64
	epoch    int // epochs started so far
	k        int // batches handed out this epoch; NumBatches()+1 once Next has returned false
	perm     []int
	rng      rand.PCG
}

// NewBatches returns an iterator over n samples in batches of size, at the start of its first
// epoch (Epoch() == 1, before the first Next). It panics if n < 0 or size < 1.
func NewBatches(n, size int, shuffle bool, seed uint64, dropLast bool) *Batches {
	if n < 0 {
		panic(fmt.Sprintf("nn: NewBatches: n=%d < 0", n))
	}
	if size < 1 {
		panic(fmt.Sprintf("nn: NewBatches: size=%d < 1", size))
	}
	b := &Batches{n: n, size: size, shuffle: shuffle, dropLast: dropLast, seed: seed,
		perm: make([]int, n)}
	b.Reset()
	return b
}

// NumBatches returns the number of batches in each epoch: n/size rounded up, or rounded down
// when the last short batch is dropped.
func (b *Batches) NumBatches() int {
	if b.size < 1 {
		return 0
	}
	nb := b.n / b.size
	if !b.dropLast && b.n%b.size != 0 {
		nb++
	}
	return nb
}

// Next advances to the next batch of the current epoch. It returns false at the end of the
// epoch, and keeps returning false until Reset starts the next one.
func (b *Batches) Next() bool {
	nb := b.NumBatches()
	if b.k > nb {
		return false
	}
	b.k++
	return b.k <= nb
}

// Indices returns the sample indices of the current batch, or nil before the first Next of an
// epoch and after its last. The slice is valid until the next call of Next, Reset or
// UnmarshalBinary, and must not be modified.
func (b *Batches) Indices() []int {
	if b.k < 1 || b.k > b.NumBatches() {
		return nil
	}
	lo := (b.k - 1) * b.size
	hi := min(lo+b.size, b.n)
	return b.perm[lo:hi:hi]
}

// Epoch returns the number of epochs started so far: 1 after NewBatches, one more after each Reset.
func (b *Batches) Epoch() int { return b.epoch }

// Reset starts the next epoch, reshuffling the samples when shuffling is on. Batches of the
// current epoch not yet handed out are skipped.
func (b *Batches) Reset() {
	b.epoch++
	b.k = 0
	b.order()
}

// order lays out the sample order of the current epoch in b.perm.
func (b *Batches) order() {
	for i := range b.perm {
		b.perm[i] = i
	}
	if b.shuffle {
		b.rng.Seed(splitmix64(b.seed), splitmix64(uint64(b.epoch-1)))
		shuffleInts(&b.rng, b.perm)
	}
}

// shuffleInts is a Fisher–Yates shuffle. It maps each 64-bit output onto [0, i] by a multiply
// and shift rather than calling rand.Rand, whose algorithms Go does not promise to keep: the
// orders here are part of descent's reproducibility (the bias, at most n/2^64, is immaterial).
func shuffleInts(r *rand.PCG, s []int) {
	for i := len(s) - 1; i > 0; i-- {
		j, _ := bits.Mul64(r.Uint64(), uint64(i+1))
		s[i], s[j] = s[j], s[i]
	}
}

// splitmix64 spreads a small seed (0, 1, 2, ...) over all 64 bits, so that nearby seeds start
// the generator in unrelated states.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

const (
	batchesMagic   = "nnB1" // format of Batches.MarshalBinary, version 1
	batchesLen     = len(batchesMagic) + 6*8
	batchesShuffle = 1 << 0
	batchesDrop    = 1 << 1
)

// MarshalBinary records the iterator's configuration (n, size, seed, shuffle, dropLast) and
// position (epoch and batch), for a checkpoint. UnmarshalBinary restores it.
func (b *Batches) MarshalBinary() ([]byte, error) {
	var flags uint64
	if b.shuffle {
		flags |= batchesShuffle
	}
	if b.dropLast {
		flags |= batchesDrop
	}
	out := make([]byte, 0, batchesLen)
	out = append(out, batchesMagic...)
	for _, v := range [...]uint64{uint64(b.n), uint64(b.size), b.seed, flags, uint64(b.epoch), uint64(b.k)} {
		out = binary.BigEndian.AppendUint64(out, v)
	}
	return out, nil
}

// UnmarshalBinary restores a position recorded by MarshalBinary: the next Next hands out the
// batch the marshalled iterator's next Next would have. The receiver must have been made by
// NewBatches with the same n, size, shuffle, seed and dropLast: it is an error, naming what
// differs, otherwise.
func (b *Batches) UnmarshalBinary(data []byte) error {
	if len(data) != batchesLen || string(data[:len(batchesMagic)]) != batchesMagic {
		return fmt.Errorf("restore batches: not a Batches checkpoint (%d bytes, want %d starting %q)",
			len(data), batchesLen, batchesMagic)
	}
	var v [6]uint64
	for i := range v {
		v[i] = binary.BigEndian.Uint64(data[len(batchesMagic)+8*i:])
	}
	n, size, seed, flags, epoch, k := v[0], v[1], v[2], v[3], v[4], v[5]
	const maxInt = math.MaxInt
	switch {
	case n > maxInt:
		return fmt.Errorf("restore batches: n=%d does not fit in an int", n)
	case size < 1 || size > maxInt:
		return fmt.Errorf("restore batches: size=%d out of range", size)
	case flags&^(batchesShuffle|batchesDrop) != 0:
		return fmt.Errorf("restore batches: unknown flags %#x", flags)
	case epoch < 1 || epoch > maxInt:
		return fmt.Errorf("restore batches: epoch=%d out of range", epoch)
	}
	c := Batches{n: int(n), size: int(size), shuffle: flags&batchesShuffle != 0,
		dropLast: flags&batchesDrop != 0, seed: seed}
	if b.size == 0 {
		return errors.New("restore batches: the receiver is a zero Batches; make it with NewBatches")
	}
	if err := sameConfig(&c, b); err != nil {
		return err
	}
	if k > uint64(c.NumBatches())+1 {
		return fmt.Errorf("restore batches: batch %d out of range for %d batches per epoch", k, c.NumBatches())
	}
	b.epoch, b.k = int(epoch), int(k)
	b.order()
	return nil
}

// Gather copies the features of the samples idx of d, in that order, into x (len(idx)*Features
// values, row-major, converted to T) and their labels into y (len(idx)). It allocates nothing.
// It panics, naming the argument, if a length does not match or an index is out of range.
func Gather[T ~float32 | ~float64](d *Dataset, idx []int, x []T, y []int) {
	f := d.Features
	if len(x) != len(idx)*f {
		panic(fmt.Sprintf("nn: Gather: len(x)=%d, want len(idx)*Features = %d*%d = %d",
			len(x), len(idx), f, len(idx)*f))
	}
	if len(y) != len(idx) {
		panic(fmt.Sprintf("nn: Gather: len(y)=%d, want len(idx)=%d", len(y), len(idx)))
	}
	n := d.Len()
	for j, i := range idx {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("nn: Gather: idx[%d]=%d out of range [0,%d)", j, i, n))
		}
		src := d.X[i*f : (i+1)*f]
		dst := x[j*f : (j+1)*f]
		for c, v := range src {
			dst[c] = T(v)
		}
		y[j] = d.Y[i]
	}
}

// sameConfig returns an error naming each difference between the configuration c recorded in a
// checkpoint and the iterator b's, or nil if they agree.
func sameConfig(c, b *Batches) error {
	var diffs []string
	if b.n != c.n {
		diffs = append(diffs, fmt.Sprintf("n: checkpoint %d, iterator %d", c.n, b.n))
	}
	if b.size != c.size {
		diffs = append(diffs, fmt.Sprintf("size: checkpoint %d, iterator %d", c.size, b.size))
	}
	if b.seed != c.seed {
		diffs = append(diffs, fmt.Sprintf("seed: checkpoint %d, iterator %d", c.seed, b.seed))
	}
	if b.shuffle != c.shuffle {
		diffs = append(diffs, fmt.Sprintf("shuffle: checkpoint %t, iterator %t", c.shuffle, b.shuffle))
	}
	if b.dropLast != c.dropLast {
		diffs = append(diffs, fmt.Sprintf("dropLast: checkpoint %t, iterator %t", c.dropLast, b.dropLast))
	}
	if diffs != nil {
		return errors.New("restore batches: checkpoint is of another iterator: " + strings.Join(diffs, "; "))
	}
	return nil
}
