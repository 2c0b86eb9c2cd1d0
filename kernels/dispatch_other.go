//go:build purego || noasm || !(amd64 || arm64)

package kernels

// registerArch: no assembly in this build, only the Generic level.
func registerArch() {}
