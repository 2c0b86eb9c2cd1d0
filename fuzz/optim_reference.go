package fuzz

import "math"

// Naive float64 re-implementations of torch.optim's documented update
// equations (the pseudocode in each optimizer's documentation, single
// tensor, maximize=False), one parameter vector at a time, written from the
// documentation and not from package optim, so that the optimizers' whole
// trajectories can be held against them.

// RefSGD is torch.optim.SGD.
type RefSGD struct {
	LR, Momentum, Dampening, WeightDecay float64
	Nesterov                             bool
	t                                    int
	b                                    []float64
}

// Step updates p from g.
func (o *RefSGD) Step(p, g []float64) {
	o.t++
	if o.b == nil {
		o.b = make([]float64, len(p))
	}
	for i := range p {
		gi := g[i]
		if o.WeightDecay != 0 {
			gi += o.WeightDecay * p[i]
		}
		if o.Momentum != 0 {
			if o.t > 1 {
				o.b[i] = o.Momentum*o.b[i] + (1-o.Dampening)*gi
			} else {
				o.b[i] = gi
			}
			if o.Nesterov {
				gi += o.Momentum * o.b[i]
			} else {
				gi = o.b[i]
			}
		}
		p[i] -= o.LR * gi
	}
}

// RefAdam is torch.optim.Adam, or torch.optim.AdamW when Decoupled.
type RefAdam struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	AMSGrad, Decoupled                 bool
	t                                  int
	m, v, vmax                         []float64
}

// Step updates p from g.
func (o *RefAdam) Step(p, g []float64) {
	o.t++
	if o.m == nil {
		o.m, o.v, o.vmax = make([]float64, len(p)), make([]float64, len(p)), make([]float64, len(p))
	}
	bc1 := 1 - math.Pow(o.Beta1, float64(o.t))
	bc2 := 1 - math.Pow(o.Beta2, float64(o.t))
	for i := range p {
		gi := g[i]
		if o.Decoupled {
			p[i] *= 1 - o.LR*o.WeightDecay
		} else if o.WeightDecay != 0 {
			gi += o.WeightDecay * p[i]
		}
		o.m[i] = o.Beta1*o.m[i] + (1-o.Beta1)*gi
		o.v[i] = o.Beta2*o.v[i] + (1-o.Beta2)*gi*gi
		mhat := o.m[i] / bc1
		vv := o.v[i]
		if o.AMSGrad {
			o.vmax[i] = math.Max(o.vmax[i], o.v[i])
			vv = o.vmax[i]
		}
		vhat := vv / bc2
		p[i] -= o.LR * mhat / (math.Sqrt(vhat) + o.Eps)
	}
}

// RefRMSprop is torch.optim.RMSprop.
type RefRMSprop struct {
	LR, Alpha, Eps, WeightDecay, Momentum float64
	Centered                              bool
	v, gavg, b                            []float64
}

// Step updates p from g.
func (o *RefRMSprop) Step(p, g []float64) {
	if o.v == nil {
		o.v, o.gavg, o.b = make([]float64, len(p)), make([]float64, len(p)), make([]float64, len(p))
	}
	for i := range p {
		gi := g[i]
		if o.WeightDecay != 0 {
			gi += o.WeightDecay * p[i]
		}
		o.v[i] = o.Alpha*o.v[i] + (1-o.Alpha)*gi*gi
		vt := o.v[i]
		if o.Centered {
			o.gavg[i] = o.Alpha*o.gavg[i] + (1-o.Alpha)*gi
			vt -= o.gavg[i] * o.gavg[i]
		}
		if o.Momentum > 0 {
			o.b[i] = o.Momentum*o.b[i] + gi/(math.Sqrt(vt)+o.Eps)
			p[i] -= o.LR * o.b[i]
		} else {
			p[i] -= o.LR * gi / (math.Sqrt(vt) + o.Eps)
		}
	}
}

// RefAdagrad is torch.optim.Adagrad.
type RefAdagrad struct {
	LR, LRDecay, WeightDecay, InitialAccumulatorValue, Eps float64
	t                                                      int
	s                                                      []float64
}

// Step updates p from g.
func (o *RefAdagrad) Step(p, g []float64) {
	o.t++
	if o.s == nil {
		o.s = make([]float64, len(p))
		for i := range o.s {
			o.s[i] = o.InitialAccumulatorValue
		}
	}
	clr := o.LR / (1 + float64(o.t-1)*o.LRDecay)
	for i := range p {
		gi := g[i]
		if o.WeightDecay != 0 {
			gi += o.WeightDecay * p[i]
		}
		o.s[i] += gi * gi
		p[i] -= clr * gi / (math.Sqrt(o.s[i]) + o.Eps)
	}
}
