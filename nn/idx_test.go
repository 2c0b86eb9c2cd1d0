package nn

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// idxFile returns an IDX file of the given type code and dimensions holding data.
func idxFile(typ byte, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestReadIDX(t *testing.T) {
	dir := t.TempDir()
	raw := idxFile(0x08, []uint32{3, 2, 2}, seq(12))
	// gzip is recognised by its magic bytes, not by the file's name.
	for name, content := range map[string][]byte{
		"raw":        raw,
		"raw.gz":     raw,
		"gzip":       gzipped(raw),
		"gzip.gz":    gzipped(raw),
		"two-member": append(gzipped(raw[:10]), gzipped(raw[10:])...),
	} {
		dims, data, err := ReadIDX(writeFile(t, dir, name, content))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !slices.Equal(dims, []int{3, 2, 2}) || !bytes.Equal(data, seq(12)) {
			t.Errorf("%s: dims %v, data %v", name, dims, data)
		}
	}
	// Labels, and an empty data set.
	for _, dims := range [][]int{{5}, {0, 28, 28}, {1<<31 - 1, 1<<31 - 1, 1<<31 - 1, 0}} {
		n := 1
		udims := make([]uint32, len(dims))
		for i, d := range dims {
			n *= d
			udims[i] = uint32(d)
		}
		got, data, err := ReadIDX(writeFile(t, dir, "x", idxFile(0x08, udims, seq(n))))
		if err != nil || !slices.Equal(got, dims) || len(data) != n {
			t.Errorf("dims %v: got %v, %d bytes, %v", dims, got, len(data), err)
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	dir := t.TempDir()
	good := idxFile(0x08, []uint32{3, 2, 2}, seq(12))
	corruptCRC := gzipped(good)
	corruptCRC[len(corruptCRC)-8] ^= 0xff // the CRC-32 in the gzip trailer
	garbledDeflate := gzipped(good)
	for i := 10; i < len(garbledDeflate)-8; i++ {
		garbledDeflate[i] = 0xff
	}
	cases := []struct {
		name    string
		content []byte
		gz      bool // also test the gzip-compressed content
		want    string
	}{
		{"empty", nil, false, "empty file"},
		{"empty gzip", gzipped(nil), false, "empty after decompression"},
		{"short magic", []byte{0, 0}, true, "truncated: 2 bytes, too short for the 4-byte IDX magic number"},
		{"bad magic", []byte{0x50, 0x4b, 3, 4, 0, 0, 0, 0}, true, "bad magic number 0x504b0304, not an IDX file"},
		{"float", idxFile(0x0d, []uint32{2}, make([]byte, 8)), true, "type code 0x0d (float32) not supported"},
		{"unknown type", idxFile(0x42, []uint32{2}, make([]byte, 8)), true, "type code 0x42 (unknown)"},
		{"zero dims", []byte{0, 0, 8, 0}, true, "zero dimensions"},
		{"short dims", []byte{0, 0, 8, 3, 0, 0, 0, 3, 0, 0}, true, "truncated header: magic number 0x00000803 declares 3 dimensions (12 bytes), file has 6"},
		{"overflow", idxFile(0x08, []uint32{1<<31 - 1, 1<<31 - 1, 1<<31 - 1}, nil), true, "absurd size: header says 2147483647x2147483647x2147483647, a product that overflows 64 bits"},
		{"absurd", idxFile(0x08, []uint32{65536, 65536}, nil), true, "absurd size: header says 65536x65536 = 4294967296 bytes, more than the 2147483647-byte limit"},
		{"absurd dim", idxFile(0x08, []uint32{0, 1 << 31}, nil), true, "absurd size: dimension 1 is 2147483648"},
		{"truncated", idxFile(0x08, []uint32{3, 2, 2}, seq(5)), true, "truncated: header says 3x2x2 = 12 bytes, file has 5"},
		{"no data", idxFile(0x08, []uint32{3, 2, 2}, nil), true, "truncated: header says 3x2x2 = 12 bytes, file has 0"},
		{"trailing", append(slices.Clone(good), 1, 2, 3), true, "trailing garbage: header says 3x2x2 = 12 bytes, file has 15"},
		{"corrupt crc", corruptCRC, false, "corrupt gzip"},
		{"garbled deflate", garbledDeflate, false, "corrupt gzip"},
		{"gzip header only", []byte{0x1f, 0x8b}, false, "corrupt gzip"},
		{"cut gzip", gzipped(good)[:20], false, "truncated"},
		{"gzip then garbage", append(gzipped(good), "junk"...), false, "corrupt gzip"},
	}
	for _, tc := range cases {
		variants := map[string][]byte{tc.name: tc.content}
		if tc.gz {
			variants[tc.name+".gz"] = gzipped(tc.content)
		}
		for name, content := range variants {
			p := writeFile(t, dir, strings.ReplaceAll(name, " ", "-"), content)
			dims, data, err := ReadIDX(p)
			if err == nil {
				t.Errorf("%s: no error (dims %v, %d bytes)", name, dims, len(data))
				continue
			}
			if msg := err.Error(); !strings.HasPrefix(msg, p+": ") || !strings.Contains(msg, tc.want) {
				t.Errorf("%s: error %q, want %q: ...%s...", name, msg, p, tc.want)
			}
			if dims != nil || data != nil {
				t.Errorf("%s: error with results", name)
			}
		}
	}
	if _, _, err := ReadIDX(filepath.Join(dir, "nonexistent")); err == nil || !strings.Contains(err.Error(), "nonexistent") {
		t.Errorf("missing file: %v", err)
	}
}

// TestReadIDXLargeGzip reads gzip files that decompress to many times their size, so that the
// buffer grows as data arrives.
func TestReadIDXLargeGzip(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 1000*28*28)
	for i := range data {
		data[i] = byte(i / 5000)
	}
	p := writeFile(t, dir, "big", gzipped(idxFile(0x08, []uint32{1000, 28, 28}, data)))
	dims, got, err := ReadIDX(p)
	if err != nil || !slices.Equal(dims, []int{1000, 28, 28}) || !bytes.Equal(got, data) {
		t.Fatalf("dims %v, %d bytes, %v", dims, len(got), err)
	}
	p = writeFile(t, dir, "cut", gzipped(idxFile(0x08, []uint32{2000, 28, 28}, data)))
	_, _, err = ReadIDX(p)
	if want := "truncated: header says 2000x28x28 = 1568000 bytes, file has 784000"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want %q", err, want)
	}
}

// TestReadIDXBoundedAllocation checks that a header claiming 2 GiB in a tiny file is rejected
// without allocating anything like it.
func TestReadIDXBoundedAllocation(t *testing.T) {
	dir := t.TempDir()
	header := idxFile(0x08, []uint32{1<<31 - 1}, seq(100))
	for name, content := range map[string][]byte{"raw": header, "gz": gzipped(header)} {
		p := writeFile(t, dir, name, content)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := ReadIDX(p)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "truncated: header says 2147483647 = 2147483647 bytes, file has 100") {
			t.Errorf("%s: error %v", name, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("%s: ReadIDX allocated %d bytes for a %d-byte file", name, alloc, len(content))
		}
	}
}

// mnistFiles writes a small MNIST-like data set (28x28 images) into dir, compressed or not per
// file, and returns the images and labels it wrote.
func mnistFiles(t *testing.T, dir string, ntrain, ntest int, gz bool) (trainImg, trainLbl, testImg, testLbl []byte) {
	t.Helper()
	write := func(name string, dims []uint32, data []byte) {
		content := idxFile(0x08, dims, data)
		if gz {
			name += ".gz"
			content = gzipped(content)
		}
		writeFile(t, dir, name, content)
	}
	labels := func(n, offset int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte((i + offset) % 10)
		}
		return b
	}
	trainImg, trainLbl = seq(ntrain*784), labels(ntrain, 0)
	testImg, testLbl = seq(ntest * 784)[1:], labels(ntest, 3)
	testImg = append(testImg, 255)
	write("train-images-idx3-ubyte", []uint32{uint32(ntrain), 28, 28}, trainImg)
	write("train-labels-idx1-ubyte", []uint32{uint32(ntrain)}, trainLbl)
	write("t10k-images-idx3-ubyte", []uint32{uint32(ntest), 28, 28}, testImg)
	write("t10k-labels-idx1-ubyte", []uint32{uint32(ntest)}, testLbl)
	return trainImg, trainLbl, testImg, testLbl
}

func TestLoadMNIST(t *testing.T) {
	for _, gz := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "fashion-mnist")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		trImg, trLbl, teImg, teLbl := mnistFiles(t, dir, 5, 3, gz)
		train, test, err := LoadMNIST(dir)
		if err != nil {
			t.Fatalf("gzip %t: %v", gz, err)
		}
		for _, tc := range []struct {
			d        *Dataset
			img, lbl []byte
			name     string
		}{{train, trImg, trLbl, "fashion-mnist/train"}, {test, teImg, teLbl, "fashion-mnist/test"}} {
			d := tc.d
			if d.Len() != len(tc.lbl) || d.Features != 784 || d.Classes != 10 || d.Name != tc.name {
				t.Fatalf("gzip %t: %s: %d samples, %d features, %d classes", gz, d.Name, d.Len(), d.Features, d.Classes)
			}
			for i, p := range tc.img {
				if d.X[i] != float32(p)/255 {
					t.Fatalf("gzip %t: %s: X[%d] = %v, want %d/255", gz, d.Name, i, d.X[i], p)
				}
			}
			for i, l := range tc.lbl {
				if d.Y[i] != int(l) {
					t.Fatalf("gzip %t: %s: Y[%d] = %d, want %d", gz, d.Name, i, d.Y[i], l)
				}
			}
			if slices.Max(d.X) != 1 || slices.Min(d.X) != 0 {
				t.Errorf("gzip %t: %s: pixels outside [0,1] or not reaching its ends", gz, d.Name)
			}
		}
	}
}

func TestLoadMNISTPrefersUncompressed(t *testing.T) {
	dir := t.TempDir()
	mnistFiles(t, dir, 2, 2, true)
	writeFile(t, dir, "train-labels-idx1-ubyte", idxFile(0x08, []uint32{2}, []byte{7, 7}))
	train, _, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(train.Y, []int{7, 7}) {
		t.Fatalf("labels %v: the .gz file was read instead of the uncompressed one", train.Y)
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  string // after "load MNIST dir: "; "{dir}" stands for dir
	}{
		{"missing", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
		}, "missing t10k-labels-idx1-ubyte: looked for {dir}/t10k-labels-idx1-ubyte and {dir}/t10k-labels-idx1-ubyte.gz"},
		{"truncated", func(t *testing.T, dir string) {
			writeFile(t, dir, "train-images-idx3-ubyte.gz", gzipped(idxFile(0x08, []uint32{60000, 28, 28}, seq(1000))))
		}, "{dir}/train-images-idx3-ubyte.gz: truncated: header says 60000x28x28 = 47040000 bytes, file has 1000"},
		{"bad magic", func(t *testing.T, dir string) {
			writeFile(t, dir, "train-labels-idx1-ubyte.gz", []byte("PK\x03\x04 not IDX"))
		}, "{dir}/train-labels-idx1-ubyte.gz: bad magic number 0x504b0304"},
		{"count mismatch", func(t *testing.T, dir string) {
			writeFile(t, dir, "train-labels-idx1-ubyte.gz", gzipped(idxFile(0x08, []uint32{4}, []byte{1, 2, 3, 4})))
		}, "{dir}/train-images-idx3-ubyte.gz has 5 images but {dir}/train-labels-idx1-ubyte.gz has 4 labels"},
		{"label", func(t *testing.T, dir string) {
			writeFile(t, dir, "t10k-labels-idx1-ubyte.gz", gzipped(idxFile(0x08, []uint32{3}, []byte{1, 12, 3})))
		}, "{dir}/t10k-labels-idx1-ubyte.gz: label 12 of sample 1 is not a digit 0..9"},
		{"image dims", func(t *testing.T, dir string) {
			writeFile(t, dir, "train-images-idx3-ubyte.gz", gzipped(idxFile(0x08, []uint32{5, 784}, seq(5*784))))
		}, "{dir}/train-images-idx3-ubyte.gz: images must have 3 dimensions (count x rows x cols), header has 2 (5x784)"},
		{"label dims", func(t *testing.T, dir string) {
			writeFile(t, dir, "train-labels-idx1-ubyte.gz", gzipped(idxFile(0x08, []uint32{5, 1}, seq(5))))
		}, "{dir}/train-labels-idx1-ubyte.gz: labels must have 1 dimension, header has 2 (5x1)"},
		{"empty images", func(t *testing.T, dir string) {
			writeFile(t, dir, "t10k-images-idx3-ubyte.gz", gzipped(idxFile(0x08, []uint32{3, 0, 28}, nil)))
		}, "{dir}/t10k-images-idx3-ubyte.gz: images of 0x28 pixels"},
		{"sizes differ", func(t *testing.T, dir string) {
			writeFile(t, dir, "t10k-images-idx3-ubyte.gz", gzipped(idxFile(0x08, []uint32{3, 8, 8}, seq(3*64))))
		}, "train images have 784 pixels, test images 64"},
		{"corrupt gzip", func(t *testing.T, dir string) {
			b := gzipped(idxFile(0x08, []uint32{3}, []byte{1, 2, 3}))
			b[len(b)-5] ^= 1
			writeFile(t, dir, "t10k-labels-idx1-ubyte.gz", b)
		}, "{dir}/t10k-labels-idx1-ubyte.gz: corrupt gzip"},
	} {
		dir := t.TempDir()
		mnistFiles(t, dir, 5, 3, true)
		tc.spoil(t, dir)
		train, test, err := LoadMNIST(dir)
		want := "load MNIST " + dir + ": " + strings.ReplaceAll(tc.want, "{dir}", dir)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, want)
		}
		if train != nil || test != nil {
			t.Errorf("%s: results with the error", tc.name)
		}
	}
}
