package kernels

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// Level names an instruction-set level that kernels can run at.
type Level string

// The levels, from the portable fallback up.
const (
	Generic Level = "generic" // pure Go, every platform
	AVX2    Level = "avx2"    // amd64 AVX2 + FMA3
	AVX512  Level = "avx512"  // amd64 AVX-512 F/DQ/BW/VL
	NEON    Level = "neon"    // arm64 Advanced SIMD
)

var allLevels = []Level{Generic, AVX2, AVX512, NEON}

// rank orders levels so that DESCENT_ISA can cap the choice.
func (l Level) rank() int {
	switch l {
	case Generic:
		return 0
	case AVX2, NEON:
		return 1
	case AVX512:
		return 2
	}
	return -1
}

// ParseLevel returns the Level named s (case-insensitive), or an error
// listing the names it knows.
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToLower(strings.TrimSpace(s)))
	if l.rank() < 0 {
		return "", fmt.Errorf("kernels: unknown instruction set %q (want one of generic, avx2, avx512, neon)", s)
	}
	return l, nil
}

// impl is one level's table of kernels; public functions call through the
// active one.
type impl struct {
	level Level
	f32   ops[float32]
	f64   ops[float64]
}

// ops is the table of one element type. Implementations may assume that the
// public wrapper has checked every length (equal lengths, n >= 0, cols > 0
// dividing n) and handled empty inputs where the result is defined.
type ops[T Float] struct {
	axpy      func(alpha T, x, y []T)
	scale     func(alpha T, x []T)
	dot       func(x, y []T) T
	sum       func(x []T) T
	asum      func(x []T) T
	sumsq     func(x []T) float64 // Σx², accumulated in float64 for float32
	add       func(dst, a, b []T)
	sub       func(dst, a, b []T)
	mul       func(dst, a, b []T)
	div       func(dst, a, b []T)
	addScalar func(dst, a []T, s T)
	mulScalar func(dst, a []T, s T)
	max       func(x []T) T // NaN if any element is NaN; len(x) > 0
	min       func(x []T) T
	// index returns the position of the first x[i] == m, or of the first
	// NaN when m is NaN; len(x) when there is none.
	index func(x []T, m T) int
	// argmax and argmin, optional (nil: index(x, max(x)), as ArgMax and
	// ArgMin then call them), are the same in one call; len(x) > 0.
	argmax, argmin func(x []T) int
	relu           func(dst, x []T)
	reluGrad       func(dst, x, dy []T)
	exp            func(dst, x []T)
	log            func(dst, x []T)
	sigmoid        func(dst, x []T)
	tanh           func(dst, x []T)
	// expShiftSum sets dst[i] = exp(x[i]-shift) and returns Σ dst[i].
	expShiftSum func(dst, x []T, shift T) T
	// sumExpShift returns Σ exp(x[i]-shift) without writing anything.
	sumExpShift func(x []T, shift T) T
	// The row-wise kernels (softmax.go), optional: nil where a level has
	// none, and Softmax and LogSoftmax then run their per-row loops, whose
	// results these give bit for bit in one call (softmaxRows) or two
	// (logSoftmaxStats, then the level's log on the sums, then
	// logSoftmaxApply; cols >= 2, dst and x distinct).
	softmaxRows     func(dst, x []T, cols int)
	logSoftmaxStats func(dst, x []T, cols int)
	logSoftmaxApply func(dst, x []T, cols int)
	// The fused optimizer updates (update.go): lengths equal len(p) > 0,
	// unused optional slices are nil (vmax without amsgrad, buf without
	// momentum, gavg unless centered).
	adam    func(p, g, m, v, vmax []T, a AdamArgs[T])
	sgd     func(p, g, buf []T, a SGDArgs[T])
	rmsprop func(p, g, sq, gavg, buf []T, a RMSpropArgs[T])
	adagrad func(p, g, sum []T, a AdagradArgs[T])
	clamp   func(dst, x []T, lo, hi T) // lo <= hi, neither NaN
	// gemm is this level's GEMM: microkernel, block sizes, buffer pools
	// (gemm_driver.go). Arguments are checked, m, n, k > 0, alpha != 0.
	gemm *gemmKernel[T]
}

var (
	levels = map[Level]*impl{Generic: genericImpl()}
	active atomic.Pointer[impl]
)

// register adds a level's table; called from the per-architecture init.
func register(p *impl) { levels[p.level] = p }

func init() {
	registerArch()
	best := bestLevel(levels)
	if env, ok := os.LookupEnv("DESCENT_ISA"); ok && env != "" {
		capLevel, err := ParseLevel(env)
		if err != nil {
			panic(fmt.Sprintf("kernels: DESCENT_ISA=%q: %v", env, err))
		}
		// Cap: the best available level whose rank does not exceed the cap.
		best = Generic
		for l := range levels {
			if l.rank() <= capLevel.rank() && l.rank() > best.rank() {
				best = l
			}
		}
	}
	active.Store(levels[best])
}

func bestLevel(m map[Level]*impl) Level {
	best := Generic
	for l := range m {
		if l.rank() > best.rank() {
			best = l
		}
	}
	return best
}

// ISA returns the instruction-set level the kernels currently run at.
func ISA() Level { return active.Load().level }

// Available lists the levels this machine (CPU, operating system and build)
// can run, from the portable Generic up to the best.
func Available() []Level {
	var out []Level
	for _, l := range allLevels {
		if _, ok := levels[l]; ok {
			out = append(out, l)
		}
	}
	return out
}

// SetISA switches every kernel to level l. It returns an error, and changes
// nothing, when l is not a known level or this machine cannot run it. It is
// meant for tests and benchmarks: do not call it while kernels are running
// on other goroutines if you need a consistent level for a whole operation.
func SetISA(l Level) error {
	if l.rank() < 0 {
		_, err := ParseLevel(string(l))
		return err
	}
	p, ok := levels[l]
	if !ok {
		return fmt.Errorf("kernels: instruction set %q is not available on this machine (available: %v)", l, Available())
	}
	active.Store(p)
	return nil
}
