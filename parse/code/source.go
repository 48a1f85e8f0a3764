package code

import (
	"sort"
	"strings"
	"unicode"
)

// source is a file split into lines. Line numbers are 1-based.
type source struct {
	text   []byte
	lines  []string // line text without '\n'; a '\r' before the '\n' is kept
	starts []int    // byte offset where each line starts (index = line-1)
}

func newSource(text []byte) *source {
	s := &source{text: text}
	start := 0
	for i, b := range text {
		if b == '\n' {
			s.starts = append(s.starts, start)
			s.lines = append(s.lines, string(text[start:i]))
			start = i + 1
		}
	}
	if start < len(text) {
		s.starts = append(s.starts, start)
		s.lines = append(s.lines, string(text[start:]))
	}
	return s
}

// lineOf returns the line that contains byte offset off, clamped to the file.
func (s *source) lineOf(off int) int {
	if len(s.starts) == 0 {
		return 0
	}
	i := sort.Search(len(s.starts), func(i int) bool { return s.starts[i] > off })
	if i == 0 {
		return 1
	}
	return i
}

// content returns lines from..to joined by "\n".
func (s *source) content(from, to int) string {
	return strings.Join(s.lines[from-1:to], "\n")
}

// blank reports whether a line holds only white space.
func (s *source) blank(line int) bool {
	return strings.TrimSpace(s.lines[line-1]) == ""
}

// indent returns the width of a line's leading white space, with tabs
// advancing to the next multiple of 8.
func (s *source) indent(line int) int {
	return indentWidth(s.lines[line-1])
}

func indentWidth(text string) int {
	w := 0
	for _, r := range text {
		switch r {
		case ' ':
			w++
		case '\t':
			w = w/8*8 + 8
		default:
			return w
		}
	}
	return w
}

// trim shrinks from..to past blank lines at both ends. A result with from > to
// means nothing is left.
func (s *source) trim(from, to int) (int, int) {
	for from <= to && s.blank(from) {
		from++
	}
	for to >= from && s.blank(to) {
		to--
	}
	return from, to
}

// trivial reports whether lines from..to carry nothing worth indexing: no
// letter or digit at all (closing braces, parentheses), `end` keywords, or
// preprocessor conditionals (#if, #else, #endif and the like).
func (s *source) trivial(from, to int) bool {
	for l := from; l <= to; l++ {
		t := strings.TrimSpace(s.lines[l-1])
		if t == "end" || t == "end;" || conditionalDirective(t) {
			continue
		}
		if strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			return false
		}
	}
	return true
}

// closer reports whether a line starts with a closing bracket or `end`,
// which makes it a poor first line for a part.
func (s *source) closer(line int) bool {
	t := strings.TrimSpace(s.lines[line-1])
	if t == "" {
		return false
	}
	switch t[0] {
	case '}', ')', ']':
		return true
	}
	return t == "end" || strings.HasPrefix(t, "end ") || strings.HasPrefix(t, "end.")
}

// conditionalDirective reports whether a trimmed line is a C preprocessor
// conditional: #if, #ifdef, #ifndef, #elif, #else or #endif.
func conditionalDirective(t string) bool {
	rest, ok := strings.CutPrefix(t, "#")
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	for _, d := range []string{"ifdef", "ifndef", "if", "elif", "else", "endif"} {
		if after, ok := strings.CutPrefix(rest, d); ok && (after == "" || after[0] == ' ' || after[0] == '\t' || after[0] == '/') {
			return true
		}
	}
	return false
}
