package nn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadIDX feeds ReadIDX arbitrary files: it must never panic, and must either return
// dimensions whose product is the number of bytes it returns, or an error naming the file.
func FuzzReadIDX(f *testing.F) {
	images := idxFile(0x08, []uint32{2, 3, 3}, seq(18))
	labels := idxFile(0x08, []uint32{4}, []byte{0, 9, 3, 7})
	for _, seed := range [][]byte{
		images, labels, gzipped(images), gzipped(labels),
		images[:10], gzipped(images)[:15], append(labels, 1),
		idxFile(0x0d, []uint32{1}, make([]byte, 4)),
		idxFile(0x08, []uint32{1<<31 - 1, 2}, nil),
		idxFile(0x08, []uint32{1<<31 - 1}, seq(3)),
		{}, {0x1f, 0x8b}, {0, 0, 8, 0},
	} {
		f.Add(seed)
	}
	path := filepath.Join(f.TempDir(), "input-idx3-ubyte")
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		dims, data, err := ReadIDX(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			if dims != nil || data != nil {
				t.Fatalf("error %v with results", err)
			}
			return
		}
		if len(dims) == 0 {
			t.Fatal("no dimensions and no error")
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if n != len(data) {
			t.Fatalf("dims %v but %d bytes", dims, len(data))
		}
	})
}
