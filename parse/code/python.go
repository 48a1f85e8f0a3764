package code

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyLine describes one physical line of a Python file.
type pyLine struct {
	start   bool // first line of a statement (a logical line)
	owner   int  // line index of the statement this line belongs to, -1 before any
	last    int  // for a start line: index of the statement's last physical line
	comment bool // only a comment, outside any statement
	blank   bool
	indent  int
}

// pyFile is a Python file with its line structure.
type pyFile struct {
	src   *source
	lines []pyLine
}

// pythonSpans returns the def and class spans of a Python file. Methods are
// qualified with their class, and functions nested in functions stay inside
// their parent. Decorators and comment lines directly above a definition
// belong to it.
func pythonSpans(s *source) []span {
	p := &pyFile{src: s, lines: pyLines(s)}
	return p.walk(0, len(s.lines)-1, scope{}, -1)
}

// pyLines finds the logical lines of a Python file: a statement continues
// while brackets are open, a string is open or a line ends in a backslash.
// NOTE: f-strings that reuse their own quote inside braces (Python 3.12) end
// early here, which can misplace statement starts on that line only.
func pyLines(s *source) []pyLine {
	lines := make([]pyLine, len(s.lines))
	owner := -1
	var st pyState
	for li, raw := range s.lines {
		text := strings.TrimSuffix(raw, "\r")
		continuing := st.open()
		pl := &lines[li]
		pl.indent = indentWidth(text)
		trimmed := strings.TrimSpace(text)
		pl.blank = trimmed == ""
		if !continuing {
			switch {
			case pl.blank:
			case trimmed[0] == '#':
				pl.comment = true
			default:
				pl.start = true
				owner = li
			}
		}
		pl.owner = owner
		st.scan(text)
		if owner >= 0 && (pl.start || continuing) {
			lines[owner].last = li
		}
	}
	return lines
}

// pyState is the lexical state carried from one Python line to the next.
type pyState struct {
	depth  int  // open brackets
	quote  byte // quote character of an open string, 0 when none
	triple bool // the open string is triple-quoted
	joined bool // the last line ended in a backslash continuation
}

// open reports whether the next line continues the current statement.
func (st *pyState) open() bool {
	return st.depth > 0 || st.quote != 0 || st.joined
}

// scan updates the state with one line of text.
func (st *pyState) scan(text string) {
	st.joined = false
	for k := 0; k < len(text); k++ {
		c := text[k]
		if st.quote != 0 {
			switch {
			case c == '\\':
				k++
				if k >= len(text) {
					st.joined = true // an escaped line break inside a string
				}
			case c == st.quote && (!st.triple || strings.HasPrefix(text[k:], strings.Repeat(string(c), 3))):
				if st.triple {
					k += 2
				}
				st.quote = 0
			}
			continue
		}
		switch c {
		case '#':
			k = len(text)
		case '"', '\'':
			st.quote, st.triple = c, strings.HasPrefix(text[k:], strings.Repeat(string(c), 3))
			if st.triple {
				k += 2
			}
		case '(', '[', '{':
			st.depth++
		case ')', ']', '}':
			st.depth = max(st.depth-1, 0)
		case '\\':
			st.joined = k == len(text)-1
		}
	}
	if st.quote != 0 && !st.triple && !st.joined {
		st.quote = 0 // an unterminated one-line string ends at the line break
	}
}

// keyword returns the def or class keyword that opens the statement at line
// index li and the name it declares, or "" when it opens neither.
func (p *pyFile) keyword(li int) (string, string) {
	t := strings.TrimSpace(p.src.lines[li])
	if rest, ok := strings.CutPrefix(t, "async"); ok && rest != "" && unicode.IsSpace(rune(rest[0])) {
		t = strings.TrimLeft(rest, " \t")
	}
	for _, kw := range []string{"def", "class"} {
		rest, ok := strings.CutPrefix(t, kw)
		if !ok || rest == "" || !unicode.IsSpace(rune(rest[0])) {
			continue
		}
		if name := identifier(strings.TrimLeft(rest, " \t")); name != "" {
			return kw, name
		}
	}
	return "", ""
}

// identifier returns the identifier at the start of s, or "".
func identifier(s string) string {
	end := 0
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if r != '_' && !unicode.IsLetter(r) && (end == 0 || !unicode.IsDigit(r)) {
			break
		}
		end += size
	}
	return s[:end]
}

// walk returns the definition spans among the statements in line indexes
// from..to that sit at the indentation of the first statement there. floor
// is the last line index that a definition's comments and decorators may not
// reach.
func (p *pyFile) walk(from, to int, sc scope, floor int) []span {
	var out []span
	level := -1
	for li := from; li <= to; li++ {
		pl := p.lines[li]
		if !pl.start {
			continue
		}
		if level < 0 {
			level = pl.indent
		}
		if pl.indent != level {
			continue
		}
		kw, name := p.keyword(li)
		if kw == "" {
			continue
		}
		end := p.blockEnd(li, to)
		sp := span{
			symbol: qualify(sc.qual, name),
			kind:   functionKind(sc.inType),
			start:  p.docStart(li, floor) + 1,
			end:    end + 1,
			head:   header{li + 1, pl.last + 1},
		}
		if kw == "class" {
			sp.kind = KindClass
			members := p.walk(pl.last+1, end, scope{qual: sp.symbol, inType: true}, pl.last)
			out = append(out, container(p.src, sp, members, pl.last+1, end+2)...)
		} else {
			out = append(out, sp)
		}
		floor = end
		li = end
	}
	return out
}

// blockEnd returns the last line index of the block opened by the statement
// at li: the line before the next statement indented no deeper, less the
// blank lines and shallower comments in front of that statement.
func (p *pyFile) blockEnd(li, to int) int {
	indent := p.lines[li].indent
	last := p.lines[li].last
	k := last + 1
	for k <= to && (!p.lines[k].start || p.lines[k].indent > indent) {
		k++
	}
	e := k - 1
	for e > last && (p.lines[e].blank || p.lines[e].comment && p.lines[e].indent <= indent) {
		e--
	}
	return e
}

// docStart returns the first line index of the decorators and comment lines
// directly above the statement at li, stopping at a blank line or floor.
func (p *pyFile) docStart(li, floor int) int {
	s := li
	for q := li - 1; q > floor; q-- {
		pl := p.lines[q]
		switch {
		case pl.blank:
			return s
		case pl.comment:
			s = q
			continue
		}
		o := pl.owner
		if o <= floor || !p.lines[o].start || p.lines[o].indent != p.lines[li].indent ||
			!strings.HasPrefix(strings.TrimSpace(p.src.lines[o]), "@") {
			return s
		}
		s, q = o, o
	}
	return s
}
