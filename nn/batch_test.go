package nn

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// epochBatches runs Next to the end of the current epoch and returns copies of its batches.
func epochBatches(b *Batches) [][]int {
	var out [][]int
	for b.Next() {
		out = append(out, slices.Clone(b.Indices()))
	}
	return out
}

func TestBatchesCoverEachSampleOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 10, 64, 101} {
		for _, size := range []int{1, 3, 10, 64, 200} {
			for _, shuffle := range []bool{false, true} {
				for _, dropLast := range []bool{false, true} {
					name := fmt.Sprintf("n=%d/size=%d/shuffle=%t/dropLast=%t", n, size, shuffle, dropLast)
					b := NewBatches(n, size, shuffle, 7, dropLast)
					wantBatches := (n + size - 1) / size
					if dropLast {
						wantBatches = n / size
					}
					if b.NumBatches() != wantBatches {
						t.Fatalf("%s: NumBatches = %d, want %d", name, b.NumBatches(), wantBatches)
					}
					for epoch := 1; epoch <= 3; epoch++ {
						if b.Epoch() != epoch {
							t.Fatalf("%s: Epoch = %d, want %d", name, b.Epoch(), epoch)
						}
						if b.Indices() != nil {
							t.Fatalf("%s: Indices before the first Next = %v", name, b.Indices())
						}
						batches := epochBatches(b)
						if len(batches) != wantBatches {
							t.Fatalf("%s: %d batches, want %d", name, len(batches), wantBatches)
						}
						seen := make([]int, n)
						for k, idx := range batches {
							want := size
							if k == len(batches)-1 && !dropLast && n%size != 0 {
								want = n % size
							}
							if len(idx) != want {
								t.Fatalf("%s: batch %d has %d samples, want %d", name, k, len(idx), want)
							}
							for _, i := range idx {
								seen[i]++
							}
						}
						covered := 0
						for i, c := range seen {
							if c > 1 {
								t.Fatalf("%s: sample %d seen %d times in epoch %d", name, i, c, epoch)
							}
							covered += c
						}
						if want := wantBatches * size; dropLast && covered != want || !dropLast && covered != n {
							t.Fatalf("%s: epoch %d covers %d samples", name, epoch, covered)
						}
						if b.Next() || b.Indices() != nil {
							t.Fatalf("%s: Next after the end of an epoch did not stay false", name)
						}
						if !shuffle && n > 0 && wantBatches > 0 && batches[0][0] != 0 {
							t.Fatalf("%s: unshuffled epoch starts at %d", name, batches[0][0])
						}
						b.Reset()
					}
				}
			}
		}
	}
}

func TestBatchesSGDAndFullBatch(t *testing.T) {
	sgd := epochBatches(NewBatches(5, 1, false, 0, false))
	if !slices.EqualFunc(sgd, [][]int{{0}, {1}, {2}, {3}, {4}}, slices.Equal) {
		t.Errorf("size 1 batches = %v", sgd)
	}
	full := epochBatches(NewBatches(5, 5, false, 0, true))
	if !slices.EqualFunc(full, [][]int{{0, 1, 2, 3, 4}}, slices.Equal) {
		t.Errorf("size n batches = %v", full)
	}
	if got := epochBatches(NewBatches(5, 8, false, 0, true)); got != nil {
		t.Errorf("size > n with dropLast: %v, want no batch", got)
	}
}

// TestBatchesPinnedOrder pins the shuffled order: it is part of every seeded result.
func TestBatchesPinnedOrder(t *testing.T) {
	b := NewBatches(10, 3, true, 42, false)
	want := [][][]int{
		{{0, 3, 9}, {2, 8, 7}, {1, 6, 5}, {4}},
		{{2, 4, 1}, {8, 0, 9}, {7, 5, 3}, {6}},
	}
	for e, w := range want {
		if got := epochBatches(b); !slices.EqualFunc(got, w, slices.Equal) {
			t.Errorf("epoch %d: %v, want %v", e, got, w)
		}
		b.Reset()
	}
}

func TestBatchesDeterminism(t *testing.T) {
	const n, size = 100, 16
	order := func(seed uint64, epochs int) [][]int {
		b := NewBatches(n, size, true, seed, false)
		var all [][]int
		for range epochs {
			var flat []int
			for _, idx := range epochBatches(b) {
				flat = append(flat, idx...)
			}
			all = append(all, flat)
			b.Reset()
		}
		return all
	}
	a, a2, c := order(1, 3), order(1, 3), order(2, 3)
	for e := range a {
		if !slices.Equal(a[e], a2[e]) {
			t.Fatalf("epoch %d: two iterators with seed 1 differ", e)
		}
		if slices.Equal(a[e], c[e]) {
			t.Errorf("epoch %d: seeds 1 and 2 give the same order", e)
		}
		if slices.IsSorted(a[e]) {
			t.Errorf("epoch %d: not shuffled", e)
		}
	}
	if slices.Equal(a[0], a[1]) || slices.Equal(a[1], a[2]) {
		t.Error("consecutive epochs have the same order")
	}

	// An epoch's order does not depend on how much of the previous epochs was consumed.
	b := NewBatches(n, size, true, 1, false)
	b.Next()
	b.Reset()
	b.Reset()
	var flat []int
	for _, idx := range epochBatches(b) {
		flat = append(flat, idx...)
	}
	if !slices.Equal(flat, a[2]) {
		t.Error("epoch 3's order depends on the earlier epochs' progress")
	}
}

func TestBatchesMarshalRoundTrip(t *testing.T) {
	for _, stop := range []int{0, 1, 3, 7, 8} { // batches taken in epoch 3 before the checkpoint
		a := NewBatches(50, 7, true, 99, false) // 8 batches per epoch
		epochBatches(a)
		a.Reset()
		epochBatches(a)
		a.Reset()
		for range stop {
			a.Next()
		}
		if stop == 8 {
			a.Next() // past the end: Next has returned false
		}
		data, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b := NewBatches(50, 7, true, 99, false)
		if err := b.UnmarshalBinary(data); err != nil {
			t.Fatalf("stop %d: %v", stop, err)
		}
		if b.Epoch() != a.Epoch() || !slices.Equal(a.Indices(), b.Indices()) {
			t.Fatalf("stop %d: restored at epoch %d batch %v, want epoch %d batch %v",
				stop, b.Epoch(), b.Indices(), a.Epoch(), a.Indices())
		}
		for e := range 3 {
			ga, gb := epochBatches(a), epochBatches(b)
			if !slices.EqualFunc(ga, gb, slices.Equal) {
				t.Fatalf("stop %d, epoch +%d: resumed run sees %v, original %v", stop, e, gb, ga)
			}
			a.Reset()
			b.Reset()
		}
	}
}

func TestBatchesUnmarshalErrors(t *testing.T) {
	data, _ := NewBatches(10, 3, true, 5, false).MarshalBinary()
	for _, tc := range []struct {
		name string
		b    *Batches
		want string
	}{
		{"n", NewBatches(11, 3, true, 5, false), "n: checkpoint 10, iterator 11"},
		{"size", NewBatches(10, 4, true, 5, false), "size: checkpoint 3, iterator 4"},
		{"seed", NewBatches(10, 3, true, 6, false), "seed: checkpoint 5, iterator 6"},
		{"shuffle", NewBatches(10, 3, false, 5, false), "shuffle: checkpoint true, iterator false"},
		{"dropLast", NewBatches(10, 3, true, 5, true), "dropLast: checkpoint false, iterator true"},
		{"all", NewBatches(1, 1, false, 0, true), "n: checkpoint 10, iterator 1; size: checkpoint 3, iterator 1; seed"},
		{"zero", &Batches{}, "zero Batches"},
	} {
		err := tc.b.UnmarshalBinary(data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	corrupt := func(f func(d []byte)) []byte {
		d := slices.Clone(data)
		f(d)
		return d
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"short", data[:20], "not a Batches checkpoint"},
		{"magic", corrupt(func(d []byte) { d[0] = 'x' }), "not a Batches checkpoint"},
		{"size 0", corrupt(func(d []byte) { d[4+15] = 0 }), "size=0"},
		{"flags", corrupt(func(d []byte) { d[4+31] = 8 }), "unknown flags"},
		{"epoch 0", corrupt(func(d []byte) { d[4+39] = 0 }), "epoch=0"},
		{"batch", corrupt(func(d []byte) { d[4+47] = 6 }), "batch 6 out of range for 4 batches"},
	} {
		b := NewBatches(10, 3, true, 5, false)
		err := b.UnmarshalBinary(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestNewBatchesPanics(t *testing.T) {
	if msg := catchPanic(func() { NewBatches(-1, 1, false, 0, false) }); !strings.Contains(msg, "n=-1") {
		t.Errorf("n=-1: panic %q", msg)
	}
	if msg := catchPanic(func() { NewBatches(3, 0, false, 0, false) }); !strings.Contains(msg, "size=0") {
		t.Errorf("size=0: panic %q", msg)
	}
}

type myFloat float32

func TestGather(t *testing.T) {
	d := smallDataset()
	x := make([]float64, 6)
	y := make([]int, 2)
	Gather(d, []int{3, 0}, x, y)
	if !slices.Equal(x, []float64{30, 31, 32, 0, 1, 2}) || !slices.Equal(y, []int{1, 0}) {
		t.Fatalf("Gather float64: %v %v", x, y)
	}
	xm := make([]myFloat, 3)
	Gather(d, []int{2}, xm, y[:1])
	if !slices.Equal(xm, []myFloat{20, 21, 22}) || y[0] != 0 {
		t.Fatalf("Gather myFloat: %v %v", xm, y)
	}
	Gather(d, nil, []float32{}, nil) // an empty batch is fine

	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"x", func() { Gather(d, []int{0, 1}, make([]float32, 5), make([]int, 2)) }, "len(x)=5, want len(idx)*Features = 2*3 = 6"},
		{"y", func() { Gather(d, []int{0, 1}, make([]float32, 6), make([]int, 3)) }, "len(y)=3, want len(idx)=2"},
		{"idx", func() { Gather(d, []int{0, 4}, make([]float32, 6), make([]int, 2)) }, "idx[1]=4 out of range [0,4)"},
	} {
		if msg := catchPanic(tc.f); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: panic %q, want one containing %q", tc.name, msg, tc.want)
		}
	}
}

func TestBatchesAllocateNothing(t *testing.T) {
	train, _ := Digits()
	b := NewBatches(train.Len(), 32, true, 1, false)
	x := make([]float32, 32*train.Features)
	y := make([]int, 32)
	allocs := testing.AllocsPerRun(3, func() {
		for b.Next() {
			idx := b.Indices()
			Gather(train, idx, x[:len(idx)*train.Features], y[:len(idx)])
		}
		b.Reset()
	})
	if allocs != 0 {
		t.Errorf("an epoch of Next, Indices, Gather and Reset allocates %v times, want 0", allocs)
	}
}
