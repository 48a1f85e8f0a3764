package code

import (
	"bytes"
	"strings"
)

func (l *lexer) doubleQuoted(i int) int {
	if l.syn.cppRaw && l.at(i-1) == 'R' {
		if end := l.cppRawString(i); end > i {
			return end
		}
	}
	if l.syn.tripleQuotes && bytes.HasPrefix(l.src[i:], []byte(`"""`)) {
		return l.tripleQuoted(i, '"')
	}
	return l.quoted(i, '"', l.syn.multilineStr, l.syn.interpolation)
}

// quoted masks a literal from the quote at i to the matching unescaped quote.
// Unless multiline is set, a line break ends an unterminated literal, which
// keeps a stray quote from masking the rest of the file. interp names the
// interpolation opener ("${" or `\(`) whose nested code is read as code so
// that quotes inside it do not end the literal.
func (l *lexer) quoted(i int, quote byte, multiline bool, interp string) int {
	k := i + 1
	for k < len(l.src) {
		c := l.src[k]
		switch {
		case c == '\\' && interp == `\(` && l.at(k+1) == '(' && l.nest < maxInterpolation:
			k = l.interpolate(k+2, ')')
		case c == '\\':
			k += 2
		case c == quote:
			l.maskLiteral(i, k+1)
			return k + 1
		case c == '\n' && !multiline:
			l.maskLiteral(i, k)
			return k
		case c == '$' && interp == "${" && l.at(k+1) == '{' && l.nest < maxInterpolation:
			k = l.interpolate(k+2, '}')
		default:
			k++
		}
	}
	l.maskLiteral(i, len(l.src))
	return len(l.src)
}

// interpolate reads the code of an interpolation that starts at i and returns
// the index after its closer.
func (l *lexer) interpolate(i int, closer byte) int {
	l.nest++
	end := l.scanCode(i, closer)
	l.nest--
	return end + 1
}

// tripleQuoted masks a text block opened by three or more quotes at i and
// closed by as many, as in Java, Kotlin, Swift, Scala, Dart and C# raw strings.
func (l *lexer) tripleQuoted(i int, quote byte) int {
	n := 0
	for l.at(i+n) == quote {
		n++
	}
	closing := bytes.Repeat([]byte{quote}, n)
	k := i + n
	for k < len(l.src) {
		c := l.src[k]
		switch {
		case bytes.HasPrefix(l.src[k:], closing):
			k += n
			for l.at(k) == quote {
				k++
			}
			l.maskLiteral(i, k)
			return k
		case c == '\\' && l.syn.interpolation == `\(` && l.at(k+1) == '(' && l.nest < maxInterpolation:
			k = l.interpolate(k+2, ')')
		case c == '\\':
			k += 2
		case c == '$' && l.syn.interpolation == "${" && l.at(k+1) == '{' && l.nest < maxInterpolation:
			k = l.interpolate(k+2, '}')
		default:
			k++
		}
	}
	l.maskLiteral(i, len(l.src))
	return len(l.src)
}

// verbatim masks a C# verbatim string that starts at i and whose quote is at q.
func (l *lexer) verbatim(i, q int) int {
	k := q + 1
	for k < len(l.src) {
		if l.src[k] == '"' {
			if l.at(k+1) == '"' {
				k += 2
				continue
			}
			l.maskLiteral(i, k+1)
			return k + 1
		}
		k++
	}
	l.maskLiteral(i, len(l.src))
	return len(l.src)
}

// rustRawString masks r"...", r#"..."#, br"..." and cr"..." literals at i,
// or returns i for an identifier that merely contains or starts with r.
func (l *lexer) rustRawString(i int) int {
	start := i
	if p := l.at(i - 1); p == 'b' || p == 'c' {
		start = i - 1
	}
	if start > 0 && isIdentByte(l.src[start-1]) {
		return i
	}
	k := i + 1
	hashes := 0
	for l.at(k) == '#' {
		hashes++
		k++
	}
	if l.at(k) != '"' {
		return i // a raw identifier such as r#type
	}
	closing := append([]byte{'"'}, bytes.Repeat([]byte{'#'}, hashes)...)
	end := bytes.Index(l.src[k+1:], closing)
	if end < 0 {
		l.maskLiteral(start, len(l.src))
		return len(l.src)
	}
	stop := k + 1 + end + len(closing)
	l.maskLiteral(start, stop)
	return stop
}

// cppRawString masks a C++ raw string R"delim(...)delim" whose quote is at q,
// or returns q when the R is part of a longer identifier.
func (l *lexer) cppRawString(q int) int {
	r := q - 1
	p := r - 1
	// Encoding prefixes: u8R, uR, UR, LR.
	switch {
	case l.at(p) == '8' && l.at(p-1) == 'u':
		p -= 2
	case l.at(p) == 'u' || l.at(p) == 'U' || l.at(p) == 'L':
		p--
	}
	if p >= 0 && isIdentByte(l.src[p]) {
		return q
	}
	open := bytes.IndexByte(l.src[q+1:], '(')
	if open < 0 || open > 16 || bytes.ContainsAny(l.src[q+1:q+1+open], " ()\\\t\n") {
		return q
	}
	closing := append(append([]byte{')'}, l.src[q+1:q+1+open]...), '"')
	end := bytes.Index(l.src[q+1+open:], closing)
	if end < 0 {
		l.maskLiteral(r, len(l.src))
		return len(l.src)
	}
	stop := q + 1 + open + end + len(closing)
	l.maskLiteral(r, stop)
	return stop
}

// swiftRawString masks #"..."# and ##"""..."""## literals at i, or returns
// i for other uses of '#' such as #if or #selector.
func (l *lexer) swiftRawString(i int) int {
	k := i
	for l.at(k) == '#' {
		k++
	}
	if l.at(k) != '"' {
		return i
	}
	hashes := k - i
	quotes := 1
	if bytes.HasPrefix(l.src[k:], []byte(`"""`)) {
		quotes = 3
	}
	closing := append(bytes.Repeat([]byte{'"'}, quotes), bytes.Repeat([]byte{'#'}, hashes)...)
	end := bytes.Index(l.src[k+quotes:], closing)
	if end < 0 {
		l.maskLiteral(i, len(l.src))
		return len(l.src)
	}
	stop := k + quotes + end + len(closing)
	l.maskLiteral(i, stop)
	return stop
}

// heredoc masks a PHP heredoc or nowdoc (<<<ID ... ID) at i, or returns i
// when no identifier follows the <<<.
func (l *lexer) heredoc(i int) int {
	k := i + 3
	for l.at(k) == ' ' || l.at(k) == '\t' {
		k++
	}
	quote := l.at(k)
	if quote == '\'' || quote == '"' {
		k++
	}
	idStart := k
	for k < len(l.src) && isIdentByte(l.src[k]) {
		k++
	}
	id := string(l.src[idStart:k])
	if id == "" {
		return i
	}

	lineEnd := bytes.IndexByte(l.src[k:], '\n')
	if lineEnd < 0 {
		return i
	}

	pos := k + lineEnd + 1
	for pos < len(l.src) {
		next := bytes.IndexByte(l.src[pos:], '\n')
		line := l.src[pos:]
		if next >= 0 {
			line = l.src[pos : pos+next]
		}
		trimmed := strings.TrimLeft(string(line), " \t")
		if strings.HasPrefix(trimmed, id) && (len(trimmed) == len(id) || !isIdentByte(trimmed[len(id)])) {
			stop := pos + (len(line) - len(trimmed)) + len(id)
			l.maskLiteral(i, stop)
			return stop
		}
		if next < 0 {
			break
		}
		pos += next + 1
	}
	l.maskLiteral(i, len(l.src))
	return len(l.src)
}
