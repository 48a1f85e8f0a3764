package glob

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// segment matches one path segment, or with any set, zero or more segments.
type segment struct {
	any     bool   // `**`: zero or more whole segments
	star    bool   // `*` alone: any one segment
	literal string // the whole segment when it has no wildcard
	hasElem bool   // elems is used instead of literal
	elems   []elem
	// For the common forms `*suffix` and `prefix*`, the fixed text; match
	// then skips the general matcher.
	suffix, prefix string
}

type elemKind uint8

const (
	elemLiteral  elemKind = iota // fixed text
	elemStar                     // any run of characters
	elemQuestion                 // any one character
	elemClass                    // one character of a set
)

// elem is one unit of a segment with wildcards.
type elem struct {
	kind  elemKind
	text  string      // for elemLiteral
	class []runeRange // for elemClass
	neg   bool        // for elemClass: the set is negated
}

// runeRange is an inclusive range of runes.
type runeRange struct{ lo, hi rune }

// compileSegment parses one segment of a pattern. It returns a reason when
// the segment is invalid.
func compileSegment(s string) (segment, string) {
	var elems []elem
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			elems = append(elems, elem{kind: elemLiteral, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '\\':
			if i+1 >= len(s) {
				return segment{}, "it ends with '\\', which escapes nothing; write `\\\\` for a literal backslash"
			}
			_, size := utf8.DecodeRuneInString(s[i+1:])
			lit.WriteString(s[i+1 : i+1+size])
			i += 1 + size
		case '*':
			flush()
			if len(elems) == 0 || elems[len(elems)-1].kind != elemStar {
				elems = append(elems, elem{kind: elemStar})
			}
			i++
		case '?':
			flush()
			elems = append(elems, elem{kind: elemQuestion})
			i++
		case '[':
			flush()
			e, next, reason := compileClass(s, i)
			if reason != "" {
				return segment{}, reason
			}
			elems = append(elems, e)
			i = next
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			lit.WriteString(s[i : i+size]) // raw bytes, so invalid UTF-8 matches itself
			i += size
		}
	}
	flush()
	switch {
	case len(elems) == 1 && elems[0].kind == elemLiteral:
		return segment{literal: elems[0].text}, ""
	case len(elems) == 1 && elems[0].kind == elemStar:
		return segment{star: true}, ""
	}
	seg := segment{hasElem: true, elems: elems}
	if len(elems) == 2 && elems[0].kind == elemStar && elems[1].kind == elemLiteral {
		seg.suffix = elems[1].text
	}
	if len(elems) == 2 && elems[0].kind == elemLiteral && elems[1].kind == elemStar {
		seg.prefix = elems[0].text
	}
	return seg, ""
}

// compileClass parses the character class that opens at s[i] == '[' and
// returns it with the index after its closing ']'.
func compileClass(s string, i int) (elem, int, string) {
	e := elem{kind: elemClass}
	j := i + 1
	if j < len(s) && (s[j] == '!' || s[j] == '^') {
		e.neg = true
		j++
	}
	first := true
	for {
		if j >= len(s) {
			return elem{}, 0, fmt.Sprintf("unclosed '[' in segment %q; close the class with ']' (a class cannot contain '/') or write `\\[` for a literal '['", s)
		}
		if s[j] == ']' && !first {
			return e, j + 1, ""
		}
		first = false
		lo, next, ok := classRune(s, j)
		if !ok {
			return elem{}, 0, "it ends with '\\' inside a character class"
		}
		j = next
		hi := lo
		if j+1 < len(s) && s[j] == '-' && s[j+1] != ']' {
			hi, next, ok = classRune(s, j+1)
			if !ok {
				return elem{}, 0, "it ends with '\\' inside a character class"
			}
			if hi < lo {
				return elem{}, 0, fmt.Sprintf("range %q-%q is reversed; write the lower character first", lo, hi)
			}
			j = next
		}
		e.class = append(e.class, runeRange{lo, hi})
	}
}

// classRune reads one possibly escaped rune of a class at s[j].
func classRune(s string, j int) (rune, int, bool) {
	if s[j] == '\\' {
		j++
		if j >= len(s) {
			return 0, 0, false
		}
	}
	r, size := utf8.DecodeRuneInString(s[j:])
	return r, j + size, true
}

// match reports whether one path segment matches.
func (g *segment) match(name string) bool {
	switch {
	case g.star:
		return true
	case !g.hasElem:
		return name == g.literal
	case g.suffix != "":
		return strings.HasSuffix(name, g.suffix)
	case g.prefix != "":
		return strings.HasPrefix(name, g.prefix)
	}
	return matchElems(g.elems, name)
}

// matchElems matches a segment's elements against name. Every element but
// a star has a fixed length, so on a mismatch retrying from the most recent
// star with one more character consumed finds a match whenever one exists.
func matchElems(elems []elem, name string) bool {
	ei, ni := 0, 0
	starAt, starFrom := -1, 0
	for ni < len(name) || ei < len(elems) {
		if ei < len(elems) {
			e := &elems[ei]
			if e.kind == elemStar {
				starAt, starFrom = ei, ni
				ei++
				continue
			}
			if n := e.matchAt(name, ni); n > 0 {
				ei++
				ni += n
				continue
			}
		}
		if starAt < 0 || starFrom >= len(name) {
			return false
		}
		_, size := utf8.DecodeRuneInString(name[starFrom:])
		starFrom += size
		ei, ni = starAt+1, starFrom
	}
	return true
}

// matchAt returns how many bytes of name at i the element matches, or 0.
func (e *elem) matchAt(name string, i int) int {
	if i >= len(name) {
		return 0
	}
	switch e.kind {
	case elemLiteral:
		if strings.HasPrefix(name[i:], e.text) {
			return len(e.text)
		}
		return 0
	case elemQuestion:
		_, size := utf8.DecodeRuneInString(name[i:])
		return size
	case elemClass:
		r, size := utf8.DecodeRuneInString(name[i:])
		in := false
		for _, rr := range e.class {
			if rr.lo <= r && r <= rr.hi {
				in = true
				break
			}
		}
		if in != e.neg {
			return size
		}
	}
	return 0
}
