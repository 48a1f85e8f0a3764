package embed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// File names of a model2vec model folder.
const (
	staticWeightsFile   = "model.safetensors"
	staticTokenizerFile = "tokenizer.json"
	staticConfigFile    = "config.json"
)

// ErrNoTokens reports a text in which the static model's tokenizer found
// no token of its vocabulary, so the text has no vector. It wraps
// ErrBadVectors.
var ErrNoTokens = fmt.Errorf("%w: text has no token in the model vocabulary", ErrBadVectors)

// Static is an Embedder for a model2vec static model run in process: a
// text's vector is the mean of the embedding rows of its tokens, scaled to
// unit length unless the model's config.json sets "normalize": false. It is
// safe for concurrent use.
//
// NOTE: all tokens of a text are used. model2vec's Python encode truncates
// to 512 tokens by default, so vectors of longer texts differ from its.
type Static struct {
	model     string
	matrix    []float32 // rows × dim, row-major
	rows      int
	dim       int
	tokenizer *wordPiece
	normalize bool
}

// staticConfig is the part of a model2vec config.json that is used.
type staticConfig struct {
	Normalize *bool `json:"normalize"`
}

// LoadStatic loads the model2vec model in dir: model.safetensors with a 2-D
// tensor named "embeddings" (or a single tensor of any name) of shape
// [vocabulary size, dimension] and dtype F32, F16, BF16 or F64;
// tokenizer.json with a WordPiece model; and an optional config.json whose
// "normalize" flag defaults to true.
// Models with vocabulary quantization (the tensors "mapping" and
// "weights") are rejected.
func LoadStatic(dir string) (*Static, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("static model %s: %w", dir, err)
	}
	weightsRaw, err := os.ReadFile(filepath.Join(abs, staticWeightsFile))
	if err != nil {
		return nil, fmt.Errorf("static model: read weights: %w", err)
	}
	tokenizerRaw, err := os.ReadFile(filepath.Join(abs, staticTokenizerFile))
	if err != nil {
		return nil, fmt.Errorf("static model: read tokenizer: %w", err)
	}
	normalize, err := readStaticConfig(filepath.Join(abs, staticConfigFile))
	if err != nil {
		return nil, err
	}

	s := &Static{normalize: normalize}
	if err := s.loadMatrix(weightsRaw, filepath.Join(abs, staticWeightsFile)); err != nil {
		return nil, err
	}
	tokenizerPath := filepath.Join(abs, staticTokenizerFile)
	if s.tokenizer, err = parseTokenizer(tokenizerRaw); err != nil {
		return nil, fmt.Errorf("static model: tokenizer %s: %w", tokenizerPath, err)
	}
	for token, id := range s.tokenizer.vocab {
		if id >= s.rows {
			return nil, fmt.Errorf("static model: tokenizer %s gives token %q the id %d, but the embeddings have only %d rows; the files belong to different models",
				tokenizerPath, token, id, s.rows)
		}
	}

	// The id covers everything that changes the vectors, so re-indexing
	// follows any change to the files.
	h := sha256.New()
	h.Write(weightsRaw)
	h.Write(tokenizerRaw)
	fmt.Fprintf(h, "normalize=%t", normalize)
	s.model = "static:" + filepath.Base(abs) + ":" + hex.EncodeToString(h.Sum(nil))[:12]
	return s, nil
}

// readStaticConfig returns the "normalize" flag of config.json, true when
// the file or the flag is missing because unit vectors make cosine
// similarity a dot product. model2vec itself does not normalise then.
func readStaticConfig(path string) (bool, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("static model: read config: %w", err)
	}
	var cfg staticConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return false, fmt.Errorf("static model: config %s is invalid JSON: %w", path, err)
	}
	if cfg.Normalize == nil {
		return true, nil
	}
	return *cfg.Normalize, nil
}

// loadMatrix parses the safetensors file read from path and keeps its
// embedding matrix.
func (s *Static) loadMatrix(raw []byte, path string) error {
	st, err := parseSafetensors(raw)
	if err != nil {
		return fmt.Errorf("static model: weights %s are not a valid safetensors file: %w", path, err)
	}
	if _, ok := st.tensors["mapping"]; ok {
		return fmt.Errorf("static model: weights %s use vocabulary quantization (a \"mapping\" tensor), which is not supported", path)
	}
	if _, ok := st.tensors["weights"]; ok {
		return fmt.Errorf("static model: weights %s have per-token weights (a \"weights\" tensor), which are not supported", path)
	}
	name := "embeddings"
	if _, ok := st.tensors[name]; !ok {
		names := st.names()
		if len(names) != 1 {
			return fmt.Errorf("static model: weights %s have no tensor named \"embeddings\" and %d other tensors (%s); want one",
				path, len(names), strings.Join(names, ", "))
		}
		name = names[0]
	}
	s.matrix, s.rows, s.dim, err = st.matrix(name)
	if err != nil {
		return fmt.Errorf("static model: weights %s: %w", path, err)
	}
	for i, x := range s.matrix {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("static model: weights %s: tensor %q has a NaN or infinite value in row %d", path, name, i/s.dim)
		}
	}
	return nil
}

// Model returns "static:", the model folder's name, ":" and 12 hex digits
// of a SHA-256 over the weights, the tokenizer and the normalize flag.
func (s *Static) Model() string { return s.model }

// Dim returns the number of columns of the embedding matrix.
func (s *Static) Dim() int { return s.dim }

// Embed returns one vector per text, in order. A text in which no token of
// the vocabulary is found (an empty text, or one made only of unknown words)
// fails the whole call with an error that wraps ErrNoTokens and names the
// text's position: a zero vector would fail Check anyway.
func (s *Static) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var ids []int
	for i, text := range texts {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("static model %s: %w", s.model, err)
		}
		ids = s.tokenizer.encode(text, ids[:0])
		if len(ids) == 0 {
			return nil, fmt.Errorf("static model %s: text %d (%s): %w", s.model, i, excerpt(text), ErrNoTokens)
		}
		out[i] = s.mean(ids)
	}
	return out, nil
}

// mean returns the mean of the matrix rows ids, normalised if configured.
func (s *Static) mean(ids []int) []float32 {
	sum := make([]float64, s.dim)
	for _, id := range ids {
		row := s.matrix[id*s.dim : (id+1)*s.dim]
		for j, x := range row {
			sum[j] += float64(x)
		}
	}
	vec := make([]float32, s.dim)
	n := float64(len(ids))
	for j := range sum {
		vec[j] = float32(sum[j] / n)
	}
	if s.normalize {
		Normalize(vec)
	}
	return vec
}

// excerpt quotes the start of text for an error message.
func excerpt(text string) string {
	const maxRunes = 40
	runes := []rune(text)
	if len(runes) > maxRunes {
		return fmt.Sprintf("%q…", string(runes[:maxRunes]))
	}
	return fmt.Sprintf("%q", text)
}
