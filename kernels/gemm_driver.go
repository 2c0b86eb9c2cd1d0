package kernels

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// The BLIS design (Goto and van de Geijn; Van Zee and van de Geijn): five
// loops around an MR×NR microkernel that keeps a tile of C in registers for
// a whole KC-long run of the inner product.
//
//	for jc over N in steps of NC:             B block KC×NC lives in L3
//	  for pc over K in steps of KC:           pack B(pc, jc) into KC×NR panels
//	    for ic over M in steps of MC:         pack A(ic, pc) into MR×KC panels (L2)
//	      for jr over NC in steps of NR:      one KC×NR panel of B stays in L1
//	        for ir over MC in steps of MR:    stream MR×KC panels of A from L2
//	          microkernel: C(MR×NR) = alpha·A·B + beta·C
//
// Packing absorbs the transposes (the microkernel only ever sees packed,
// unit-stride panels) and pads the edges with zeros, so the microkernel
// always runs a full tile: a partial tile at the bottom or right edge of C is
// written by a masked edge kernel (AVX-512) or computed into a scratch tile
// and written back partially (AVX2, Go). beta is applied
// on the first KC block only; later blocks accumulate (beta = 1). KC is
// split evenly (k = 784 runs as 2×392), so no block is left with a few
// steps that pay a whole tile's load and store of C. On AVX-512 and AVX2
// the packing is assembly too (packAN, packBN, packBNP, packBTR; AVX2 packs
// partial B panels in Go): in Go it took 14% of a 1024³ f32 product's time
// on AVX-512 and 11% on AVX2, in assembly about 4%. On AVX2 and AVX-512 the full tiles of a column
// of C run in one call (microTiles).
//
// Two shortcuts change no bit of the result: operands up to 4 MiB (B up to
// 1 MiB where it is packed in assembly) are read where they lie by the
// microRows/microCols kernels instead of being packed (packing a 64×784
// batch costs as much as a third of its product; see block), and a product
// with few columns (an output layer's 10) or a small
// A runs on the level's narrow tile, which pads it less (or, on AVX-512, on
// its 8-row mid tile: 32 or 64 rows). A small A·B of whole tiles on one
// goroutine skips the loops altogether (wholeTiles).
//
// Each level's block sizes are in its gemmKernel (gemm_generic.go and
// wire_gemm_amd64.go) with the cache reasoning for the machine we tune on
// (Zen 5: 48 KiB L1D, 1 MiB L2 per core, 32 MiB L3 per CCD).

// gemmKernel is one level's GEMM for one element type: its microkernel and
// block sizes, and pools for packing buffers and call records.
type gemmKernel[T Float] struct {
	mr, nr     int // microkernel tile
	kc, mc, nc int // cache blocks; mc is a multiple of mr, nc of nr
	// micro sets the mr×nr tile at c (row stride ldc) to
	// alpha·Σ_p a[p*mr+i]·b[p*nr+j] + beta·c, reading nothing of c when beta
	// is 0. len(a) = kc*mr, len(b) = kc*nr, kc ≥ 1, len(c) = (mr-1)*ldc+nr.
	micro func(kc int, a, b, c []T, ldc int, alpha, beta T)
	// microTiles, if not nil, is micro for n full tiles down a column of
	// C in one call: tile t reads a[t*kc*mr:] and sets c[t*mr*ldc:], all
	// with the same b; len(a) = n*kc*mr, len(c) = (n*mr-1)*ldc+nr.
	microTiles func(n, kc int, a, b, c []T, ldc int, alpha, beta T)
	// microRowsTiles and microColsTiles, if not nil, are microRows and
	// microCols for n full tiles down a column of C: tile t reads A from
	// a[t*mr*lda:] (rows) or a[t*mr:] (cols) and sets c[t*mr*ldc:].
	microRowsTiles, microColsTiles func(n, kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T)
	// microRows, if not nil, is micro reading op(A) = A where it lies
	// (a[i*lda+p]) and B either packed (ldb = nr) or where it lies
	// (b[p*ldb+j], op(B) = B); the same FMAs in the same order as micro, so
	// the same bits. len(a) = (mr-1)*lda+kc, len(b) = (kc-1)*ldb+nr.
	microRows func(kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T)
	// microCols, if not nil, is microRows for op(A) = Aᵀ read where it
	// lies: op(A)(i, p) = a[p*lda+i] (a packed panel is lda = mr);
	// len(a) = (kc-1)*lda+mr.
	microCols func(kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T)
	// The Edge kernels, if not nil, are micro, microRows and microCols for
	// an edge tile: they read and write only its first mm rows and nn
	// columns of C (opmasks), so the tile needs no scratch and no copy;
	// len(c) = (mm-1)*ldc+nn.
	microEdge                    func(kc int, a, b, c []T, ldc int, alpha, beta T, mm, nn int)
	microRowsEdge, microColsEdge func(kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, mm, nn int)
	// packBT, if not nil, packs one panel of op(B) = Bᵀ, whose columns
	// are rows of B, with vector gathers: dst[p*nr+c] = src[c*ld+p] for c <
	// cols, p < kb, zero-padding columns up to nr. It needs kb, cols >= 1,
	// len(src) >= (cols-1)*ld+kb and (nr-1)*ld < 2^31. (Gathers measured
	// slower than the Go loop for the MR-wide panels of A.)
	packBT func(dst, src []T, ld, cols, kb int)
	// packBN, if not nil, packs one panel of op(B) = B: dst[p*nr+c] =
	// src[p*ld+c] for c < cols, zero for cols <= c < nr, p < kb (masked
	// vector loads). It needs kb, cols >= 1 and len(src) >= (kb-1)*ld+cols.
	packBN func(dst, src []T, ld, cols, kb int)
	// packBNP, if not nil, is packBN for whole panels at once, row by row
	// of B: dst[q*kb*nr+p*nr+c] = src[p*ld+q*nr+c] for q < panels. Down the
	// rows of one panel at a time, a row stride of a few KiB makes every
	// row a new page and a new prefetch stream: 1024² B packed at half the
	// speed.
	packBNP func(dst, src []T, ld, panels, kb int)
	// packAN, if not nil, packs one full mr-row panel of op(A) = A:
	// dst[p*mr+r] = src[r*ld+p] for r < mr, p < kb (a transpose in
	// registers, a vector's worth of columns at a time). It needs kb >= 1
	// and len(src) >= (mr-1)*ld+kb.
	packAN func(dst, src []T, ld, kb int)
	// packBTR, if not nil, packs w = min(16, nr) columns of op(B) = Bᵀ (w
	// rows of B) into a panel of row stride nr with packAN's register
	// transpose: dst[p*nr+c] = src[c*ld+p] for c < w, p < kb; a full panel
	// takes nr/w calls (the gathers of packBT stay for the partial last
	// panel).
	packBTR func(dst, src []T, ld, kb int)
	// transposeAdd, if not nil, finishes the transposed route
	// (runTransposed) in assembly: c[i*ldc+j] = t[j*ldt+i] (+ beta·c) for
	// i < rows, j < cols <= transposeRows, reading only t's cols rows;
	// nil: a Go loop does it.
	transposeAdd  func(c []T, ldc int, t []T, ldt int, rows, cols int, beta T)
	transposeRows int
	// transRowsC, if not nil, computes C = alpha·A·B + beta·C for B with
	// at most transRowsN columns (runTransRows) as tiles of Cᵀ, A read
	// where it lies and transposed in registers, each tile transposed back
	// into C: c[i*ldc+j] = alpha·Σ_p b[p*ldb+j]·a[i*lda+p] (+ beta·c) for i
	// < m, j < cols, p < kc, C not read when beta is 0. It reads whole
	// tiles of M = transRowsM rows of A, len(a) >= (⌈m/M⌉·M-1)*lda+kc, and
	// b[p*ldb+j] for every j < transRowsN; len(c) >= (m-1)*ldc+cols.
	transRowsC func(m, kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, cols int)
	transRowsN int
	transRowsM int
	// transRowsPack, if not nil where transRowsC is nil, is runTransRows'
	// other way (transRowsPackPart, on the transCols kernel): it packs
	// transRowsM = transColsM rows of A, dst[p*M+r] = src[r*ld+p] for r <
	// M, p < kb (a register transpose; kb >= 1, len(src) >= (M-1)*ld+kb),
	// into a buffer that stays in L1, and transCols computes that tile's
	// rows of C from it as from Aᵀ. transRowsN = transColsN.
	transRowsPack func(dst, src []T, ld, kb int)
	// transCols, if not nil, computes C = alpha·Aᵀ·B + beta·C for B with
	// at most transColsN columns whole (runTransCols): c[i*ldc+j] =
	// alpha·Σ_p b[p*ldb+j]·a[p*lda+i] (+ beta·c) for i < m, j < cols, p <
	// kc, transColsM rows of C a tile, C not read when beta is 0. It reads
	// b[p*ldb+j] for every j < transColsN; len(a) >= (kc-1)*lda+m, len(c)
	// >= (m-1)*ldc+cols.
	transCols  func(m, kc int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, cols int)
	transColsN int
	transColsM int

	// narrow, if not nil, is the same level's kernel with a narrower tile,
	// for products whose n is below 2·nr where it pads less: an MLP's output
	// layer with 10 columns fills 10/16 of a narrow tile but 10/32 of a
	// wide one. The choice depends on n alone, never on the threads.
	narrow *gemmKernel[T]
	// mid, if not nil, is the same level's kernel with fewer rows and the
	// same columns (AVX-512: 8 rows against 10), for small products whose
	// rows it fills better: 32 and 64 rows fill 80% and 91% of 10-row
	// tiles (the last tile computes 10 rows for 2 or 4), all of 8-row ones.
	// Chosen, as narrow, by fill discounted by speed, on the shape alone.
	mid *gemmKernel[T]
	// speed is a narrow kernel's FMA rate relative to its wide kernel's:
	// 0.8 for AVX2 12×8 (a broadcast per FMA; L1-resident panels), 0.85 for
	// AVX-512 16×16 (17 loads per 16 FMAs against 12 per 20 for 10×32;
	// measured in whole products: 256×128×784 NT 0.83 → 0.96 of OpenBLAS,
	// 64×784×128 1.09 → 1.18, 784×64×128 TN 0.95 → 1.08 on the wide tile).
	speed float64

	// Free lists rather than sync.Pools: a pool drops its contents at every
	// garbage collection, and packing buffers of a few MiB would then be
	// reallocated in a steady stream of calls.
	works freeList[gemmWork[T]]
	calls freeList[gemmCall[T]]
}

// freeList is a mutex-guarded stack of reusable *E; get returns a new E
// when it is empty. One item waits in slot, taken and returned with one
// atomic swap each, so a one-goroutine call skips the mutex: its lock and
// unlock (a call record and a work buffer per call) were 7% of the time of
// 32³ and 64³ f32 products on AVX-512 (CPU profile).
type freeList[E any] struct {
	slot  atomic.Pointer[E]
	mu    sync.Mutex
	items []*E
}

func (f *freeList[E]) get() *E {
	if e := f.slot.Swap(nil); e != nil {
		return e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.items); n > 0 {
		e := f.items[n-1]
		f.items = f.items[:n-1]
		return e
	}
	return new(E)
}

func (f *freeList[E]) put(e *E) {
	if f.slot.CompareAndSwap(nil, e) {
		return
	}
	f.mu.Lock()
	f.items = append(f.items, e)
	f.mu.Unlock()
}

// gemmWork holds one goroutine's packing buffers; they only grow, and are
// pooled, so a steady stream of calls allocates nothing.
type gemmWork[T Float] struct {
	a, b, tile []T
	t          []T // Cᵀ for the transposed routes (runTransposed, runTransRows)
}

func grow[T Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// gemmCall is one Gemm call's arguments and its split over goroutines.
type gemmCall[T Float] struct {
	g              *gemmKernel[T]
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int
	pm, pn         int          // the grid of parts: pm along M, pn along N
	transRows      bool         // parts of runTransRows rather than of block
	transCols      bool         // parts of runTransCols
	job            *parallelJob // kept from call to call (runParallel)
}

// parallelJob returns the record's part counter, made on first use and
// kept from call to call (see parallelJob's generations).
func (cl *gemmCall[T]) parallelJob() *parallelJob {
	if cl.job == nil {
		cl.job = new(parallelJob)
	}
	return cl.job
}

// gemmDirect lets levels with a microRows kernel skip packing small
// operands; tests turn it off to check that both paths give the same bits.
var gemmDirect = true

// gemmDirectMax is the largest operand (bytes) read where it lies (B: see
// gemmDirectBMax). Measured with the Go packing loops (one thread, f32/f64
// GFLOP/s, packed → direct): 256×784×128 81/33 → 105/51, 600³ 95/49 →
// 107/53, 1000³ 92/46 → 93/48, 2000×500×300 75/39 → 80/39; never slower up
// to 4 MiB.
const gemmDirectMax = 4 << 20

// gemmDirectBMax is the largest B (bytes) read where it lies by a level
// that packs B in assembly (packBNP; the others keep gemmDirectMax). A
// panel of B read in place spans kb rows of B: with B past a few hundred
// KiB its rows are KiBs apart, every row of the panel a new page and a new
// stream, and packing (a few % of the product in assembly) wins. Measured
// on the AVX-512 10×32 tile, one thread, f32, as a ratio to OpenBLAS in the
// same run: 1000³ (B 4 MB) direct 0.90×, packed 0.99×; 600³ (1.4 MB) 0.97×
// → 1.0×; 256×784×128 (400 KB) 1.10× either way.
const gemmDirectBMax = 1 << 20

// gemmMinPerThread is the work (multiply-adds) each goroutine must have
// for another to pay for itself. With workers that were parked, handing a
// part over cost the wake-up of another core, which on the VM we tune on
// (Zen 5, 2 vCPUs) took tens of µs, so a second goroutine started only at
// 2×2^24 = 33.5M multiply-adds (two threads ran 0.85× one at 64×784×128,
// 0.93× at 256³ alternating call by call). Now the caller claims parts
// too, so it never waits for a parked worker (cold calls, 1 ms apart, run
// at 0.98–1.01× one thread from 128³ to 512³), and a worker that has run
// parts polls for the next call's for workerSpin, so back-to-back calls
// hand over in about a µs. Two threads against one
// (BenchmarkGemmThreads, AVX-512, f32 / f64), second goroutine from 2^21,
// 2^22 and 2^24 multiply-adds each: 256³ 1.79/1.86, 1.52/1.68, 1.00/1.03;
// 256×784×128 1.69/1.73, 1.50/1.85, 0.98/0.92; 784×256×128 TN 1.77/1.84,
// 1.73/1.87, 1.02/1.06; 256×128×784 NT 1.14/1.09, 1.72/1.94, 0.99/1.07;
// but from 2^21, 64×128×784 NT 0.66/0.68 (split along M, each part packs
// all of Bᵀ) where 2^22 does not split it. So 2^22: a second goroutine
// from 8.4M multiply-adds (about 80 µs of float32 on one core). A variable
// only so that tests can split small products.
var gemmMinPerThread = 1 << 22

func (g *gemmKernel[T]) run(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	// Below two goroutines' worth of work the answer is one whatever
	// Threads says, and Threads reads GOMAXPROCS under the scheduler's
	// lock: 3% of the time of 32³ and 64³ f32 products (CPU profile).
	threads := 1
	if m*n*k >= 2*gemmMinPerThread {
		threads = g.threadsFor(transA, m, n, k, lda)
	}
	g.runThreads(threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmPackedFactor multiplies gemmMinPerThread for a product whose A is
// packed although the level could read it in place (block's directA: A
// over gemmDirectMax, or its row stride a multiple of 4 KiB): there each
// part packs its share of A, and of B all its columns, and on the machine
// we tune on (Zen 5, 2 vCPUs) two goroutines packing at once ran their
// packing 3-5x slower per byte than one (CPU profiles of 256×512×64
// float64: the packing took 32 µs of CPU per call on one goroutine, 146
// µs on two). Two goroutines against one, steady state, float32 and
// float64 with A's rows 4 KiB apart: 8.4M multiply-adds 0.78-0.90x,
// 16.8M 0.86-1.23x, 33.5M 1.24-1.35x. So such a product needs 4 times
// the work per goroutine (a second one from 33.5M multiply-adds). With A
// read in place the threshold stays: 256×520×64 float64 ran 1.3-1.7x on
// two.
const gemmPackedFactor = 4

// threadsFor is the number of goroutines for a product of m*n*k >=
// 2*gemmMinPerThread multiply-adds: Threads(), capped so that each has
// its share of work (see gemmPackedFactor).
func (g *gemmKernel[T]) threadsFor(transA bool, m, n, k, lda int) int {
	per := gemmMinPerThread
	micro := g.microRows
	if transA {
		micro = g.microCols
	}
	var z T
	size := int(unsafe.Sizeof(z))
	if micro != nil && (!gemmDirect || m*k*size > gemmDirectMax || lda*size%4096 == 0) {
		per *= gemmPackedFactor
	}
	return max(1, min(Threads(), m*n*k/per))
}

func (g *gemmKernel[T]) runThreads(threads int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	// Few columns pad a wide tile: an MLP's 10-class layer fills 10/32 of
	// a 10×32 tile. The narrow tile (one vector of B per step) pads them
	// less, and it may fit a small A's rows better; but it reads A twice
	// as often per FMA, so it is only for small A or few columns, and only
	// where its fill, discounted by its speed, beats the wide tile's.
	// (Computing Cᵀ = op(B)ᵀ·op(A)ᵀ on the wide tile instead, rows along n,
	// was measured no faster: the transposed write-back of every tile ate
	// the gain.) The choice depends on the shape alone, never on the
	// threads.
	// The transposed route (transposeWins) is for Aᵀ·B, whose Bᵀ·A packs
	// A's rows as its B operand (in one pass, with C stored from the tiles
	// of Cᵀ, where the level has transCols: runTransCols); A·B takes it
	// only where the level has transRowsC (AVX-512: A transposed in
	// registers as the kernel goes) or transRowsPack (AVX2: one tile of A's
	// rows at a time transposed into an L1 buffer for the transCols
	// kernel), both through runTransRows. Through runTransposed, A·B would
	// pack all of Aᵀ in a pass of its own:
	// with gathers that measured slower than the direct route (64×128×10
	// float64 on AVX-512: 4.5–5.5 µs against 2.8), and even transposed in
	// registers (packBTR) it only traded the padding for the pass
	// (against OpenBLAS 64×128×10 0.84 → 0.85, 256×128×10 0.88 → 0.81).
	if transA && !transB && g.transposeWins(m, n, k) {
		// One pass only where K is one block of the two-pass route's
		// product (Bᵀ·A, on the kernel choose picks for it): over several
		// blocks that route adds beta·C after the last, which the one pass
		// cannot do without Cᵀ in memory, and its second pass is then a
		// small share of the work.
		if g.transCols != nil && n <= g.transColsN && k <= g.choose(n, m, k).kc {
			g.runTransCols(threads, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
		g.runTransposed(threads, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if !transA && !transB && (g.transRowsC != nil || g.transRowsPack != nil) && n <= g.transRowsN && g.transposeWins(m, n, k) {
		g.runTransRows(threads, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	g = g.choose(m, n, k)
	pm, pn := g.split(m, n, k, threads)
	if pm*pn == 1 && g.wholeTiles(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	if pm*pn == 1 {
		// One part (every product below 2×gemmMinPerThread): the block
		// runs here, without the hand-off of runParallel (part of the
		// per-call cost that made 32³ and 64³ 0.85× OpenBLAS; see
		// freeList's slot, which makes the call record's get and put one
		// atomic operation each). The record comes from the free list as
		// for several parts, which keeps its parallelJob for them.
		cl := g.calls.get()
		*cl = gemmCall[T]{g: g, transA: transA, transB: transB, m: m, n: n, k: k,
			alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, pm: 1, pn: 1, job: cl.job}
		w := g.works.get()
		g.block(w, cl, 0, m, 0, n)
		g.works.put(w)
		cl.a, cl.b, cl.c = nil, nil, nil // do not keep the caller's memory alive
		g.calls.put(cl)
		return
	}
	cl := g.calls.get()
	*cl = gemmCall[T]{g: g, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, job: cl.job}
	cl.pm, cl.pn = pm, pn
	runParallel(cl, cl.pm*cl.pn, cl.parallelJob())
	cl.a, cl.b, cl.c = nil, nil, nil // do not keep the caller's memory alive
	g.calls.put(cl)
}

// wholeTiles runs a small A·B of whole tiles (m a multiple of mr, n of
// nr, k within one KC block) as block does with A and B read in place, one
// microRowsTiles call per column of tiles, and reports whether it did. It
// makes the calls block would make, so the same bits, but without a
// packing buffer to borrow and block's loop nest around them: timed
// alternately with OpenBLAS, each call after a clock read (a system call),
// that cold branchy code cost 32³ and 64³ a few % more than in a tight
// loop.
func (g *gemmKernel[T]) wholeTiles(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) bool {
	if transA || transB || g.microRowsTiles == nil || !gemmDirect ||
		m%g.mr != 0 || n%g.nr != 0 || k > g.kc || m > g.mc || n > g.nc {
		return false
	}
	// block's conditions for reading A and B in place.
	var z T
	size := int(unsafe.Sizeof(z))
	directBMax := gemmDirectMax
	if g.packBNP != nil {
		directBMax = gemmDirectBMax
	}
	if m*k*size > gemmDirectMax || lda*size%4096 == 0 ||
		k*n*size > directBMax || ldb*size%4096 == 0 {
		return false
	}
	a = a[:(m-1)*lda+k]
	for jr := 0; jr < n; jr += g.nr {
		g.microRowsTiles(m/g.mr, k, a, lda, b[jr:(k-1)*ldb+jr+g.nr], ldb, c[jr:(m-1)*ldc+jr+g.nr], ldc, alpha, beta)
	}
	return true
}

// choose returns the tile for an m×n×k product that is not routed
// transposed: g, its narrow or its mid kernel, whichever fills the tiles
// of C best once discounted by its speed (see runThreads). It depends on
// the shape alone, never on the threads.
func (g *gemmKernel[T]) choose(m, n, k int) *gemmKernel[T] {
	var z T
	small := m*k*int(unsafe.Sizeof(z)) <= 256<<10 // A stays in L2
	best := gemmFill(m, n, g.mr, g.nr)
	pick := g
	if nw := g.narrow; nw != nil && (small || n < 2*g.nr) {
		if f := nw.speed * gemmFill(m, n, nw.mr, nw.nr); f > best {
			best, pick = f, nw
		}
	}
	if md := g.mid; md != nil && small {
		if f := md.speed * gemmFill(m, n, md.mr, md.nr); f > best {
			best, pick = f, md
		}
	}
	return pick
}

// gemmTransposeMax bounds the transposed route's scratch (elements): 4 MiB
// of float32, so m up to 65536 rows.
const gemmTransposeMax = 1 << 20

// gemmTransposeGain is how much better the transposed route must fill the
// tiles than the direct one (narrow tile included, discounted by its speed)
// to pay for transposing the result.
const gemmTransposeGain = 1.25

// transposeWins reports whether C = Aᵀ·B with few columns and many rows (a
// layer's weight gradient Xᵀ·dY with few outputs, like an MLP's 10 classes)
// is better computed as Cᵀ = Bᵀ·A, whose few rows fill the level's wide
// tile (10 of 10 rows on AVX-512, where the direct route fills 10 of 16
// columns of the narrow tile), and transposed into C (in registers on
// AVX-512, GemmTransposeAdd; a Go loop elsewhere). Measured, one goroutine,
// direct against routed: AVX-512 float32 128×64×10 1.44 against 1.03 µs and
// 128×256×10 5.3–5.7 against 3.1 µs; AVX2 3.4–3.8 against 3.2 µs and 12.2
// against 9.3–9.9 µs. Against OpenBLAS-SkylakeX that took these products
// from 0.74–0.83× to 1.04–1.35× (float32 and float64).
func (g *gemmKernel[T]) transposeWins(m, n, k int) bool {
	// The scratch Cᵀ (16 rows of m, pooled and never shrunk) stays within
	// gemmTransposeMax elements.
	if n > 16 || m < 4*n || k < 16 || 16*m > gemmTransposeMax {
		return false
	}
	direct := gemmFill(m, n, g.mr, g.nr)
	if nw := g.narrow; nw != nil {
		direct = max(direct, nw.speed*gemmFill(m, n, nw.mr, nw.nr))
	}
	return gemmFill(n, m, g.mr, g.nr) > gemmTransposeGain*direct
}

// runTransposed computes C = alpha·Aᵀ·B + beta·C as T = alpha·Bᵀ·A (n×m,
// in a pooled buffer), then C = Tᵀ + beta·C (C not read when beta is 0).
func (g *gemmKernel[T]) runTransposed(threads, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	w := g.works.get()
	defer g.works.put(w)
	L := max(g.transposeRows, 1)
	w.t = grow(w.t, n*m)
	t := w.t
	// op(A') = Bᵀ (B is k×n), op(B') = A (A is k×m): an n×m product, which
	// transposeWins never routes again (its n' = m is not few).
	g.runThreads(threads, true, false, n, m, k, alpha, b, ldb, a, lda, 0, t, m)
	if g.transposeAdd != nil {
		for j0 := 0; j0 < n; j0 += L {
			cols := min(L, n-j0)
			g.transposeAdd(c[j0:(m-1)*ldc+j0+cols], ldc, t[j0*m:(j0+cols)*m], m, m, cols, beta)
		}
		return
	}
	for j := 0; j < n; j++ {
		tr := t[j*m : j*m+m]
		cj := c[j:]
		if beta == 0 {
			for i, v := range tr {
				cj[i*ldc] = v
			}
			continue
		}
		for i, v := range tr {
			cj[i*ldc] = v + beta*cj[i*ldc]
		}
	}
}

// runTransRows computes C = alpha·A·B + beta·C for few columns (n <=
// transRowsN) as tiles of Cᵀ = alpha·Bᵀ·Aᵀ, whose n rows fill the tile
// where C's n columns fill 10 of 16 lanes, each transposed back in
// registers and stored to C (transRowsC). The kernel reads A where it lies
// and transposes it in registers (float64 8×8 blocks, float32 16 rows by
// 8 steps): packing Aᵀ first (packBTR, then the wide tile) measured no
// faster than the direct route, 256×128×10 float64 4.0 µs of packing and
// 5.0 of product against 8.9–9.8 µs. Against OpenBLAS-SkylakeX, one
// goroutine: float64 (Zen 5, storing Cᵀ for a second pass then)
// 64×128×10 0.84–0.88 → 1.14–1.17×, 256×128×10 0.88 → 1.15–1.20×;
// float32 (Zen 4, 0.93–0.97× at 10 of 16 lanes) 1.24–1.31× and
// 1.38–1.47× with the second pass (see the README for the one-pass
// figures). Where the level has no transRowsC (AVX2), transRowsPackPart
// packs one tile of A's rows at a time, transposed, into a buffer that
// stays in L1 and runs the transCols kernel on it: against
// OpenBLAS-Haswell, one goroutine (Zen 4), float32 64×128×10
// 0.76–0.81 → 1.12–1.14×, 256×128×10 0.81 → 1.13–1.14×; float64
// 0.99 → 1.31–1.38× and 1.10 → 1.38–1.42×. Either way K runs in the
// direct route's blocks and its FMAs are the direct route's in the same
// order, so C is the same bits (on AVX2 up to the rounding of beta·C,
// which the direct route's Go edge write-back adds apart). The parts split
// M in whole tiles, so every element of C is computed alike for any
// number of threads.
func (g *gemmKernel[T]) runTransRows(threads, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	g.runTileRows(threads, false, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// runTileRows runs runTransRows (cols false) or runTransCols in parts of
// whole tiles of rows, on this goroutine when there is one part (as in
// runThreads).
func (g *gemmKernel[T]) runTileRows(threads int, cols bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	tm := g.transRowsM
	if cols {
		tm = g.transColsM
	}
	parts := max(1, min(threads, m*n*k/gemmMinPerThread, ceilDiv(m, tm)))
	cl := g.calls.get()
	*cl = gemmCall[T]{g: g, transRows: !cols, transCols: cols, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, pm: 1, pn: 1, job: cl.job}
	if parts == 1 {
		cl.runPart(0)
	} else {
		cl.pm = parts
		runParallel(cl, parts, cl.parallelJob())
	}
	cl.a, cl.b, cl.c = nil, nil, nil
	g.calls.put(cl)
}

// bColumns returns the k×n matrix b (row stride ldb) with R columns, for
// the kernels that read R of them: b itself when n = R, else a copy in w
// with the columns from n on zero.
func (w *gemmWork[T]) bColumns(b []T, ldb, k, n, R int) ([]T, int) {
	if n >= R {
		return b[:(k-1)*ldb+R], ldb
	}
	w.b = grow(w.b, k*R)
	for p := 0; p < k; p++ {
		copy(w.b[p*R:p*R+n], b[p*ldb:p*ldb+n])
		clear(w.b[p*R+n : p*R+R])
	}
	return w.b[:k*R], R
}

// transRowsPart is the part of runTransRows for rows i0..i1 of C.
func (g *gemmKernel[T]) transRowsPart(w *gemmWork[T], cl *gemmCall[T], i0, i1 int) {
	if g.transRowsC == nil {
		g.transRowsPackPart(w, cl, i0, i1)
		return
	}
	tm, R := g.transRowsM, g.transRowsN
	n, k, lda := cl.n, cl.k, cl.lda
	nt, r := (i1-i0)/tm, (i1-i0)%tm // whole tiles, rows left
	bp, ldbp := w.bColumns(cl.b, cl.ldb, k, n, R)
	c, ldc := cl.c, cl.ldc
	if r > 0 {
		// The last rows, copied into tm zero-padded rows (the kernel
		// reads whole tiles).
		w.a = grow(w.a, tm*k)
		for i := 0; i < tm; i++ {
			row := w.a[i*k : i*k+k]
			if i < r {
				src := (i1 - r + i) * lda
				copy(row, cl.a[src:src+k])
			} else {
				clear(row)
			}
		}
	}
	// K in the direct route's blocks, as transRowsPackPart.
	kcb := ceilDiv(k, ceilDiv(k, g.choose(cl.m, n, k).kc))
	for pc := 0; pc < k; pc += kcb {
		kb := min(kcb, k-pc)
		beta := cl.beta
		if pc > 0 {
			beta = 1
		}
		b := bp[pc*ldbp : (pc+kb-1)*ldbp+R]
		if nt > 0 {
			a := cl.a[i0*lda+pc : (i0+nt*tm-1)*lda+pc+kb]
			g.transRowsC(nt*tm, kb, a, lda, b, ldbp, c[i0*ldc:(i0+nt*tm-1)*ldc+n], ldc, cl.alpha, beta, n)
		}
		if r > 0 {
			g.transRowsC(r, kb, w.a[pc:(tm-1)*k+pc+kb], k, b, ldbp, c[(i1-r)*ldc:(i1-1)*ldc+n], ldc, cl.alpha, beta, n)
		}
	}
}

// transRowsPackPart is transRowsPart where the level has no transRowsC
// (AVX2: ten accumulators and a register transpose of A do not fit in 16
// ymm registers): for each tile of tm rows of C, the tile's rows of A are
// packed transposed (transRowsPack) into a tm×kb buffer that stays in L1,
// and transCols computes the tile from it as from Aᵀ. K runs in the
// direct route's blocks (those of the kernel choose picks), beta applied
// to the first and 1 to the rest, so C is the direct route's bits where
// beta is 0, and within one rounding of beta·C otherwise (the direct
// route's Go edge write-back rounds t and t+beta·c apart, the kernel
// fuses them).
func (g *gemmKernel[T]) transRowsPackPart(w *gemmWork[T], cl *gemmCall[T], i0, i1 int) {
	tm := g.transRowsM
	n, k, lda := cl.n, cl.k, cl.lda
	bp, ldbp := w.bColumns(cl.b, cl.ldb, k, n, g.transRowsN)
	kcb := ceilDiv(k, ceilDiv(k, g.choose(cl.m, n, k).kc))
	w.a = grow(w.a, tm*kcb)
	c, ldc := cl.c, cl.ldc
	for i := i0; i < i1; i += tm {
		r := min(tm, i1-i)
		ct := c[i*ldc : (i+r-1)*ldc+n]
		for pc := 0; pc < k; pc += kcb {
			kb := min(kcb, k-pc)
			pa := w.a[:tm*kb]
			if r == tm {
				g.transRowsPack(pa, cl.a[i*lda+pc:(i+tm-1)*lda+pc+kb], lda, kb)
			} else {
				// The last rows, zero-padded to a whole tile.
				clear(pa)
				for ii := 0; ii < r; ii++ {
					row := cl.a[(i+ii)*lda+pc : (i+ii)*lda+pc+kb]
					for p, v := range row {
						pa[p*tm+ii] = v
					}
				}
			}
			beta := cl.beta
			if pc > 0 {
				beta = 1
			}
			g.transCols(r, kb, pa, tm, bp[pc*ldbp:(pc+kb-1)*ldbp+g.transRowsN], ldbp, ct, ldc, cl.alpha, beta, n)
		}
	}
}

// runTransCols computes C = alpha·Aᵀ·B + beta·C for few columns (n <=
// transColsN) in one pass: the transposed route's product T = Cᵀ =
// alpha·Bᵀ·A, with C's n columns on the rows of the tile and A's rows as
// its vectors, but each tile transposed in registers and stored to C as it
// is done, where runTransposed stores T and then makes a second pass,
// GemmTransposeAdd, over T and C. Its FMAs and its beta are those of
// runTransposed, so C is the same bits. 128×64×10 float64 (Zen 4, one
// goroutine) against OpenBLAS-SkylakeX: 0.90–0.91× → 1.02–1.03×. The
// parts split M in whole tiles.
func (g *gemmKernel[T]) runTransCols(threads, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	g.runTileRows(threads, true, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// transColsPart is the part of runTransCols for rows i0..i1 of C.
func (g *gemmKernel[T]) transColsPart(w *gemmWork[T], cl *gemmCall[T], i0, i1 int) {
	R := g.transColsN
	n, k, lda := cl.n, cl.k, cl.lda
	bp, ldbp := w.bColumns(cl.b, cl.ldb, k, n, R)
	g.transCols(i1-i0, k, cl.a[i0:(k-1)*lda+i1], lda, bp, ldbp, cl.c[i0*cl.ldc:(i1-1)*cl.ldc+n], cl.ldc, cl.alpha, cl.beta, n)
}

// gemmFill is the share of an m×n product's tiles that is real work.
func gemmFill(m, n, mr, nr int) float64 {
	return float64(m*n) / float64(ceilDiv(m, mr)*mr*ceilDiv(n, nr)*nr)
}

// split chooses the grid of parts (pm×pn ≤ threads) that minimises the
// largest part in whole tiles, so that every part starts on a tile boundary
// of C: then every element of C is computed by the same tile, in the same
// order, whatever the number of threads.
func (g *gemmKernel[T]) split(m, n, k, threads int) (pm, pn int) {
	if threads <= 1 {
		return 1, 1 // without the divisions below: every ns counts at 32³
	}
	work := m * n * k
	if threads > work/gemmMinPerThread {
		threads = work / gemmMinPerThread
	}
	tm, tn := ceilDiv(m, g.mr), ceilDiv(n, g.nr)
	pm, pn = 1, 1
	best := tm * tn
	for p := 2; p <= threads; p++ {
		for i := 1; i <= p; i++ {
			if p%i != 0 || i > tm || p/i > tn {
				continue
			}
			j := p / i
			largest := ceilDiv(tm, i) * ceilDiv(tn, j)
			// Prefer more parts only when they shrink the largest one;
			// on a tie prefer splitting N (each part then packs less of B).
			if largest < best || largest == best && i*j == pm*pn && j > pn {
				best, pm, pn = largest, i, j
			}
		}
	}
	return pm, pn
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// runPart computes the part-th block of C.
func (cl *gemmCall[T]) runPart(part int) {
	g := cl.g
	if cl.transCols || cl.transRows {
		// Parts of whole tiles of tm rows.
		tm, run := g.transRowsM, g.transRowsPart
		if cl.transCols {
			tm, run = g.transColsM, g.transColsPart
		}
		nt := ceilDiv(cl.m, tm)
		i0 := part * nt / cl.pm * tm
		i1 := min((part+1)*nt/cl.pm*tm, cl.m)
		w := g.works.get()
		run(w, cl, i0, i1)
		g.works.put(w)
		return
	}
	pi, pj := part/cl.pn, part%cl.pn
	tm, tn := ceilDiv(cl.m, g.mr), ceilDiv(cl.n, g.nr)
	i0, i1 := pi*tm/cl.pm*g.mr, min((pi+1)*tm/cl.pm*g.mr, cl.m)
	j0, j1 := pj*tn/cl.pn*g.nr, min((pj+1)*tn/cl.pn*g.nr, cl.n)
	w := g.works.get()
	g.block(w, cl, i0, i1, j0, j1)
	g.works.put(w)
}

// block runs the five loops on rows i0..i1 and columns j0..j1 of C.
func (g *gemmKernel[T]) block(w *gemmWork[T], cl *gemmCall[T], i0, i1, j0, j1 int) {
	mr, nr := g.mr, g.nr
	w.tile = grow(w.tile, mr*nr)
	// Operands up to gemmDirectMax are read where they lie instead of
	// being packed (microRows/microCols; the same FMAs in the same order,
	// so the same bits): the blocks the loops reuse stay in L1/L2 either
	// way, and the hardware prefetchers follow a few dozen row streams, so
	// packing buys nothing and costs up to a third of the product of a
	// 64-row batch. A row stride that is a multiple of 4 KiB would put
	// every row of a tile in one set of the 12-way L1, so those are packed
	// (the 1024² and 2048² squares). Direct B needs direct A (the kernels
	// that read B in place are the ones that read A in place), and B only up
	// to gemmDirectBMax where packing it is cheap; Bᵀ is always packed.
	var z T
	size := int(unsafe.Sizeof(z))
	microA := g.microRows
	if cl.transA {
		microA = g.microCols
	}
	directA := microA != nil && gemmDirect &&
		cl.m*cl.k*size <= gemmDirectMax && cl.lda*size%4096 != 0
	directBMax := gemmDirectMax
	if g.packBNP != nil {
		directBMax = gemmDirectBMax
	}
	directB := directA && !cl.transB &&
		cl.k*cl.n*size <= directBMax && cl.ldb*size%4096 != 0
	c, ldc := cl.c, cl.ldc
	for jc := j0; jc < j1; jc += g.nc {
		nb := min(g.nc, j1-jc)
		// K in equal blocks of at most KC (784 = 2×392, not 512+272: a
		// short last block would pay the C tile's load and store for few
		// FMAs). It depends on k alone, so every part blocks alike.
		kcb := ceilDiv(cl.k, ceilDiv(cl.k, g.kc))
		for pc := 0; pc < cl.k; pc += kcb {
			kb := min(kcb, cl.k-pc)
			if directB {
				w.b = grow(w.b, kb*nr) // the edge panel only
			} else {
				w.b = grow(w.b, kb*ceilDiv(nb, nr)*nr)
				packB(w.b, cl.b, cl.ldb, cl.transB, pc, kb, jc, nb, nr, g)
			}
			beta := cl.beta
			if pc > 0 {
				beta = 1
			}
			for ic := i0; ic < i1; ic += g.mc {
				mb := min(g.mc, i1-ic)
				switch {
				case !directA:
					w.a = grow(w.a, kb*ceilDiv(mb, mr)*mr)
					packA(w.a, cl.a, cl.lda, cl.transA, ic, mb, pc, kb, mr, g)
				case mb%mr != 0 && cl.transA:
					// The partial last row panel, packed (and zero-padded)
					// so that microCols runs it whole with lda = mr.
					w.a = grow(w.a, mr*kb)
					packA(w.a, cl.a, cl.lda, true, ic+mb-mb%mr, mb%mr, pc, kb, mr, g)
				case mb%mr != 0:
					// The partial last row panel, copied row-major and
					// padded with zero rows so microRows runs it whole.
					w.a = grow(w.a, mr*kb)
					last := mb - mb%mr
					for i := 0; i < mr; i++ {
						row := w.a[i*kb : i*kb+kb]
						if i < mb%mr {
							src := (ic+last+i)*cl.lda + pc
							copy(row, cl.a[src:src+kb])
						} else {
							clear(row)
						}
					}
				}
				for jr := 0; jr < nb; jr += nr {
					nn := min(nr, nb-jr)
					var bp []T
					ldbp := nr // a packed panel
					switch {
					case !directB:
						bp = w.b[jr*kb : jr*kb+kb*nr]
					case nn == nr:
						off := pc*cl.ldb + jc + jr
						bp, ldbp = cl.b[off:off+(kb-1)*cl.ldb+nr], cl.ldb
					default: // the partial last column panel, packed
						packB(w.b, cl.b, cl.ldb, false, pc, kb, jc+jr, nn, nr, g)
						bp = w.b[:kb*nr]
					}
					// The full tiles in one call where the level has the
					// kernels (the same FMAs as micro, tile by tile): the
					// calls and their bookkeeping in Go took 2% of a 1024³
					// f64 product on AVX2's 6×8 tile, and up to 8% of a
					// product with k = 128.
					ir0 := 0
					if nt := mb / mr; nn == nr && nt > 0 {
						off := ic*ldc + jc + jr
						ct := c[off : off+(nt*mr-1)*ldc+nr]
						switch {
						case !directA && g.microTiles != nil:
							g.microTiles(nt, kb, w.a[:nt*mr*kb], bp, ct, ldc, cl.alpha, beta)
							ir0 = nt * mr
						case directA && cl.transA && g.microColsTiles != nil:
							aoff := pc*cl.lda + ic
							g.microColsTiles(nt, kb, cl.a[aoff:aoff+(kb-1)*cl.lda+nt*mr], cl.lda, bp, ldbp, ct, ldc, cl.alpha, beta)
							ir0 = nt * mr
						case directA && !cl.transA && g.microRowsTiles != nil:
							aoff := ic*cl.lda + pc
							g.microRowsTiles(nt, kb, cl.a[aoff:aoff+(nt*mr-1)*cl.lda+kb], cl.lda, bp, ldbp, ct, ldc, cl.alpha, beta)
							ir0 = nt * mr
						}
					}
					for ir := ir0; ir < mb; ir += mr {
						mm := min(mr, mb-ir)
						// A full tile goes straight to C; an edge tile too where
						// the level has masked edge kernels, otherwise to the
						// scratch tile, written back partially after.
						full := mm == mr && nn == nr
						off := (ic+ir)*ldc + jc + jr
						if !full && g.microEdge != nil {
							ce := c[off : off+(mm-1)*ldc+nn]
							switch {
							case directA && mm == mr && cl.transA:
								aoff := pc*cl.lda + ic + ir
								g.microColsEdge(kb, cl.a[aoff:aoff+(kb-1)*cl.lda+mr], cl.lda, bp, ldbp, ce, ldc, cl.alpha, beta, mm, nn)
							case directA && mm == mr:
								aoff := (ic+ir)*cl.lda + pc
								g.microRowsEdge(kb, cl.a[aoff:aoff+(mr-1)*cl.lda+kb], cl.lda, bp, ldbp, ce, ldc, cl.alpha, beta, mm, nn)
							case directA && cl.transA:
								g.microColsEdge(kb, w.a[:mr*kb], mr, bp, ldbp, ce, ldc, cl.alpha, beta, mm, nn)
							case directA:
								g.microRowsEdge(kb, w.a[:mr*kb], kb, bp, ldbp, ce, ldc, cl.alpha, beta, mm, nn)
							default:
								g.microEdge(kb, w.a[ir*kb:ir*kb+kb*mr], bp, ce, ldc, cl.alpha, beta, mm, nn)
							}
							continue
						}
						cc, ldcc, bb := w.tile, nr, T(0)
						if full {
							cc, ldcc, bb = c[off:], ldc, beta
						}
						cc = cc[:(mr-1)*ldcc+nr]
						switch {
						case directA && mm == mr && cl.transA:
							aoff := pc*cl.lda + ic + ir
							microA(kb, cl.a[aoff:aoff+(kb-1)*cl.lda+mr], cl.lda, bp, ldbp, cc, ldcc, cl.alpha, bb)
						case directA && mm == mr:
							aoff := (ic+ir)*cl.lda + pc
							microA(kb, cl.a[aoff:aoff+(mr-1)*cl.lda+kb], cl.lda, bp, ldbp, cc, ldcc, cl.alpha, bb)
						case directA && cl.transA:
							microA(kb, w.a[:mr*kb], mr, bp, ldbp, cc, ldcc, cl.alpha, bb)
						case directA:
							microA(kb, w.a[:mr*kb], kb, bp, ldbp, cc, ldcc, cl.alpha, bb)
						default:
							g.micro(kb, w.a[ir*kb:ir*kb+kb*mr], bp, cc, ldcc, cl.alpha, bb)
						}
						if full {
							continue
						}
						t := w.tile
						for i := 0; i < mm; i++ {
							crow := c[off+i*ldc : off+i*ldc+nn]
							trow := t[i*nr : i*nr+nn]
							if beta == 0 {
								copy(crow, trow)
								continue
							}
							for j := range crow {
								crow[j] = beta*crow[j] + trow[j]
							}
						}
					}
				}
			}
		}
	}
}

// packA packs rows i0..i0+mb, columns p0..p0+kb of op(A) into MR×KC panels:
// panel q holds rows q*mr.. of the block, column by column (element (r, p)
// at q*mr*kb + p*mr + r), rows past the edge zero. It uses g's assembly
// packing where g has it (g nil: the Go loops only).
func packA[T Float](dst, a []T, lda int, trans bool, i0, mb, p0, kb, mr int, g *gemmKernel[T]) {
	for ir := 0; ir < mb; ir += mr {
		rows := min(mr, mb-ir)
		panel := dst[ir*kb : ir*kb+kb*mr]
		if !trans && rows == mr && g != nil && g.packAN != nil {
			base := (i0+ir)*lda + p0
			g.packAN(panel, a[base:base+(mr-1)*lda+kb], lda, kb)
			continue
		}
		if trans {
			// op(A)(i, p) = a[p*lda+i]: each column of the panel is a
			// contiguous run of a row of A.
			for p := 0; p < kb; p++ {
				src := a[(p0+p)*lda+i0+ir:]
				copy(panel[p*mr:p*mr+rows], src[:rows])
			}
		} else {
			// op(A)(i, p) = a[i*lda+p]: four rows at a time, so each pass
			// reads four sequential streams.
			r := 0
			for ; r+4 <= rows; r += 4 {
				base := (i0+ir+r)*lda + p0
				s0 := a[base : base+kb]
				s1 := a[base+lda : base+lda+kb]
				s2 := a[base+2*lda : base+2*lda+kb]
				s3 := a[base+3*lda : base+3*lda+kb]
				for p := range s0 {
					d := panel[p*mr+r : p*mr+r+4 : p*mr+r+4]
					d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
				}
			}
			for ; r < rows; r++ {
				base := (i0+ir+r)*lda + p0
				for p, v := range a[base : base+kb] {
					panel[p*mr+r] = v
				}
			}
		}
		if rows < mr {
			for p := 0; p < kb; p++ {
				clear(panel[p*mr+rows : p*mr+mr])
			}
		}
	}
}

// packB packs rows p0..p0+kb, columns j0..j0+nb of op(B) into KC×NR panels:
// panel q holds columns q*nr.. of the block, row by row (element (p, c) at
// q*nr*kb + p*nr + c), columns past the edge zero. It uses g's assembly
// packing where g has it (g nil: the Go loops only).
func packB[T Float](dst, b []T, ldb int, trans bool, p0, kb, j0, nb, nr int, g *gemmKernel[T]) {
	if g == nil {
		g = &gemmKernel[T]{}
	}
	jr := 0
	if q := nb / nr; !trans && g.packBNP != nil && q > 0 {
		base := p0*ldb + j0
		g.packBNP(dst[:q*kb*nr], b[base:base+(kb-1)*ldb+q*nr], ldb, q, kb)
		jr = q * nr
	}
	for ; jr < nb; jr += nr {
		cols := min(nr, nb-jr)
		panel := dst[jr*kb : jr*kb+kb*nr]
		if trans && cols == nr && g.packBTR != nil {
			bw := min(16, nr)
			for h := 0; h < nr; h += bw {
				base := (j0+jr+h)*ldb + p0
				g.packBTR(panel[h:(kb-1)*nr+h+bw], b[base:base+(bw-1)*ldb+kb], ldb, kb)
			}
			continue
		}
		if !trans && g.packBN != nil {
			base := p0*ldb + j0 + jr
			g.packBN(panel, b[base:base+(kb-1)*ldb+cols], ldb, cols, kb)
			continue
		}
		if trans && g.packBT != nil && int64((nr-1)*ldb) < 1<<31 {
			base := (j0+jr)*ldb + p0
			g.packBT(panel, b[base:base+(cols-1)*ldb+kb], ldb, cols, kb)
			continue
		}
		if !trans {
			for p := 0; p < kb; p++ {
				src := b[(p0+p)*ldb+j0+jr:]
				copy(panel[p*nr:p*nr+cols], src[:cols])
			}
		} else {
			// op(B)(p, j) = b[j*ldb+p]: a column of the panel is a
			// contiguous run of a row of B.
			for cc := 0; cc < cols; cc++ {
				base := (j0+jr+cc)*ldb + p0
				for p, v := range b[base : base+kb] {
					panel[p*nr+cc] = v
				}
			}
		}
		if cols < nr {
			for p := 0; p < kb; p++ {
				clear(panel[p*nr+cols : p*nr+nr])
			}
		}
	}
}
