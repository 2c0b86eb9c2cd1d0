// Command arm64 generates descent's arm64 NEON kernels: Go assembly text
// (Avo emits x86 only), with the floating-point vector instructions that Go's
// assembler lacks written as WORDs by Encode (enc.go). It writes, for every
// kernel family, asm/<family>_arm64.s and the Go declarations
// asm/<family>_arm64.go:
//
//	go run ./arm64 -dir ../asm    (from gen/; or go generate ./asm)
//
// The kernels and their meaning are listed once, in elementwise.go,
// reduce.go, mathfn.go and gemm.go; the per-kernel notes on the
// instruction mix and why each loop should run at a Neoverse N1/V1 core's
// load/store or FP limit are emitted above each function and summarised in
// README.md.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"
)

const command = "gen/arm64 (go run ./arm64 -dir ../asm)"

func main() {
	dir := flag.String("dir", "../asm", "directory to write the *_arm64.s and *_arm64.go files into")
	flag.Parse()
	for _, fam := range []struct {
		name string
		gen  func() *file
	}{
		{"elementwise", elementwise},
		{"reduce", reduce},
		{"mathfn", mathfn},
		{"gemm", gemm},
	} {
		f := fam.gen()
		write(filepath.Join(*dir, fam.name+"_arm64.s"), f.s.String())
		write(filepath.Join(*dir, fam.name+"_arm64.go"), f.g.String())
	}
}

func write(path, text string) {
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		log.Fatal(err)
	}
}
