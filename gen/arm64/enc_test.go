package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestEncode builds an arm64 executable whose one assembly function is the
// WORDs Encode produces for every instruction in the table (each in both
// arrangements, with two register patterns; by-element forms at every lane
// and with Vm above V15), disassembles it with GNU
// objdump for AArch64 (Debian: binutils-aarch64-linux-gnu) and checks each
// instruction's text against Disasm. Where that objdump is missing it uses
// `go tool objdump`, whose arm64 decoder prints these instructions in GNU
// syntax too, so the check runs either way.
func TestEncode(t *testing.T) {
	type inst struct {
		word uint32
		want string
	}
	var insts []inst
	ops := make([]string, 0, len(encodings))
	for op := range encodings {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		arrs := []Arrangement{S4, D2}
		if encodings[op].form == byElement {
			for _, arr := range arrs {
				for index := 0; index < 4>>arr.sz(); index++ {
					for _, r := range [][3]int{{1, 2, 3}, {31, 16, 7}, {8, 30, 17}} {
						insts = append(insts, inst{EncodeElem(op, arr, r[0], r[1], r[2], index), DisasmElem(op, arr, r[0], r[1], r[2], index)})
					}
				}
			}
			continue
		}
		if f := encodings[op].form; f == logic || f == widen || f == narrow {
			arrs = arrs[:1]
		}
		for _, arr := range arrs {
			for _, r := range [][3]int{{1, 2, 3}, {31, 16, 7}} {
				insts = append(insts, inst{Encode(op, arr, r[0], r[1], r[2]), Disasm(op, arr, r[0], r[1], r[2])})
			}
		}
	}

	dir := t.TempDir()
	var s strings.Builder
	s.WriteString("#include \"textflag.h\"\n\nTEXT ·words(SB), NOSPLIT, $0-0\n")
	for _, in := range insts {
		fmt.Fprintf(&s, "\tWORD $0x%08x\n", in.word)
	}
	s.WriteString("\tRET\n")
	files := map[string]string{
		"go.mod":    "module enctest\n\ngo 1.21\n",
		"main.go":   "package main\n\nimport \"os\"\n\nfunc words()\n\nfunc main() {\n\tif len(os.Args) > 99 {\n\t\twords()\n\t}\n}\n",
		"w_arm64.s": s.String(),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "enctest")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOARCH=arm64", "GOOS=linux", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	var got []string
	if objdump, err := exec.LookPath("aarch64-linux-gnu-objdump"); err == nil {
		out, err := exec.Command(objdump, "-d", "--disassemble=main.words.abi0", bin).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", objdump, err, out)
		}
		// Lines look like "  1234:\t4e22d420 \tfadd\tv0.4s, v1.4s, v2.4s".
		line := regexp.MustCompile(`^\s*[0-9a-f]+:\s+([0-9a-f]{8})\s+(.*)$`)
		for _, l := range strings.Split(string(out), "\n") {
			if m := line.FindStringSubmatch(l); m != nil {
				got = append(got, normalize(m[2]))
			}
		}
	} else {
		t.Log("aarch64-linux-gnu-objdump not found: checking with go tool objdump")
		out, err := exec.Command("go", "tool", "objdump", "-gnu", "-s", `^main\.words\.abi0$`, bin).CombinedOutput()
		if err != nil {
			t.Fatalf("go tool objdump: %v\n%s", err, out)
		}
		// Lines look like "  w.s:5\t0x1234\t4e22d420\tFADD V2.S4, V1.S4, V0.S4 // fadd v0.4s, v1.4s, v2.4s"
		// with -gnu; the function is followed by padding words.
		line := regexp.MustCompile(`\t[0-9a-f]{8}\t+([^\t]*?) // (.*)$`)
		for _, l := range strings.Split(string(out), "\n") {
			if m := line.FindStringSubmatch(strings.TrimRight(l, "\t ")); m != nil {
				got = append(got, normalize(m[2]))
			}
		}
	}
	// The function may be followed by alignment padding.
	if len(got) < len(insts)+1 || got[len(insts)] != "ret" {
		t.Fatalf("disassembly has %d instructions, want %d and a ret:\n%s", len(got), len(insts), strings.Join(got, "\n"))
	}
	for i, in := range insts {
		if want := normalize(in.want); got[i] != want {
			t.Errorf("WORD $0x%08x disassembles as %q, want %q", in.word, got[i], want)
		}
	}
}

// normalize folds whitespace so that tabs and spaces compare equal, and
// writes the zero of a compare with zero as GNU objdump does ("#0.0"; the Go
// decoder prints "#0").
func normalize(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, ",", ", ")), " ")
	if strings.HasSuffix(s, ", #0") {
		s += ".0"
	}
	return s
}
