package nn

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// digitsGz is the UCI "Optical Recognition of Handwritten Digits" test set as Debian's
// python3-sklearn ships it; data/NOTICE credits it (CC BY 4.0) and records its sha256.
//
//go:embed data/digits.csv.gz
var digitsGz []byte

const (
	digitsRows     = 1797
	digitsFeatures = 8 * 8
	digitsClasses  = 10
	digitsMaxPixel = 16
	// digitsSplitSeed seeds the fixed train/test split of Digits (1998: the data set's year).
	digitsSplitSeed = 1998
	digitsTestEvery = 5 // one sample in 5 goes to the test split
)

var digits struct {
	once        sync.Once
	all         *Dataset
	train, test []int // row indices of each split, ascending
}

// Digits returns the embedded handwritten digits data set, split into 1,437 training and 360
// test samples: 8x8 grey images (Features = 64, row by row, pixels scaled from 0..16 to [0,1]),
// labelled 0..9 (Classes = 10). It is the test set of the UCI Machine Learning Repository's
// "Optical Recognition of Handwritten Digits" (Alpaydin & Kaynak, 1998, CC BY 4.0; see
// data/NOTICE), small enough to train a classifier on in seconds.
//
// The split is fixed, the same in every release and on every platform, and stratified: the
// 1,797 rows are shuffled by a Fisher–Yates shuffle driven by math/rand/v2's PCG seeded with
// (1998, 0), grouped by label (keeping the shuffled order within each label), and every fifth
// row of that sequence, starting with the first, goes to the test split, so each digit has a
// fifth of its samples (35 to 37) in the test split. Each split lists its rows in the embedded
// file's order.
//
// The file is parsed once; every call returns fresh copies that share nothing, so callers may
// modify them.
func Digits() (train, test *Dataset) {
	digits.once.Do(func() {
		all, err := parseDigits(bytes.NewReader(digitsGz))
		if err != nil {
			panic("nn: embedded digits data set: " + err.Error()) // a build defect
		}
		if all.Len() != digitsRows {
			panic(fmt.Sprintf("nn: embedded digits data set: %d rows, want %d", all.Len(), digitsRows))
		}
		digits.all = all
		digits.train, digits.test = digitsSplit(all.Y)
	})
	train = digits.all.Subset(digits.train)
	train.Name = "digits/train"
	test = digits.all.Subset(digits.test)
	test.Name = "digits/test"
	return train, test
}

// digitsSplit returns the row indices of the train and test splits documented at Digits.
func digitsSplit(labels []int) (train, test []int) {
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	shuffleInts(rand.NewPCG(digitsSplitSeed, 0), order)
	slices.SortStableFunc(order, func(a, b int) int { return labels[a] - labels[b] })
	for p, i := range order {
		if p%digitsTestEvery == 0 {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	slices.Sort(train)
	slices.Sort(test)
	return train, test
}

// parseDigits reads the gzip-compressed CSV of the digits data set: one row per image, 64 pixels
// 0..16 then the label 0..9.
func parseDigits(r io.Reader) (*Dataset, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("digits: %w", err)
	}
	d := &Dataset{Features: digitsFeatures, Classes: digitsClasses, Name: "digits"}
	sc := bufio.NewScanner(zr)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != digitsFeatures+1 {
			return nil, fmt.Errorf("digits: line %d: %d fields, want %d", line, len(fields), digitsFeatures+1)
		}
		for c, f := range fields {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return nil, fmt.Errorf("digits: line %d, field %d: %w", line, c+1, err)
			}
			if c < digitsFeatures {
				if v < 0 || v > digitsMaxPixel {
					return nil, fmt.Errorf("digits: line %d, field %d: pixel %d out of range 0..%d", line, c+1, v, digitsMaxPixel)
				}
				d.X = append(d.X, float32(v)/digitsMaxPixel)
			} else {
				if v < 0 || v >= digitsClasses {
					return nil, fmt.Errorf("digits: line %d: label %d out of range 0..%d", line, v, digitsClasses-1)
				}
				d.Y = append(d.Y, v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("digits: line %d: %w", line+1, err)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}
