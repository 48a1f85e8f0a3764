package embed

import (
	"encoding/json"
	"slices"
	"testing"
)

// testTokenizer parses tokenizerSpec after modify has changed it.
func testTokenizer(t *testing.T, modify func(spec map[string]any)) *wordPiece {
	t.Helper()
	spec := tokenizerSpec()
	if modify != nil {
		modify(spec)
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	wp, err := parseTokenizer(raw)
	if err != nil {
		t.Fatalf("parseTokenizer: %v", err)
	}
	return wp
}

func TestWordPieceEncode(t *testing.T) {
	t.Parallel()
	wp := testTokenizer(t, nil)
	cases := []struct {
		text string
		want []int
	}{
		{"Hello, World!", []int{2, 8, 3, 7}},
		{"unaffable", []int{4, 5, 6}},
		{"gopher", []int{11, 12}},
		{"gophers", nil}, // "##s" is not in the vocabulary, so the whole word is unknown
		{"hello xyz world", []int{2, 3}},
		{"Café", []int{9}},
		{"CAFÉ.", []int{9, 10}},
		{"$hello", []int{13, 2}},
		{"hello世", []int{2, 14}},
		{"hello\tworld\n", []int{2, 3}},
		{"hello\u200b world\x00", []int{2, 3}},
		{"hellohello", []int{2, 15}},
		{"hellohellohello", nil}, // 15 characters, over max_input_chars_per_word 12
		{"", nil},
		{"   ", nil},
	}
	for _, c := range cases {
		if got := wp.encode(c.text, nil); !slices.Equal(got, c.want) {
			t.Errorf("encode(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestBertNormalizerOptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		normalizer map[string]any
		text       string
		want       []int
	}{
		{"no lowercase keeps case and accents", map[string]any{"type": "BertNormalizer", "lowercase": false}, "Café hello", []int{2}},
		{"lowercase without stripping accents", map[string]any{"type": "BertNormalizer", "lowercase": true, "strip_accents": false}, "Café hello", []int{2}},
		{"strip accents without lowercase", map[string]any{"type": "BertNormalizer", "lowercase": false, "strip_accents": true}, "café Cafe", []int{9}},
		{"sequence of NFD, StripAccents and Lowercase", map[string]any{"type": "Sequence", "normalizers": []any{
			map[string]any{"type": "NFD"}, map[string]any{"type": "StripAccents"}, map[string]any{"type": "Lowercase"},
		}}, "CAFÉ", []int{9}},
		{"null normalizer", nil, "Hello hello", []int{2}},
	}
	for _, c := range cases {
		wp := testTokenizer(t, func(spec map[string]any) { spec["normalizer"] = c.normalizer })
		if got := wp.encode(c.text, nil); !slices.Equal(got, c.want) {
			t.Errorf("%s: encode(%q) = %v, want %v", c.name, c.text, got, c.want)
		}
	}
}

func TestPreTokenizers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		preTokenizer map[string]any
		text         string
		want         []int
	}{
		{"Whitespace keeps a punctuation run together", map[string]any{"type": "Whitespace"}, "hello... world!", []int{2, 3, 7}},
		{"WhitespaceSplit keeps punctuation on words", map[string]any{"type": "WhitespaceSplit"}, "hello, world", []int{3}},
		{"BertPreTokenizer isolates each punctuation mark", map[string]any{"type": "BertPreTokenizer"}, "hello...", []int{2, 10, 10, 10}},
		{"null pre-tokenizer keeps one word", nil, "hello world", nil},
	}
	for _, c := range cases {
		wp := testTokenizer(t, func(spec map[string]any) { spec["pre_tokenizer"] = c.preTokenizer })
		if got := wp.encode(c.text, nil); !slices.Equal(got, c.want) {
			t.Errorf("%s: encode(%q) = %v, want %v", c.name, c.text, got, c.want)
		}
	}
}

func TestSplitWordRuns(t *testing.T) {
	t.Parallel()
	got := splitWordRuns("hello, wörld...! snake_case 42x", nil)
	want := []string{"hello", ",", "wörld", "...!", "snake_case", "42x"}
	if !slices.Equal(got, want) {
		t.Errorf("splitWordRuns = %q, want %q", got, want)
	}
}

func TestWordPieceCustomPrefix(t *testing.T) {
	t.Parallel()
	wp := testTokenizer(t, func(spec map[string]any) {
		spec["model"] = map[string]any{
			"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "@@",
			"vocab": map[string]int{"[UNK]": 0, "go": 1, "@@pher": 2, "##pher": 3},
		}
	})

	if got := wp.encode("gopher", nil); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("encode(gopher) = %v, want [1 2]", got)
	}
}
