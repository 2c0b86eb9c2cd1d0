package kernels

import (
	"fmt"
	"math"
	"unsafe"
)

// Fused optimizer updates: each kernel makes one pass over the parameters,
// the gradients and the optimizer state, element by element, with the
// arithmetic of torch.optim's single-tensor (foreach=False) code in the same
// order. The per-step scalars (bias corrections, decayed learning rates) are
// computed once per step by package optim and passed in the *Args structs.
// The gradient is only read; every state slice is read and written.
//
// All slices must have exactly len(p) elements, and none may partially
// overlap another (the assembly levels read and write whole registers, so a
// slice starting a few elements into another would give wrong answers).
// The assembly levels contract multiplies and adds into FMAs, so they round
// slightly differently from the generic level (see fuzz/tolerance.go).
//
// One departure from torch: every optimizer state value (Adam's m, v and
// vmax, the momentum buffers, RMSprop's sq and gavg) whose magnitude falls
// below the smallest normal number of T (2^-126 for float32) is stored as
// 0, at every level. A parameter whose gradient stays 0 (a pixel that is 0
// in every image, a dead ReLU unit) has its moment decay geometrically into
// the subnormals, and the m·0.9 of the smallest subnormal rounds back to
// it, so without the flush it stays subnormal for good; x86 cores take a
// slow path for subnormal operands, and Adam on the 784-128-10 MLP's
// 101,770 parameters ran 3.8x slower once half its m was subnormal (60 µs
// against 16). What the flush drops is below 2^-126 of a moment, which
// moves no weight by as much as 1e-30. (torch offers the same, for all
// arithmetic, as torch.set_flush_denormal.)

// AdamArgs holds the per-step scalars of AdamStep; optim computes them from
// its hyperparameters and the step number t.
type AdamArgs[T Float] struct {
	Beta1, Beta2, Eps T
	WeightDecay       T // L2 penalty as torch.optim.Adam: d = g + WeightDecay*p; 0 = none
	Decay             T // decoupled decay as torch.optim.AdamW: p *= Decay before the update; 1 = none
	StepSize          T // lr / (1 - beta1^t)
	BC2Sqrt           T // sqrt(1 - beta2^t)
}

// AdamStep applies one Adam (or AdamW) step to the parameters p, given the
// gradients g, the first and second moments m and v, and, for the amsgrad
// variant, the running maximum vmax of v. vmax == nil means no amsgrad;
// with amsgrad len(vmax) == len(p). Per element:
//
//	d = g (+ WeightDecay*p if WeightDecay != 0)
//	p = p*Decay
//	m = m + (1-Beta1)*(d-m)
//	v = Beta2*v + (1-Beta2)*d*d
//	vv = v, or with amsgrad vmax = max(vmax, v) and vv = vmax
//	p = p - StepSize*(m / (sqrt(vv)/BC2Sqrt + Eps))
//
// m, v and vmax are stored as 0 where they fall below the smallest normal
// number (see the comment at the top of this file).
func AdamStep[T Float](p, g, m, v, vmax []T, a AdamArgs[T]) {
	n := len(p)
	if len(g) != n || len(m) != n || len(v) != n || vmax != nil && len(vmax) != n ||
		partialOverlap(p, g) || partialOverlap(p, m) || partialOverlap(p, v) ||
		partialOverlap(g, m) || partialOverlap(g, v) || partialOverlap(m, v) ||
		vmax != nil && (partialOverlap(p, vmax) || partialOverlap(g, vmax) ||
			partialOverlap(m, vmax) || partialOverlap(v, vmax)) {
		badUpdate("AdamStep", p, []string{"g", "m", "v", "vmax"}, g, m, v, vmax)
	}
	if n > 0 {
		table[T]().adam(noEscape(p), noEscape(g), noEscape(m), noEscape(v), noEscape(vmax), a)
	}
}

// SGDArgs holds the scalars of SGDStep.
type SGDArgs[T Float] struct {
	LR, Momentum, Dampening, WeightDecay T
	Nesterov                             bool
	First                                bool // first step with momentum: buf = d (torch clones the gradient), ignoring dampening
}

// SGDStep applies one step of stochastic gradient descent, with optional
// weight decay, momentum and Nesterov momentum as torch.optim.SGD. buf is
// the momentum buffer: it is ignored (and may be nil) when Momentum == 0,
// else len(buf) == len(p). Per element:
//
//	d = g (+ WeightDecay*p if WeightDecay != 0)
//	if Momentum != 0:
//		buf = d if First, else Momentum*buf + (1-Dampening)*d
//		d = d + Momentum*buf if Nesterov, else buf
//	p = p - LR*d
func SGDStep[T Float](p, g, buf []T, a SGDArgs[T]) {
	n := len(p)
	if a.Momentum == 0 {
		buf = nil
	} else if buf == nil {
		buf = []T{} // reported as len(buf)=0 when n > 0
	}
	if len(g) != n || partialOverlap(p, g) ||
		buf != nil && (len(buf) != n || partialOverlap(p, buf) || partialOverlap(g, buf)) {
		badUpdate("SGDStep", p, []string{"g", "buf"}, g, buf)
	}
	if n > 0 {
		table[T]().sgd(noEscape(p), noEscape(g), noEscape(buf), a)
	}
}

// RMSpropArgs holds the scalars of RMSpropStep.
type RMSpropArgs[T Float] struct {
	LR, Alpha, Eps, WeightDecay, Momentum T
	Centered                              bool
}

// RMSpropStep applies one RMSprop step as torch.optim.RMSprop. sq is the
// running average of squared gradients; gavg, the running average of the
// gradients, is used iff Centered; buf, the momentum buffer, iff
// Momentum != 0. Unused slices may be nil. Per element:
//
//	d = g (+ WeightDecay*p if WeightDecay != 0)
//	sq = Alpha*sq + (1-Alpha)*d*d
//	if Centered: gavg = gavg + (1-Alpha)*(d-gavg); avg = sqrt(sq - gavg*gavg) + Eps
//	else: avg = sqrt(sq) + Eps
//	if Momentum != 0: buf = Momentum*buf + d/avg; p = p - LR*buf
//	else: p = p - LR*(d/avg)
func RMSpropStep[T Float](p, g, sq, gavg, buf []T, a RMSpropArgs[T]) {
	n := len(p)
	if !a.Centered {
		gavg = nil
	} else if gavg == nil {
		gavg = []T{} // reported as len(gavg)=0 when n > 0
	}
	if a.Momentum == 0 {
		buf = nil
	} else if buf == nil {
		buf = []T{}
	}
	if len(g) != n || len(sq) != n ||
		partialOverlap(p, g) || partialOverlap(p, sq) || partialOverlap(g, sq) ||
		gavg != nil && (len(gavg) != n || partialOverlap(p, gavg) || partialOverlap(g, gavg) || partialOverlap(sq, gavg)) ||
		buf != nil && (len(buf) != n || partialOverlap(p, buf) || partialOverlap(g, buf) || partialOverlap(sq, buf) ||
			gavg != nil && partialOverlap(gavg, buf)) {
		badUpdate("RMSpropStep", p, []string{"g", "sq", "gavg", "buf"}, g, sq, gavg, buf)
	}
	if n > 0 {
		table[T]().rmsprop(noEscape(p), noEscape(g), noEscape(sq), noEscape(gavg), noEscape(buf), a)
	}
}

// AdagradArgs holds the scalars of AdagradStep.
type AdagradArgs[T Float] struct {
	LR               T // already decayed by optim: lr / (1 + (t-1)*lr_decay)
	Eps, WeightDecay T
}

// AdagradStep applies one Adagrad step as torch.optim.Adagrad, with sum the
// running sum of squared gradients. Per element:
//
//	d = g (+ WeightDecay*p if WeightDecay != 0)
//	sum = sum + d*d
//	p = p - LR*(d / (sqrt(sum) + Eps))
func AdagradStep[T Float](p, g, sum []T, a AdagradArgs[T]) {
	n := len(p)
	if len(g) != n || len(sum) != n ||
		partialOverlap(p, g) || partialOverlap(p, sum) || partialOverlap(g, sum) {
		badUpdate("AdagradStep", p, []string{"g", "sum"}, g, sum)
	}
	if n > 0 {
		table[T]().adagrad(noEscape(p), noEscape(g), noEscape(sum), a)
	}
}

// Clamp sets dst[i] = min(max(x[i], lo), hi); a NaN element stays NaN. It
// panics if lo > hi or either bound is NaN. dst may be x.
func Clamp[T Float](dst, x []T, lo, hi T) {
	if !okUnary(dst, x) {
		badUnary("Clamp", dst, x)
	}
	if !(lo <= hi) {
		panic(fmt.Sprintf("kernels.Clamp: bounds lo=%v, hi=%v: want lo <= hi, neither NaN", lo, hi))
	}
	if len(dst) > 0 {
		table[T]().clamp(noEscape(dst), noEscape(x), lo, hi)
	}
}

// badUpdate finds the bad argument of an update kernel and panics naming
// it: a length different from len(p), or a partial overlap between two of
// p and the others, named by names (nil entries are unused slices).
func badUpdate[T Float](fn string, p []T, names []string, others ...[]T) {
	// Fixed arrays, not append, and names apart from the slices: the
	// slices must not flow to the heap (escape analysis does not see that
	// this path always panics, and it would follow a name passed to
	// Sprintf to a slice kept beside it), or every call's arguments would.
	var ss [8][]T
	ss[0] = p
	for i, o := range others {
		ss[i+1] = o
		if o != nil {
			checkLen(fn, names[i], len(o), "p", len(p))
		}
	}
	name := func(i int) string {
		if i == 0 {
			return "p"
		}
		return names[i-1]
	}
	all := ss[:1+len(others)]
	for i, a := range all {
		for j, b := range all[i+1:] {
			if a != nil && b != nil && partialOverlap(a, b) {
				panic(fmt.Sprintf("kernels.%s: %s partially overlaps %s (they may be the same slice, or disjoint)", fn, name(i+1+j), name(i)))
			}
		}
	}
}

// The generic level. Each option selects its own loop, so the loop bodies
// carry no tests beyond the weight-decay one (a loop-invariant, perfectly
// predicted branch that keeps d exactly g when WeightDecay is 0). The
// re-slicing to len(p) lets the compiler drop the bounds checks.

func sqrtT[T Float](x T) T { return T(math.Sqrt(float64(x))) }

// flushT returns 0 for x of magnitude below the smallest normal number of
// T (a subnormal), x otherwise (NaN included): every optimizer state value
// goes through it before it is stored. See the package comment above.
func flushT[T Float](x T) T {
	// A zero exponent field: zero or subnormal. One test that is almost
	// never true, so it predicts well (comparing x with ±tiny branched on
	// x's sign, and cost SGD six times its time on random signs).
	if unsafe.Sizeof(x) == 4 {
		if math.Float32bits(float32(x))&0x7f800000 == 0 {
			return 0
		}
		return x
	}
	if math.Float64bits(float64(x))&0x7ff0000000000000 == 0 {
		return 0
	}
	return x
}

func goAdam[T Float](p, g, m, v, vmax []T, a AdamArgs[T]) {
	n := len(p)
	g, m, v = g[:n], m[:n], v[:n]
	b2, c1, c2 := a.Beta2, 1-a.Beta1, 1-a.Beta2
	wd, decay, eps, step, bc2 := a.WeightDecay, a.Decay, a.Eps, a.StepSize, a.BC2Sqrt
	hasWD := wd != 0
	if vmax == nil {
		for i := range p {
			pi, d := p[i], g[i]
			if hasWD {
				d += wd * pi
			}
			pi *= decay // exact when decay is 1
			mi := flushT(m[i] + c1*(d-m[i]))
			vi := flushT(b2*v[i] + c2*d*d)
			m[i], v[i] = mi, vi
			p[i] = pi - step*(mi/(sqrtT(vi)/bc2+eps))
		}
		return
	}
	vmax = vmax[:n]
	for i := range p {
		pi, d := p[i], g[i]
		if hasWD {
			d += wd * pi
		}
		pi *= decay
		mi := flushT(m[i] + c1*(d-m[i]))
		vi := flushT(b2*v[i] + c2*d*d)
		vm := flushT(max(vmax[i], vi))
		m[i], v[i], vmax[i] = mi, vi, vm
		p[i] = pi - step*(mi/(sqrtT(vm)/bc2+eps))
	}
}

func goSGD[T Float](p, g, buf []T, a SGDArgs[T]) {
	n := len(p)
	g = g[:n]
	lr, mu, wd := a.LR, a.Momentum, a.WeightDecay
	hasWD := wd != 0
	if mu == 0 {
		if !hasWD {
			goAxpy(-lr, g, p)
			return
		}
		for i := range p {
			pi := p[i]
			p[i] = pi - lr*(g[i]+wd*pi)
		}
		return
	}
	buf = buf[:n]
	damp := 1 - a.Dampening
	switch {
	case a.First && a.Nesterov:
		for i := range p {
			pi, d := p[i], g[i]
			if hasWD {
				d += wd * pi
			}
			b := flushT(d)
			buf[i] = b
			p[i] = pi - lr*(d+mu*b)
		}
	case a.First:
		for i := range p {
			pi, d := p[i], g[i]
			if hasWD {
				d += wd * pi
			}
			b := flushT(d)
			buf[i] = b
			p[i] = pi - lr*b
		}
	case a.Nesterov:
		for i := range p {
			pi, d := p[i], g[i]
			if hasWD {
				d += wd * pi
			}
			b := flushT(mu*buf[i] + damp*d)
			buf[i] = b
			p[i] = pi - lr*(d+mu*b)
		}
	default:
		for i := range p {
			pi, d := p[i], g[i]
			if hasWD {
				d += wd * pi
			}
			b := flushT(mu*buf[i] + damp*d)
			buf[i] = b
			p[i] = pi - lr*b
		}
	}
}

func goRMSprop[T Float](p, g, sq, gavg, buf []T, a RMSpropArgs[T]) {
	n := len(p)
	g, sq = g[:n], sq[:n]
	lr, alpha, c, eps, wd, mu := a.LR, a.Alpha, 1-a.Alpha, a.Eps, a.WeightDecay, a.Momentum
	hasWD := wd != 0
	switch {
	case gavg == nil && buf == nil:
		for i := range p {
			pi, d := p[i], g[i]
			if hasWD {
				d += wd * pi
			}
			s := flushT(alpha*sq[i] + c*d*d)
			sq[i] = s
			p[i] = pi - lr*(d/(sqrtT(s)+eps))
		}
	case gavg == nil:
		buf = buf[:n]
		for i := range p {
			pi, d := p[i], g[i]
			if hasWD {
				d += wd * pi
			}
			s := flushT(alpha*sq[i] + c*d*d)
			sq[i] = s
			b := flushT(mu*buf[i] + d/(sqrtT(s)+eps))
			buf[i] = b
			p[i] = pi - lr*b
		}
	case buf == nil:
		gavg = gavg[:n]
		for i := range p {
			pi, d := p[i], g[i]
			if hasWD {
				d += wd * pi
			}
			s := flushT(alpha*sq[i] + c*d*d)
			ga := flushT(gavg[i] + c*(d-gavg[i]))
			sq[i], gavg[i] = s, ga
			p[i] = pi - lr*(d/(sqrtT(s-ga*ga)+eps))
		}
	default:
		gavg, buf = gavg[:n], buf[:n]
		for i := range p {
			pi, d := p[i], g[i]
			if hasWD {
				d += wd * pi
			}
			s := flushT(alpha*sq[i] + c*d*d)
			ga := flushT(gavg[i] + c*(d-gavg[i]))
			sq[i], gavg[i] = s, ga
			b := flushT(mu*buf[i] + d/(sqrtT(s-ga*ga)+eps))
			buf[i] = b
			p[i] = pi - lr*b
		}
	}
}

func goAdagrad[T Float](p, g, sum []T, a AdagradArgs[T]) {
	n := len(p)
	g, sum = g[:n], sum[:n]
	lr, eps, wd := a.LR, a.Eps, a.WeightDecay
	hasWD := wd != 0
	for i := range p {
		pi, d := p[i], g[i]
		if hasWD {
			d += wd * pi
		}
		s := sum[i] + d*d
		sum[i] = s
		p[i] = pi - lr*(d/(sqrtT(s)+eps))
	}
}

func goClamp[T Float](dst, x []T, lo, hi T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = min(max(x[i], lo), hi)
	}
}
