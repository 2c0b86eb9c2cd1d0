package optim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/descentlab/descent/autodiff"
)

// The optimizer state format, little-endian:
//
//	"descent-optim" version:u16 kind:str elem:u8 step:i64
//	ncfg:u16 cfg:f64×ncfg  ngroups:u32
//	per group: lr:f64 wd:f64 nparams:u32 nstates:u8
//	  per parameter: per state: n:u64 values:elem×n
//
// Floats are stored as their bits, so a restore is exact.
const (
	optMagic   = "descent-optim"
	optVersion = 1
)

type enc struct{ b []byte }

func (e *enc) u8(v uint8)    { e.b = append(e.b, v) }
func (e *enc) u16(v uint16)  { e.b = binary.LittleEndian.AppendUint16(e.b, v) }
func (e *enc) u32(v uint32)  { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *enc) u64(v uint64)  { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *enc) f64(v float64) { e.u64(math.Float64bits(v)) }
func (e *enc) str(s string)  { e.u8(uint8(len(s))); e.b = append(e.b, s...) }
func (e *enc) raw(s string)  { e.b = append(e.b, s...) }

func b2f(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

type dec struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (d *dec) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = errShort
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}
func (d *dec) u8() uint8 {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}
func (d *dec) u16() uint16 {
	if p := d.take(2); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}
func (d *dec) u32() uint32 {
	if p := d.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}
func (d *dec) u64() uint64 {
	if p := d.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}
func (d *dec) f64() float64 { return math.Float64frombits(d.u64()) }
func (d *dec) str() string  { return string(d.take(int(d.u8()))) }

func elemSize[T autodiff.Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}

func putElems[T autodiff.Float](e *enc, s []T) {
	e.u64(uint64(len(s)))
	for _, v := range s {
		if elemSize[T]() == 4 {
			e.u32(math.Float32bits(float32(v)))
		} else {
			e.u64(math.Float64bits(float64(v)))
		}
	}
}

func (b *base[T]) marshal(cfg []float64) []byte {
	e := &enc{}
	e.raw(optMagic)
	e.u16(optVersion)
	e.str(b.kind)
	e.u8(uint8(elemSize[T]()))
	e.u64(uint64(b.step))
	e.u16(uint16(len(cfg)))
	for _, v := range cfg {
		e.f64(v)
	}
	e.u32(uint32(len(b.groups)))
	for _, g := range b.groups {
		e.f64(g.lr)
		e.f64(g.wd)
		e.u32(uint32(len(g.params)))
		e.u8(uint8(len(g.state)))
		for i := range g.params {
			for k := range g.state {
				putElems(e, g.state[k][i])
			}
		}
	}
	return e.b
}

// unmarshal checks data against b's kind, element type and parameters and,
// only if all of it matches, restores b and returns the saved
// hyperparameters (want of them). On error b is unchanged.
func (b *base[T]) unmarshal(data []byte, want int) ([]float64, error) {
	fail := func(format string, args ...any) ([]float64, error) {
		return nil, fmt.Errorf("optim: restore %s: "+format, append([]any{b.kind}, args...)...)
	}
	d := &dec{b: data}
	if string(d.take(len(optMagic))) != optMagic {
		return fail("not an optimizer state")
	}
	if v := d.u16(); v != optVersion && d.err == nil {
		return fail("state format version %d, want %d", v, optVersion)
	}
	kind := d.str()
	es := int(d.u8())
	step := int64(d.u64())
	cfg := make([]float64, d.u16())
	for i := range cfg {
		cfg[i] = d.f64()
	}
	ng := int(d.u32())
	if d.err != nil {
		return fail("state truncated")
	}
	if kind != b.kind {
		return fail("state is for %s", kind)
	}
	if es != elemSize[T]() {
		return fail("state holds float%d values, optimizer float%d", 8*es, 8*elemSize[T]())
	}
	if len(cfg) != want {
		return fail("state has %d hyperparameters, want %d", len(cfg), want)
	}
	if ng != len(b.groups) {
		return fail("state has %d parameter groups, optimizer %d", ng, len(b.groups))
	}
	type gs struct {
		lr, wd float64
		state  [][][]T
	}
	saved := make([]gs, ng)
	for gi := range saved {
		g := &b.groups[gi]
		saved[gi].lr, saved[gi].wd = d.f64(), d.f64()
		np, ns := int(d.u32()), int(d.u8())
		if d.err != nil {
			return fail("state truncated")
		}
		if np != len(g.params) {
			return fail("group %d: state has %d parameters, optimizer %d", gi, np, len(g.params))
		}
		if ns != len(g.state) {
			return fail("group %d: state has %d buffers per parameter, optimizer %d (different options?)", gi, ns, len(g.state))
		}
		st := make([][][]T, ns)
		for k := range st {
			st[k] = make([][]T, np)
		}
		for i := 0; i < np; i++ {
			for k := 0; k < ns; k++ {
				n := d.u64()
				if d.err == nil && n != uint64(len(g.state[k][i])) {
					return fail("group %d parameter %d (%v): state buffer %d has %d elements, optimizer %d", gi, i, g.params[i], k, n, len(g.state[k][i]))
				}
				raw := d.take(int(n) * es)
				if d.err != nil {
					return fail("state truncated")
				}
				s := make([]T, n)
				for j := range s {
					if es == 4 {
						s[j] = T(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:])))
					} else {
						s[j] = T(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*j:])))
					}
				}
				st[k][i] = s
			}
		}
		saved[gi].state = st
	}
	if len(d.b) != 0 {
		return fail("%d bytes of trailing data", len(d.b))
	}
	b.step = step
	for gi, s := range saved {
		g := &b.groups[gi]
		g.lr, g.wd = s.lr, s.wd
		for k := range g.state {
			for i := range g.state[k] {
				copy(g.state[k][i], s.state[k][i])
			}
		}
	}
	return cfg, nil
}

// MarshalBinary saves the optimizer's state.
func (o *SGD[T]) MarshalBinary() ([]byte, error) {
	return o.marshal([]float64{o.cfg.LR, o.cfg.Momentum, o.cfg.Dampening, o.cfg.WeightDecay, b2f(o.cfg.Nesterov)}), nil
}

// UnmarshalBinary restores a state saved by MarshalBinary.
func (o *SGD[T]) UnmarshalBinary(data []byte) error {
	c, err := o.unmarshal(data, 5)
	if err != nil {
		return err
	}
	o.cfg = SGDConfig{LR: c[0], Momentum: c[1], Dampening: c[2], WeightDecay: c[3], Nesterov: c[4] != 0}
	return nil
}

// MarshalBinary saves the optimizer's state.
func (o *Adam[T]) MarshalBinary() ([]byte, error) {
	return o.marshal([]float64{o.cfg.LR, o.cfg.Beta1, o.cfg.Beta2, o.cfg.Eps, o.cfg.WeightDecay, b2f(o.cfg.AMSGrad)}), nil
}

// UnmarshalBinary restores a state saved by MarshalBinary.
func (o *Adam[T]) UnmarshalBinary(data []byte) error {
	c, err := o.unmarshal(data, 6)
	if err != nil {
		return err
	}
	o.cfg = AdamConfig{LR: c[0], Beta1: c[1], Beta2: c[2], Eps: c[3], WeightDecay: c[4], AMSGrad: c[5] != 0}
	return nil
}

// MarshalBinary saves the optimizer's state.
func (o *RMSprop[T]) MarshalBinary() ([]byte, error) {
	return o.marshal([]float64{o.cfg.LR, o.cfg.Alpha, o.cfg.Eps, o.cfg.WeightDecay, o.cfg.Momentum, b2f(o.cfg.Centered)}), nil
}

// UnmarshalBinary restores a state saved by MarshalBinary.
func (o *RMSprop[T]) UnmarshalBinary(data []byte) error {
	c, err := o.unmarshal(data, 6)
	if err != nil {
		return err
	}
	o.cfg = RMSpropConfig{LR: c[0], Alpha: c[1], Eps: c[2], WeightDecay: c[3], Momentum: c[4], Centered: c[5] != 0}
	return nil
}

// MarshalBinary saves the optimizer's state.
func (o *Adagrad[T]) MarshalBinary() ([]byte, error) {
	return o.marshal([]float64{o.cfg.LR, o.cfg.LRDecay, o.cfg.WeightDecay, o.cfg.InitialAccumulatorValue, o.cfg.Eps}), nil
}

// UnmarshalBinary restores a state saved by MarshalBinary.
func (o *Adagrad[T]) UnmarshalBinary(data []byte) error {
	c, err := o.unmarshal(data, 5)
	if err != nil {
		return err
	}
	o.cfg = AdagradConfig{LR: c[0], LRDecay: c[1], WeightDecay: c[2], InitialAccumulatorValue: c[3], Eps: c[4]}
	return nil
}

var (
	_ Optimizer = (*SGD[float32])(nil)
	_ Optimizer = (*Adam[float32])(nil)
	_ Optimizer = (*RMSprop[float64])(nil)
	_ Optimizer = (*Adagrad[float64])(nil)
)
