package optim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A schedule's state is, little-endian:
//
//	"dsch" | version uint8 | kind (uint64 length, bytes) | groups int64 | epoch int64 |
//	base LRs ([]float64) | last LRs ([]float64) | the kind's own fields
//
// where an int is an int64, a float64 its IEEE 754 bits as a uint64, and a slice its length
// (int64) followed by its elements.
const (
	schedMagic        = "dsch"
	schedStateVersion = 1
)

var errSchedTruncated = errors.New("truncated state")

type schedWriter struct{ b []byte }

func (w *schedWriter) u64(v uint64)  { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *schedWriter) int(v int)     { w.u64(uint64(int64(v))) }
func (w *schedWriter) f64(v float64) { w.u64(math.Float64bits(v)) }

func (w *schedWriter) bool(v bool) {
	if v {
		w.int(1)
	} else {
		w.int(0)
	}
}

func (w *schedWriter) bytes(v []byte) {
	w.int(len(v))
	w.b = append(w.b, v...)
}

func (w *schedWriter) f64s(v []float64) {
	w.int(len(v))
	for _, x := range v {
		w.f64(x)
	}
}

func (w *schedWriter) ints(v []int) {
	w.int(len(v))
	for _, x := range v {
		w.int(x)
	}
}

// schedReader reads what schedWriter wrote; the first error sticks and later reads return zeros.
type schedReader struct {
	b   []byte
	err error
}

func (r *schedReader) u64() uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.err = errSchedTruncated
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *schedReader) int() int {
	v := int64(r.u64())
	if int64(int(v)) != v && r.err == nil {
		r.err = fmt.Errorf("integer %d out of range", v)
		return 0
	}
	return int(v)
}

func (r *schedReader) f64() float64 { return math.Float64frombits(r.u64()) }

func (r *schedReader) bool() bool {
	switch v := r.int(); v {
	case 0:
		return false
	case 1:
		return true
	default:
		if r.err == nil {
			r.err = fmt.Errorf("boolean %d, want 0 or 1", v)
		}
		return false
	}
}

// length reads a slice length whose elements take at least size bytes each.
func (r *schedReader) length(size int) int {
	n := r.int()
	if r.err == nil && (n < 0 || n > len(r.b)/size) {
		r.err = errSchedTruncated
		return 0
	}
	return n
}

func (r *schedReader) bytes() []byte {
	n := r.length(1)
	if r.err != nil {
		return nil
	}
	v := append([]byte(nil), r.b[:n]...)
	r.b = r.b[n:]
	return v
}

func (r *schedReader) f64s() []float64 {
	v := make([]float64, r.length(8))
	for i := range v {
		v[i] = r.f64()
	}
	return v
}

func (r *schedReader) ints() []int {
	v := make([]int, r.length(8))
	for i := range v {
		v[i] = r.int()
	}
	return v
}

// encode starts a state of the given kind with the fields every schedule has.
func (c *schedCore) encode(kind string) *schedWriter {
	w := &schedWriter{b: make([]byte, 0, 128)}
	w.b = append(w.b, schedMagic...)
	w.b = append(w.b, schedStateVersion)
	w.bytes([]byte(kind))
	w.int(len(c.last))
	w.int(c.epoch)
	w.f64s(c.base)
	w.f64s(c.last)
	return w
}

// decode reads a state of the given kind into c and, through body, the kind's own fields. body
// reads them into the caller's copy of the schedule and returns an error if they are invalid.
// decode does not touch the optimizer: the caller commits its copy and then calls push.
func (c *schedCore) decode(kind string, data []byte, body func(r *schedReader) error) error {
	if err := c.decodeCore(kind, data, body); err != nil {
		return fmt.Errorf("optim: restore %s: %w", kind, err)
	}
	return nil
}

func (c *schedCore) decodeCore(kind string, data []byte, body func(r *schedReader) error) error {
	if len(data) < len(schedMagic)+1 || string(data[:len(schedMagic)]) != schedMagic {
		return errors.New("not a schedule state")
	}
	if v := data[len(schedMagic)]; v != schedStateVersion {
		return fmt.Errorf("state format version %d, want %d", v, schedStateVersion)
	}
	r := &schedReader{b: data[len(schedMagic)+1:]}
	got := string(r.bytes())
	if r.err != nil {
		return r.err
	}
	if got != kind {
		return fmt.Errorf("state is for %s", got)
	}
	groups := r.int()
	if want := c.opt.NumGroups(); r.err == nil && groups != want {
		return fmt.Errorf("state has %d param groups, optimizer has %d", groups, want)
	}
	epoch := r.int()
	base := r.f64s()
	last := r.f64s()
	if r.err != nil {
		return r.err
	}
	if epoch < 0 {
		return fmt.Errorf("invalid state: epoch=%d", epoch)
	}
	if len(base) != groups || len(last) != groups {
		return fmt.Errorf("invalid state: %d base and %d last LRs for %d groups", len(base), len(last), groups)
	}
	if err := checkLRs("base LR", base); err != nil {
		return fmt.Errorf("invalid state: %w", err)
	}
	if err := checkLRs("last LR", last); err != nil {
		return fmt.Errorf("invalid state: %w", err)
	}
	berr := body(r)
	if r.err != nil {
		return r.err
	}
	if berr != nil {
		return fmt.Errorf("invalid state: %w", berr)
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(r.b))
	}
	c.epoch, c.base, c.last = epoch, base, last
	return nil
}

// checkLRs reports a learning rate that is negative, NaN or infinite, which no optimizer takes.
func checkLRs(name string, lrs []float64) error {
	for i, v := range lrs {
		if !(v >= 0) || math.IsInf(v, 1) {
			return fmt.Errorf("%s[%d]=%v, want finite and >= 0", name, i, v)
		}
	}
	return nil
}
