package nn

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxIDXBytes caps the data size an IDX header may declare: 2 GiB - 1, far above any real data
// set in the format (EMNIST's largest file holds 0.55 GB) and within an int on 32-bit platforms.
const maxIDXBytes = math.MaxInt32

// idxTypeNames names the element types of the IDX format, by type code.
var idxTypeNames = map[byte]string{
	0x08: "unsigned byte", 0x09: "signed byte", 0x0b: "int16", 0x0c: "int32", 0x0d: "float32", 0x0e: "float64",
}

// ReadIDX reads a file in the IDX format of the MNIST distribution (yann.lecun.com/exdb/mnist),
// holding unsigned bytes: the magic number 0x000008NN, where NN is the number of dimensions
// (0x00000803 for images, 0x00000801 for labels), then each dimension as a big-endian uint32,
// then the values, row-major. A file starting with the gzip magic bytes is decompressed first,
// whatever its name. It returns the dimensions and the values, len(data) being their product.
//
// Every error names the file and what is wrong with it: a bad magic number, a type other than
// unsigned byte, dimensions whose product overflows or exceeds 2 GiB, fewer or more bytes than
// the header declares ("truncated: header says 60000x28x28 = 47040000 bytes, file has 1000",
// counting the bytes after the header, after decompression), a corrupt gzip stream. A corrupt
// header cannot make it allocate much more than the file's real contents.
func ReadIDX(path string) (dims []int, data []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read IDX: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	dims, data, err = decodeIDX(f, size)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return dims, data, nil
}

// decodeIDX reads an IDX stream, gzip-compressed or not, of size bytes (-1 if unknown).
func decodeIDX(r io.Reader, size int64) ([]int, []byte, error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	compressed := false
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("corrupt gzip: %w", err)
		}
		src, compressed = zr, true
	}
	// readErr says what a failed read means: a cut or corrupt gzip stream, or a plain I/O error.
	readErr := func(what string, err error) error {
		if compressed && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("corrupt gzip: %w", err)
		}
		return fmt.Errorf("%s: %w", what, err)
	}

	var magic [4]byte
	if n, err := io.ReadFull(src, magic[:]); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			if compressed {
				return nil, nil, errors.New("empty after decompression, not an IDX file")
			}
			return nil, nil, errors.New("empty file, not an IDX file")
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, fmt.Errorf("truncated: %d bytes, too short for the 4-byte IDX magic number", n)
		}
		return nil, nil, readErr("read magic number", err)
	}
	m := uint32(magic[0])<<24 | uint32(magic[1])<<16 | uint32(magic[2])<<8 | uint32(magic[3])
	if magic[0] != 0 || magic[1] != 0 {
		return nil, nil, fmt.Errorf("bad magic number %#08x, not an IDX file (want 0x000008NN)", m)
	}
	if magic[2] != 0x08 {
		name, ok := idxTypeNames[magic[2]]
		if !ok {
			name = "unknown"
		}
		return nil, nil, fmt.Errorf("magic number %#08x: type code %#02x (%s) not supported, want 0x08 (unsigned byte)",
			m, magic[2], name)
	}
	ndim := int(magic[3])
	if ndim == 0 {
		return nil, nil, fmt.Errorf("bad magic number %#08x: zero dimensions", m)
	}

	hdr := make([]byte, 4*ndim)
	if n, err := io.ReadFull(src, hdr); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, fmt.Errorf("truncated header: magic number %#08x declares %d dimensions (%d bytes), file has %d bytes of them",
				m, ndim, len(hdr), n)
		}
		return nil, nil, readErr("read dimensions", err)
	}
	dims := make([]int, ndim)
	want := uint64(1)
	overflow := false
	for i := range dims {
		d := uint64(hdr[4*i])<<24 | uint64(hdr[4*i+1])<<16 | uint64(hdr[4*i+2])<<8 | uint64(hdr[4*i+3])
		if d > maxIDXBytes {
			return nil, nil, fmt.Errorf("absurd size: dimension %d is %d, more than the %d-byte limit", i, d, maxIDXBytes)
		}
		dims[i] = int(d)
		hi, lo := bits.Mul64(want, d)
		overflow = overflow || hi != 0
		want = lo
	}
	if slices.Contains(dims, 0) { // an empty data set, however large the other dimensions
		want, overflow = 0, false
	}
	shape := idxShape(dims)
	if overflow {
		return nil, nil, fmt.Errorf("absurd size: header says %s, a product that overflows 64 bits", shape)
	}
	if want > maxIDXBytes {
		return nil, nil, fmt.Errorf("absurd size: header says %s = %d bytes, more than the %d-byte limit", shape, want, maxIDXBytes)
	}
	hdrLen := int64(4 + 4*ndim)

	// An uncompressed file's size tells at once whether the data is all there.
	hint := 64 << 10
	if size >= 0 && !compressed {
		switch have := size - hdrLen; {
		case have < int64(want):
			return nil, nil, fmt.Errorf("truncated: header says %s = %d bytes, file has %d", shape, want, have)
		case have > int64(want):
			return nil, nil, fmt.Errorf("trailing garbage: header says %s = %d bytes, file has %d", shape, want, have)
		}
		hint = int(want)
	} else if size >= 0 {
		hint = int(min(8*size, maxIDXBytes)) // a guess at the decompressed size
	}

	data, err := readUpTo(src, int(want), hint)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			cut := ""
			if compressed && errors.Is(err, io.ErrUnexpectedEOF) {
				cut = " (gzip stream cut short)"
			}
			return nil, nil, fmt.Errorf("truncated: header says %s = %d bytes, file has %d%s", shape, want, len(data), cut)
		}
		return nil, nil, readErr("read data", err)
	}
	// Reading on to the end makes gzip verify its checksum, and finds trailing bytes.
	extra, err := io.Copy(io.Discard, src)
	if err != nil {
		if compressed {
			return nil, nil, fmt.Errorf("corrupt gzip after the %d data bytes: %w", want, err)
		}
		return nil, nil, fmt.Errorf("read past data: %w", err)
	}
	if extra > 0 {
		return nil, nil, fmt.Errorf("trailing garbage: header says %s = %d bytes, file has %d", shape, want, int64(want)+extra)
	}
	return dims, data, nil
}

// readUpTo reads exactly want bytes from r, growing its buffer from hint bytes as data arrives,
// so that a header claiming more than the stream holds costs no more than the stream's size.
// On a short stream it returns what it read and the reader's error (io.EOF for a clean end); an
// error that comes with the last of the data is left for the caller's next read to find.
func readUpTo(r io.Reader, want, hint int) ([]byte, error) {
	buf := make([]byte, 0, min(want, max(hint, 64<<10)))
	for len(buf) < want {
		if len(buf) == cap(buf) {
			c := want
			if cap(buf) <= want/2 {
				c = 2 * cap(buf)
			}
			grown := make([]byte, len(buf), c)
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if len(buf) == want {
				break // an error after the data shows again at the next read
			}
			return buf, err
		}
	}
	return buf, nil
}

// idxShape formats dimensions as "60000x28x28".
func idxShape(dims []int) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, "x")
}

// LoadMNIST reads a data set in the layout of MNIST from dir: the files train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each either as
// named or gzip-compressed with a .gz suffix (the uncompressed one is read when both are there).
// Fashion-MNIST uses the same names and format (Debian's dataset-fashion-mnist package installs
// it under /usr/share/datasets/fashion-mnist). Pixels are scaled from 0..255 to [0,1]: Features
// is rows*cols of the images (784 for 28x28), Classes is 10, and the Names are dir's base name
// followed by "/train" and "/test".
//
// Errors name the file and what is wrong: a missing file (with the names looked for), any
// ReadIDX error, images that are not count x rows x cols or labels that are not a list, counts
// of images and labels that differ, a label above 9, train and test images of different sizes.
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	base := filepath.Base(filepath.Clean(dir))
	train, err = loadMNISTSplit(dir, "train", base+"/train")
	if err != nil {
		return nil, nil, fmt.Errorf("load MNIST %s: %w", dir, err)
	}
	test, err = loadMNISTSplit(dir, "t10k", base+"/test")
	if err != nil {
		return nil, nil, fmt.Errorf("load MNIST %s: %w", dir, err)
	}
	if train.Features != test.Features {
		return nil, nil, fmt.Errorf("load MNIST %s: train images have %d pixels, test images %d",
			dir, train.Features, test.Features)
	}
	return train, test, nil
}

// mnistClasses is the number of classes of MNIST and Fashion-MNIST.
const mnistClasses = 10

// loadMNISTSplit reads the images and labels files whose names start with prefix.
func loadMNISTSplit(dir, prefix, name string) (*Dataset, error) {
	imgPath, err := findIDX(dir, prefix+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	lblPath, err := findIDX(dir, prefix+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	idims, pixels, err := ReadIDX(imgPath)
	if err != nil {
		return nil, err
	}
	if len(idims) != 3 {
		return nil, fmt.Errorf("%s: images must have 3 dimensions (count x rows x cols), header has %d (%s)",
			imgPath, len(idims), idxShape(idims))
	}
	ldims, labels, err := ReadIDX(lblPath)
	if err != nil {
		return nil, err
	}
	if len(ldims) != 1 {
		return nil, fmt.Errorf("%s: labels must have 1 dimension, header has %d (%s)", lblPath, len(ldims), idxShape(ldims))
	}
	count, features := idims[0], idims[1]*idims[2]
	if features == 0 {
		return nil, fmt.Errorf("%s: images of %dx%d pixels", imgPath, idims[1], idims[2])
	}
	if ldims[0] != count {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels", imgPath, count, lblPath, ldims[0])
	}
	d := &Dataset{X: make([]float32, len(pixels)), Y: make([]int, count),
		Features: features, Classes: mnistClasses, Name: name}
	for i, p := range pixels {
		d.X[i] = float32(p) / 255
	}
	for i, l := range labels {
		if l >= mnistClasses {
			return nil, fmt.Errorf("%s: label %d of sample %d is not a digit 0..%d", lblPath, l, i, mnistClasses-1)
		}
		d.Y[i] = int(l)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// findIDX returns the path of the file base, or base.gz, in dir.
func findIDX(dir, base string) (string, error) {
	names := [...]string{filepath.Join(dir, base), filepath.Join(dir, base+".gz")}
	for _, p := range names {
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("missing %s: looked for %s and %s", base, names[0], names[1])
}
