package embed

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// testVocab is the WordPiece vocabulary of the synthetic static model.
var testVocab = map[string]int{
	"[PAD]": 0, "[UNK]": 1, "hello": 2, "world": 3, "un": 4, "##aff": 5,
	"##able": 6, "!": 7, ",": 8, "cafe": 9, ".": 10, "go": 11, "##pher": 12,
	"$": 13, "世": 14, "##hello": 15,
}

const testDim = 8

// testMatrix returns a [len(testVocab), 8] matrix of multiples of 0.25,
// which float16 and bfloat16 store exactly.
func testMatrix() []float32 {
	m := make([]float32, len(testVocab)*testDim)
	for i := range len(testVocab) {
		for j := range testDim {
			m[i*testDim+j] = float32(((i+1)*(j+3))%11-5) / 4
		}
	}
	return m
}

// testTensor is one tensor to write into a safetensors file.
type testTensor struct {
	name  string
	dtype string
	shape []int64
	data  []byte
}

// writeSafetensors writes tensors to path in the safetensors format.
func writeSafetensors(t *testing.T, path string, tensors ...testTensor) {
	t.Helper()
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var data []byte
	for _, tt := range tensors {
		header[tt.name] = map[string]any{
			"dtype":        tt.dtype,
			"shape":        tt.shape,
			"data_offsets": []int{len(data), len(data) + len(tt.data)},
		}
		data = append(data, tt.data...)
	}
	rawHeader, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(rawHeader)))
	out = append(out, rawHeader...)
	out = append(out, data...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// encodeMatrix encodes values as little-endian F32, F16 or BF16. The F16
// encoder handles only the normal numbers and zeros of testMatrix.
func encodeMatrix(values []float32, dtype string) []byte {
	var out []byte
	for _, v := range values {
		bits := math.Float32bits(v)
		switch dtype {
		case "F32":
			out = binary.LittleEndian.AppendUint32(out, bits)
		case "BF16":
			out = binary.LittleEndian.AppendUint16(out, uint16(bits>>16))
		case "F16":
			var h uint16
			if v != 0 {
				sign := uint16(bits>>31) << 15
				exp := uint16((bits>>23)&0xff) - 127 + 15
				h = sign | exp<<10 | uint16((bits>>13)&0x3ff)
			}
			out = binary.LittleEndian.AppendUint16(out, h)
		}
	}
	return out
}

// tokenizerSpec returns a tokenizer.json document for testVocab.
func tokenizerSpec() map[string]any {
	return map[string]any{
		"version":       "1.0",
		"normalizer":    map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": nil, "lowercase": true},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"model": map[string]any{
			"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 12, "vocab": testVocab,
		},
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeTestModel writes the synthetic model into a new folder named
// "tiny" with its matrix in dtype, and returns the folder.
func writeTestModel(t *testing.T, dtype string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeSafetensors(t, filepath.Join(dir, "model.safetensors"), testTensor{
		name: "embeddings", dtype: dtype, shape: []int64{int64(len(testVocab)), testDim},
		data: encodeMatrix(testMatrix(), dtype),
	})
	writeJSON(t, filepath.Join(dir, "tokenizer.json"), tokenizerSpec())
	return dir
}

// wantMean returns the mean of the testMatrix rows ids, computed in
// float64 and optionally scaled to unit length.
func wantMean(ids []int, normalize bool) []float64 {
	m := testMatrix()
	mean := make([]float64, testDim)
	for _, id := range ids {
		for j := range testDim {
			mean[j] += float64(m[id*testDim+j]) / float64(len(ids))
		}
	}
	if normalize {
		var sum float64
		for _, x := range mean {
			sum += x * x
		}
		for j := range mean {
			mean[j] /= math.Sqrt(sum)
		}
	}
	return mean
}

func assertClose(t *testing.T, label string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s has %d values, want %d", label, len(got), len(want))
		return
	}
	for j := range want {
		if math.Abs(float64(got[j])-want[j]) > 1e-6 {
			t.Errorf("%s = %v, want %v", label, got, want)
			return
		}
	}
}

func loadTestModel(t *testing.T, dir string) *Static {
	t.Helper()
	s, err := LoadStatic(dir)
	if err != nil {
		t.Fatalf("LoadStatic: %v", err)
	}
	return s
}

func TestStaticEmbedIsNormalizedMean(t *testing.T) {
	t.Parallel()
	s := loadTestModel(t, writeTestModel(t, "F32"))
	texts := []string{"hello world", "Unaffable!", "hello xyz world"}

	vecs, err := s.Embed(context.Background(), texts)

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	assertClose(t, "vector 0", vecs[0], wantMean([]int{2, 3}, true))
	assertClose(t, "vector 1", vecs[1], wantMean([]int{4, 5, 6, 7}, true))
	// The unknown word xyz is skipped.
	assertClose(t, "vector 2", vecs[2], wantMean([]int{2, 3}, true))
	if s.Dim() != testDim {
		t.Errorf("Dim() = %d, want %d", s.Dim(), testDim)
	}
	if err := Check(texts[:2], vecs[:2], s.Dim()); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestStaticConfigDisablesNormalize(t *testing.T) {
	t.Parallel()
	dir := writeTestModel(t, "F32")
	writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{"normalize": false, "model_type": "model2vec"})
	s := loadTestModel(t, dir)

	vecs, err := s.Embed(context.Background(), []string{"hello world"})

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	assertClose(t, "vector", vecs[0], wantMean([]int{2, 3}, false))
}

func TestStaticHalfPrecisionMatchesFloat32(t *testing.T) {
	t.Parallel()
	texts := []string{"hello world", "gopher, cafe."}
	want, err := loadTestModel(t, writeTestModel(t, "F32")).Embed(context.Background(), texts)
	if err != nil {
		t.Fatalf("Embed with F32: %v", err)
	}
	for _, dtype := range []string{"F16", "BF16"} {
		got, err := loadTestModel(t, writeTestModel(t, dtype)).Embed(context.Background(), texts)
		if err != nil {
			t.Errorf("Embed with %s: %v", dtype, err)
			continue
		}
		for i := range texts {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("%s vector %d = %v, want %v", dtype, i, got[i], want[i])
			}
		}
	}
}

func TestHalfToFloat32(t *testing.T) {
	t.Parallel()
	cases := []struct {
		bits uint16
		want float32
	}{
		{0x0000, 0},
		{0x3C00, 1},
		{0xC000, -2},
		{0x3400, 0.25},
		{0x7BFF, 65504},
		{0x0001, 1.0 / (1 << 24)},
		{0x8001, -1.0 / (1 << 24)},
		{0x7C00, float32(math.Inf(1))},
		{0xFC00, float32(math.Inf(-1))},
	}
	for _, c := range cases {
		if got := halfToFloat32(c.bits); got != c.want {
			t.Errorf("halfToFloat32(%#04x) = %v, want %v", c.bits, got, c.want)
		}
	}
	if got := halfToFloat32(0x7E00); !math.IsNaN(float64(got)) {
		t.Errorf("halfToFloat32(0x7e00) = %v, want NaN", got)
	}
}

func TestStaticTextWithoutTokensFails(t *testing.T) {
	t.Parallel()
	s := loadTestModel(t, writeTestModel(t, "F32"))

	_, err := s.Embed(context.Background(), []string{"hello", "xyz qqq", "world"})

	if !errors.Is(err, ErrNoTokens) {
		t.Fatalf("error = %v, want ErrNoTokens", err)
	}
	if !errors.Is(err, ErrBadVectors) {
		t.Errorf("error %v does not wrap ErrBadVectors", err)
	}
	if !strings.Contains(err.Error(), `text 1 ("xyz qqq")`) {
		t.Errorf("error %q does not name text 1", err)
	}
}

func TestStaticEmbedStopsWhenCanceled(t *testing.T) {
	t.Parallel()
	s := loadTestModel(t, writeTestModel(t, "F32"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := s.Embed(ctx, []string{"hello"})

	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestStaticModelID(t *testing.T) {
	t.Parallel()
	dir := writeTestModel(t, "F32")
	first := loadTestModel(t, dir).Model()

	if !regexp.MustCompile(`^static:tiny:[0-9a-f]{12}$`).MatchString(first) {
		t.Errorf("Model() = %q, want static:tiny: and 12 hex digits", first)
	}
	if again := loadTestModel(t, dir).Model(); again != first {
		t.Errorf("Model() changed from %q to %q for the same files", first, again)
	}

	m := testMatrix()
	m[5] += 0.5
	writeSafetensors(t, filepath.Join(dir, "model.safetensors"), testTensor{
		name: "embeddings", dtype: "F32", shape: []int64{int64(len(testVocab)), testDim}, data: encodeMatrix(m, "F32"),
	})
	if changed := loadTestModel(t, dir).Model(); changed == first {
		t.Errorf("Model() = %q both before and after the matrix changed", changed)
	}
}

func TestStaticAcceptsSingleTensorOfAnyName(t *testing.T) {
	t.Parallel()
	dir := writeTestModel(t, "F32")
	writeSafetensors(t, filepath.Join(dir, "model.safetensors"), testTensor{
		name: "embedding.weight", dtype: "F32", shape: []int64{int64(len(testVocab)), testDim}, data: encodeMatrix(testMatrix(), "F32"),
	})
	s := loadTestModel(t, dir)

	vecs, err := s.Embed(context.Background(), []string{"hello world"})

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	assertClose(t, "vector", vecs[0], wantMean([]int{2, 3}, true))
}

func TestLoadStaticMissingFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"model.safetensors", "tokenizer.json"} {
		dir := writeTestModel(t, "F32")
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}

		_, err := LoadStatic(dir)

		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("without %s: error = %v, want fs.ErrNotExist", name, err)
			continue
		}
		if !strings.Contains(err.Error(), filepath.Join(dir, name)) {
			t.Errorf("without %s: error %q does not name the file", name, err)
		}
	}
}
