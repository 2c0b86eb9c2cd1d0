package kernels

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countTask counts how often each part of a call runs.
type countTask struct {
	runs []atomic.Int32
	slow bool
}

func (c *countTask) runPart(p int) {
	if c.slow && p%3 == 1 {
		time.Sleep(time.Microsecond)
	}
	c.runs[p].Add(1)
}

// TestRunParallelParts: every part of every call runs exactly once, with
// several goroutines calling at once on jobs reused call after call (so
// that workers holding a hand-off from an earlier call meet a later one),
// with the calls spaced so that the workers both spin and park.
func TestRunParallelParts(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var j parallelJob
			for call := 0; call < 400; call++ {
				parts := 2 + (call*7+g)%9
				task := &countTask{runs: make([]atomic.Int32, parts), slow: call%5 == 0}
				runParallel(task, parts, &j)
				for p := range task.runs {
					if n := task.runs[p].Load(); n != 1 {
						t.Errorf("goroutine %d call %d: part %d of %d ran %d times", g, call, p, parts, n)
						return
					}
				}
				if call%50 == 49 {
					time.Sleep(workerSpin + 100*time.Microsecond) // let the workers park
				}
			}
		}(g)
	}
	wg.Wait()
}

// TestGemmConcurrentCalls: Gemm calls from several goroutines at once, each
// split over parts, give the bits one goroutine alone gives.
func TestGemmConcurrentCalls(t *testing.T) {
	defer func(v int) { gemmMinPerThread = v }(gemmMinPerThread)
	gemmMinPerThread = 1 << 10
	defer SetThreads(SetThreads(4))
	const m, n, k = 67, 45, 31
	a, b := make([]float64, m*k), make([]float64, k*n)
	for i := range a {
		a[i] = float64(i%13) - 6.5
	}
	for i := range b {
		b[i] = float64(i%7)*0.25 - 0.7
	}
	want := make([]float64, m*n)
	prev := SetThreads(1)
	Gemm(NoTrans, NoTrans, m, n, k, 1, a, k, b, n, 0, want, n)
	SetThreads(prev)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := make([]float64, m*n)
			for call := 0; call < 200; call++ {
				Gemm(NoTrans, NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
				for i := range c {
					if c[i] != want[i] {
						t.Errorf("goroutine %d call %d: c[%d] = %v, want %v", g, call, i, c[i], want[i])
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
}
