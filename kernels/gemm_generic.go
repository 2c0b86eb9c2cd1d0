package kernels

// The pure-Go GEMM level: the same packed BLIS loops as the assembly levels
// around a 4×4 microkernel written in Go. 16 accumulators, 4 values of B and
// one of A just exceed amd64's 16 scalar FP registers, but 4×4 still does 16
// multiply-adds per 8 loads, twice the ratio of 4×2, and measures faster.
//
// Block sizes: a KC×NR panel of B (256·4·8 B = 8 KiB in float64) stays in
// L1 next to the A panel streaming through it; an MC×KC block of A (128·256·8
// B = 256 KiB) stays in L2; NC = 2048 columns of B (4 MiB) in L3. Scalar code
// is compute-bound long before these matter much.
func genericGemm[T Float]() *gemmKernel[T] {
	return &gemmKernel[T]{mr: 4, nr: 4, kc: 256, mc: 128, nc: 2048, micro: goGemmMicro4x4[T]}
}

func goGemmMicro4x4[T Float](kc int, a, b, c []T, ldc int, alpha, beta T) {
	a = a[:kc*4]
	b = b[:kc*4]
	var c00, c01, c02, c03 T
	var c10, c11, c12, c13 T
	var c20, c21, c22, c23 T
	var c30, c31, c32, c33 T
	for p := 0; p < kc; p++ {
		ap := a[p*4 : p*4+4 : p*4+4]
		bp := b[p*4 : p*4+4 : p*4+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := ap[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := ap[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := ap[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := ap[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	store := func(row []T, v0, v1, v2, v3 T) {
		row = row[:4:4]
		if beta == 0 {
			row[0], row[1], row[2], row[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
			return
		}
		row[0] = alpha*v0 + beta*row[0]
		row[1] = alpha*v1 + beta*row[1]
		row[2] = alpha*v2 + beta*row[2]
		row[3] = alpha*v3 + beta*row[3]
	}
	store(c[0:], c00, c01, c02, c03)
	store(c[ldc:], c10, c11, c12, c13)
	store(c[2*ldc:], c20, c21, c22, c23)
	store(c[3*ldc:], c30, c31, c32, c33)
}
