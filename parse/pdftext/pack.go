package pdftext

import (
	"strings"
	"unicode/utf8"
)

// separators are the boundaries a paragraph is cut at when it is larger than a piece,
// from the preferred one down: lines, then words.
var separators = []string{"\n", " "}

// packer packs texts into pieces of at most max tokens.
type packer struct {
	max   int
	count func(string) int
}

// pack joins consecutive parts into pieces of at most p.max tokens, putting seps[i]
// between parts[i-1] and parts[i] so that every piece is an exact part of the text the
// parts came from. A part larger than p.max is cut at the separators after level.
// Pieces are trimmed of surrounding white space, and empty pieces are dropped.
func (p packer) pack(parts, seps []string, level int) []string {
	var out []string
	var current, currentSeps []string
	size := 0
	flush := func() {
		if len(current) > 0 {
			out = append(out, p.verified(current, currentSeps)...)
		}
		current, currentSeps, size = nil, nil, 0
	}
	for i, part := range parts {
		if strings.TrimSpace(part) == "" && len(current) == 0 {
			continue
		}
		n := p.count(part)
		if n > p.max {
			flush()
			out = append(out, p.cut(part, level)...)
			continue
		}
		sepTokens := 0
		if len(current) > 0 {
			sepTokens = p.count(seps[i])
		}
		if len(current) > 0 && size+sepTokens+n > p.max {
			flush()
			sepTokens = 0
		}
		current = append(current, part)
		currentSeps = append(currentSeps, seps[i])
		size += sepTokens + n
	}
	flush()
	return out
}

// verified joins parts into one piece, or returns each part as its own piece when the
// joined text turns out to be larger than p.max (token counts of joined text can differ
// from the sum of the parts). Each part alone is within p.max.
func (p packer) verified(parts, seps []string) []string {
	var b strings.Builder
	for i, part := range parts {
		if i > 0 {
			b.WriteString(seps[i])
		}
		b.WriteString(part)
	}
	joined := strings.TrimSpace(b.String())
	if joined == "" {
		return nil
	}
	if len(parts) == 1 || p.count(joined) <= p.max {
		return []string{joined}
	}
	var out []string
	for _, part := range parts {
		if t := strings.TrimSpace(part); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// cut splits a text larger than p.max at the first separator from level on that it
// contains, or between characters when it contains none.
func (p packer) cut(text string, level int) []string {
	for ; level < len(separators); level++ {
		sep := separators[level]
		if !strings.Contains(text, sep) {
			continue
		}
		parts := strings.Split(text, sep)
		seps := make([]string, len(parts))
		for i := range seps {
			seps[i] = sep
		}
		return p.pack(parts, seps, level+1)
	}
	return p.cutRunes(strings.TrimSpace(text))
}

// cutRunes splits text into the longest prefixes of at most p.max tokens, found by
// binary search over character positions. Every prefix keeps at least one character,
// so the loop ends even when one character counts as more than p.max tokens.
func (p packer) cutRunes(text string) []string {
	var out []string
	for text != "" {
		lo, hi := 1, utf8.RuneCountInString(text)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if p.count(prefixRunes(text, mid)) <= p.max {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		head := prefixRunes(text, lo)
		out = append(out, head)
		text = text[len(head):]
	}
	return out
}

func prefixRunes(s string, n int) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}
