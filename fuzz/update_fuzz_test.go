package fuzz_test

import (
	"math/rand/v2"
	"testing"

	"github.com/descentlab/descent/kernels"
)

// FuzzUpdate: AdamStep, SGDStep, RMSpropStep, AdagradStep in every option
// combination, and Clamp. The fuzzer's bytes become the parameters, the
// gradients (a different window of the bytes each step) and the state, so
// any bit pattern reaches every slice; the hyperparameters come from seed,
// drawn as the tests draw them. Each input runs updateSteps steps at every
// available level against the references, as TestUpdate (runUpdate).
//
//	go test -run XXX -fuzz FuzzUpdate -fuzztime 30s ./fuzz/
func FuzzUpdate(f *testing.F) {
	for i, b := range seedBytes() {
		f.Add(b, uint8(i), uint16(5+i*23), uint8(i*19), uint64(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, off uint8, n uint16, sel uint8, seed uint64) {
		m := int(n) % maxFuzzLen
		if sel&128 == 0 {
			fuzzUpdate[float32](t, data, int(off)%16, m, int(sel&127), seed)
		} else {
			fuzzUpdate[float64](t, data, int(off)%16, m, int(sel&127), seed)
		}
	})
}

func fuzzUpdate[T kernels.Float](t *testing.T, data []byte, off, n, sel int, seed uint64) {
	rep := &reporter{tb: t}
	r := rand.New(rand.NewPCG(seed, 11))
	ug := updGen{r: r, kind: kindNormal, f32: is32[T](), sp: specials[T]()}
	calls := updateCalls[T](ug, n)
	if sel%(len(calls)+1) == len(calls) {
		x := decode[T](data, 0, n)
		lo, hi := decode[T](data, 3, 1)[0], decode[T](data, 5, 1)[0]
		if lo != lo || hi != hi {
			lo, hi = -1, 1
		}
		runClamp(rep, x, min(lo, hi), max(lo, hi), off, sel&64 != 0)
		return
	}
	call := calls[sel%len(calls)]
	for k, v := range call.init {
		if v != nil {
			call.init[k] = decode[T](data, 7*k, n)
		}
	}
	step := 0
	call.newG = func() []T {
		step++
		return decode[T](data, 7+13*step, n)
	}
	eachLevel(t, func(l kernels.Level) {
		step = 0
		runUpdate(rep, l, call, n, off)
	})
}
