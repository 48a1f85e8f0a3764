// Package tokens counts tokens the way OpenAI's cl100k_base encoding does,
// offline, so chunk sizes and search budgets match what a model will see.
package tokens

import (
	"sync"
	"unicode/utf8"

	"github.com/tiktoken-go/tokenizer"
)

var (
	codecOnce sync.Once
	codec     tokenizer.Codec
	codecErr  error
)

func load() tokenizer.Codec {
	codecOnce.Do(func() {
		codec, codecErr = tokenizer.Get(tokenizer.Cl100kBase)
	})
	if codecErr != nil {
		return nil
	}
	return codec
}

// Count returns the number of cl100k_base tokens in s. Invalid UTF-8 is
// counted after replacing bad bytes, and if the encoder cannot be loaded the
// count falls back to an estimate of one token per four bytes.
func Count(s string) int {
	if s == "" {
		return 0
	}
	if !utf8.ValidString(s) {
		s = toValidUTF8(s)
	}
	c := load()
	if c == nil {
		return (len(s) + 3) / 4
	}
	n, err := c.Count(s)
	if err != nil {
		return (len(s) + 3) / 4
	}
	return n
}

func toValidUTF8(s string) string {
	buf := make([]rune, 0, len(s))
	for _, r := range s {
		buf = append(buf, r)
	}
	return string(buf)
}
