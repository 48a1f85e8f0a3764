// Package embed turns text into vectors for the vector leg of search. An
// Embedder is chosen by GND_EMBEDDER: "none" (the default: no vectors, text
// search only), "openai" (any OpenAI-compatible /v1/embeddings endpoint) or
// "static" (a model2vec-format static model run in process).
package embed

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Embedder computes embeddings. Implementations are safe for concurrent use.
type Embedder interface {
	// Model returns the model id stored with every vector, so a different
	// model is never mixed with stored vectors.
	Model() string
	// Dim returns the vector dimension, or 0 while it is not known yet.
	Dim() int
	// Embed returns one vector per text, in order.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// ErrBadVectors reports vectors that cannot be used: zero, constant, NaN or
// infinite values, or a dimension that differs from the expected one.
var ErrBadVectors = errors.New("embedding provider returned unusable vectors")

// Check validates vectors from a provider: each must have dim entries (when
// dim > 0), be finite, not be all zero, and the batch must not be one
// constant vector repeated for different texts.
func Check(texts []string, vecs [][]float32, dim int) error {
	if len(vecs) != len(texts) {
		return fmt.Errorf("%w: got %d vectors for %d texts", ErrBadVectors, len(vecs), len(texts))
	}
	for i, v := range vecs {
		if len(v) == 0 || (dim > 0 && len(v) != dim) {
			return fmt.Errorf("%w: vector %d has dimension %d, want %d", ErrBadVectors, i, len(v), dim)
		}
		var norm float64
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("%w: vector %d contains NaN or infinite values", ErrBadVectors, i)
			}
			norm += float64(x) * float64(x)
		}
		if norm == 0 {
			return fmt.Errorf("%w: vector %d is all zeros", ErrBadVectors, i)
		}
	}
	if constantBatch(texts, vecs) {
		return fmt.Errorf("%w: the same vector was returned for %d different texts", ErrBadVectors, len(texts))
	}
	return nil
}

// constantBatch reports whether different texts all got the same vector.
func constantBatch(texts []string, vecs [][]float32) bool {
	if len(vecs) < 2 {
		return false
	}
	distinctText := false
	for _, t := range texts[1:] {
		if t != texts[0] {
			distinctText = true
			break
		}
	}
	if !distinctText {
		return false
	}
	for _, v := range vecs[1:] {
		for j := range v {
			if v[j] != vecs[0][j] {
				return false
			}
		}
	}
	return true
}

// Normalize scales v to unit length in place, so cosine similarity is a dot
// product. A zero vector stays zero.
func Normalize(v []float32) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
}
