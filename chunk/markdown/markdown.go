// Package markdown cuts markdown into sections by heading, sized for
// retrieval: large sections are split at paragraph boundaries and tiny ones
// are merged into a neighbour. It serves HTML pages converted to markdown,
// markdown files from repositories and plain text files.
package markdown

import (
	"slices"
	"strings"

	"github.com/gndhq/gnd/tokens"
)

// Default sizes, in tokens of the counter in use.
const (
	DefaultMaxTokens = 800
	DefaultMinTokens = 40
)

// Options sets section sizes. The zero value uses the defaults.
type Options struct {
	// MaxTokens is the size above which a section is split. Zero or less
	// means DefaultMaxTokens.
	MaxTokens int
	// MinTokens is the size below which a section is merged into a
	// neighbour. Zero means DefaultMinTokens and a negative value turns
	// merging off. Values above MaxTokens are lowered to MaxTokens.
	MinTokens int
	// Count returns the number of tokens in a string. Nil means
	// tokens.Count, the cl100k_base count.
	Count func(string) int
}

func (o Options) withDefaults() Options {
	if o.MaxTokens <= 0 {
		o.MaxTokens = DefaultMaxTokens
	}
	switch {
	case o.MinTokens == 0:
		o.MinTokens = DefaultMinTokens
	case o.MinTokens < 0:
		o.MinTokens = 0
	}
	o.MinTokens = min(o.MinTokens, o.MaxTokens)
	if o.Count == nil {
		o.Count = tokens.Count
	}
	return o
}

// Section is one chunk of a markdown document.
type Section struct {
	// Symbol is Headings joined with " > ", such as
	// "Page title > Section > Subsection".
	Symbol string
	// Headings is the heading path of the section: the title passed to
	// Split, when not empty, then the text of each enclosing heading from
	// the top level down. A section made by merging neighbours has the
	// path the merged sections share.
	Headings []string
	// Content is the markdown of the section, starting with its heading
	// line when it has one. It is the input lines StartLine to EndLine,
	// with two exceptions. Each part of a split code block or table repeats
	// the fence line or the table header rows to stay valid on its own. A
	// code block that the input never closes gets a closing fence.
	Content string
	// StartLine and EndLine are the 1-based, inclusive range of input
	// lines that Content covers.
	StartLine int
	EndLine   int
}

// Split cuts markdown into sections at ATX and setext headings, skipping
// YAML front matter and ignoring heading-like lines in code. Text before
// the first heading forms the title section. title, when not empty, is the
// first element of every heading path, and a top-level heading equal to it
// is not repeated.
//
// A section above opt.MaxTokens is split at blank lines, then at line ends.
// A fenced code block or table is cut only when it alone exceeds the
// limit, and then each part is a balanced fence or a table with its header.
// A single line longer than the limit stays whole, so only such a section
// can exceed MaxTokens. A section below opt.MinTokens is merged into the
// neighbour that shares more of its heading path, preferring the next one,
// as long as the result fits MaxTokens, so a small document becomes one
// section.
//
// Sizes are estimated from per-line token counts, and text estimated above
// half of MaxTokens is counted exactly, so MaxTokens is checked with the
// real count while MinTokens is compared with an estimate that runs a few
// percent high. Split returns nil when markdown holds only white space and
// front matter. The result depends only on the input and options.
func Split(title, markdown string, opt Options) []Section {
	opt = opt.withDefaults()
	doc := scan(markdown)
	c := &chunker{doc: doc, opt: opt, size: newSizer(doc.lines, opt.Count, opt.MaxTokens)}

	var parts []part
	for _, raw := range doc.sections(strings.TrimSpace(title)) {
		parts = append(parts, c.splitSection(raw)...)
	}
	parts = c.merge(parts)

	if len(parts) == 0 {
		return nil
	}
	title = strings.TrimSpace(title)
	sections := make([]Section, 0, len(parts))
	for _, p := range parts {
		headings := slices.Clone(p.path)
		if title != "" {
			headings = append([]string{title}, p.path...)
		}
		sections = append(sections, Section{
			Symbol:    strings.Join(headings, " > "),
			Headings:  headings,
			Content:   p.text,
			StartLine: p.start + 1,
			EndLine:   p.end + 1,
		})
	}
	return sections
}
