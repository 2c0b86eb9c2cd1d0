package nn

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// digitsSHA256 is the sha256 of data/digits.csv.gz, as /work/shared/data/digits/SOURCE.md and
// data/NOTICE record it.
const digitsSHA256 = "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a"

func TestDigitsEmbeddedFile(t *testing.T) {
	sum := sha256.Sum256(digitsGz)
	if got := hex.EncodeToString(sum[:]); got != digitsSHA256 {
		t.Fatalf("sha256 of the embedded digits.csv.gz = %s, want %s", got, digitsSHA256)
	}
	if len(digitsGz) != 57512 {
		t.Errorf("embedded digits.csv.gz has %d bytes, want 57512", len(digitsGz))
	}
	notice, err := os.ReadFile("data/NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`sha256 ([0-9a-f]{64})`).FindSubmatch(notice); m == nil || string(m[1]) != digitsSHA256 {
		t.Errorf("data/NOTICE does not record sha256 %s", digitsSHA256)
	}
	for _, credit := range []string{"Alpaydin, E. & Kaynak, C. (1998)", "UCI Machine Learning Repository", "CC BY 4.0"} {
		if !bytes.Contains(notice, []byte(credit)) {
			t.Errorf("data/NOTICE lacks the credit %q", credit)
		}
	}
}

func TestDigitsShape(t *testing.T) {
	train, test := Digits()
	for _, tc := range []struct {
		d    *Dataset
		n    int
		name string
	}{{train, 1437, "digits/train"}, {test, 360, "digits/test"}} {
		d := tc.d
		if d.Len() != tc.n || d.Features != 64 || d.Classes != 10 || d.Name != tc.name {
			t.Errorf("%s: %d samples, %d features, %d classes, want %d, 64, 10, %q",
				d.Name, d.Len(), d.Features, d.Classes, tc.n, tc.name)
		}
		if err := d.Validate(); err != nil {
			t.Error(err)
		}
		lo, hi := slices.Min(d.X), slices.Max(d.X)
		if lo != 0 || hi != 1 {
			t.Errorf("%s: pixels span [%v, %v], want [0, 1]", d.Name, lo, hi)
		}
		for _, v := range d.X {
			if v16 := v * 16; v16 != float32(int(v16)) {
				t.Fatalf("%s: pixel %v is not a multiple of 1/16", d.Name, v)
			}
		}
	}
}

func TestDigitsFirstRow(t *testing.T) {
	// The file's first line: 0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,... label 0. Row 0 is in the
	// training split.
	train, _ := Digits()
	want := []float32{0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0}
	for i := range want {
		want[i] /= 16
	}
	if got := train.Row(0)[:16]; !slices.Equal(got, want) || train.Y[0] != 0 {
		t.Fatalf("first training row starts %v, label %d; want %v, label 0", got, train.Y[0], want)
	}
}

// TestDigitsSplitStable pins the split: changing it changes every result trained on it.
func TestDigitsSplitStable(t *testing.T) {
	train, test := Digits()
	if got, want := digits.train[:8], []int{0, 1, 2, 3, 4, 5, 6, 8}; !slices.Equal(got, want) {
		t.Errorf("first training rows %v, want %v", got, want)
	}
	if got, want := digits.test[:8], []int{7, 9, 13, 16, 18, 26, 29, 31}; !slices.Equal(got, want) {
		t.Errorf("first test rows %v, want %v", got, want)
	}
	if got, want := train.Y[:10], []int{0, 1, 2, 3, 4, 5, 6, 8, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("first training labels %v, want %v", got, want)
	}
	if got, want := test.Y[:10], []int{7, 9, 3, 6, 8, 6, 9, 9, 8, 7}; !slices.Equal(got, want) {
		t.Errorf("first test labels %v, want %v", got, want)
	}

	// The splits partition the 1,797 rows, and each split's rows are those of the file.
	seen := make([]bool, digitsRows)
	for _, split := range [][]int{digits.train, digits.test} {
		for _, i := range split {
			if seen[i] {
				t.Fatalf("row %d is in the splits twice", i)
			}
			seen[i] = true
		}
	}
	if n := len(digits.train) + len(digits.test); n != digitsRows {
		t.Fatalf("the splits hold %d rows, want %d", n, digitsRows)
	}
	all, err := parseDigits(bytes.NewReader(digitsGz))
	if err != nil {
		t.Fatal(err)
	}
	for j, i := range digits.test {
		if !slices.Equal(test.Row(j), all.Row(i)) || test.Y[j] != all.Y[i] {
			t.Fatalf("test sample %d is not row %d of the file", j, i)
		}
	}

	// A second computation of the split gives the same one.
	tr2, te2 := digitsSplit(all.Y)
	if !slices.Equal(tr2, digits.train) || !slices.Equal(te2, digits.test) {
		t.Fatal("digitsSplit is not deterministic")
	}
}

func TestDigitsStratified(t *testing.T) {
	train, test := Digits()
	var ntrain, ntest [10]int
	for _, y := range train.Y {
		ntrain[y]++
	}
	for _, y := range test.Y {
		ntest[y]++
	}
	for c := range 10 {
		total := ntrain[c] + ntest[c]
		// A fifth of each class, give or take one sample.
		if ntest[c] == 0 || ntrain[c] == 0 || 5*ntest[c] < total-5 || 5*ntest[c] > total+5 {
			t.Errorf("digit %d: %d train, %d test samples: not a 4:1 split", c, ntrain[c], ntest[c])
		}
	}
}

func TestDigitsReturnsCopies(t *testing.T) {
	train, test := Digits()
	trainX, trainY, testX, testY := train.X[10], train.Y[0], test.X[10], test.Y[0]
	train.X[10], train.Y[0], test.X[10], test.Y[0] = -1, -1, -1, -1
	train2, test2 := Digits()
	if train2.X[10] != trainX || train2.Y[0] != trainY || test2.X[10] != testX || test2.Y[0] != testY {
		t.Fatal("a caller's change to one Digits result shows in the next")
	}
}

func TestParseDigitsErrors(t *testing.T) {
	row := strings.Repeat("0,", 64) + "3\n"
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	if d, err := parseDigits(bytes.NewReader(gz(row + "\n" + row))); err != nil || d.Len() != 2 || d.Y[1] != 3 {
		t.Fatalf("two good rows: %v, %v", d, err)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"fields", row + "1,2,3\n", "line 2: 3 fields, want 65"},
		{"number", strings.Replace(row, "0", "x", 1), "line 1, field 1"},
		{"pixel", "17," + row[2:], "line 1, field 1: pixel 17 out of range 0..16"},
		{"label", strings.Repeat("0,", 64) + "10\n", "line 1: label 10 out of range 0..9"},
	} {
		_, err := parseDigits(bytes.NewReader(gz(tc.in)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := parseDigits(strings.NewReader(row)); err == nil || !strings.Contains(err.Error(), "digits: gzip") {
		t.Errorf("not gzip: error %v", err)
	}
}
