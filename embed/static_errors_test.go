package embed

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rawSafetensors writes a safetensors file whose header length field and
// header text are given as they are.
func rawSafetensors(t *testing.T, dir string, length uint64, header string, data []byte) {
	t.Helper()
	out := binary.LittleEndian.AppendUint64(nil, length)
	out = append(out, header...)
	out = append(out, data...)
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fullShape() []int64 { return []int64{int64(len(testVocab)), testDim} }

func TestLoadStaticRejectsInvalidWeights(t *testing.T) {
	t.Parallel()
	f32 := encodeMatrix(testMatrix(), "F32")
	cases := []struct {
		name   string
		modify func(t *testing.T, dir string)
		want   string
	}{
		{"short file", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte{1, 2, 3}, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "too short"},
		{"header longer than file", func(t *testing.T, dir string) {
			rawSafetensors(t, dir, 1<<40, "{}", nil)
		}, "header length 1099511627776 is invalid"},
		{"header not JSON", func(t *testing.T, dir string) {
			rawSafetensors(t, dir, 5, "{abc}", nil)
		}, "header is not a JSON object"},
		{"wrong dtype", func(t *testing.T, dir string) {
			writeSafetensors(t, filepath.Join(dir, "model.safetensors"), testTensor{"embeddings", "I32", fullShape(), f32})
		}, "dtype I32; want F32, F16, BF16 or F64"},
		{"one-dimensional tensor", func(t *testing.T, dir string) {
			writeSafetensors(t, filepath.Join(dir, "model.safetensors"), testTensor{"embeddings", "F32", []int64{128}, f32})
		}, "shape [128]"},
		{"data shorter than shape", func(t *testing.T, dir string) {
			writeSafetensors(t, filepath.Join(dir, "model.safetensors"), testTensor{"embeddings", "F32", fullShape(), f32[:100]})
		}, "needs 512 bytes, but its data offsets span 100"},
		{"offsets outside data", func(t *testing.T, dir string) {
			header := `{"embeddings":{"dtype":"F32","shape":[16,8],"data_offsets":[0,512]}}`
			rawSafetensors(t, dir, uint64(len(header)), header, f32[:64])
		}, "outside the 64 bytes of data"},
		{"no embeddings among several tensors", func(t *testing.T, dir string) {
			writeSafetensors(t, filepath.Join(dir, "model.safetensors"),
				testTensor{"a", "F32", fullShape(), f32}, testTensor{"b", "F32", fullShape(), f32})
		}, `no tensor named "embeddings" and 2 other tensors (a, b)`},
		{"vocabulary quantization", func(t *testing.T, dir string) {
			writeSafetensors(t, filepath.Join(dir, "model.safetensors"),
				testTensor{"embeddings", "F32", fullShape(), f32}, testTensor{"mapping", "I64", []int64{0}, nil})
		}, "vocabulary quantization"},
		{"NaN value", func(t *testing.T, dir string) {
			m := testMatrix()
			m[3*testDim+1] = float32(math.NaN())
			writeSafetensors(t, filepath.Join(dir, "model.safetensors"), testTensor{"embeddings", "F32", fullShape(), encodeMatrix(m, "F32")})
		}, "NaN or infinite value in row 3"},
		{"fewer rows than the vocabulary", func(t *testing.T, dir string) {
			writeSafetensors(t, filepath.Join(dir, "model.safetensors"), testTensor{"embeddings", "F32", []int64{10, testDim}, f32[:10*testDim*4]})
		}, "only 10 rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := writeTestModel(t, "F32")
			c.modify(t, dir)

			_, err := LoadStatic(dir)

			if err == nil {
				t.Fatal("LoadStatic returned no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the model folder", err)
			}
		})
	}
}

func TestLoadStaticRejectsInvalidTokenizer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		modify func(spec map[string]any)
		want   string
	}{
		{"BPE model", func(spec map[string]any) {
			spec["model"] = map[string]any{"type": "BPE", "vocab": testVocab, "merges": []string{}}
		}, `model type "BPE" is not supported`},
		{"Unigram model", func(spec map[string]any) {
			spec["model"] = map[string]any{"type": "Unigram", "vocab": [][]any{{"hello", -1.5}}, "unk_id": 0}
		}, `model type "Unigram" is not supported`},
		{"missing model type", func(spec map[string]any) {
			spec["model"] = map[string]any{"vocab": testVocab}
		}, "model.type is missing"},
		{"vocabulary as a list", func(spec map[string]any) {
			spec["model"] = map[string]any{"type": "WordPiece", "vocab": []string{"hello"}}
		}, "model.vocab is missing or is not an object"},
		{"Precompiled normalizer", func(spec map[string]any) {
			spec["normalizer"] = map[string]any{"type": "Precompiled", "precompiled_charsmap": "AAAA"}
		}, `normalizer type "Precompiled" is not supported`},
		{"Metaspace pre-tokenizer", func(spec map[string]any) {
			spec["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{map[string]any{"type": "Metaspace"}}}
		}, `pre-tokenizer type "Metaspace" is not supported`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := writeTestModel(t, "F32")
			spec := tokenizerSpec()
			c.modify(spec)
			writeJSON(t, filepath.Join(dir, "tokenizer.json"), spec)

			_, err := LoadStatic(dir)

			if err == nil {
				t.Fatal("LoadStatic returned no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, "tokenizer.json")) {
				t.Errorf("error %q does not name tokenizer.json", err)
			}
		})
	}
}

func TestLoadStaticRejectsInvalidJSON(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"tokenizer.json", "config.json"} {
		dir := writeTestModel(t, "F32")
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}

		_, err := LoadStatic(dir)

		if err == nil {
			t.Errorf("%s: LoadStatic returned no error", name)
			continue
		}
		if !strings.Contains(err.Error(), "invalid JSON") {
			t.Errorf("%s: error %q does not contain invalid JSON", name, err)
		}
	}
}
