package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// threadCap is the SetThreads cap; 0 means GOMAXPROCS.
var threadCap atomic.Int64

// SetThreads caps the number of goroutines one kernel call (today: Gemm)
// may use and returns the previous cap. n <= 0 restores the default, which
// is GOMAXPROCS at the time of each call. Results do not depend on it.
//
// A Gemm of at least 2×2^22 multiply-adds (2×2^24 where A has to be
// packed although the level could read it where it lies: rows a multiple
// of 4 KiB apart, or over 4 MiB) is split between the calling goroutine
// and long-lived workers. A worker that has run a part stays
// awake for 200 µs afterwards (yielding to any other goroutine that wants
// its processor), so that the next call of a training step hands it work
// at once rather than waking a parked thread; SetThreads(1) keeps Gemm on
// the calling goroutine.
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

// A parallel call is split into parts, which the calling goroutine and a
// pool of long-lived workers claim one at a time from the call's
// parallelJob; a call allocates nothing (no closures, no new goroutines at
// steady state). The caller claims parts too, so it never waits for a
// worker to wake up: a parked worker that arrives after the caller has
// claimed every part finds nothing to do. A worker that has run parts
// stays awake for workerSpin, polling for the next call's, so that the
// calls of a training step (a few µs to a few hundred µs apart) find it
// running instead of paying the wake-up of a parked thread each.
type parallelTask interface{ runPart(part int) }

// workerSpin is how long a worker polls for more parts after its last one
// before it parks. It yields (runtime.Gosched) between polls, so other
// goroutines run first.
const workerSpin = 200 * time.Microsecond

// parallelJob is the part counter of one parallel call, reused call after
// call. state holds the call's generation (bits 32–63), its number of parts
// (16–31) and the next part to claim (0–15) in one word, so that a worker
// holding a hand-off from an earlier call claims nothing from a later one.
// left counts the parts not yet finished; whoever finishes the last sends
// once on fin, which the caller receives.
type parallelJob struct {
	state atomic.Uint64
	left  atomic.Int32
	fin   chan struct{}
}

// maxParts bounds the parts of one call (state's 16-bit fields).
const maxParts = 1<<16 - 1

type workItem struct {
	task parallelTask
	job  *parallelJob
	gen  uint32
}

// claim returns the next part of the call of generation gen, if it has
// one left.
func (j *parallelJob) claim(gen uint32) (int, bool) {
	for {
		s := j.state.Load()
		if uint32(s>>32) != gen {
			return 0, false
		}
		parts, next := int(s>>16&0xffff), int(s&0xffff)
		if next >= parts {
			return 0, false
		}
		if j.state.CompareAndSwap(s, s+1) {
			return next, true
		}
	}
}

func (j *parallelJob) finish() {
	if j.left.Add(-1) == 0 {
		j.fin <- struct{}{}
	}
}

// help runs parts of the item's call until none is left to claim.
func (it workItem) help() {
	for {
		p, ok := it.job.claim(it.gen)
		if !ok {
			return
		}
		it.task.runPart(p)
		it.job.finish()
	}
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
		go worker(workers.ch)
		workers.n++
	}
	workers.mu.Unlock()
}

func worker(ch chan workItem) {
	for it := range ch {
		it.help()
		for last := time.Now(); time.Since(last) < workerSpin; {
			select {
			case it = <-ch:
				it.help()
				last = time.Now()
			default:
				runtime.Gosched()
			}
		}
	}
}

// runParallel runs task.runPart(0..parts-1) on the calling goroutine and
// the workers, and returns when all are done. j must be idle (no call of
// runParallel on it in progress); its fin channel is made on first use.
func runParallel(task parallelTask, parts int, j *parallelJob) {
	if parts <= 1 {
		task.runPart(0)
		return
	}
	if parts > maxParts {
		panic("kernels: internal error: too many parts")
	}
	if j.fin == nil {
		j.fin = make(chan struct{}, 1)
	}
	gen := uint32(j.state.Load()>>32) + 1
	j.left.Store(int32(parts))
	j.state.Store(uint64(gen)<<32 | uint64(parts)<<16)
	ensureWorkers(parts - 1)
	it := workItem{task: task, job: j, gen: gen}
	for p := 1; p < parts; p++ {
		workers.ch <- it
	}
	it.help()
	<-j.fin
}
