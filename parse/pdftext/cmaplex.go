package pdftext

import (
	"strconv"
)

type tokenKind uint8

const (
	tokenKeyword tokenKind = iota
	tokenString            // a hexadecimal or literal string, decoded to bytes
	tokenNumber
	tokenName
	tokenArray
)

// cmapToken is one token of a CMap program. Arrays hold their items; dictionaries
// are not built, because no operator this package runs needs them.
type cmapToken struct {
	kind  tokenKind
	text  string
	items []cmapToken
}

// cmapLexer splits a CMap program into tokens, following the PostScript syntax
// that CMaps use (PDF 32000-1:2008, 9.10.3 and Adobe Technical Note 5014).
type cmapLexer struct {
	data []byte
	pos  int
}

// maxArrayNesting bounds nested arrays, which CMaps do not use beyond one level.
const maxArrayNesting = 8

// next returns the next token, or false at the end of the data.
func (l *cmapLexer) next() (cmapToken, bool) {
	return l.token(0)
}

func (l *cmapLexer) token(depth int) (cmapToken, bool) {
	l.skipSpace()
	if l.pos >= len(l.data) {
		return cmapToken{}, false
	}
	c := l.data[l.pos]
	switch {
	case c == '<' && l.peek(1) == '<', c == '>' && l.peek(1) == '>':
		l.pos += 2
		return cmapToken{kind: tokenKeyword, text: string(c) + string(c)}, true
	case c == '<':
		return cmapToken{kind: tokenString, text: l.hexString()}, true
	case c == '(':
		return cmapToken{kind: tokenString, text: l.literalString()}, true
	case c == '[':
		l.pos++
		return l.array(depth + 1), true
	case c == '/':
		l.pos++
		return cmapToken{kind: tokenName, text: l.word()}, true
	case c == ']' || c == '>' || c == ')' || c == '{' || c == '}':
		l.pos++
		return cmapToken{kind: tokenKeyword, text: string(c)}, true
	}
	w := l.word()
	if _, err := strconv.ParseFloat(w, 64); err == nil {
		return cmapToken{kind: tokenNumber, text: w}, true
	}
	return cmapToken{kind: tokenKeyword, text: w}, true
}

func (l *cmapLexer) array(depth int) cmapToken {
	arr := cmapToken{kind: tokenArray}
	for {
		l.skipSpace()
		if l.pos >= len(l.data) {
			return arr
		}
		if l.data[l.pos] == ']' {
			l.pos++
			return arr
		}
		if depth > maxArrayNesting && l.data[l.pos] == '[' {
			l.pos++
			continue
		}
		tok, ok := l.token(depth)
		if !ok {
			return arr
		}
		arr.items = append(arr.items, tok)
	}
}

func (l *cmapLexer) peek(offset int) byte {
	if l.pos+offset < len(l.data) {
		return l.data[l.pos+offset]
	}
	return 0
}

func (l *cmapLexer) skipSpace() {
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		if c == '%' {
			for l.pos < len(l.data) && l.data[l.pos] != '\n' && l.data[l.pos] != '\r' {
				l.pos++
			}
			continue
		}
		if !isSpace(c) {
			return
		}
		l.pos++
	}
}

func isDelimiter(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return isSpace(c)
}

func (l *cmapLexer) word() string {
	start := l.pos
	for l.pos < len(l.data) && !isDelimiter(l.data[l.pos]) {
		l.pos++
	}
	if l.pos == start && l.pos < len(l.data) {
		l.pos++ // a delimiter that starts no token of its own
	}
	return string(l.data[start:l.pos])
}

// hexString reads <...>, ignoring white space and padding an odd final digit with 0.
func (l *cmapLexer) hexString() string {
	l.pos++
	var out []byte
	var digit byte
	half := false
	for l.pos < len(l.data) && l.data[l.pos] != '>' {
		v, ok := hexValue(l.data[l.pos])
		l.pos++
		if !ok {
			continue
		}
		if half {
			out = append(out, digit<<4|v)
		} else {
			digit = v
		}
		half = !half
	}
	if half {
		out = append(out, digit<<4)
	}
	l.pos++ // the closing '>'
	return string(out)
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// literalString reads (...), with balanced parentheses and backslash escapes.
func (l *cmapLexer) literalString() string {
	l.pos++
	var out []byte
	depth := 1
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return string(out)
			}
		case '\\':
			out = l.escape(out)
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

func (l *cmapLexer) escape(out []byte) []byte {
	if l.pos >= len(l.data) {
		return out
	}
	c := l.data[l.pos]
	l.pos++
	switch c {
	case 'n':
		return append(out, '\n')
	case 'r':
		return append(out, '\r')
	case 't':
		return append(out, '\t')
	case 'b':
		return append(out, '\b')
	case 'f':
		return append(out, '\f')
	case '\r', '\n':
		return out // a line continuation
	}
	if c < '0' || c > '7' {
		return append(out, c)
	}
	v := c - '0'
	for i := 0; i < 2 && l.pos < len(l.data) && l.data[l.pos] >= '0' && l.data[l.pos] <= '7'; i++ {
		v = v<<3 | (l.data[l.pos] - '0')
		l.pos++
	}
	return append(out, v)
}
