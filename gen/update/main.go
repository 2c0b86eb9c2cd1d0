// Command update generates the fused optimizer updates of package asm:
// Adam (AdamW, amsgrad), SGD (momentum, Nesterov), RMSprop (centered,
// momentum), Adagrad, and Clamp, for AVX2+FMA and AVX-512, float32 and
// float64. (arm64 runs the generic Go updates: they are memory-bound, and
// Go's arm64 compiler already fuses their multiply-adds. Its Clamp is NEON,
// from gen/arm64.)
//
// Each kernel is one function whose flags argument selects among separate
// loops, one per option combination, so that no loop tests an option per
// element: the dispatch is a short compare chain before any loop runs. All
// per-step scalars are broadcast into registers once. Every loop reads each
// operand slice once and writes each state slice once (a single pass), with
// masked AVX-512 or VMASKMOV AVX2 tails that never touch memory past the
// end of a slice. Multiplies and adds are contracted into FMAs where the
// formula has the shape a*b + c. Every state value is flushed to zero
// before it is stored when its magnitude is below the smallest normal
// number (flusher; kernels.AdamStep says why).
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/descentlab/descent/gen/internal/kit"
)

func main() {
	ConstraintExpr("!purego,!noasm")
	for _, k := range kit.All {
		adam(k)
		sgd(k)
		rmsprop(k)
		adagrad(k)
		clamp(k)
	}
	Generate()
}

func gp(op Op) reg.GPVirtual { return op.(reg.GPVirtual) }

// unrollFor returns how many vectors per main-loop iteration fit in the
// register file next to consts broadcast scalars, with perBlock live
// vectors in each block (and a spare for the tail mask): 16 YMM or 32 ZMM.
// The loops are memory-bound and carry no dependence from one iteration to
// the next, so out-of-order execution overlaps them anyway; unrolling only
// trims the loop overhead.
func unrollFor(k kit.Kit, consts, perBlock int) int {
	regs := 16
	if k.Is512() {
		regs = 32
	}
	u := (regs - 1 - consts) / perBlock
	return max(1, min(u, 4))
}

// variants emits the dispatch on flags (a Go uint argument) to one loop per
// value in vals, each emitted by body and ending in its own RET. A flags
// value not in vals returns without touching memory (the Go wiring never
// passes one).
func variants(name string, vals []int, body func(v int)) {
	flags := gp(Load(Param("flags"), GP64()))
	labels := make([]string, len(vals))
	for i, v := range vals {
		labels[i] = kit.NewLabel(fmt.Sprintf("%s_flags%d", name, v))
		CMPQ(flags, U32(uint32(v)))
		JE(LabelRef(labels[i]))
	}
	RET()
	for i, v := range vals {
		Label(labels[i])
		body(v)
		VZEROUPPER()
		RET()
	}
}

func bases(names ...string) []reg.GPVirtual {
	out := make([]reg.GPVirtual, len(names))
	for i, n := range names {
		out[i] = gp(Load(Param(n).Base(), GP64()))
	}
	return out
}

// decayed loads g and adds wd*p when the variant has weight decay:
// d = g + wd*p, one FMA.
func decayed(blk kit.Block, g reg.GPVirtual, wd, vp reg.VecVirtual) reg.VecVirtual {
	vd := blk.Vec()
	blk.Load(g, vd)
	if wd != nil {
		blk.FMA231(wd, vp, vd)
	}
	return vd
}

// maxNaN sets d = max(a, b) with NaN if either is NaN (torch.maximum).
// VMAXP(S|D) returns its second source when either is NaN (or both are
// zeros), so max with b second gives b's NaN, and a's NaN is blended back.
func maxNaN(k kit.Kit, a, b, d reg.VecVirtual) {
	k.Max(b, a, d) // Intel VMAXPS d, a, b: d = max(a, b), b when unordered
	if k.Is512() {
		m := K()
		k.Cmp(kit.CmpUNORD, a, a, m)
		if k.T.Size == 4 {
			VMOVAPS(a, m, d)
		} else {
			VMOVAPD(a, m, d)
		}
		return
	}
	m := k.Vec()
	k.Cmp(kit.CmpUNORD, a, a, m)
	if k.T.Size == 4 {
		VBLENDVPS(m, a, d, d)
	} else {
		VBLENDVPD(m, a, d, d)
	}
}

// flusher zeroes the lanes of a state vector whose magnitude is below the
// smallest normal number of the element type, keeping NaN: |v| >= tiny or
// unordered (NLT_US) selects the lanes kept. It holds two broadcast
// constants and needs one temporary per use.
type flusher struct {
	k         kit.Kit
	abs, tiny reg.VecVirtual
}

func newFlusher(k kit.Kit) flusher {
	if k.T.Size == 4 {
		return flusher{k, k.Const(0x7fffffff), k.Const(0x00800000)}
	}
	return flusher{k, k.Const(0x7fffffffffffffff), k.Const(0x0010000000000000)}
}

func (f flusher) flush(v reg.VecVirtual) {
	k := f.k
	t := k.Vec()
	k.And(f.abs, v, t)
	if k.Is512() {
		m := K()
		k.Cmp(kit.CmpNLT_US, f.tiny, t, m)
		if k.T.Size == 4 {
			VMOVAPS_Z(v, m, v)
		} else {
			VMOVAPD_Z(v, m, v)
		}
		return
	}
	k.Cmp(kit.CmpNLT_US, f.tiny, t, t)
	k.And(t, v, v)
}

const (
	adamWD      = 1
	adamAMSGrad = 2
)

// adam: one Adam/AdamW step (see kernels.AdamStep). c1 = 1-beta1,
// c2 = 1-beta2, invbc2 = 1/sqrt(1-beta2^t); decay multiplies p (exact when
// it is 1, so it needs no variant).
func adam(k kit.Kit) {
	k.Text("Adam", "func(p, g, m, v, vmax []T, c1, b2, c2, eps, wd, decay, step, invbc2 T, flags uint)")
	Doc("Adam applies one Adam step: d = g (+ wd*p if flags&1), p *= decay, m += c1*(d-m),",
		"v = b2*v + c2*d*d, vv = v or (flags&2, amsgrad) vmax = max(vmax, v), vv = vmax,",
		"p -= step * m/(sqrt(vv)*invbc2 + eps). Lengths are checked by the caller.")
	variants("adam", []int{0, adamWD, adamAMSGrad, adamWD | adamAMSGrad}, func(f int) {
		ams := f&adamAMSGrad != 0
		c1, b2, c2, eps := k.Param("c1"), k.Param("b2"), k.Param("c2"), k.Param("eps")
		decay, step, invbc2 := k.Param("decay"), k.Param("step"), k.Param("invbc2")
		fl := newFlusher(k)
		var wd reg.VecVirtual
		consts := 9
		if f&adamWD != 0 {
			wd = k.Param("wd")
			consts++
		}
		n := gp(Load(Param("p").Len(), GP64()))
		names := []string{"p", "g", "m", "v"}
		if ams {
			names = append(names, "vmax")
		}
		ptr := bases(names...)
		p, g, m, v := ptr[0], ptr[1], ptr[2], ptr[3]
		per := 6
		if ams {
			per = 8
		}
		k.Loop(n, ptr, unrollFor(k, consts, per), func(blk kit.Block) {
			vp := k.Vec()
			blk.Load(p, vp)
			vd := decayed(blk, g, wd, vp)
			k.Mul(decay, vp, vp)
			vm, t := k.Vec(), k.Vec()
			blk.Load(m, vm)
			k.Sub(vm, vd, t) // t = d - m
			k.FMA231(c1, t, vm)
			fl.flush(vm)
			blk.Store(vm, m)
			vv := k.Vec()
			blk.Load(v, vv)
			k.Mul(b2, vv, vv)
			k.Mul(c2, vd, t)
			k.FMA231(t, vd, vv) // v = b2*v + (c2*d)*d
			fl.flush(vv)
			blk.Store(vv, v)
			if ams {
				vx := k.Vec()
				blk.Load(ptr[4], vx)
				maxNaN(k, vx, vv, t)
				fl.flush(t)
				blk.Store(t, ptr[4])
			} else {
				k.Mov(vv, t)
			}
			k.Sqrt(t, t)
			k.FMA213(eps, invbc2, t) // denom = sqrt(vv)*invbc2 + eps
			k.Div(t, vm, t)          // m / denom
			k.FNMA231(step, t, vp)
			blk.Store(vp, p)
		})
	})
}

const (
	sgdWD       = 1
	sgdMomentum = 2
	sgdNesterov = 4
	sgdFirst    = 8
)

// sgd: one SGD step (see kernels.SGDStep); damp = 1-dampening.
func sgd(k kit.Kit) {
	k.Text("SGD", "func(p, g, buf []T, lr, mu, damp, wd T, flags uint)")
	Doc("SGD applies one SGD step: d = g (+ wd*p if flags&1); with momentum (flags&2)",
		"buf = d on the first step (flags&8) else mu*buf + damp*d, then d = d + mu*buf",
		"(Nesterov, flags&4) or buf; p -= lr*d. Lengths are checked by the caller.")
	vals := []int{0, sgdWD}
	for f := 0; f < 16; f++ {
		if f&sgdMomentum != 0 {
			vals = append(vals, f)
		}
	}
	variants("sgd", vals, func(f int) {
		mom, nesterov, first := f&sgdMomentum != 0, f&sgdNesterov != 0, f&sgdFirst != 0
		lr := k.Param("lr")
		consts := 1
		var fl flusher
		if mom {
			fl = newFlusher(k)
			consts += 2
		}
		var wd, mu, damp reg.VecVirtual
		if f&sgdWD != 0 {
			wd = k.Param("wd")
			consts++
		}
		if mom && (nesterov || !first) {
			mu = k.Param("mu")
			consts++
		}
		if mom && !first {
			damp = k.Param("damp")
			consts++
		}
		n := gp(Load(Param("p").Len(), GP64()))
		names := []string{"p", "g"}
		if mom {
			names = append(names, "buf")
		}
		ptr := bases(names...)
		p, g := ptr[0], ptr[1]
		k.Loop(n, ptr, unrollFor(k, consts, 4), func(blk kit.Block) {
			vp := k.Vec()
			blk.Load(p, vp)
			vd := decayed(blk, g, wd, vp)
			if mom {
				vb := k.Vec()
				if first {
					k.Mov(vd, vb)
				} else {
					blk.Load(ptr[2], vb)
					k.Mul(mu, vb, vb)
					k.FMA231(damp, vd, vb)
				}
				fl.flush(vb)
				blk.Store(vb, ptr[2])
				if nesterov {
					k.FMA231(mu, vb, vd)
				} else {
					vd = vb
				}
			}
			k.FNMA231(lr, vd, vp)
			blk.Store(vp, p)
		})
	})
}

const (
	rmsWD       = 1
	rmsCentered = 2
	rmsMomentum = 4
)

// rmsprop: one RMSprop step (see kernels.RMSpropStep); c = 1-alpha.
func rmsprop(k kit.Kit) {
	k.Text("RMSprop", "func(p, g, sq, gavg, buf []T, lr, alpha, c, eps, wd, mu T, flags uint)")
	Doc("RMSprop applies one RMSprop step: d = g (+ wd*p if flags&1), sq = alpha*sq + c*d*d,",
		"centered (flags&2): gavg += c*(d-gavg), avg = sqrt(sq - gavg*gavg) + eps, else",
		"avg = sqrt(sq) + eps; momentum (flags&4): buf = mu*buf + d/avg, p -= lr*buf, else",
		"p -= lr*(d/avg). Lengths are checked by the caller.")
	variants("rmsprop", []int{0, 1, 2, 3, 4, 5, 6, 7}, func(f int) {
		centered, mom := f&rmsCentered != 0, f&rmsMomentum != 0
		lr, alpha, c, eps := k.Param("lr"), k.Param("alpha"), k.Param("c"), k.Param("eps")
		fl := newFlusher(k)
		consts := 6
		var wd, mu reg.VecVirtual
		if f&rmsWD != 0 {
			wd = k.Param("wd")
			consts++
		}
		if mom {
			mu = k.Param("mu")
			consts++
		}
		n := gp(Load(Param("p").Len(), GP64()))
		names := []string{"p", "g", "sq"}
		if centered {
			names = append(names, "gavg")
		}
		if mom {
			names = append(names, "buf")
		}
		ptr := bases(names...)
		p, g, sq := ptr[0], ptr[1], ptr[2]
		per := 5
		if centered || mom {
			per = 6
		}
		k.Loop(n, ptr, unrollFor(k, consts, per), func(blk kit.Block) {
			vp := k.Vec()
			blk.Load(p, vp)
			vd := decayed(blk, g, wd, vp)
			vs, t := k.Vec(), k.Vec()
			blk.Load(sq, vs)
			k.Mul(alpha, vs, vs)
			k.Mul(c, vd, t)
			k.FMA231(t, vd, vs) // sq = alpha*sq + (c*d)*d
			fl.flush(vs)
			blk.Store(vs, sq)
			if centered {
				ga := k.Vec()
				blk.Load(ptr[3], ga)
				k.Sub(ga, vd, t) // t = d - gavg
				k.FMA231(c, t, ga)
				fl.flush(ga)
				blk.Store(ga, ptr[3])
				k.FNMA231(ga, ga, vs) // sq - gavg*gavg (the stored sq is kept)
			}
			k.Sqrt(vs, t)
			k.Add(eps, t, t)
			k.Div(t, vd, t) // d / avg
			if mom {
				vb := k.Vec()
				blk.Load(ptr[len(ptr)-1], vb)
				k.FMA213(t, mu, vb) // buf = buf*mu + d/avg
				fl.flush(vb)
				blk.Store(vb, ptr[len(ptr)-1])
				t = vb
			}
			k.FNMA231(lr, t, vp)
			blk.Store(vp, p)
		})
	})
}

// adagrad: one Adagrad step (see kernels.AdagradStep).
func adagrad(k kit.Kit) {
	k.Text("Adagrad", "func(p, g, sum []T, lr, eps, wd T, flags uint)")
	Doc("Adagrad applies one Adagrad step: d = g (+ wd*p if flags&1), sum += d*d,",
		"p -= lr*(d/(sqrt(sum) + eps)). Lengths are checked by the caller.")
	variants("adagrad", []int{0, 1}, func(f int) {
		lr, eps := k.Param("lr"), k.Param("eps")
		consts := 2
		var wd reg.VecVirtual
		if f&1 != 0 {
			wd = k.Param("wd")
			consts++
		}
		n := gp(Load(Param("p").Len(), GP64()))
		ptr := bases("p", "g", "sum")
		p, g, sum := ptr[0], ptr[1], ptr[2]
		k.Loop(n, ptr, unrollFor(k, consts, 4), func(blk kit.Block) {
			vp := k.Vec()
			blk.Load(p, vp)
			vd := decayed(blk, g, wd, vp)
			vs, t := k.Vec(), k.Vec()
			blk.Load(sum, vs)
			k.FMA231(vd, vd, vs)
			blk.Store(vs, sum)
			k.Sqrt(vs, t)
			k.Add(eps, t, t)
			k.Div(t, vd, t)
			k.FNMA231(lr, t, vp)
			blk.Store(vp, p)
		})
	})
}

// clamp: dst[i] = min(max(x[i], lo), hi). VMAXP/VMINP return their second
// source when either is NaN, so x goes second in the max and the max's
// result second in the min: a NaN element stays NaN (lo and hi are checked
// not NaN by the caller).
func clamp(k kit.Kit) {
	k.Text("Clamp", "func(dst, x []T, lo, hi T)")
	Doc("Clamp computes dst[i] = min(max(x[i], lo), hi), NaN for NaN; lengths are checked by the caller.")
	lo, hi := k.Param("lo"), k.Param("hi")
	n := gp(Load(Param("dst").Len(), GP64()))
	ptr := bases("dst", "x")
	d, x := ptr[0], ptr[1]
	k.StreamLoop(n, ptr, 4, func(blk kit.Block) { // dst first, as StreamLoop needs
		v := k.Vec()
		blk.Load(x, v)
		k.Max(v, lo, v) // Intel VMAXPS v, lo, v: max(lo, x), x when unordered
		k.Min(v, hi, v)
		blk.Store(v, d)
	})
	VZEROUPPER()
	RET()
}
