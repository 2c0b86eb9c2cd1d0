//go:build purego || noasm || !amd64

package bench

// peakProbes: no assembly probe in this build.
func peakProbes() map[peakKey]peakProbe { return nil }
