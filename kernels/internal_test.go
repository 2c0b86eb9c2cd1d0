package kernels

import (
	"reflect"
	"testing"
)

// TestTablesComplete: every level's table has every kernel filled in, and
// (where the build has assembly) the assembly levels really replaced the
// generic functions they wire, so a wiring mistake cannot go unnoticed.
func TestTablesComplete(t *testing.T) {
	for l, p := range levels {
		for _, tab := range []reflect.Value{reflect.ValueOf(p.f32), reflect.ValueOf(p.f64)} {
			for i := 0; i < tab.NumField(); i++ {
				if tab.Field(i).IsNil() {
					t.Errorf("level %s: %s kernel %s is nil", l, tab.Type(), tab.Type().Field(i).Name)
				}
			}
		}
	}
	g := levels[Generic]
	for _, l := range []Level{AVX2, AVX512} {
		p, ok := levels[l]
		if !ok {
			continue
		}
		if reflect.ValueOf(p.f32.add).Pointer() == reflect.ValueOf(g.f32.add).Pointer() {
			t.Errorf("level %s still runs the generic Add: the assembly was not wired before dispatch chose", l)
		}
	}
}
