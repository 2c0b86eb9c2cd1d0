package kernels_test

import (
	"testing"

	"github.com/descentlab/descent/kernels"
)

func TestSmokeAdd(t *testing.T) {
	for _, l := range kernels.Available() {
		if err := kernels.SetISA(l); err != nil {
			t.Fatal(err)
		}
		for n := 0; n < 100; n++ {
			a := make([]float32, n+2)
			b := make([]float32, n)
			for i := range b {
				a[i+1] = float32(i)
				b[i] = float32(2 * i)
			}
			a[0], a[n+1] = 99, 99
			kernels.Add(a[1:n+1], a[1:n+1], b)
			for i := 0; i < n; i++ {
				if a[i+1] != float32(3*i) {
					t.Fatalf("%s n=%d i=%d got %v", l, n, i, a[i+1])
				}
			}
			if a[0] != 99 || a[n+1] != 99 {
				t.Fatalf("%s n=%d guard", l, n)
			}
		}
	}
}
