package code

// braceFile is a brace-language file after lexing, ready to be cut into
// statements and definitions.
type braceFile struct {
	lang        string
	syn         *syntax
	src         *source
	code        []byte       // source with comments and literals masked
	closeOf     map[int]int  // offset of each '{' to the offset of its matching '}'
	breaks      map[int]bool // offsets of line breaks inside string literals
	commentOnly []bool       // per line (index = line-1): a comment and no code
}

// statement is a run of code at one nesting level: a declaration with its
// body, or any other statement.
type statement struct {
	start, end int      // byte offsets, end exclusive
	blocks     [][2]int // offsets of the '{' and '}' of each brace block at the statement's own level
}

// braceSpans returns the definition spans of a brace-language file.
func braceSpans(lang string, s *source) []span {
	syn := braceSyntaxes[lang]
	l := lex(syn, s.text)
	f := &braceFile{lang: lang, syn: syn, src: s, code: l.code, breaks: l.breaks}
	f.matchBraces()
	f.markComments(l.comments)
	return f.walk(0, len(f.code), scope{}, 0)
}

// matchBraces pairs braces in the masked code. An unmatched '{' gets no
// entry, which later reads as a block running to the end of its range.
func (f *braceFile) matchBraces() {
	f.closeOf = make(map[int]int)
	var stack []int
	for i, c := range f.code {
		switch c {
		case '{':
			stack = append(stack, i)
		case '}':
			if len(stack) > 0 {
				f.closeOf[stack[len(stack)-1]] = i
				stack = stack[:len(stack)-1]
			}
		}
	}
}

func (f *braceFile) markComments(comments [][2]int) {
	n := len(f.src.lines)
	hasComment := make([]bool, n)
	for _, c := range comments {
		if c[1] <= c[0] {
			continue
		}
		for line := f.src.lineOf(c[0]); line <= f.src.lineOf(c[1]-1); line++ {
			hasComment[line-1] = true
		}
	}
	f.commentOnly = make([]bool, n)
	for i := range n {
		f.commentOnly[i] = hasComment[i] && !f.hasCode(i+1)
	}
}

// hasCode reports whether a line has any unmasked non-space byte.
func (f *braceFile) hasCode(line int) bool {
	start := f.src.starts[line-1]
	for k := start; k < len(f.code) && f.code[k] != '\n'; k++ {
		if !isSpace(f.code[k]) {
			return true
		}
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

func (f *braceFile) skipSpace(i, hi int) int {
	for i < hi && isSpace(f.code[i]) {
		i++
	}
	return i
}

// statements splits code[lo:hi] into the statements of one nesting level.
func (f *braceFile) statements(lo, hi int) []statement {
	var out []statement
	i := lo
	for {
		i = f.skipSpace(i, hi)
		if i >= hi {
			return out
		}
		st, next := f.statement(i, hi)
		out = append(out, st)
		i = max(next, i+1)
	}
}

// statement reads one statement that starts at i. It ends at a ';' outside
// parentheses, after a brace block that is followed by a line break and no
// continuation, or, in languages with automatic semicolons, at a line break
// that does not continue the statement.
func (f *braceFile) statement(i, hi int) (statement, int) {
	st := statement{start: i}
	if end := f.accessLabel(i, hi); end > 0 {
		st.end = end
		return st, end
	}
	paren := 0
	for ; i < hi; i++ {
		switch f.code[i] {
		case '(', '[':
			paren++
		case ')', ']':
			if paren > 0 {
				paren--
			}
		case ';':
			if paren == 0 {
				st.end = i + 1
				return st, i + 1
			}
		case '}':
			if paren == 0 { // a closing brace without an opening one in this range
				st.end = i + 1
				return st, i + 1
			}
		case '{':
			closeAt, ok := f.closeOf[i]
			if !ok || closeAt >= hi {
				if paren == 0 {
					st.blocks = append(st.blocks, [2]int{i, hi})
				}
				st.end = hi
				return st, hi
			}
			if paren == 0 {
				st.blocks = append(st.blocks, [2]int{i, closeAt})
			}
			i = closeAt
			if paren == 0 && f.endsAfterBlock(closeAt, hi) {
				st.end = closeAt + 1
				return st, closeAt + 1
			}
		case '\n':
			if f.syn.asi && paren == 0 && !f.breaks[i] && f.asiBreak(st.start, i, hi) {
				st.end = i
				return st, i
			}
		}
	}
	st.end = hi
	return st, hi
}

// accessLabel returns the end of a C++ access label such as "public:" at i,
// or 0 when none starts there.
func (f *braceFile) accessLabel(i, hi int) int {
	if !f.syn.accessLabels {
		return 0
	}
	j := i
	for j < hi && isIdentByte(f.code[j]) {
		j++
	}
	switch string(f.code[i:j]) {
	case "public", "private", "protected", "signals", "slots", "Q_SIGNALS", "Q_SLOTS":
	default:
		return 0
	}
	for {
		k := f.skipSpace(j, hi)
		if k < hi && f.code[k] == ':' && (k+1 >= hi || f.code[k+1] != ':') {
			return k + 1
		}
		// Qt's "public slots:" has a second word before the colon.
		w := k
		for w < hi && isIdentByte(f.code[w]) {
			w++
		}
		if w == k || string(f.code[k:w]) != "slots" && string(f.code[k:w]) != "Q_SLOTS" {
			return 0
		}
		j = w
	}
}
