package embed

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// wordPiece is a tokenizer read from a Hugging Face tokenizer.json whose
// model is WordPiece: a normalizer, a pre-tokenizer that splits the text
// into words, and greedy longest-match-first splitting of each word into
// vocabulary entries. Special tokens ([CLS], [SEP]) are never added.
type wordPiece struct {
	vocab       map[string]int
	prefix      string // marks a piece that continues a word, usually "##"
	maxChars    int    // longer words are unknown
	normalize   func(string) string
	preTokenize func(words []string) []string
}

// tokenizerJSON is the part of tokenizer.json that is used.
type tokenizerJSON struct {
	Normalizer   *normalizerSpec   `json:"normalizer"`
	PreTokenizer *preTokenizerSpec `json:"pre_tokenizer"`
	Model        struct {
		Type                    string          `json:"type"`
		Vocab                   json.RawMessage `json:"vocab"`
		UnkToken                string          `json:"unk_token"`
		ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    int             `json:"max_input_chars_per_word"`
	} `json:"model"`
}

// normalizerSpec is a normalizer entry of tokenizer.json.
type normalizerSpec struct {
	Type               string           `json:"type"`
	CleanText          *bool            `json:"clean_text"`
	HandleChineseChars *bool            `json:"handle_chinese_chars"`
	StripAccents       *bool            `json:"strip_accents"`
	Lowercase          *bool            `json:"lowercase"`
	Normalizers        []normalizerSpec `json:"normalizers"`
}

// preTokenizerSpec is a pre_tokenizer entry of tokenizer.json.
type preTokenizerSpec struct {
	Type          string             `json:"type"`
	PreTokenizers []preTokenizerSpec `json:"pretokenizers"`
}

// parseTokenizer reads a tokenizer.json. Only the WordPiece model is
// supported. Unigram and BPE would need their own segmenters and the
// Metaspace, ByteLevel and Replace steps that their tokenizer.json files
// usually configure.
func parseTokenizer(raw []byte) (*wordPiece, error) {
	var spec tokenizerJSON
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	switch spec.Model.Type {
	case "WordPiece":
	case "":
		return nil, errors.New("model.type is missing; want WordPiece")
	default:
		return nil, fmt.Errorf("model type %q is not supported; only WordPiece tokenizers are", spec.Model.Type)
	}
	wp := &wordPiece{prefix: "##", maxChars: 100}
	if err := json.Unmarshal(spec.Model.Vocab, &wp.vocab); err != nil || len(wp.vocab) == 0 {
		return nil, errors.New("model.vocab is missing or is not an object of token to id")
	}
	for token, id := range wp.vocab {
		if id < 0 {
			return nil, fmt.Errorf("model.vocab gives token %q the negative id %d", token, id)
		}
	}
	if spec.Model.ContinuingSubwordPrefix != nil {
		wp.prefix = *spec.Model.ContinuingSubwordPrefix
	}
	if spec.Model.MaxInputCharsPerWord > 0 {
		wp.maxChars = spec.Model.MaxInputCharsPerWord
	}
	var err error
	if wp.normalize, err = spec.Normalizer.build(); err != nil {
		return nil, err
	}
	if wp.preTokenize, err = spec.PreTokenizer.build(); err != nil {
		return nil, err
	}
	return wp, nil
}

// build returns the normalizer function. A null normalizer changes nothing.
func (s *normalizerSpec) build() (func(string) string, error) {
	if s == nil {
		return func(text string) string { return text }, nil
	}
	switch s.Type {
	case "BertNormalizer":
		return s.bert(), nil
	case "Lowercase":
		return strings.ToLower, nil
	case "StripAccents":
		return removeMarks, nil
	case "NFC":
		return norm.NFC.String, nil
	case "NFD":
		return norm.NFD.String, nil
	case "NFKC":
		return norm.NFKC.String, nil
	case "NFKD":
		return norm.NFKD.String, nil
	case "Sequence":
		steps := make([]func(string) string, len(s.Normalizers))
		for i := range s.Normalizers {
			step, err := s.Normalizers[i].build()
			if err != nil {
				return nil, err
			}
			steps[i] = step
		}
		return func(text string) string {
			for _, step := range steps {
				text = step(text)
			}
			return text
		}, nil
	}
	return nil, fmt.Errorf("normalizer type %q is not supported; want BertNormalizer, Lowercase, StripAccents, NFC, NFD, NFKC, NFKD or Sequence", s.Type)
}

// bert returns the BertNormalizer: remove control characters and turn
// whitespace into spaces, put spaces around CJK ideographs, strip accents,
// lowercase. Options default as in Hugging Face tokenizers, and accents are
// stripped when strip_accents is null and lowercase is true.
func (s *normalizerSpec) bert() func(string) string {
	option := func(v *bool, def bool) bool {
		if v == nil {
			return def
		}
		return *v
	}
	cleanText := option(s.CleanText, true)
	chinese := option(s.HandleChineseChars, true)
	lowercase := option(s.Lowercase, true)
	stripAccents := option(s.StripAccents, lowercase)
	return func(text string) string {
		if cleanText || chinese {
			var b strings.Builder
			b.Grow(len(text))
			for _, r := range text {
				switch {
				case cleanText && (r == 0 || r == utf8.RuneError || isControl(r)):
				case cleanText && unicode.IsSpace(r):
					b.WriteByte(' ')
				case chinese && isCJK(r):
					b.WriteByte(' ')
					b.WriteRune(r)
					b.WriteByte(' ')
				default:
					b.WriteRune(r)
				}
			}
			text = b.String()
		}
		if stripAccents {
			text = removeMarks(norm.NFD.String(text))
		}
		if lowercase {
			text = strings.ToLower(text)
		}
		return text
	}
}

// removeMarks removes nonspacing marks (category Mn), which after NFD
// decomposition are the accents.
func removeMarks(text string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, text)
}

// isControl reports a control or format character other than tab, newline
// and carriage return, which count as whitespace.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// isCJK reports a CJK Unified or Compatibility Ideograph, the ranges that
// BERT's tokenizer splits into single characters.
func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) || (r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}

// build returns the pre-tokenizer function. A null pre-tokenizer keeps the
// whole text as one word, as Hugging Face tokenizers does.
func (s *preTokenizerSpec) build() (func([]string) []string, error) {
	if s == nil {
		return func(words []string) []string { return words }, nil
	}
	var split func(word string, out []string) []string
	switch s.Type {
	case "BertPreTokenizer":
		split = splitBert
	case "Whitespace":
		split = splitWordRuns
	case "WhitespaceSplit":
		split = func(word string, out []string) []string { return append(out, strings.Fields(word)...) }
	case "Sequence":
		steps := make([]func([]string) []string, len(s.PreTokenizers))
		for i := range s.PreTokenizers {
			step, err := s.PreTokenizers[i].build()
			if err != nil {
				return nil, err
			}
			steps[i] = step
		}
		return func(words []string) []string {
			for _, step := range steps {
				words = step(words)
			}
			return words
		}, nil
	default:
		return nil, fmt.Errorf("pre-tokenizer type %q is not supported; want BertPreTokenizer, Whitespace, WhitespaceSplit or Sequence", s.Type)
	}
	return func(words []string) []string {
		var out []string
		for _, w := range words {
			out = split(w, out)
		}
		return out
	}, nil
}

// splitBert splits on whitespace, which is dropped, and makes every
// punctuation character a word of its own.
func splitBert(text string, out []string) []string {
	start := -1
	for i, r := range text {
		switch {
		case unicode.IsSpace(r):
			if start >= 0 {
				out = append(out, text[start:i])
				start = -1
			}
		case isPunctuation(r):
			if start >= 0 {
				out = append(out, text[start:i])
				start = -1
			}
			out = append(out, text[i:i+utf8.RuneLen(r)])
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, text[start:])
	}
	return out
}

// isPunctuation reports ASCII punctuation (which includes symbols such as $
// and +) or a character of a Unicode punctuation category.
func isPunctuation(r rune) bool {
	if r < utf8.RuneSelf {
		return r > ' ' && r < 0x7f && !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
	}
	return unicode.IsPunct(r)
}

// splitWordRuns splits text into maximal runs of word characters or of
// other non-space characters, as the regular expression \w+|[^\w\s]+ of
// the Whitespace pre-tokenizer does. A run of punctuation such as "..."
// stays one word.
func splitWordRuns(text string, out []string) []string {
	start, startWord := -1, false
	for i, r := range text {
		space := unicode.IsSpace(r)
		word := isWordChar(r)
		if start >= 0 && (space || word != startWord) {
			out = append(out, text[start:i])
			start = -1
		}
		if start < 0 && !space {
			start, startWord = i, word
		}
	}
	if start >= 0 {
		out = append(out, text[start:])
	}
	return out
}

// isWordChar reports a character matched by \w: a letter, mark, decimal
// digit or connector punctuation such as '_'.
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r)
}

// encode appends the vocabulary ids of text's tokens to ids. Words that
// cannot be split into vocabulary entries, which WordPiece maps to the
// unknown token, add nothing.
func (wp *wordPiece) encode(text string, ids []int) []int {
	words := wp.preTokenize([]string{wp.normalize(text)})
	for _, word := range words {
		ids = wp.encodeWord(word, ids)
	}
	return ids
}

// encodeWord appends the ids of word's pieces, found greedily longest first,
// or nothing when a part of word matches no entry or word is longer than
// maxChars.
func (wp *wordPiece) encodeWord(word string, ids []int) []int {
	if word == "" || utf8.RuneCountInString(word) > wp.maxChars {
		return ids
	}
	before := len(ids)
	for start := 0; start < len(word); {
		end := len(word)
		id := -1
		for end > start {
			piece := word[start:end]
			if start > 0 {
				piece = wp.prefix + piece
			}
			if v, ok := wp.vocab[piece]; ok {
				id = v
				break
			}
			_, size := utf8.DecodeLastRuneInString(word[start:end])
			end -= size
		}
		if id < 0 {
			return ids[:before]
		}
		ids = append(ids, id)
		start = end
	}
	return ids
}
