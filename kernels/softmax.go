package kernels

import "fmt"

func checkRows(fn string, dst, x, cols int) {
	checkLen(fn, "dst", dst, "x", x)
	if cols <= 0 {
		panic(fmt.Sprintf("kernels.%s: cols=%d must be positive", fn, cols))
	}
	if x%cols != 0 {
		panic(fmt.Sprintf("kernels.%s: len(x)=%d is not a multiple of cols=%d", fn, x, cols))
	}
}

// Softmax treats x as rows of cols elements and sets each row of dst to
// exp(x - max(row)) / Σ exp(x - max(row)): numerically stable for any finite
// input. A row holding NaN becomes all NaN; a row holding +Inf becomes NaN
// too (Inf - Inf), as in PyTorch. dst may be x.
func Softmax[T Float](dst, x []T, cols int) {
	checkRows("Softmax", len(dst), len(x), cols)
	checkAlias("Softmax", dst, "x", x)
	ds, xs := noEscape(dst), noEscape(x) // new variables: escape analysis does not follow reassignment
	t := table[T]()
	if t.softmaxRows != nil {
		t.softmaxRows(ds, xs, cols)
		return
	}
	softmaxRowByRow(t, ds, xs, cols)
}

// softmaxRowByRow is Softmax with three kernel calls per row; the
// softmaxRows kernels do the same arithmetic in one call.
func softmaxRowByRow[T Float](t *ops[T], dst, x []T, cols int) {
	for r := 0; r < len(x); r += cols {
		row, out := x[r:r+cols:r+cols], dst[r:r+cols:r+cols]
		m := t.max(row)
		s := t.expShiftSum(out, row, m)
		t.mulScalar(out, out, 1/s)
	}
}

// LogSoftmax treats x as rows of cols elements and sets each row of dst to
// x - max(row) - log Σ exp(x - max(row)), stable for any finite input and
// exact in the tail where Log(Softmax) would give -Inf. dst may be x.
func LogSoftmax[T Float](dst, x []T, cols int) {
	checkRows("LogSoftmax", len(dst), len(x), cols)
	checkAlias("LogSoftmax", dst, "x", x)
	logSoftmax(noEscape(dst), noEscape(x), cols)
}

// logSoftmax is LogSoftmax on checked arguments.
func logSoftmax[T Float](dst, x []T, cols int) {
	if len(x) == 0 {
		return
	}
	t := table[T]()
	if t.logSoftmaxStats != nil && cols >= 2 && &dst[0] != &x[0] {
		// Each row's maximum and exp-sum land in its first two elements
		// of dst, the sums become their logs (lseLog), and the second
		// pass reads both before it writes the row.
		t.logSoftmaxStats(dst, x, cols)
		buf := lseBufs[T]().get()
		for r0 := 0; r0 < len(dst); r0 += lseBlock * cols {
			s := buf.s[:min(lseBlock, (len(dst)-r0)/cols)]
			for i := range s {
				s[i] = dst[r0+i*cols+1]
			}
			t.log(s, s)
			for i, v := range s {
				dst[r0+i*cols+1] = v
			}
		}
		lseBufs[T]().put(buf)
		t.logSoftmaxApply(dst, x, cols)
		return
	}
	logSoftmaxRowByRow(t, dst, x, cols)
}

// lseBlock is how many rows' logarithms LogSoftmax takes in one call of
// the level's vector Log (about 10 ns for 64 float32 on AVX-512, where
// Go's math.Log per row cost a quarter of a 256×10 LogSoftmax).
const lseBlock = 64

// lseScratch holds a block of rows' maxima and exp-sums (then their logs).
type lseScratch[T Float] struct{ m, s [lseBlock]T }

var (
	lse32 freeList[lseScratch[float32]]
	lse64 freeList[lseScratch[float64]]
)

// lseBufs returns the free list of T's lseScratch: one get and put per
// call, no allocation once a scratch exists per concurrent caller.
func lseBufs[T Float]() *freeList[lseScratch[T]] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(&lse32).(*freeList[lseScratch[T]])
	}
	return any(&lse64).(*freeList[lseScratch[T]])
}

// logSoftmaxRowByRow is LogSoftmax with two kernel calls per row for its
// statistics and two to write it, and one vector Log per block of rows;
// the logSoftmaxStats and logSoftmaxApply kernels do the same arithmetic
// (and the same Log) for all rows in two calls, bit for bit.
func logSoftmaxRowByRow[T Float](t *ops[T], dst, x []T, cols int) {
	buf := lseBufs[T]().get()
	defer lseBufs[T]().put(buf)
	for r0 := 0; r0 < len(x); r0 += lseBlock * cols {
		nb := min(lseBlock, (len(x)-r0)/cols)
		m, s := buf.m[:nb], buf.s[:nb]
		for i := range m {
			row := x[r0+i*cols : r0+(i+1)*cols : r0+(i+1)*cols]
			m[i] = t.max(row)
			s[i] = t.sumExpShift(row, m[i])
		}
		t.log(s, s)
		for i := range m {
			row := x[r0+i*cols : r0+(i+1)*cols : r0+(i+1)*cols]
			out := dst[r0+i*cols : r0+(i+1)*cols : r0+(i+1)*cols]
			// (x-m) is exact near the maximum (Sterbenz); subtracting the
			// log separately keeps the small results accurate when |m| is
			// large.
			t.addScalar(out, row, -m[i])
			t.addScalar(out, out, -s[i])
		}
	}
}
