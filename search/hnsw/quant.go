package hnsw

import "math"

// codeWidth is the block the int8 kernels work in. Codes are zero-padded
// to a multiple of it.
const codeWidth = 32

// paddedDim is dim rounded up to a multiple of codeWidth.
func paddedDim(dim int) int { return (dim + codeWidth - 1) / codeWidth * codeWidth }

// quantize writes v as int8 codes into code (len paddedDim) and returns the
// scale s such that v[i] ≈ s × code[i]. Each vector has its own scale, so
// the rounding error stays below half a step of its largest component.
func quantize(v []float32, code []int8) float32 {
	var maxAbs float32
	for _, x := range v {
		maxAbs = max(maxAbs, float32(math.Abs(float64(x))))
	}
	clear(code)
	if maxAbs == 0 {
		return 0
	}
	s := maxAbs / 127
	for i, x := range v {
		code[i] = int8(math.Round(float64(x / s)))
	}
	return s
}

// dot8Generic is the portable int8 inner product.
func dot8Generic(a, b []int8) int32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += int32(a[i]) * int32(b[i])
		s1 += int32(a[i+1]) * int32(b[i+1])
		s2 += int32(a[i+2]) * int32(b[i+2])
		s3 += int32(a[i+3]) * int32(b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += int32(a[i]) * int32(b[i])
	}
	return s0 + s1 + s2 + s3
}
