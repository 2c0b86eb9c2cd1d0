package kernels

import (
	"fmt"
	"math"
)

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
	t := table[T]()
	if t.softmaxRows != nil {
		t.softmaxRows(dst, x, cols)
		return
	}
	softmaxRowByRow(t, dst, x, cols)
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
	t := table[T]()
	if t.logSoftmaxStats != nil && cols >= 2 && (len(x) == 0 || &dst[0] != &x[0]) {
		// Each row's maximum and exp-sum land in its first two elements
		// of dst, the sum becomes its log, and the second pass reads both
		// before it writes the row.
		t.logSoftmaxStats(dst, x, cols)
		for r := 1; r < len(dst); r += cols {
			dst[r] = T(math.Log(float64(dst[r])))
		}
		t.logSoftmaxApply(dst, x, cols)
		return
	}
	logSoftmaxRowByRow(t, dst, x, cols)
}

// logSoftmaxRowByRow is LogSoftmax with four kernel calls per row; the
// logSoftmaxStats and logSoftmaxApply kernels do the same arithmetic for
// all rows in two.
func logSoftmaxRowByRow[T Float](t *ops[T], dst, x []T, cols int) {
	for r := 0; r < len(x); r += cols {
		row, out := x[r:r+cols:r+cols], dst[r:r+cols:r+cols]
		m := t.max(row)
		// One logarithm per row, in float64 and rounded once to T: passing
		// a one-element slice to t.log would make it escape, one heap
		// allocation per call.
		lse := T(math.Log(float64(t.sumExpShift(row, m))))
		// (x-m) is exact near the maximum (Sterbenz); subtracting lse
		// separately keeps the small results accurate when |m| is large.
		t.addScalar(out, row, -m)
		t.addScalar(out, out, -lse)
	}
}
