// Package bench holds descent's benchmark suites: every public kernel of
// package kernels at every instruction-set level this machine can run, the
// GEMM suite with the machine's measured peak FMA throughput, and, behind
// the build tag peers, the same benchmarks run by other implementations so
// that one run compares them all on the same data.
//
// # The kernel suite
//
// Each public kernel has one benchmark whose sub-benchmarks are named for
// benchstat, one key per level:
//
//	BenchmarkAxpy/isa=avx512/dtype=f32/n=4096
//	BenchmarkSoftmax/isa=avx2/dtype=f64/shape=64x1000
//
// isa runs over kernels.Available() (generic, avx2, avx512 on amd64; the
// level is switched with kernels.SetISA and restored afterwards), dtype is
// f32 or f64, and n is 1000, 4096 and 65536, plus 2^24 for the streaming
// kernels (Axpy, Scale, Add, Sub, Mul, Div, AddScalar, MulScalar, ReLU,
// ReLUGrad) and one reduction (Dot) unless -short is given. Every benchmark
// sets the bytes it reads and writes per call (b.SetBytes), so benchstat
// reports B/s, and reports allocations, which must be zero.
//
// BenchmarkCopy/n=... times Go's copy of n float32, the runtime's memmove,
// as the memory-bandwidth yardstick: at n=2^24 the streaming kernels should
// reach at least 90% of its B/s measured in the same run.
//
// # Peers
//
// Built with -tags peers, the same benchmarks also run
//
//   - isa=gcc: the same loops in C, compiled by gcc -O3 -march=native through
//     cgo (fast-math for the reductions and the exp/log/tanh loops, which then
//     call glibc's libmvec), timed without cgo call overhead;
//   - isa=vek: github.com/viterin/vek and vek32;
//   - isa=gonum: gonum.org/v1/gonum/blas/gonum and gonum.org/v1/gonum/floats;
//
// on the same inputs, with the same b.SetBytes. The peers build needs cgo,
// gcc, glibc's libmvec, and OpenBLAS for the GEMM peers (Debian's
// libopenblas-dev); the default build needs none of them.
//
// BenchmarkGemmVsOpenBLAS (peers, Linux) calls descent and OpenBLAS
// alternately, call by call, on one locked thread and times each in thread
// CPU time, reporting x-openblas (descent's speed over OpenBLAS's): on a
// shared machine, the GEMM ratio that holds still from run to run.
//
// # Running and comparing
//
// Benchmarks only (-run ^$), ten counts for statistics, then one column per
// instruction set:
//
//	go test -run ^$ -bench Axpy -count 10 ./bench > new.txt
//	benchstat -col /isa new.txt
//
// With the peers, and a quicker pass:
//
//	go test -tags peers -run ^$ -bench 'Dot|Exp' -benchtime 300ms -count 3 ./bench > peers.txt
//	benchstat -col /isa peers.txt
//
// The whole suite (every kernel, -count 10, with the 2^24 sizes) runs for
// longer than go test's default 10-minute timeout: add -timeout 0.
//
// To compare two versions of the code, run the same command before and after
// and give benchstat both files (benchstat old.txt new.txt).
// benchstat is golang.org/x/perf/cmd/benchstat
// (go run golang.org/x/perf/cmd/benchstat@latest).
package bench
