package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/descentlab/descent/kernels"
)

// TestInfo runs the default command with small sizes: every level appears
// in both tables, and the exit status is 0.
func TestInfo(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"info", "-n", "64", "-gemm", "24", "-time", "1ms"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	s := out.String()
	for _, want := range []string{"CPU ", "Levels ", "Axpy", "Softmax", "GEMM 24³"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	for _, l := range kernels.Available() {
		if strings.Count(s, " "+string(l)+" ") < 1 {
			t.Errorf("level %s missing from the GEMM table:\n%s", l, s)
		}
	}
}

// TestBadFlags: a bad flag value or an unknown command is a usage error,
// exit status 2, with a message naming it.
func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"info", "-n", "0"}, {"info", "-gemm", "-1"}, {"nosuchcommand"}} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if errs.Len() == 0 {
			t.Errorf("%q: nothing on stderr", args)
		}
	}
}
