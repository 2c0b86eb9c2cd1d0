package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// gemmRef is the naive float64 GEMM, with BLAS's beta = 0 rule. It also
// returns, per element, Σ|alpha·a·b| + |beta·c|, the scale of its rounding
// error bound.
func gemmRef(tA, tB Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) (out, scale []float64) {
	out = make([]float64, m*n)
	scale = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			if alpha != 0 {
				for p := 0; p < k; p++ {
					var av, bv float64
					if tA == Trans {
						av = a[p*lda+i]
					} else {
						av = a[i*lda+p]
					}
					if tB == Trans {
						bv = b[j*ldb+p]
					} else {
						bv = b[p*ldb+j]
					}
					s += av * bv
					sa += math.Abs(av * bv)
				}
			}
			v, vs := alpha*s, math.Abs(alpha)*sa
			if beta != 0 {
				v += beta * c[i*ldc+j]
				vs += math.Abs(beta * c[i*ldc+j])
			}
			out[i*n+j], scale[i*n+j] = v, vs
		}
	}
	return out, scale
}

const gemmGuard = 17

// gemmMat is a matrix view with sentinels: a guard region before and after
// the view, and the padding between rows (ld > cols) filled with pad.
type gemmMat[T Float] struct {
	buf        []T
	view       []T
	rows, cols int
	ld         int
	pad        T
}

func newGemmMat[T Float](rng *rand.Rand, rows, cols, ld int, pad T) *gemmMat[T] {
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*ld + cols
	}
	g := &gemmMat[T]{buf: make([]T, n+2*gemmGuard), rows: rows, cols: cols, ld: ld, pad: pad}
	for i := range g.buf {
		g.buf[i] = pad
	}
	g.view = g.buf[gemmGuard : gemmGuard+n : gemmGuard+n]
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			g.view[i*ld+j] = T(rng.Float64()*2 - 1)
		}
	}
	return g
}

func (g *gemmMat[T]) f64() []float64 {
	out := make([]float64, len(g.view))
	for i, v := range g.view {
		out[i] = float64(v)
	}
	return out
}

// untouched reports the first sentinel (guard or padding) that changed.
func (g *gemmMat[T]) untouched() error {
	isNaN := func(x T) bool { return x != x }
	same := func(x T) bool { return x == g.pad || isNaN(x) && isNaN(g.pad) }
	for i := 0; i < gemmGuard; i++ {
		if !same(g.buf[i]) || !same(g.buf[len(g.buf)-1-i]) {
			return fmt.Errorf("guard region written")
		}
	}
	for i := 0; i < g.rows; i++ {
		for j := g.cols; j < g.ld && i*g.ld+j < len(g.view); j++ {
			if !same(g.view[i*g.ld+j]) {
				return fmt.Errorf("padding at row %d col %d written", i, j)
			}
		}
	}
	return nil
}

func eps[T Float]() float64 {
	var z T
	if any(z) == any(float32(0)) {
		return 0x1p-24
	}
	return 0x1p-53
}

type gemmCase struct {
	tA, tB       Transpose
	m, n, k      int
	alpha, beta  float64
	padA, padB   int
	padC         int
	nanC         bool
	threadsLimit int // 0: Threads()
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("%c%c/m=%d,n=%d,k=%d/alpha=%g,beta=%g/pad=%d,%d,%d/nanC=%v", tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC, tc.nanC)
}

// checkGemmCase runs one case at the active level and compares it with the
// float64 reference within the classical bound (k+2)·2u·Σ|terms|.
func checkGemmCase[T Float](t *testing.T, rng *rand.Rand, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.tA == Trans {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.tB == Trans {
		br, bc = tc.n, tc.k
	}
	nan := T(math.NaN())
	// NaN in the padding of A and B: reading it would poison C.
	A := newGemmMat(rng, ar, ac, max(ac, 1)+tc.padA, nan)
	B := newGemmMat(rng, br, bc, max(bc, 1)+tc.padB, nan)
	C := newGemmMat(rng, tc.m, tc.n, max(tc.n, 1)+tc.padC, T(-7.25))
	if tc.nanC {
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.n; j++ {
				C.view[i*C.ld+j] = nan
			}
		}
	}
	want, scale := gemmRef(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, A.f64(), A.ld, B.f64(), B.ld, tc.beta, C.f64(), C.ld)
	Gemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, T(tc.alpha), A.view, A.ld, B.view, B.ld, T(tc.beta), C.view, C.ld)
	for name, g := range map[string]interface{ untouched() error }{"a": A, "b": B, "c": C} {
		if err := g.untouched(); err != nil {
			t.Fatalf("%s %v: %s: %v", ISA(), tc, name, err)
		}
	}
	u := eps[T]()
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			got := float64(C.view[i*C.ld+j])
			w := want[i*tc.n+j]
			tol := float64(tc.k+2)*2*u*scale[i*tc.n+j] + 1e-30
			if !(math.Abs(got-w) <= tol) {
				t.Fatalf("%s %v: c[%d,%d] = %g, want %g (tol %g)", ISA(), tc, i, j, got, w, tol)
			}
		}
	}
}

func forEachLevel(t *testing.T, f func(t *testing.T)) {
	old := ISA()
	defer SetISA(old)
	for _, l := range Available() {
		if err := SetISA(l); err != nil {
			t.Fatal(err)
		}
		t.Run(string(l), f)
	}
}

var transPairs = [][2]Transpose{{NoTrans, NoTrans}, {NoTrans, Trans}, {Trans, NoTrans}, {Trans, Trans}}

func randomGemmCase(rng *rand.Rand, maxDim int) gemmCase {
	dim := func() int {
		switch rng.IntN(6) {
		case 0:
			return rng.IntN(2) // 0 and 1
		case 1, 2:
			return rng.IntN(40)
		default:
			return rng.IntN(maxDim + 1)
		}
	}
	scalar := func() float64 {
		switch rng.IntN(4) {
		case 0:
			return 0
		case 1:
			return 1
		case 2:
			return -1
		}
		return rng.Float64()*4 - 2
	}
	p := transPairs[rng.IntN(4)]
	tc := gemmCase{tA: p[0], tB: p[1], m: dim(), n: dim(), k: dim(), alpha: scalar(), beta: scalar()}
	if rng.IntN(2) == 0 {
		tc.padA, tc.padB, tc.padC = rng.IntN(5), rng.IntN(5), rng.IntN(5)
	}
	tc.nanC = tc.beta == 0 && rng.IntN(2) == 0
	return tc
}

func TestGemmRandom(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		cases := 60
		if testing.Short() {
			cases = 15
		}
		for i := 0; i < cases; i++ {
			tc := randomGemmCase(rng, 300)
			checkGemmCase[float32](t, rng, tc)
			checkGemmCase[float64](t, rng, tc)
		}
	})
}

// TestGemmEdges sweeps the small sizes around every tile edge, all four
// transpose pairs and the special scalars.
func TestGemmEdges(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		sizes := []int{0, 1, 2, 3, 5, 7, 8, 13, 14, 15, 16, 17, 31, 32, 33, 47}
		for _, p := range transPairs {
			for _, s := range sizes {
				for _, sc := range [][2]float64{{1, 0}, {-1, 1}, {0.5, -1}, {0, 0.5}, {1.5, 0}} {
					m, n, k := s, sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))]
					tc := gemmCase{tA: p[0], tB: p[1], m: m, n: n, k: k, alpha: sc[0], beta: sc[1],
						padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3), nanC: sc[1] == 0}
					checkGemmCase[float32](t, rng, tc)
					checkGemmCase[float64](t, rng, tc)
				}
			}
		}
	})
}

// TestGemmBlocks crosses the cache-block edges (KC, MC, NC) of every level.
func TestGemmBlocks(t *testing.T) {
	// -short (the arm64 run under qemu) crosses the edges on the packed
	// path only: the direct path is amd64's, and these are large products.
	paths := []bool{true, false}
	if testing.Short() {
		paths = []bool{false}
	}
	defer func() { gemmDirect = true }()
	forEachLevel(t, func(t *testing.T) {
		for _, direct := range paths {
			gemmDirect = direct
			testGemmBlocks(t)
		}
	})
}

func testGemmBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	g32, g64 := table[float32]().gemm, table[float64]().gemm
	for _, p := range transPairs {
		tc := gemmCase{tA: p[0], tB: p[1], m: g32.mc + 3, n: 70, k: g32.kc + 5, alpha: 1.25, beta: -0.5, padA: 1, padB: 2, padC: 3}
		checkGemmCase[float32](t, rng, tc)
		tc.m, tc.k = g64.mc+g64.mr+1, 2*g64.kc+1
		checkGemmCase[float64](t, rng, tc)
	}
	tc := gemmCase{tA: NoTrans, tB: NoTrans, m: 9, n: g32.nc + 33, k: 20, alpha: 1, beta: 1}
	checkGemmCase[float32](t, rng, tc)
	tc.n = g64.nc + 17
	checkGemmCase[float64](t, rng, tc)
}

// TestGemmThreadsBitwise: any number of parts gives bit-for-bit the same C.
func TestGemmThreadsBitwise(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		testThreadsBitwise[float32](t)
		testThreadsBitwise[float64](t)
	})
}

func testThreadsBitwise[T Float](t *testing.T) {
	// Split even these small products, into as many parts as asked.
	defer func(v int) { gemmMinPerThread = v }(gemmMinPerThread)
	gemmMinPerThread = 1 << 10
	rng := rand.New(rand.NewPCG(7, 8))
	g := table[T]().gemm
	shapes := [][3]int{{300, 300, 300}, {517, 389, 270}, {64, 784, 128}, {33, 1000, 77}, {1000, 19, 150}, {2000, 10, 300}}
	if testing.Short() {
		shapes = shapes[2:3]
	}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, p := range transPairs {
			a := make([]T, m*k)
			b := make([]T, k*n)
			c0 := make([]T, m*n)
			for i := range a {
				a[i] = T(rng.NormFloat64())
			}
			for i := range b {
				b[i] = T(rng.NormFloat64())
			}
			for i := range c0 {
				c0[i] = T(rng.NormFloat64())
			}
			sameForThreads(t, g, p, m, n, k, a, b, c0, 5)
		}
	}
}

// sameForThreads runs C = 0.75·op(A)·op(B) + 1.5·C (c0 copied) on g with
// 1..maxThreads parts and fails unless every run sets the same bits.
func sameForThreads[T Float](t *testing.T, g *gemmKernel[T], p [2]Transpose, m, n, k int, a, b, c0 []T, maxThreads int) {
	t.Helper()
	lda, ldb := k, n
	if p[0] == Trans {
		lda = m
	}
	if p[1] == Trans {
		ldb = k
	}
	var first []T
	for threads := 1; threads <= maxThreads; threads++ {
		c := append([]T(nil), c0...)
		g.runThreads(threads, p[0] == Trans, p[1] == Trans, m, n, k, 0.75, a, lda, b, ldb, 1.5, c, n)
		if first == nil {
			first = c
			continue
		}
		for i := range c {
			if math.Float64bits(float64(c[i])) != math.Float64bits(float64(first[i])) {
				pm, pn := g.split(m, n, k, threads)
				t.Fatalf("%s %c%c %dx%dx%d: threads=%d (grid %dx%d) differs at %d: %g vs %g", ISA(), p[0], p[1], m, k, n, threads, pm, pn, i, c[i], first[i])
			}
		}
	}
}

// TestGemmDirect: reading A and B where they lie (microRows) and from
// packed panels give bitwise the same C, and both pass the reference checks.
func TestGemmDirect(t *testing.T) {
	defer func() { gemmDirect = true }()
	forEachLevel(t, func(t *testing.T) {
		for _, s := range [][3]int{{64, 784, 128}, {97, 50, 61}, {14, 3, 32}, {300, 200, 100}, {64, 128, 10}, {29, 64, 47}, {784, 64, 128}} {
			for _, tA := range []Transpose{NoTrans, Trans} {
				m, k, n := s[0], s[1], s[2]
				rng := rand.New(rand.NewPCG(uint64(m), uint64(n)))
				ar, ac := m, k
				if tA == Trans {
					ar, ac = k, m
				}
				a := make([]float32, ar*(ac+3))
				b := make([]float32, k*(n+2))
				for i := range a {
					a[i] = float32(rng.NormFloat64())
				}
				for i := range b {
					b[i] = float32(rng.NormFloat64())
				}
				var out [2][]float32
				for i, direct := range []bool{false, true} {
					gemmDirect = direct
					out[i] = make([]float32, m*n)
					for j := range out[i] {
						out[i][j] = 1
					}
					Gemm(tA, NoTrans, m, n, k, 0.5, a, ac+3, b, n+2, -1, out[i], n)
				}
				for j := range out[0] {
					if math.Float32bits(out[0][j]) != math.Float32bits(out[1][j]) {
						t.Fatalf("%c %v: packed and direct operands differ at %d: %g vs %g", tA, s, j, out[0][j], out[1][j])
					}
				}
			}
		}
		gemmDirect = false
		rng := rand.New(rand.NewPCG(9, 9))
		for i := 0; i < 10; i++ {
			tc := randomGemmCase(rng, 120)
			checkGemmCase[float32](t, rng, tc)
			checkGemmCase[float64](t, rng, tc)
		}
		gemmDirect = true
	})
}

// TestGemmThreadsFor: a product whose A the level packs although it could
// read it in place (rows 4 KiB apart, or A over gemmDirectMax) gets a
// second goroutine only from gemmPackedFactor times the usual work; one
// that reads A in place, or a level that cannot (generic), from the usual.
func TestGemmThreadsFor(t *testing.T) {
	defer SetThreads(SetThreads(2))
	two := min(2, Threads())
	var direct *gemmKernel[float32]
	for _, l := range []Level{AVX512, AVX2, NEON} {
		if p := levels[l]; p != nil && p.f32.gemm.microRows != nil {
			direct = p.f32.gemm
			break
		}
	}
	cases := []struct {
		g            *gemmKernel[float32]
		m, n, k, lda int
		want         int
	}{
		{genericGemm[float32](), 256, 64, 1024, 1024, two}, // generic packs every A
	}
	if direct != nil {
		cases = append(cases, []struct {
			g            *gemmKernel[float32]
			m, n, k, lda int
			want         int
		}{
			{direct, 256, 64, 1024, 1024, 1},    // 16.8M, rows 4 KiB apart: packed
			{direct, 256, 64, 1024, 1040, two},  // the same read in place
			{direct, 512, 128, 1024, 1024, two}, // 67M, packed
			{direct, 2048, 8, 1024, 1040, 1},    // 16.8M, A of 8 MiB (past gemmDirectMax): packed
			{direct, 2048, 16, 1024, 1040, two}, // 33.5M, packed
		}...)
	} else {
		t.Logf("no level here reads A in place; only the generic case runs")
	}
	for _, c := range cases {
		if got := c.g.threadsFor(false, c.m, c.n, c.k, c.lda); got != c.want {
			t.Errorf("%d×%d×%d (lda %d, mr %d): %d goroutines, want %d", c.m, c.k, c.n, c.lda, c.g.mr, got, c.want)
		}
	}
}

func TestGemmSplit(t *testing.T) {
	g := genericGemm[float32]()
	if pm, pn := g.split(64, 128, 10, 8); pm*pn != 1 {
		t.Errorf("small product split into %dx%d parts, want one", pm, pn)
	}
	// Below two goroutines' worth of work (2×gemmMinPerThread), one part:
	// the batch-64 MLP products run on one goroutine, the batch-256 ones
	// and 256³ on two.
	for _, s := range [][3]int{{64, 784, 128}, {64, 128, 784}, {128, 128, 128}} {
		if pm, pn := g.split(s[0], s[2], s[1], 2); pm*pn != 1 {
			t.Errorf("%v with 2 threads: grid %dx%d, want one part", s, pm, pn)
		}
	}
	for _, s := range [][3]int{{256, 784, 128}, {784, 256, 128}, {256, 128, 784}, {256, 256, 256}} {
		if pm, pn := g.split(s[0], s[2], s[1], 2); pm*pn != 2 {
			t.Errorf("%v with 2 threads: grid %dx%d, want 2 parts", s, pm, pn)
		}
	}
	if pm, pn := g.split(512, 512, 512, 2); pm*pn != 2 {
		t.Errorf("512³ with 2 threads: grid %dx%d, want 2 parts", pm, pn)
	}
	if pm, pn := g.split(1024, 1024, 1024, 2); pm*pn != 2 {
		t.Errorf("1024³ with 2 threads: grid %dx%d, want 2 parts", pm, pn)
	}
	if pm, pn := g.split(1024, 1024, 1024, 1); pm*pn != 1 {
		t.Errorf("1 thread: grid %dx%d", pm, pn)
	}
	if pm, pn := g.split(4, 4096, 4096, 4); pm != 1 || pn != 4 {
		t.Errorf("one tile row: grid %dx%d, want 1x4", pm, pn)
	}
}

func TestMatMul(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		m, k, n := 37, 45, 29
		a := make([]float64, m*k)
		b := make([]float64, k*n)
		for i := range a {
			a[i] = float64(i%7) - 3
		}
		for i := range b {
			b[i] = float64(i%5) - 2
		}
		dst := make([]float64, m*n)
		for i := range dst {
			dst[i] = math.NaN()
		}
		MatMul(dst, a, b, m, k, n)
		want, _ := gemmRef(NoTrans, NoTrans, m, n, k, 1, a, k, b, n, 0, nil, n)
		for i := range want {
			if dst[i] != want[i] { // small integers: exact
				t.Fatalf("dst[%d] = %g, want %g", i, dst[i], want[i])
			}
		}
	})
}

func TestGemmPanics(t *testing.T) {
	a := make([]float32, 12)
	b := make([]float32, 12)
	c := make([]float32, 12)
	cases := []struct {
		want string
		f    func()
	}{
		{"tA=", func() { Gemm('X', NoTrans, 3, 4, 4, 1, a, 4, b, 4, 0, c, 4) }},
		{"tB=", func() { Gemm(NoTrans, 'x', 3, 4, 4, 1, a, 4, b, 4, 0, c, 4) }},
		{"m=-1", func() { Gemm(NoTrans, NoTrans, -1, 4, 4, 1, a, 4, b, 4, 0, c, 4) }},
		{"n=-1", func() { Gemm(NoTrans, NoTrans, 3, -1, 4, 1, a, 4, b, 4, 0, c, 4) }},
		{"k=-1", func() { Gemm(NoTrans, NoTrans, 3, 4, -1, 1, a, 4, b, 4, 0, c, 4) }},
		{"lda=3", func() { Gemm(NoTrans, NoTrans, 3, 4, 4, 1, a, 3, b, 4, 0, c, 4) }},
		{"lda=2", func() { Gemm(Trans, NoTrans, 3, 4, 3, 1, a, 2, b, 4, 0, c, 4) }},
		{"ldb=3", func() { Gemm(NoTrans, NoTrans, 3, 4, 3, 1, a, 3, b, 3, 0, c, 4) }},
		{"ldb=2", func() { Gemm(NoTrans, Trans, 3, 4, 3, 1, a, 3, b, 2, 0, c, 4) }},
		{"ldc=3", func() { Gemm(NoTrans, NoTrans, 3, 4, 3, 1, a, 3, b, 4, 0, c, 3) }},
		{"len(a)=12", func() { Gemm(NoTrans, NoTrans, 4, 3, 4, 1, a, 4, b, 3, 0, c, 3) }},
		{"len(b)=12", func() { Gemm(NoTrans, NoTrans, 2, 3, 5, 1, a, 5, b, 3, 0, c, 3) }},
		{"len(c)=12", func() { Gemm(NoTrans, NoTrans, 3, 5, 2, 1, a, 4, b, 5, 0, c, 5) }},
		{"c overlaps a", func() { Gemm(NoTrans, NoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, a[3:], 2) }},
		{"c overlaps b", func() { Gemm(NoTrans, NoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, b, 2) }},
		{"len(a)=12 != m*k=15", func() { MatMul(c, a, b, 3, 5, 4) }},
		{"len(dst)=12 != m*n=9", func() { MatMul(c, a, b, 3, 4, 3) }},
	}
	for _, tc := range cases {
		func() {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want one containing %q", r, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

func TestGemmAllocs(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		checkGemmAllocs[float32](t, Trans, 64, 784, 128)
		checkGemmAllocs[float32](t, Trans, 200, 200, 200)
	})
}

// checkGemmAllocs fails if C = A·op(B) (m×k times k×n) allocates at steady
// state, after one call to warm the pools.
func checkGemmAllocs[T Float](t *testing.T, tB Transpose, m, n, k int) {
	t.Helper()
	a, b, c := make([]T, m*k), make([]T, k*n), make([]T, m*n)
	ldb := n
	if tB == Trans {
		ldb = k
	}
	call := func() { Gemm(NoTrans, tB, m, n, k, 1, a, k, b, ldb, 0, c, n) }
	call()
	if allocs := testing.AllocsPerRun(20, call); allocs != 0 {
		t.Errorf("%dx%dx%d: %v allocs per call, want 0", m, k, n, allocs)
	}
}

// TestGemmTransposedRoute: the products transposeWins routes through Cᵀ (A
// transposed, few columns: weight gradients of narrow layers; up to 10
// columns in one pass where the level has transCols) against the
// reference at every level, with row counts on and off the transpose's
// blocks, every column count up to 17, padded leading dimensions, alpha and
// beta in {0, 1, -1, 0.5}, and NaN in C where beta is 0.
func TestGemmTransposedRoute(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		routed, fused := 0, 0
		for _, m := range []int{64, 100, 128, 130} {
			for n := 1; n <= 17; n++ {
				for _, k := range []int{16, 64, 101} {
					for _, ab := range [][2]float64{{1, 0}, {0.5, 1}, {-1, -1}, {1, 0.5}} {
						tc := gemmCase{tA: Trans, tB: NoTrans, m: m, n: n, k: k, alpha: ab[0], beta: ab[1],
							padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3), nanC: ab[1] == 0}
						checkGemmCase[float32](t, rng, tc)
						checkGemmCase[float64](t, rng, tc)
					}
					if table[float32]().gemm.transposeWins(m, n, k) {
						routed++
					}
					if g := table[float64]().gemm; g.transCols != nil && n <= g.transColsN && g.transposeWins(m, n, k) {
						fused++
					}
				}
			}
		}
		if ISA() == AVX512 && (routed == 0 || fused == 0) {
			t.Errorf("shapes that took the transposed route on AVX-512: %d, of them in one pass (transCols) %d", routed, fused)
		}
	})
}
