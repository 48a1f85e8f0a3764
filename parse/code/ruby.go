package code

import (
	"regexp"
	"strings"
)

// rbLine describes one physical line of a Ruby file.
type rbLine struct {
	code    bool // holds code, not only a comment, a heredoc body or white space
	comment bool // only a comment (# or =begin ... =end)
	indent  int
	text    string // trimmed
}

// rbFile is a Ruby file with its line structure.
type rbFile struct {
	src   *source
	lines []rbLine
}

// rubySpans returns the def, class and module spans of a Ruby file.
//
// NOTE: a block's end is the next `end` line at the indentation of its
// opening keyword, so the reader relies on conventional indentation. When no
// such line exists, the block ends before the next code line indented no
// deeper.
func rubySpans(s *source) []span {
	r := &rbFile{src: s, lines: rbLines(s)}
	return r.walk(0, len(s.lines)-1, scope{}, -1)
}

// heredocStart matches a heredoc opener: <<~SQL, <<-EOS, <<EOF or a quoted
// identifier such as <<~'TEXT'. Unquoted identifiers must be upper case, so
// that `list <<value` is not taken for one.
var heredocStart = regexp.MustCompile(`<<[~-]?(?:['"]([A-Za-z_][A-Za-z0-9_]*)['"]|([A-Z_][A-Z0-9_]*)\b)`)

// rbLines classifies the lines of a Ruby file, skipping =begin/=end comments
// and heredoc bodies.
func rbLines(s *source) []rbLine {
	lines := make([]rbLine, len(s.lines))
	var heredocs []string
	inDoc := false
	for i, raw := range s.lines {
		t := strings.TrimSpace(raw)
		l := &lines[i]
		l.indent, l.text = indentWidth(raw), t
		switch {
		case inDoc:
			l.comment = true
			inDoc = !strings.HasPrefix(raw, "=end")
		case strings.HasPrefix(raw, "=begin"):
			l.comment, inDoc = true, true
		case len(heredocs) > 0:
			if t == heredocs[0] {
				heredocs = heredocs[1:]
			}
		case t == "":
		case t[0] == '#':
			l.comment = true
		default:
			l.code = true
			for _, m := range heredocStart.FindAllStringSubmatch(t, -1) {
				heredocs = append(heredocs, m[1]+m[2])
			}
		}
	}
	return lines
}

// rbDefinition parses a def, class or module line and returns the keyword
// and the name. For class << self it returns "self" and an empty name.
func rbDefinition(t string) (string, string) {
	for _, m := range []string{"private ", "protected ", "public ", "module_function ", "private_class_method "} {
		t = strings.TrimPrefix(t, m)
	}
	kw, rest, ok := strings.Cut(t, " ")
	if !ok {
		return "", ""
	}
	rest = strings.TrimLeft(rest, " \t")
	switch kw {
	case "def":
		end := strings.IndexAny(rest, " \t(;")
		if end < 0 {
			end = len(rest)
		}
		name := strings.TrimPrefix(rest[:end], "self.")
		if name == "" {
			return "", ""
		}
		return kw, name
	case "class", "module":
		if kw == "class" && strings.HasPrefix(rest, "<<") {
			return "self", ""
		}
		end := strings.IndexAny(rest, " \t<;(")
		if end < 0 {
			end = len(rest)
		}
		name := strings.ReplaceAll(rest[:end], "::", ".")
		if name == "" || !(name[0] >= 'A' && name[0] <= 'Z') {
			return "", ""
		}
		return kw, name
	}
	return "", ""
}

// oneLine reports whether a definition line holds its whole body: it ends
// with `; end` or `end`, or is an endless method (`def name(args) = expr`).
func oneLine(kw, t string) bool {
	if i := strings.Index(t, " #"); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	if strings.HasSuffix(t, "end") && strings.Contains(t, ";") {
		return true
	}
	if kw != "def" {
		return false
	}
	rest := strings.TrimSpace(strings.TrimPrefix(t, "def"))
	if i := strings.IndexAny(rest, " \t("); i >= 0 {
		rest = strings.TrimSpace(rest[i:])
		if strings.HasPrefix(rest, "(") {
			if j := strings.Index(rest, ")"); j >= 0 {
				rest = strings.TrimSpace(rest[j+1:])
			}
		}
		return strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "==") && !strings.HasPrefix(rest, "=~")
	}
	return false
}

// walk returns the definition spans among the code lines in line indexes
// from..to that sit at the indentation of the first code line there. floor
// is the last line index that a definition's comments may not reach.
func (r *rbFile) walk(from, to int, sc scope, floor int) []span {
	var out []span
	level := -1
	for li := from; li <= to; li++ {
		l := r.lines[li]
		if !l.code {
			continue
		}
		if level < 0 {
			level = l.indent
		}
		if l.indent != level {
			continue
		}
		kw, name := rbDefinition(l.text)
		if kw == "" {
			continue
		}
		end, closed := r.blockEnd(li, to, kw)
		bodyEnd := end // last line index of the body
		if closed {
			bodyEnd--
		}
		sp := span{symbol: qualify(sc.qual, name), start: r.docStart(li, floor) + 1, end: end + 1, head: header{li + 1, li + 1}}
		switch kw {
		case "self": // class << self: its methods keep the enclosing class's name
			out = append(out, r.walk(li+1, bodyEnd, sc, li)...)
		case "def":
			sp.kind = functionKind(sc.inType)
			out = append(out, sp)
		default:
			sp.kind = KindClass
			if kw == "module" {
				sp.kind = KindModule
			}
			members := r.walk(li+1, bodyEnd, scope{qual: sp.symbol, inType: true}, li)
			out = append(out, container(r.src, sp, members, li+1, bodyEnd+2)...)
		}
		floor = end
		li = end
	}
	return out
}

// blockEnd returns the last line index of the definition at li and whether
// that line is the `end` that closes it. That is the first `end` line at the
// same indentation, unless other code indented no deeper comes first
// (rescue, ensure, else, elsif, when and in may share the indentation).
// Without one, the block ends at the last code line before the next code line
// indented no deeper.
func (r *rbFile) blockEnd(li, to int, kw string) (int, bool) {
	if oneLine(kw, r.lines[li].text) {
		return li, false
	}
	indent := r.lines[li].indent
	for k := li + 1; k <= to; k++ {
		l := r.lines[k]
		if !l.code || l.indent > indent {
			continue
		}
		if l.indent == indent && isEndLine(l.text) {
			return k, true
		}
		if l.indent < indent || !sharesIndent(l.text) {
			break
		}
	}
	k := li + 1
	for k <= to && !(r.lines[k].code && r.lines[k].indent <= indent && !sharesIndent(r.lines[k].text)) {
		k++
	}
	e := k - 1
	for e > li && !r.lines[e].code {
		e--
	}
	return e, false
}

// sharesIndent reports whether a line continues a block at the block's own
// indentation: rescue, ensure, else, elsif, when or in.
func sharesIndent(t string) bool {
	for _, kw := range []string{"rescue", "ensure", "else", "elsif", "when", "in"} {
		if rest, ok := strings.CutPrefix(t, kw); ok && (rest == "" || !isIdentByte(rest[0])) {
			return true
		}
	}
	return false
}

func isEndLine(t string) bool {
	rest, ok := strings.CutPrefix(t, "end")
	return ok && (rest == "" || !isIdentByte(rest[0]))
}

// docStart returns the first line index of the comment lines directly above
// the line li, stopping at a blank or code line or at floor.
func (r *rbFile) docStart(li, floor int) int {
	s := li
	for q := li - 1; q > floor && r.lines[q].comment; q-- {
		s = q
	}
	return s
}
