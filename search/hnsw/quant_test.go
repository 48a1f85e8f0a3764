package hnsw

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDot8MatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{32, 64, 384, 768, 1536} {
		for range 50 {
			a, b := make([]int8, n), make([]int8, n)
			for i := range a {
				a[i], b[i] = int8(rng.IntN(256)-128), int8(rng.IntN(256)-128)
			}
			if got, want := dot8(a, b), dot8Generic(a, b); got != want {
				t.Fatalf("n=%d: dot8 = %d, generic = %d", n, got, want)
			}
		}
	}
	a, b := make([]int8, 384), make([]int8, 384)
	for i := range a {
		a[i], b[i] = -128, -128
	}
	if got := dot8(a, b); got != 384*128*128 {
		t.Fatalf("extreme codes: dot8 = %d, want %d", got, 384*128*128)
	}
}

func TestQuantizedDotIsClose(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const dim = 384
	ca, cb := make([]int8, paddedDim(dim)), make([]int8, paddedDim(dim))
	for range 200 {
		a, b := randomUnit(rng, dim), randomUnit(rng, dim)
		sa, sb := quantize(a, ca), quantize(b, cb)
		got := float64(sa * sb * float32(dot8(ca, cb)))
		if want := float64(Dot(a, b)); math.Abs(got-want) > 0.01 {
			t.Fatalf("quantized dot %.4f, float dot %.4f", got, want)
		}
	}
	if s := quantize(make([]float32, dim), ca); s != 0 {
		t.Fatalf("zero vector scale %v", s)
	}
}
