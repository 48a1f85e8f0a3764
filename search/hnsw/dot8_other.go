//go:build !amd64

package hnsw

// dot8 is the inner product of two int8 codes of the same padded length.
func dot8(a, b []int8) int32 { return dot8Generic(a, b) }
