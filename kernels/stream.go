package kernels

import (
	"fmt"
	"sync"
)

// streamThreshold is the SetStreamThreshold value, which setStreamArch
// passes on to the assembly where there is assembly that streams (amd64:
// wire_elementwise_amd64.go, whose init sets the L3-based default). The
// mutex keeps the two the same under concurrent setters.
var (
	streamMu        sync.Mutex
	streamThreshold = defaultStreamThreshold(0)
	setStreamArch   = func(bytes int) {}
)

// SetStreamThreshold sets the size of dst, in bytes, from which the
// elementwise kernels that write a fresh output (Add, Sub, Mul, Div,
// AddScalar, MulScalar, ReLU, ReLUGrad, Clamp) store it with non-temporal
// stores at the amd64 assembly levels, and returns the previous threshold.
//
// A cached store first reads the line it writes (read for ownership), so
// dst = a + b moves four lines of memory for every three it needs once the
// slices no longer fit in the cache; a non-temporal store writes the line
// without reading it and without evicting other data, which made Add on
// 2^24 float32 about 1.3× faster on the Zen 5 machine that develops this
// package. But it leaves dst in memory, not in the cache, so a kernel that
// reads dst right after pays for it when dst would have fitted. The default
// is a quarter of the last-level cache (cpuid), 8 MiB where unknown: from
// there dst and its inputs together fill most of the L3. bytes = 0 streams
// every call, which the tests use; results are the same bits either way,
// and changing it while kernels run changes only their speed. A negative
// bytes panics.
func SetStreamThreshold(bytes int) int {
	if bytes < 0 {
		panic(fmt.Sprintf("kernels.SetStreamThreshold: bytes=%d must not be negative", bytes))
	}
	streamMu.Lock()
	defer streamMu.Unlock()
	old := streamThreshold
	streamThreshold = bytes
	setStreamArch(bytes)
	return old
}

// StreamThreshold returns the current SetStreamThreshold value.
func StreamThreshold() int {
	streamMu.Lock()
	defer streamMu.Unlock()
	return streamThreshold
}

// defaultStreamThreshold is a quarter of the last-level cache of l3 bytes
// (at least 1 MiB), or 8 MiB if l3 is unknown (0 or less).
func defaultStreamThreshold(l3 int) int {
	if l3 <= 0 {
		return 8 << 20
	}
	return max(l3/4, 1<<20)
}
