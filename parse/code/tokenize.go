package code

import (
	"bytes"
	"strings"
)

// headerToken is one unit of a declaration header in masked code: an identifier,
// a punctuation mark, or a whole bracketed group ("()" or "{}") whose inner
// text is kept in inner.
type headerToken struct {
	text  string
	word  bool
	inner string
}

// operators are the multi-byte punctuation marks that tokenize keeps whole.
var operators = []string{"...", "::", "->", "=>", "?.", "==", "!=", "<=", ">=", "&&", "||"}

// maxInnerText bounds the parameter text kept for naming macro-defined blocks.
const maxInnerText = 80

// tokenize splits a masked declaration header into tokens.
func tokenize(b []byte) []headerToken {
	var out []headerToken
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case isSpace(c):
			i++
		case isIdentByte(c):
			j := i
			for j < len(b) && isIdentByte(b[j]) {
				j++
			}
			out = append(out, headerToken{text: string(b[i:j]), word: true})
			i = j
		case c == '(' || c == '{':
			end := groupEnd(b, i)
			t := headerToken{text: "()"}
			if c == '{' {
				t.text = "{}"
			}
			t.inner = strings.Join(strings.Fields(string(b[i+1:max(end-1, i+1)])), " ")
			if len(t.inner) > maxInnerText {
				t.inner = t.inner[:maxInnerText]
			}
			out = append(out, t)
			i = end
		default:
			op := string(c)
			for _, o := range operators {
				if bytes.HasPrefix(b[i:], []byte(o)) {
					op = o
					break
				}
			}
			out = append(out, headerToken{text: op})
			i += len(op)
		}
	}
	return out
}

// groupEnd returns the index after the bracket that closes the one at i, or
// len(b) when it is never closed.
func groupEnd(b []byte, i int) int {
	open := b[i]
	closer := byte(')')
	if open == '{' {
		closer = '}'
	}
	depth := 0
	for k := i; k < len(b); k++ {
		switch b[k] {
		case open:
			depth++
		case closer:
			depth--
			if depth == 0 {
				return k + 1
			}
		}
	}
	return len(b)
}

// skipAngle returns the index after the '>' that closes the '<' at i, or i
// when the token at i is not '<'.
func skipAngle(toks []headerToken, i int) int {
	if i >= len(toks) || toks[i].text != "<" {
		return i
	}
	depth := 0
	for k := i; k < len(toks); k++ {
		switch toks[k].text {
		case "<":
			depth++
		case ">":
			depth--
			if depth == 0 {
				return k + 1
			}
		}
	}
	return len(toks)
}

// skipSquare returns the index after the ']' that closes the '[' at i.
func skipSquare(toks []headerToken, i int) int {
	depth := 0
	for k := i; k < len(toks); k++ {
		switch toks[k].text {
		case "[":
			depth++
		case "]":
			depth--
			if depth == 0 {
				return k + 1
			}
		}
	}
	return len(toks)
}

func isText(toks []headerToken, i int, text string) bool {
	return i >= 0 && i < len(toks) && toks[i].text == text
}

func isWord(toks []headerToken, i int) bool {
	return i >= 0 && i < len(toks) && toks[i].word
}

// isName reports whether a word token can be a declared name: it does not
// start with a digit (masked string literals show up as the word "0").
func isName(toks []headerToken, i int) bool {
	return isWord(toks, i) && (toks[i].text[0] < '0' || toks[i].text[0] > '9')
}
