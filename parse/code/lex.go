package code

import (
	"bytes"
	"unicode/utf8"
)

// maxInterpolation bounds how deeply string interpolations may nest before
// the lexer treats further ones as plain string text.
const maxInterpolation = 64

// lexer masks everything that is not code in a brace-language file: comments,
// string and character literals, inline HTML in PHP, and the C preprocessor
// lines and the #else branches it skips. The masked copy keeps every line
// break and byte offset, so braces in it can be matched directly.
type lexer struct {
	syn      *syntax
	src      []byte
	code     []byte       // src with masked bytes replaced by spaces
	comments [][2]int     // byte ranges of comments
	breaks   map[int]bool // offsets of line breaks inside string literals
	nest     int          // current interpolation depth
	branches []int        // for each open #if being read, the offset where its current branch starts
}

func lex(syn *syntax, src []byte) *lexer {
	l := &lexer{syn: syn, src: src, code: bytes.Clone(src)}
	i := 0
	if syn.php {
		i = l.skipHTML(0)
	}
	l.scanCode(i, 0)
	return l
}

// mask replaces src[a:b] with spaces in the code copy, keeping line breaks.
func (l *lexer) mask(a, b int) {
	b = min(b, len(l.code))
	for k := max(a, 0); k < b; k++ {
		if l.code[k] != '\n' {
			l.code[k] = ' '
		}
	}
}

// maskLiteral masks the literal src[a:b] and leaves a '0' at its first byte,
// so that the masked code still shows a value there: a line that ends in a
// string does not look like a line that ends in '=' or '('.
func (l *lexer) maskLiteral(a, b int) {
	l.mask(a, b)
	if a >= 0 && a < len(l.code) {
		l.code[a] = '0'
	}
	for k := max(a, 0); k < min(b, len(l.src)); k++ {
		if l.src[k] == '\n' {
			if l.breaks == nil {
				l.breaks = make(map[int]bool)
			}
			l.breaks[k] = true
		}
	}
}

func (l *lexer) comment(a, b int) {
	l.mask(a, b)
	l.comments = append(l.comments, [2]int{a, min(b, len(l.src))})
}

func (l *lexer) at(i int) byte {
	if i < 0 || i >= len(l.src) {
		return 0
	}
	return l.src[i]
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// scanCode masks literals and comments from i on. With closer '}' or ')' it
// reads the code of an interpolation and returns the index of the closer that
// ends it. With closer 0 it reads to the end of the input.
func (l *lexer) scanCode(i int, closer byte) int {
	var opener byte
	switch closer {
	case '}':
		opener = '{'
	case ')':
		opener = '('
	}
	level := 0
	lineStart := true
	for i < len(l.src) {
		c := l.src[i]
		switch c {
		case '\n':
			lineStart = true
			i++
			continue
		case ' ', '\t', '\r', '\f', '\v':
			i++
			continue
		}
		atLineStart := lineStart
		lineStart = false
		if closer != 0 {
			if c == opener {
				level++
			} else if c == closer {
				if level == 0 {
					return i
				}
				level--
			}
		}
		if next := l.literal(i, atLineStart); next > i {
			i = next
			continue
		}
		i++
	}
	return len(l.src)
}

// literal masks the comment, literal or directive that starts at i and
// returns the index after it, or returns i when none starts there.
func (l *lexer) literal(i int, atLineStart bool) int {
	syn := l.syn
	c, next := l.src[i], l.at(i+1)
	switch {
	case c == '/' && next == '/':
		return l.lineComment(i)
	case c == '/' && next == '*':
		return l.blockComment(i)
	case c == '#' && syn.directives && atLineStart:
		return l.directive(i)
	case c == '#' && syn.hashComment && next != '[':
		return l.lineComment(i)
	case c == '#' && syn.swiftRaw && (next == '"' || next == '#'):
		return l.swiftRawString(i)
	case c == '"':
		return l.doubleQuoted(i)
	case c == '\'':
		return l.singleQuoted(i)
	case c == '`':
		return l.backtick(i)
	case c == 'r' && syn.rustRaw && (next == '"' || next == '#'):
		return l.rustRawString(i)
	case c == '@' && syn.csVerbatim && next == '"':
		return l.verbatim(i, i+1)
	case (c == '@' && next == '$' || c == '$' && next == '@') && syn.csVerbatim && l.at(i+2) == '"':
		return l.verbatim(i, i+2)
	case c == '/' && syn.regex && l.regexAllowed(i):
		return l.regexLiteral(i)
	case c == '?' && syn.php && next == '>':
		return l.skipHTML(i)
	case c == '<' && syn.php && next == '<' && l.at(i+2) == '<':
		return l.heredoc(i)
	}
	return i
}

func (l *lexer) lineComment(i int) int {
	j := bytes.IndexByte(l.src[i:], '\n')
	if j < 0 {
		j = len(l.src) - i
	}
	l.comment(i, i+j)
	return i + j
}

func (l *lexer) blockComment(i int) int {
	depth, k := 1, i+2
	for k < len(l.src) {
		switch {
		case l.src[k] == '*' && l.at(k+1) == '/':
			depth--
			k += 2
			if depth == 0 {
				l.comment(i, k)
				return k
			}
		case l.syn.nestedComment && l.src[k] == '/' && l.at(k+1) == '*':
			depth++
			k += 2
		default:
			k++
		}
	}
	l.comment(i, len(l.src))
	return len(l.src)
}

// regexAllowed reports whether a '/' at i starts a regular expression literal
// rather than a division: it does after an operator, an opening bracket, a
// keyword such as return, or at the start of the input.
func (l *lexer) regexAllowed(i int) bool {
	p := i - 1
	for p >= 0 && (l.code[p] == ' ' || l.code[p] == '\t' || l.code[p] == '\n' || l.code[p] == '\r') {
		p--
	}
	if p < 0 {
		return true
	}
	c := l.code[p]
	if c == ')' || c == ']' {
		return false
	}
	if !isIdentByte(c) {
		return true
	}
	q := p
	for q >= 0 && isIdentByte(l.code[q]) {
		q--
	}
	switch string(l.code[q+1 : p+1]) {
	case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await":
		return true
	}
	return false
}

// regexLiteral masks a regular expression literal that ends on the same line,
// or returns i when the line holds no closing '/', which makes the '/' a
// division after all.
func (l *lexer) regexLiteral(i int) int {
	inClass := false
	for k := i + 1; k < len(l.src) && l.src[k] != '\n'; k++ {
		switch c := l.src[k]; {
		case c == '\\':
			k++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '/':
			k++
			for k < len(l.src) && isIdentByte(l.src[k]) {
				k++
			}
			l.maskLiteral(i, k)
			return k
		}
	}
	return i
}

// skipHTML masks PHP inline HTML from i up to and including the next opening
// tag (<?php, <?= or <?).
func (l *lexer) skipHTML(i int) int {
	j := bytes.Index(l.src[i:], []byte("<?"))
	if j < 0 {
		l.mask(i, len(l.src))
		return len(l.src)
	}
	end := i + j + 2
	if bytes.HasPrefix(l.src[end:], []byte("php")) {
		end += 3
	} else if l.at(end) == '=' {
		end++
	}
	l.mask(i, end)
	return end
}

// singleQuoted handles a single quote according to the language.
func (l *lexer) singleQuoted(i int) int {
	switch l.syn.single {
	case quoteString:
		if l.syn.tripleQuotes && bytes.HasPrefix(l.src[i:], []byte("'''")) {
			return l.tripleQuoted(i, '\'')
		}
		interp := ""
		if l.syn.singleInterp {
			interp = l.syn.interpolation
		}
		return l.quoted(i, '\'', l.syn.multilineStr, interp)
	case quoteChar:
		if l.syn.cppRaw && l.digitSeparator(i) {
			return i + 1
		}
		return l.quoted(i, '\'', false, "")
	case quoteRust:
		if l.at(i+1) == '\\' {
			return l.quoted(i, '\'', false, "")
		}
		_, size := utf8.DecodeRune(l.src[min(i+1, len(l.src)):])
		if size > 0 && l.at(i+1+size) == '\'' {
			l.maskLiteral(i, i+2+size)
			return i + 2 + size
		}
		return i + 1 // a lifetime such as 'a or 'static
	}
	return i
}

// digitSeparator reports whether the quote at i sits inside a C++ number
// such as 1'000'000.
func (l *lexer) digitSeparator(i int) bool {
	k := i - 1
	for k >= 0 && (isIdentByte(l.src[k]) || l.src[k] == '\'' || l.src[k] == '.') {
		k--
	}
	c := l.at(k + 1)
	return k+1 < i && '0' <= c && c <= '9'
}

func (l *lexer) backtick(i int) int {
	switch l.syn.backtick {
	case backtickTemplate:
		return l.quoted(i, '`', true, "${")
	case backtickIdent:
		return l.quoted(i, '`', false, "")
	}
	return i
}
