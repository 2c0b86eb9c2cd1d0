package optim

import (
	"fmt"
	"math"
)

// CosineAnnealingLR anneals each group's learning rate from its base value to etaMin along half a
// cosine over tMax epochs (torch.optim.lr_scheduler.CosineAnnealingLR). torch documents
//
//	eta_t = eta_min + (eta_max - eta_min) * (1 + cos(T_cur / T_max * pi)) / 2
//
// with eta_max the base learning rate and T_cur the epoch, and computes it in step() by the
// recursive form
//
//	eta_{t+1} = eta_min + (eta_t - eta_min) * (1 + cos((T_cur+1) * pi / T_max)) / (1 + cos(T_cur * pi / T_max))
//
// (with a special case at odd multiples of T_max). This type uses the closed form,
//
//	lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * last_epoch / T_max)) / 2
//
// torch's _get_closed_form_lr, which agrees with the recursive form to rounding within a period and
// cannot accumulate rounding error over many epochs. As in torch, the learning rate keeps following
// the cosine after tMax epochs (it rises again towards the base over the next tMax epochs); use
// CosineAnnealingWarmRestarts for restarts or SequentialLR to hold it.
type CosineAnnealingLR struct {
	schedCore
	tMax   int
	etaMin float64
}

// NewCosineAnnealingLR returns a CosineAnnealingLR over opt, which it sets to the epoch-0 learning
// rates (the base learning rates). It panics if tMax < 1 or etaMin is negative or not finite.
func NewCosineAnnealingLR(opt LRGroups, tMax int, etaMin float64) *CosineAnnealingLR {
	if err := checkCosine(tMax, "tMax", etaMin); err != nil {
		panic("optim: NewCosineAnnealingLR: " + err.Error())
	}
	s := &CosineAnnealingLR{schedCore: newSchedCore("NewCosineAnnealingLR", opt), tMax: tMax, etaMin: etaMin}
	s.apply()
	return s
}

func checkCosine(t int, tName string, etaMin float64) error {
	if t < 1 {
		return fmt.Errorf("%s=%d, want >= 1", tName, t)
	}
	if err := checkFinite("etaMin", etaMin); err != nil {
		return err
	}
	if etaMin < 0 {
		return fmt.Errorf("etaMin=%v, want >= 0", etaMin)
	}
	return nil
}

// cosineLR is eta_min + (base - eta_min) * (1 + cos(pi * t / period)) / 2, evaluated in torch's order.
func cosineLR(base, etaMin float64, t, period int) float64 {
	return etaMin + (base-etaMin)*(1+math.Cos(math.Pi*float64(t)/float64(period)))/2
}

// Step advances one epoch and sets the learning rates.
func (s *CosineAnnealingLR) Step() { s.epoch++; s.apply() }

func (s *CosineAnnealingLR) restart() { s.epoch = 0; s.apply() }

func (s *CosineAnnealingLR) apply() {
	s.set(func(i int) float64 { return cosineLR(s.base[i], s.etaMin, s.epoch, s.tMax) })
}

// MarshalBinary saves the schedule's state (see Scheduler).
func (s *CosineAnnealingLR) MarshalBinary() ([]byte, error) {
	w := s.encode("CosineAnnealingLR")
	w.int(s.tMax)
	w.f64(s.etaMin)
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary (see Scheduler).
func (s *CosineAnnealingLR) UnmarshalBinary(data []byte) error {
	t := *s
	err := t.decode("CosineAnnealingLR", data, func(r *schedReader) error {
		t.tMax, t.etaMin = r.int(), r.f64()
		return checkCosine(t.tMax, "tMax", t.etaMin)
	})
	if err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}

// CosineAnnealingWarmRestarts anneals each group's learning rate along half a cosine from its base
// value to etaMin and then restarts at the base value, the periods growing by a factor tMult
// (SGDR; torch.optim.lr_scheduler.CosineAnnealingWarmRestarts). torch documents
//
//	eta_t = eta_min + (eta_max - eta_min) * (1 + cos(T_cur / T_i * pi)) / 2
//
// where T_cur counts epochs since the last restart and T_i is the length of the current period:
// T_0 at first, times T_mult at each restart. So with t0=10, tMult=2 the restarts are at epochs
// 10, 30, 70, 150, ... Step advances T_cur by one and restarts when T_cur reaches T_i, as torch's
// step() without an epoch argument; the fractional epochs torch's step(epoch) accepts are not
// offered.
type CosineAnnealingWarmRestarts struct {
	schedCore
	t0, tMult int
	etaMin    float64
	tCur, tI  int
}

// NewCosineAnnealingWarmRestarts returns a CosineAnnealingWarmRestarts over opt, which it sets to
// the epoch-0 learning rates (the base learning rates). torch's defaults are tMult=1, etaMin=0. It
// panics if t0 < 1, tMult < 1, or etaMin is negative or not finite.
func NewCosineAnnealingWarmRestarts(opt LRGroups, t0, tMult int, etaMin float64) *CosineAnnealingWarmRestarts {
	if err := checkWarmRestarts(t0, tMult, etaMin); err != nil {
		panic("optim: NewCosineAnnealingWarmRestarts: " + err.Error())
	}
	s := &CosineAnnealingWarmRestarts{schedCore: newSchedCore("NewCosineAnnealingWarmRestarts", opt),
		t0: t0, tMult: tMult, etaMin: etaMin, tI: t0}
	s.apply()
	return s
}

func checkWarmRestarts(t0, tMult int, etaMin float64) error {
	if err := checkCosine(t0, "t0", etaMin); err != nil {
		return err
	}
	if tMult < 1 {
		return fmt.Errorf("tMult=%d, want >= 1", tMult)
	}
	return nil
}

// Step advances one epoch, restarting the cosine when the current period ends, and sets the
// learning rates.
func (s *CosineAnnealingWarmRestarts) Step() {
	s.epoch++
	s.tCur++
	if s.tCur >= s.tI {
		s.tCur -= s.tI
		s.tI *= s.tMult
	}
	s.apply()
}

func (s *CosineAnnealingWarmRestarts) restart() {
	s.epoch, s.tCur, s.tI = 0, 0, s.t0
	s.apply()
}

func (s *CosineAnnealingWarmRestarts) apply() {
	s.set(func(i int) float64 { return cosineLR(s.base[i], s.etaMin, s.tCur, s.tI) })
}

// MarshalBinary saves the schedule's state (see Scheduler).
func (s *CosineAnnealingWarmRestarts) MarshalBinary() ([]byte, error) {
	w := s.encode("CosineAnnealingWarmRestarts")
	w.int(s.t0)
	w.int(s.tMult)
	w.f64(s.etaMin)
	w.int(s.tCur)
	w.int(s.tI)
	return w.b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary (see Scheduler).
func (s *CosineAnnealingWarmRestarts) UnmarshalBinary(data []byte) error {
	t := *s
	err := t.decode("CosineAnnealingWarmRestarts", data, func(r *schedReader) error {
		t.t0, t.tMult, t.etaMin, t.tCur, t.tI = r.int(), r.int(), r.f64(), r.int(), r.int()
		if err := checkWarmRestarts(t.t0, t.tMult, t.etaMin); err != nil {
			return err
		}
		if t.tI < t.t0 || t.tCur < 0 || t.tCur >= t.tI {
			return fmt.Errorf("T_cur=%d, T_i=%d with t0=%d", t.tCur, t.tI, t.t0)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*s = t
	s.push()
	return nil
}
