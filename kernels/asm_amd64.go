//go:build !purego && !noasm

package kernels

// avx2Impl and avx512Impl start from the generic tables and replace each
// kernel that has an assembly version at that level. Each kernel family
// wires its own functions (wire_*_amd64.go) through package-level variable
// initialisers, which Go runs before any init function, so the tables are
// complete when dispatch's init picks a level.

type wiring func(f32 *ops[float32], f64 *ops[float64])

var wireAVX2, wireAVX512 []wiring

func wire(avx2, avx512 wiring) bool {
	wireAVX2 = append(wireAVX2, avx2)
	wireAVX512 = append(wireAVX512, avx512)
	return true
}

func build(l Level, ws []wiring) *impl {
	p := genericImpl()
	p.level = l
	for _, w := range ws {
		w(&p.f32, &p.f64)
	}
	return p
}

func avx2Impl() *impl   { return build(AVX2, wireAVX2) }
func avx512Impl() *impl { return build(AVX512, wireAVX512) }
