package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// threadCap is the SetThreads cap; 0 means GOMAXPROCS.
var threadCap atomic.Int64

// SetThreads caps the number of goroutines one kernel call (today: Gemm)
// may use and returns the previous cap. n <= 0 restores the default, which
// is GOMAXPROCS at the time of each call. Results do not depend on it.
func SetThreads(n int) int {
	old := Threads()
	if n < 0 {
		n = 0
	}
	threadCap.Store(int64(n))
	return old
}

// Threads returns the number of goroutines a kernel call may use.
func Threads() int {
	procs := runtime.GOMAXPROCS(0)
	if c := int(threadCap.Load()); c > 0 && c < procs {
		return c
	}
	return procs
}

// A parallel call is split into parts; the caller runs part 0 and hands the
// others to a pool of long-lived workers, so that a call allocates nothing
// (no closures, no new goroutines at steady state).
type parallelTask interface{ runPart(part int) }

type workItem struct {
	task parallelTask
	part int
	done *sync.WaitGroup
}

var workers struct {
	mu sync.Mutex
	n  int
	ch chan workItem
}

func ensureWorkers(n int) {
	workers.mu.Lock()
	if workers.ch == nil {
		workers.ch = make(chan workItem, 64)
	}
	for workers.n < n {
		go func(ch chan workItem) {
			for it := range ch {
				it.task.runPart(it.part)
				it.done.Done()
			}
		}(workers.ch)
		workers.n++
	}
	workers.mu.Unlock()
}

// runParallel runs task.runPart(0..parts-1), part 0 on the calling
// goroutine, and returns when all are done. wg must be idle.
func runParallel(task parallelTask, parts int, wg *sync.WaitGroup) {
	if parts <= 1 {
		task.runPart(0)
		return
	}
	ensureWorkers(parts - 1)
	wg.Add(parts - 1)
	for p := 1; p < parts; p++ {
		workers.ch <- workItem{task: task, part: p, done: wg}
	}
	task.runPart(0)
	wg.Wait()
}
