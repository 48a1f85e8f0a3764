package hnsw

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

// dot8AVX2 is the int8 inner product of n bytes at a and b; n is a
// multiple of codeWidth.
//
//go:noescape
func dot8AVX2(a, b *int8, n int) int32

// dot8 is the inner product of two int8 codes of the same padded length.
func dot8(a, b []int8) int32 {
	if hasAVX2 && len(a) > 0 {
		_ = b[len(a)-1]
		return dot8AVX2(&a[0], &b[0], len(a))
	}
	return dot8Generic(a, b)
}
