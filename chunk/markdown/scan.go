package markdown

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// document is markdown split into lines, with its code fences and headings.
type document struct {
	lines []string
	// body is the index of the first line after YAML front matter.
	body int
	// fenceAt maps the line index that opens a code fence to the fence.
	fenceAt  map[int]*fence
	headings []heading
}

// fence is a fenced code block.
type fence struct {
	open int
	// close is the index of the closing line, or -1 when the block is never
	// closed and runs to the end of the document, as CommonMark reads it.
	close int
	// marker is the run of backticks or tildes that opened the block.
	marker string
	// prefix is the continuation of the opening line's containers on
	// later lines: its blockquote markers, with list markers as spaces.
	prefix string
	// indent is the width of the indentation before the marker, after any
	// blockquote and list markers, with tabs counted as four columns.
	indent int
	// column is the width before the marker after blockquote markers only,
	// with list markers counted as their width. A closing line may be
	// indented at most three columns more.
	column int
}

// closingLine returns a line that closes f, for a part that must end
// inside it.
func (f *fence) closingLine() string {
	return f.prefix + strings.Repeat(" ", f.indent) + f.marker
}

// heading is an ATX heading (one line) or a setext heading (text lines
// and an underline).
type heading struct {
	start, end int
	level      int
	text       string
}

// scan splits md into lines and finds front matter, fences and headings.
func scan(md string) *document {
	d := &document{lines: splitLines(md), fenceAt: map[int]*fence{}}
	d.body = frontMatterEnd(d.lines)
	s := &scanner{doc: d, paragraph: -1}
	for i := d.body; i < len(d.lines); i++ {
		s.scanLine(i, strings.TrimSuffix(d.lines[i], "\r"))
	}
	return d
}

// scanner holds the block state while scan reads lines.
type scanner struct {
	doc  *document
	open *fence
	// bare classifies lines for closing-fence lookups. It is computed at
	// the first indented fence line.
	bare []bareFence
	// paragraph is the first line of the paragraph being read, or -1.
	paragraph int
	// otherBlock is true inside a list item, quote or HTML block, whose
	// lines cannot start a paragraph until a blank line.
	otherBlock bool
}

func (s *scanner) scanLine(i int, line string) {
	if s.open != nil {
		if closesFence(line, s.open) {
			s.open.close = i
			s.open = nil
		}
		return
	}
	if f := s.openingFence(i, line); f != nil {
		f.open, f.close = i, -1
		s.doc.fenceAt[i] = f
		s.open = f
		s.paragraph, s.otherBlock = -1, false
		return
	}
	if strings.TrimSpace(line) == "" {
		s.paragraph, s.otherBlock = -1, false
		return
	}
	if level, text, ok := atxHeading(line); ok {
		s.doc.headings = append(s.doc.headings, heading{start: i, end: i, level: level, text: text})
		s.paragraph, s.otherBlock = -1, false
		return
	}
	if s.paragraph >= 0 {
		s.continueParagraph(i, line)
		return
	}
	if s.otherBlock {
		return
	}
	switch {
	case thematicBreak.MatchString(line):
		// A thematic break is a block of one line.
	case startsParagraph(line):
		s.paragraph = i
	default:
		s.otherBlock = true
	}
}

// openingFence returns the fence that line i opens, or nil. A fence line
// indented four or more columns counts only when a closing line follows.
func (s *scanner) openingFence(i int, line string) *fence {
	f := openingFence(line)
	if f == nil || f.indent < 4 {
		return f
	}
	if s.bare == nil {
		s.bare = bareFences(s.doc.lines)
	}
	if !hasClosingFence(s.bare, i, f) {
		return nil
	}
	return f
}

// continueParagraph reads line i inside a paragraph: a setext underline
// makes the paragraph a heading, and a break, list item or quote ends it.
func (s *scanner) continueParagraph(i int, line string) {
	if level, ok := setextUnderline(line); ok {
		text := setextText(s.doc.lines[s.paragraph:i])
		s.doc.headings = append(s.doc.headings, heading{start: s.paragraph, end: i, level: level, text: text})
		s.paragraph = -1
		return
	}
	if thematicBreak.MatchString(line) {
		s.paragraph = -1
		return
	}
	if interruptsParagraph(line) {
		s.paragraph, s.otherBlock = -1, true
	}
}

// splitLines splits md at line feeds. A final line feed ends the last line
// rather than starting an empty one. Carriage returns stay in the lines.
func splitLines(md string) []string {
	if md == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(md, "\n"), "\n")
}

// maxFrontMatterLines bounds the search for the end of front matter.
const maxFrontMatterLines = 1000

// frontMatterEnd returns the index of the first line after YAML front
// matter, or 0 when there is none. Front matter starts with "---" on the
// first line, ends with "---" or "...", and must parse as a YAML mapping,
// so a document that opens with a thematic break is left alone.
func frontMatterEnd(lines []string) int {
	if len(lines) == 0 || strings.TrimRight(lines[0], " \t\r") != "---" {
		return 0
	}
	for i := 1; i < len(lines) && i <= maxFrontMatterLines; i++ {
		end := strings.TrimRight(lines[i], " \t\r")
		if end != "---" && end != "..." {
			continue
		}
		var fields map[string]any
		if err := yaml.Unmarshal([]byte(strings.Join(lines[1:i], "\n")), &fields); err != nil {
			return 0
		}
		if fields == nil && strings.TrimSpace(strings.Join(lines[1:i], "")) != "" {
			return 0
		}
		return i + 1
	}
	return 0
}

// leadingIndent returns the width of the leading spaces and tabs of s,
// with tabs advancing to the next multiple of four, and the rest of s.
func leadingIndent(s string) (int, string) {
	width := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			width++
		case '\t':
			width += 4 - width%4
		default:
			return width, s[i:]
		}
	}
	return width, ""
}

// listMarker matches a bullet or ordered list marker and the white space
// after it, at the start of a string.
var listMarker = regexp.MustCompile(`^([-+*]|\d{1,9}[.)])([ \t]+|$)`)

// stripContainers removes the blockquote markers that start line and, when
// lists is true, list markers too, as in "> " or "- 1. ". It returns the
// continuation prefix (quote markers kept, list markers turned into
// spaces), the indentation after the last container and the rest of the
// line. Only an opening fence line can carry list markers, because later
// lines of a list item continue it by indentation.
func stripContainers(line string, lists bool) (prefix string, indent int, rest string) {
	var b strings.Builder
	rest = line
	for {
		width, after := leadingIndent(rest)
		switch {
		case strings.HasPrefix(after, ">"):
			b.WriteString(rest[:len(rest)-len(after)+1])
			rest = after[1:]
		case lists && listMarker.MatchString(after):
			m := listMarker.FindString(after)
			b.WriteString(strings.Repeat(" ", width+len(m)))
			rest = after[len(m):]
		default:
			return b.String(), width, after
		}
	}
}

// openingFence returns the fence that line opens, or nil. A backtick fence
// may not have a backtick in its info string.
func openingFence(line string) *fence {
	prefix, indent, rest := stripContainers(line, true)
	if len(rest) < 3 || (rest[0] != '`' && rest[0] != '~') {
		return nil
	}
	run := len(rest) - len(strings.TrimLeft(rest, rest[:1]))
	if run < 3 {
		return nil
	}
	if rest[0] == '`' && strings.Contains(rest[run:], "`") {
		return nil
	}
	_, column, _ := stripContainers(prefix+strings.Repeat(" ", indent)+rest, false)
	return &fence{marker: rest[:run], prefix: prefix, indent: indent, column: column}
}

// closesFence reports whether line closes f: a run of the same character
// at least as long, nothing after it but white space, and indented at most
// three columns more than the opening line.
func closesFence(line string, f *fence) bool {
	_, indent, rest := stripContainers(line, false)
	if indent > f.column+3 || !strings.HasPrefix(rest, f.marker) {
		return false
	}
	return strings.TrimSpace(strings.TrimLeft(rest, f.marker[:1])) == ""
}

// maxFenceLookahead bounds how far hasClosingFence searches, so that many
// unclosed indented fence lines cost linear time, not quadratic.
const maxFenceLookahead = 2000

// bareFence describes a line that holds only a run of backticks or tildes,
// which is what can close a fence.
type bareFence struct {
	char   byte // '`' or '~', or 0 when the line is not a bare fence run
	length int
	indent int
}

// bareFences classifies every line once, for hasClosingFence.
func bareFences(lines []string) []bareFence {
	out := make([]bareFence, len(lines))
	for i, line := range lines {
		_, indent, rest := stripContainers(strings.TrimSuffix(line, "\r"), false)
		if rest == "" || (rest[0] != '`' && rest[0] != '~') {
			continue
		}
		run := len(rest) - len(strings.TrimLeft(rest, rest[:1]))
		if run >= 3 && strings.TrimSpace(rest[run:]) == "" {
			out[i] = bareFence{char: rest[0], length: run, indent: indent}
		}
	}
	return out
}

// hasClosingFence reports whether one of the maxFenceLookahead lines after
// line i closes f. An opening line indented four or more columns is a
// fence only inside a list item, and then it is closed, while in an
// indented code block it is plain code and usually unclosed.
func hasClosingFence(bare []bareFence, i int, f *fence) bool {
	end := min(len(bare), i+1+maxFenceLookahead)
	for j := i + 1; j < end; j++ {
		b := bare[j]
		if b.char == f.marker[0] && b.length >= len(f.marker) && b.indent <= f.column+3 {
			return true
		}
	}
	return false
}

var (
	// setextLine matches a setext underline: "=" or "-" only, indented at
	// most three spaces.
	setextLine = regexp.MustCompile(`^ {0,3}(=+|-+)[ \t]*$`)
	// listItem matches the start of a list item with content.
	listItem = regexp.MustCompile(`^ {0,3}([-+*]|\d{1,9}[.)])([ \t]|$)`)
	// thematicBreak matches "***", "* * *", "___" and the like.
	thematicBreak = regexp.MustCompile(`^ {0,3}(([*][ \t]*){3,}|([_][ \t]*){3,}|([-][ \t]*){3,})$`)
	// markdownLink matches [text](target) and ![alt](source).
	markdownLink = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	// strongEmphasis matches **text** and __text__.
	strongEmphasis = regexp.MustCompile(`\*\*([^*]+)\*\*|__([^_]+)__`)
	// escapedPunctuation matches a backslash before ASCII punctuation.
	escapedPunctuation = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")
)

// atxHeading parses "## Title ##" style headings.
func atxHeading(line string) (level int, text string, ok bool) {
	indent, rest := leadingIndent(line)
	if indent > 3 || !strings.HasPrefix(rest, "#") {
		return 0, "", false
	}
	level = len(rest) - len(strings.TrimLeft(rest, "#"))
	rest = rest[level:]
	if level > 6 || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return 0, "", false
	}
	rest = strings.TrimSpace(rest)
	// A closing run of "#" is dropped when it is alone or follows a space.
	if trimmed := strings.TrimRight(rest, "#"); trimmed == "" {
		rest = ""
	} else if trimmed != rest && (strings.HasSuffix(trimmed, " ") || strings.HasSuffix(trimmed, "\t")) {
		rest = strings.TrimSpace(trimmed)
	}
	return level, cleanHeading(rest), true
}

// setextUnderline reports whether line underlines a setext heading and
// its level.
func setextUnderline(line string) (int, bool) {
	m := setextLine.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	if m[1][0] == '=' {
		return 1, true
	}
	return 2, true
}

// setextText joins the text lines of a setext heading.
func setextText(lines []string) string {
	parts := make([]string, 0, len(lines))
	for _, line := range lines {
		parts = append(parts, strings.TrimSpace(line))
	}
	return cleanHeading(strings.Join(parts, " "))
}

// cleanHeading turns links and images into their text and removes strong
// emphasis markers and backslash escapes, so heading paths read as plain
// titles.
func cleanHeading(text string) string {
	text = markdownLink.ReplaceAllString(text, "$1")
	text = strongEmphasis.ReplaceAllString(text, "$1$2")
	text = escapedPunctuation.ReplaceAllString(text, "$1")
	return strings.TrimSpace(text)
}

// startsParagraph reports whether line, after a blank line or at the start
// of a block, begins a paragraph that a setext underline could turn into a
// heading.
func startsParagraph(line string) bool {
	indent, rest := leadingIndent(line)
	if indent > 3 || rest == "" {
		return false
	}
	switch rest[0] {
	case '>', '<':
		return false
	}
	return !listItem.MatchString(line) && !thematicBreak.MatchString(line)
}

// interruptsParagraph reports whether line ends a paragraph and starts
// another kind of block.
func interruptsParagraph(line string) bool {
	_, rest := leadingIndent(line)
	return strings.HasPrefix(rest, ">") || listItem.MatchString(line)
}
