package lexical

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a byte range [start, end) of the normalised text.
type span struct{ start, end int }

// positionedRune is a rune of a segment with its byte offset in the text.
type positionedRune struct {
	r   rune
	pos int
}

// compound is the scanner state for one run of word characters joined by
// connectors (getUserById, os.path.join, v1.2.3, C++). It is reused across
// compounds to avoid allocations.
type compound struct {
	text       string // normalised text being scanned
	start, end int    // bounds of the compound in text, suffix included
	suffix     bool   // the compound ends in "++" or "#"
	parts      []span
	runes      []positionedRune
	scratch    []byte
}

// isApostrophe reports whether r is an ASCII or typographic apostrophe.
func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' }

// isWordRuneAt reports whether text[i:] starts with a word-class rune.
func isWordRuneAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	if text[i] < utf8.RuneSelf {
		return asciiClass[text[i]] == classWord
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return classify(r) == classWord
}

// connectorLen returns the byte length of the connector at text[i:], or 0
// when none starts there. Connectors are runs of '_' and '-', a single '.',
// a single '/', and exactly "::".
func connectorLen(text string, i int) int {
	if i >= len(text) {
		return 0
	}
	switch text[i] {
	case '_', '-':
		n := 1
		for i+n < len(text) && (text[i+n] == '_' || text[i+n] == '-') {
			n++
		}
		return n
	case '.', '/':
		return 1
	case ':':
		if strings.HasPrefix(text[i:], "::") && !strings.HasPrefix(text[i:], ":::") {
			return 2
		}
	}
	return 0
}

// scan reads the compound that starts at text[start], which must be a word
// rune, fills c.parts and returns the end of the compound.
func (c *compound) scan(text string, start int) int {
	c.text, c.start, c.suffix = text, start, false
	c.parts = c.parts[:0]
	i := start
	for {
		segStart := i
		var simple bool
		i, simple = scanSegment(text, i)
		if simple {
			c.parts = append(c.parts, span{segStart, i})
		} else {
			c.splitSegment(segStart, i)
		}
		n := connectorLen(text, i)
		if n == 0 || !isWordRuneAt(text, i+n) {
			break
		}
		i += n
	}
	switch {
	case strings.HasPrefix(text[i:], "++") && !isWordRuneAt(text, i+2):
		i += 2
		c.suffix = true
	case strings.HasPrefix(text[i:], "#") && !isWordRuneAt(text, i+1):
		i++
		c.suffix = true
	}
	c.end = i
	return i
}

// scanSegment returns the end of the run of word runes starting at text[i].
// An apostrophe between two letters belongs to the run (don't, user's). The
// run is simple when it consists of lower-case ASCII letters and digits
// only, so that it forms a single part as it is.
func scanSegment(text string, i int) (end int, simple bool) {
	simple = true
	prevLetter := false
	for i < len(text) {
		if b := text[i]; b < utf8.RuneSelf && asciiClass[b] == classWord {
			prevLetter = b > '9'
			simple = simple && (b <= '9' || b >= 'a')
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if classify(r) == classWord {
			prevLetter = unicode.IsLetter(r)
			simple = false
			i += size
			continue
		}
		if isApostrophe(r) && prevLetter && i+size < len(text) {
			next, _ := utf8.DecodeRuneInString(text[i+size:])
			if classify(next) == classWord && unicode.IsLetter(next) {
				simple = false
				i += size
				continue
			}
		}
		break
	}
	return i, simple
}

// splitSegment appends the camel-case parts of text[start:end] to c.parts.
// A trailing possessive "'s" is dropped first.
func (c *compound) splitSegment(start, end int) {
	seg := c.text[start:end]
	for _, possessive := range [...]string{"'s", "'S", "\u2019s", "\u2019S"} {
		if strings.HasSuffix(seg, possessive) {
			end -= len(possessive)
			break
		}
	}
	c.runes = c.runes[:0]
	for i := start; i < end; {
		r, size := utf8.DecodeRuneInString(c.text[i:])
		c.runes = append(c.runes, positionedRune{r, i})
		i += size
	}
	partStart := start
	hasLetter := false
	for k, pr := range c.runes {
		if k > 0 && c.isCamelBoundary(k, hasLetter) {
			c.parts = append(c.parts, span{partStart, pr.pos})
			partStart = pr.pos
			hasLetter = false
		}
		if unicode.IsLetter(pr.r) {
			hasLetter = true
		}
	}
	if partStart < end {
		c.parts = append(c.parts, span{partStart, end})
	}
}

// isCamelBoundary reports whether a new part starts at c.runes[k]:
// getUser → get|User, base64Encode → base64|Encode, HTTPServer → HTTP|Server.
// A single lower-case letter after capitals stays attached (IPv6, URLs), so
// plurals and short suffixes of acronyms do not split.
func (c *compound) isCamelBoundary(k int, partHasLetter bool) bool {
	prev, cur := c.runes[k-1].r, c.runes[k].r
	if !unicode.IsUpper(cur) {
		return false
	}
	if unicode.IsLower(prev) {
		return true
	}
	if unicode.IsDigit(prev) {
		return partHasLetter
	}
	if !unicode.IsUpper(prev) {
		return false
	}
	lowerRun := 0
	for _, next := range c.runes[k+1:] {
		if !unicode.IsLower(next.r) {
			break
		}
		lowerRun++
	}
	return lowerRun >= 2
}

// isLowerASCII reports whether s has no upper-case letter, no apostrophe
// and no byte outside ASCII, so that lower returns it unchanged.
func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b >= utf8.RuneSelf || ('A' <= b && b <= 'Z') || b == '\'' {
			return false
		}
	}
	return true
}

// lowerInto writes s to c.scratch in lower case without apostrophes and
// returns the bytes written, valid until the next call.
func (c *compound) lowerInto(s string) []byte {
	c.scratch = c.scratch[:0]
	for _, r := range s {
		if isApostrophe(r) {
			continue
		}
		c.scratch = utf8.AppendRune(c.scratch, unicode.ToLower(r))
	}
	return c.scratch
}

// lower returns s in lower case without apostrophes, s itself when it needs
// no change.
func (c *compound) lower(s string) string {
	if isLowerASCII(s) {
		return s
	}
	return string(c.lowerInto(s))
}

// emitCompound sends the terms of the compound last scanned to emit. A plain
// word yields its term unless it is a stop word. Any other compound yields
// the term of every part and then the whole compound in lower case, and a
// version such as v1.2.3 also yields 1.2.3.
func (a *analyzer) emitCompound(emit func(string)) {
	c := &a.c
	if len(c.parts) == 1 && !c.suffix {
		if term, stop := a.word(c.text[c.parts[0].start:c.parts[0].end]); term != "" && !stop {
			emit(term)
		}
		return
	}
	for _, p := range c.parts {
		if term, _ := a.word(c.text[p.start:p.end]); term != "" {
			emit(term)
		}
	}
	whole := c.lower(c.text[c.start:c.end])
	if len(whole) > maxTermBytes {
		return
	}
	emit(whole)
	if version, ok := strings.CutPrefix(whole, "v"); ok && isDottedNumber(version) {
		emit(version)
	}
}

// isDottedNumber reports whether s is digits separated by single dots with at
// least one dot, such as 1.2.3.
func isDottedNumber(s string) bool {
	dots, digits := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case '0' <= s[i] && s[i] <= '9':
			digits++
		case s[i] == '.' && digits > 0:
			dots++
			digits = 0
		default:
			return false
		}
	}
	return dots > 0 && digits > 0
}
