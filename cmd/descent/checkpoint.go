package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/descentlab/descent/autodiff"
	"github.com/descentlab/descent/nn"
)

// A checkpoint is a file holding everything a training run needs to
// continue exactly as if it had never stopped:
//
//	offset  size  what
//	0       8     magic "DESCENTC"
//	8       4     format version, little-endian uint32 (checkpointVersion)
//	12      8     payload length in bytes, little-endian uint64
//	20      32    SHA-256 of the payload
//	52      ...   payload
//
// The payload, little-endian, every variable-length part prefixed with its
// length (uint64) or count (uint32):
//
//	config      count, then key and value strings: the settings a resumed run must share
//	epoch       uint64: the epochs done
//	parameters  count, then each parameter's elements (float32 or float64 bits)
//	optimizer   bytes of optim.Optimizer.MarshalBinary
//	schedule    bytes of the schedule's MarshalBinary (none without a schedule)
//	batches     bytes of nn.Batches.MarshalBinary
//	batchnorm   count, then each BatchNorm1d's running mean and running variance
//	history     count, then per epoch: epoch (uint64) and train loss, test loss,
//	            test accuracy, learning rate, samples/s (float64 bits)
//
// Not saved: Dropout's generator. The models train builds have no Dropout;
// one that adds it must also save nn.Dropout.MarshalBinary here to resume
// bit-identically.

const (
	checkpointMagic   = "DESCENTC"
	checkpointVersion = 1
	checkpointHeader  = len(checkpointMagic) + 4 + 8 + sha256.Size
)

// configItem is one setting recorded in a checkpoint, named as its flag.
type configItem struct{ Key, Value string }

// saveCheckpoint writes t's state after its last epoch to path, atomically
// (a temporary file in the same directory, renamed over path).
func saveCheckpoint[T autodiff.Float](path string, config []configItem, t *trainer[T]) error {
	payload, err := encodeCheckpoint(config, t)
	if err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	sum := sha256.Sum256(payload)
	var buf bytes.Buffer
	buf.Grow(checkpointHeader + len(payload))
	buf.WriteString(checkpointMagic)
	buf.Write(binary.LittleEndian.AppendUint32(nil, checkpointVersion))
	buf.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(payload))))
	buf.Write(sum[:])
	buf.Write(payload)
	if err := writeFileAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file beside path, syncs it
// and renames it to path: a crash leaves the old file or the new one, never
// half of one.
func writeFileAtomic(path string, data []byte) error {
	// Not os.CreateTemp, which makes the file private (0600): a checkpoint
	// gets the permissions os.Create would give it.
	name := filepath.Join(filepath.Dir(path), fmt.Sprintf(".descent-checkpoint-%d-%016x", os.Getpid(), rand.Uint64()))
	tmp, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	defer os.Remove(name) // fails harmlessly after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(name, path)
}

func encodeCheckpoint[T autodiff.Float](config []configItem, t *trainer[T]) ([]byte, error) {
	var e ckptEncoder
	e.u32(uint32(len(config)))
	for _, c := range config {
		e.str(c.Key)
		e.str(c.Value)
	}
	e.u64(uint64(len(t.History)))
	params := t.Model.Params()
	e.u32(uint32(len(params)))
	for _, p := range params {
		putFloats(&e, p.Data)
	}
	opt, err := t.Opt.MarshalBinary()
	if err != nil {
		return nil, err
	}
	e.bytes(opt)
	var sched []byte
	if t.Sched != nil {
		if sched, err = t.Sched.MarshalBinary(); err != nil {
			return nil, err
		}
	}
	e.bytes(sched)
	batches, err := t.Batches.MarshalBinary()
	if err != nil {
		return nil, err
	}
	e.bytes(batches)
	norms := batchNorms(t.Model)
	e.u32(uint32(len(norms)))
	for _, bn := range norms {
		putFloats(&e, bn.RunningMean)
		putFloats(&e, bn.RunningVar)
	}
	e.u32(uint32(len(t.History)))
	for _, s := range t.History {
		e.u64(uint64(s.Epoch))
		for _, v := range [...]float64{s.TrainLoss, s.TestLoss, s.TestAcc, s.LR, s.Rate} {
			e.u64(math.Float64bits(v))
		}
	}
	return e.b, nil
}

// loadCheckpoint restores t from the checkpoint at path, which must have
// been saved by a run with the same config and a trainer of the same
// shape. Its errors are one line each: "load checkpoint PATH: ...". On
// error t may be partly restored and must not be trained.
func loadCheckpoint[T autodiff.Float](path string, config []configItem, t *trainer[T]) error {
	if err := loadCheckpointErr(path, config, t); err != nil {
		return fmt.Errorf("load checkpoint %s: %w", path, err)
	}
	return nil
}

// readCheckpoint reads and verifies the checkpoint at path and decodes its
// settings, leaving d at the epoch count.
func readCheckpoint(path string) (d ckptDecoder, saved []configItem, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return d, nil, errors.New("no such file")
		}
		return d, nil, err
	}
	payload, err := checkpointPayload(data)
	if err != nil {
		return d, nil, err
	}
	d = ckptDecoder{b: payload}
	saved = make([]configItem, d.count(16))
	for i := range saved {
		saved[i] = configItem{d.str(), d.str()}
	}
	return d, saved, d.err
}

// checkpointSettings returns the settings the checkpoint at path was made
// with, so that a resumed run can take them as its defaults.
func checkpointSettings(path string) ([]configItem, error) {
	_, saved, err := readCheckpoint(path)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint %s: %w", path, err)
	}
	return saved, nil
}

func loadCheckpointErr[T autodiff.Float](path string, config []configItem, t *trainer[T]) error {
	d, saved, err := readCheckpoint(path)
	if err != nil {
		return err
	}
	if err := sameConfig(saved, config); err != nil {
		return err
	}
	epoch := d.u64()
	params := t.Model.Params()
	if n := d.count(8); d.err == nil && n != len(params) {
		return fmt.Errorf("it holds %d parameter tensors, the model has %d", n, len(params))
	}
	vals := make([][]T, len(params))
	for i, p := range params {
		vals[i] = getFloats[T](&d)
		if d.err == nil && len(vals[i]) != len(p.Data) {
			return fmt.Errorf("parameter %d has %d elements, the model's %v has %d", i, len(vals[i]), p, len(p.Data))
		}
	}
	opt, sched, batches := d.bytes(), d.bytes(), d.bytes()
	norms := batchNorms(t.Model)
	if n := d.count(16); d.err == nil && n != len(norms) {
		return fmt.Errorf("it holds %d BatchNorm1d layers, the model has %d", n, len(norms))
	}
	stats := make([][2][]T, len(norms))
	for i, bn := range norms {
		stats[i] = [2][]T{getFloats[T](&d), getFloats[T](&d)}
		if d.err == nil && (len(stats[i][0]) != len(bn.RunningMean) || len(stats[i][1]) != len(bn.RunningVar)) {
			return fmt.Errorf("BatchNorm1d %d has %d features, the model's has %d", i, len(stats[i][0]), len(bn.RunningMean))
		}
	}
	history := make([]epochStats, d.count(48))
	for i := range history {
		s := &history[i]
		s.Epoch = int(d.u64())
		s.TrainLoss, s.TestLoss, s.TestAcc, s.LR, s.Rate = d.f64(), d.f64(), d.f64(), d.f64(), d.f64()
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("corrupt: %d bytes after the payload's end", len(d.b))
	}
	if epoch != uint64(len(history)) {
		return fmt.Errorf("corrupt: epoch %d with %d epochs of history", epoch, len(history))
	}
	for i, s := range history {
		if s.Epoch != i+1 {
			return fmt.Errorf("corrupt: history entry %d is for epoch %d", i+1, s.Epoch)
		}
	}
	if (t.Sched == nil) != (len(sched) == 0) {
		return errors.New("schedule state does not match the run's -schedule")
	}

	if err := t.Opt.UnmarshalBinary(opt); err != nil {
		return err
	}
	if t.Sched != nil {
		if err := t.Sched.UnmarshalBinary(sched); err != nil {
			return err
		}
	}
	if err := t.Batches.UnmarshalBinary(batches); err != nil {
		return err
	}
	for i, p := range params {
		copy(p.Data, vals[i])
	}
	for i, bn := range norms {
		copy(bn.RunningMean, stats[i][0])
		copy(bn.RunningVar, stats[i][1])
	}
	t.History = history
	return nil
}

// checkpointPayload checks a checkpoint's header and checksum and returns
// its payload.
func checkpointPayload(data []byte) ([]byte, error) {
	if len(data) < len(checkpointMagic) && strings.HasPrefix(checkpointMagic, string(data)) {
		return nil, fmt.Errorf("truncated: %d bytes, shorter than the %d-byte header", len(data), checkpointHeader)
	}
	if len(data) < len(checkpointMagic) || string(data[:len(checkpointMagic)]) != checkpointMagic {
		return nil, fmt.Errorf("not a descent checkpoint (bad magic number)")
	}
	if len(data) < checkpointHeader {
		return nil, fmt.Errorf("truncated: %d bytes, shorter than the %d-byte header", len(data), checkpointHeader)
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != checkpointVersion {
		return nil, fmt.Errorf("format version %d, this descent reads version %d", v, checkpointVersion)
	}
	n := binary.LittleEndian.Uint64(data[12:])
	have := uint64(len(data) - checkpointHeader)
	switch {
	case have < n:
		return nil, fmt.Errorf("truncated: header says %d bytes of payload, file has %d", n, have)
	case have > n:
		return nil, fmt.Errorf("corrupt: header says %d bytes of payload, file has %d", n, have)
	}
	payload := data[checkpointHeader:]
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], data[20:checkpointHeader]) {
		return nil, errors.New("corrupt: checksum mismatch (the file was damaged after it was written)")
	}
	return payload, nil
}

// sameConfig returns an error naming every setting in which the
// checkpoint's config (saved) and the run's (want) differ.
func sameConfig(saved, want []configItem) error {
	have := make(map[string]string, len(saved))
	for _, c := range saved {
		have[c.Key] = c.Value
	}
	var diffs []string
	for _, c := range want {
		v, ok := have[c.Key]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s %s here, unset in the checkpoint", c.Key, c.Value))
		case v != c.Value:
			diffs = append(diffs, fmt.Sprintf("%s %s here, %s in the checkpoint", c.Key, c.Value, v))
		}
		delete(have, c.Key)
	}
	for _, c := range saved {
		if _, ok := have[c.Key]; ok {
			diffs = append(diffs, fmt.Sprintf("%s unset here, %s in the checkpoint", c.Key, c.Value))
		}
	}
	if diffs != nil {
		return errors.New("made by a different run: " + strings.Join(diffs, "; "))
	}
	return nil
}

// batchNorms returns the BatchNorm1d layers of l, in order, looking into
// Sequential and Residual containers.
func batchNorms[T autodiff.Float](l nn.Layer[T]) []*nn.BatchNorm1d[T] {
	switch l := l.(type) {
	case *nn.BatchNorm1d[T]:
		return []*nn.BatchNorm1d[T]{l}
	case *nn.Sequential[T]:
		var bns []*nn.BatchNorm1d[T]
		for _, c := range l.Layers {
			bns = append(bns, batchNorms(c)...)
		}
		return bns
	case *nn.Residual[T]:
		return batchNorms(l.Body)
	}
	return nil
}

// ckptEncoder appends little-endian values.
type ckptEncoder struct{ b []byte }

func (e *ckptEncoder) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *ckptEncoder) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *ckptEncoder) bytes(v []byte) {
	e.u64(uint64(len(v)))
	e.b = append(e.b, v...)
}
func (e *ckptEncoder) str(s string) { e.bytes([]byte(s)) }

// putFloats writes the element count and the bits of each element.
func putFloats[T autodiff.Float](e *ckptEncoder, s []T) {
	e.u64(uint64(len(s)))
	for _, v := range s {
		if isFloat32[T]() {
			e.u32(math.Float32bits(float32(v)))
		} else {
			e.u64(math.Float64bits(float64(v)))
		}
	}
}

func isFloat32[T autodiff.Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// ckptDecoder reads what ckptEncoder wrote. Its first error sticks: every
// later read returns zero values. A length is checked against the bytes
// left before anything is allocated for it, so a corrupt length cannot make
// it allocate more than the file's size.
type ckptDecoder struct {
	b   []byte
	err error
}

func (d *ckptDecoder) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errors.New("corrupt: the payload ends early")
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *ckptDecoder) u32() uint32 {
	if v := d.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (d *ckptDecoder) u64() uint64 {
	if v := d.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (d *ckptDecoder) f64() float64 { return math.Float64frombits(d.u64()) }

func (d *ckptDecoder) bytes() []byte { return d.take(d.u64()) }

func (d *ckptDecoder) str() string { return string(d.bytes()) }

// count reads a count of items of at least minSize bytes each, checking
// that the rest of the payload can hold them.
func (d *ckptDecoder) count(minSize int) int {
	n := uint64(d.u32())
	if d.err == nil && n*uint64(minSize) > uint64(len(d.b)) {
		d.err = fmt.Errorf("corrupt: a count of %d items does not fit in the %d bytes left", n, len(d.b))
		return 0
	}
	return int(n)
}

// getFloats reads what putFloats wrote.
func getFloats[T autodiff.Float](d *ckptDecoder) []T {
	n := d.u64()
	size := uint64(8)
	if isFloat32[T]() {
		size = 4
	}
	if d.err == nil && n > uint64(len(d.b))/size {
		d.err = errors.New("corrupt: the payload ends early")
		return nil
	}
	raw := d.take(n * size)
	if d.err != nil {
		return nil
	}
	s := make([]T, n)
	for i := range s {
		if size == 4 {
			s[i] = T(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		} else {
			s[i] = T(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	}
	return s
}
