// Package asm holds descent's generated assembly kernels and their Go
// declarations. Nothing here checks its arguments: package kernels does,
// before any of these functions runs. Every file but this one is generated
// by the Avo programs in ../gen (a module of its own, so that users of
// descent never download Avo); run `go generate ./asm` to regenerate.
package asm

//go:generate go run -C ../gen ./elementwise -out ../asm/elementwise_amd64.s -stubs ../asm/elementwise_amd64.go -pkg asm
//go:generate go run -C ../gen ./reduce -out ../asm/reduce_amd64.s -stubs ../asm/reduce_amd64.go -pkg asm
//go:generate go run -C ../gen ./mathfn -out ../asm/mathfn_amd64.s -stubs ../asm/mathfn_amd64.go -pkg asm
//go:generate go run -C ../gen ./gemm -out ../asm/gemm_amd64.s -stubs ../asm/gemm_amd64.go -pkg asm
//go:generate go run -C ../gen ./update -out ../asm/update_amd64.s -stubs ../asm/update_amd64.go -pkg asm
//go:generate go run -C ../gen ./arm64 -dir ../asm
