package fuzz

import "math"

// References of the fused optimizer updates (kernels.AdamStep, SGDStep,
// RMSpropStep, AdagradStep, Clamp): torch.optim's single-tensor code, one
// element at a time, in float64, the operations in torch's order. The
// scalars are float64 too (the kernel's scalars widened). Slices that an
// option leaves unused may be nil. Their error bounds are in
// tolerance.go (UpdateBounds).

// AdamOpts are the scalars of Adam, as kernels.AdamArgs.
type AdamOpts struct {
	Beta1, Beta2, Eps, WeightDecay, Decay, StepSize, BC2Sqrt float64
}

// Adam applies one Adam/AdamW step; vmax == nil means no amsgrad.
//
//	d = g (+ wd·p);  p = p·Decay;  m = m + (1-β1)(d-m);  v = β2·v + (1-β2)·d·d
//	vv = v, or vmax = max(vmax, v), vv = vmax
//	p = p - StepSize·(m / (sqrt(vv)/BC2Sqrt + eps))
func Adam(p, g, m, v, vmax []float64, o AdamOpts) {
	for i := range p {
		d := g[i]
		if o.WeightDecay != 0 {
			d += o.WeightDecay * p[i]
		}
		if o.Decay != 1 {
			p[i] *= o.Decay
		}
		m[i] += (1 - o.Beta1) * (d - m[i])
		v[i] = o.Beta2*v[i] + (1-o.Beta2)*d*d
		vv := v[i]
		if vmax != nil {
			vmax[i] = maxNaN(vmax[i], v[i])
			vv = vmax[i]
		}
		p[i] -= o.StepSize * (m[i] / (math.Sqrt(vv)/o.BC2Sqrt + o.Eps))
	}
}

// maxNaN is torch.maximum: NaN if either is NaN.
func maxNaN(a, b float64) float64 {
	if a != a || b != b {
		return math.NaN()
	}
	return math.Max(a, b)
}

// SGDOpts are the scalars of SGD, as kernels.SGDArgs.
type SGDOpts struct {
	LR, Momentum, Dampening, WeightDecay float64
	Nesterov, First                      bool
}

// SGD applies one SGD step; buf is unused when Momentum == 0.
//
//	d = g (+ wd·p)
//	momentum: buf = d (First) or μ·buf + (1-dampening)·d; d = d + μ·buf (Nesterov) or buf
//	p = p - lr·d
func SGD(p, g, buf []float64, o SGDOpts) {
	for i := range p {
		d := g[i]
		if o.WeightDecay != 0 {
			d += o.WeightDecay * p[i]
		}
		if o.Momentum != 0 {
			if o.First {
				buf[i] = d
			} else {
				buf[i] = o.Momentum*buf[i] + (1-o.Dampening)*d
			}
			if o.Nesterov {
				d += o.Momentum * buf[i]
			} else {
				d = buf[i]
			}
		}
		p[i] -= o.LR * d
	}
}

// RMSpropOpts are the scalars of RMSprop, as kernels.RMSpropArgs.
type RMSpropOpts struct {
	LR, Alpha, Eps, WeightDecay, Momentum float64
	Centered                              bool
}

// RMSprop applies one RMSprop step; gavg is used iff Centered, buf iff
// Momentum != 0.
//
//	d = g (+ wd·p);  sq = α·sq + (1-α)·d·d
//	centered: gavg = gavg + (1-α)(d-gavg); avg = sqrt(sq - gavg²) + eps;  else avg = sqrt(sq) + eps
//	momentum: buf = μ·buf + d/avg; p = p - lr·buf;  else p = p - lr·(d/avg)
func RMSprop(p, g, sq, gavg, buf []float64, o RMSpropOpts) {
	for i := range p {
		d := g[i]
		if o.WeightDecay != 0 {
			d += o.WeightDecay * p[i]
		}
		sq[i] = o.Alpha*sq[i] + (1-o.Alpha)*d*d
		var avg float64
		if o.Centered {
			gavg[i] += (1 - o.Alpha) * (d - gavg[i])
			avg = math.Sqrt(sq[i]-gavg[i]*gavg[i]) + o.Eps
		} else {
			avg = math.Sqrt(sq[i]) + o.Eps
		}
		if o.Momentum != 0 {
			buf[i] = o.Momentum*buf[i] + d/avg
			p[i] -= o.LR * buf[i]
		} else {
			p[i] -= o.LR * (d / avg)
		}
	}
}

// AdagradOpts are the scalars of Adagrad, as kernels.AdagradArgs.
type AdagradOpts struct {
	LR, Eps, WeightDecay float64
}

// Adagrad applies one Adagrad step.
//
//	d = g (+ wd·p);  sum = sum + d·d;  p = p - lr·(d / (sqrt(sum) + eps))
func Adagrad(p, g, sum []float64, o AdagradOpts) {
	for i := range p {
		d := g[i]
		if o.WeightDecay != 0 {
			d += o.WeightDecay * p[i]
		}
		sum[i] += d * d
		p[i] -= o.LR * (d / (math.Sqrt(sum[i]) + o.Eps))
	}
}

// Clamp sets dst[i] = min(max(x[i], lo), hi), NaN for NaN.
func Clamp(dst, x []float64, lo, hi float64) {
	for i, v := range x {
		switch {
		case v != v:
			dst[i] = v
		case v < lo:
			dst[i] = lo
		case v > hi:
			dst[i] = hi
		default:
			dst[i] = v
		}
	}
}
