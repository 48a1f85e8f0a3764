package pdftext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gndhq/gnd/tokens"
)

// DefaultMaxTokens is the piece size Chunk uses when Options.MaxTokens is not set.
const DefaultMaxTokens = 600

// Options sets how Chunk cuts pages.
type Options struct {
	// MaxTokens is the maximum size of a piece's Content, in tokens as Count counts
	// them. Zero or less means DefaultMaxTokens.
	MaxTokens int
	// Count returns the number of tokens in a string. Nil means tokens.Count, the
	// cl100k_base encoding.
	Count func(string) int
}

// Piece is a part of the text of one page, small enough to index and cite.
type Piece struct {
	Page   int    // 1-based page number
	Symbol string // citation label, "page N"
	// Heading is the section heading in force for the piece. It may come from an
	// earlier page when a section runs over a page break, and is empty before the
	// first heading.
	Heading string
	Content string
}

// Chunk cuts pages into pieces. A piece never spans two pages, and its Content has at
// most MaxTokens tokens. A new piece starts at each heading: a short line that looks
// like a section title, either numbered ("3.2 Fonts") or standing alone between
// paragraphs and followed by body text. Within a section, whole paragraphs are packed
// into pieces. A paragraph larger than MaxTokens is cut between lines, then between
// words, and a single word larger than MaxTokens between characters. Only a single
// character that alone counts as more than MaxTokens makes a piece larger.
func Chunk(pages []Page, opt Options) []Piece {
	p := packer{max: opt.MaxTokens, count: opt.Count}
	if p.max <= 0 {
		p.max = DefaultMaxTokens
	}
	if p.count == nil {
		p.count = tokens.Count
	}
	var pieces []Piece
	heading := ""
	for _, page := range pages {
		for _, sec := range sections(page.Text) {
			if sec.heading != "" {
				heading = sec.heading
			}
			for _, content := range p.pack(sec.paragraphs, sec.seps, 0) {
				pieces = append(pieces, Piece{
					Page:    page.Number,
					Symbol:  fmt.Sprintf("page %d", page.Number),
					Heading: heading,
					Content: content,
				})
			}
		}
	}
	return pieces
}

// section is the text from one heading to the next on a page. Its first paragraph is
// the heading line itself when heading is set. seps[i] is the text that stood between
// paragraphs[i-1] and paragraphs[i] on the page, so that joined paragraphs are an
// exact part of the page text.
type section struct {
	heading    string
	paragraphs []string
	seps       []string
}

// sections splits the text of a page at its headings and into paragraphs.
func sections(text string) []section {
	lines := strings.Split(text, "\n")
	trimmed := make([]string, len(lines))
	for i, l := range lines {
		trimmed[i] = strings.TrimSpace(l)
	}
	var out []section
	var cur section
	start, lastEnd := -1, -1
	closeParagraph := func(end int) {
		if start < 0 {
			return
		}
		cur.paragraphs = append(cur.paragraphs, strings.Join(lines[start:end+1], "\n"))
		cur.seps = append(cur.seps, separator(lines, lastEnd, start))
		start, lastEnd = -1, end
	}
	for i := range lines {
		switch {
		case trimmed[i] == "":
			closeParagraph(i - 1)
		case isHeading(trimmed, i):
			closeParagraph(i - 1)
			if len(cur.paragraphs) > 0 {
				out = append(out, cur)
			}
			cur = section{heading: trimmed[i]}
			start = i
			closeParagraph(i)
		case start < 0:
			start = i
		}
	}
	closeParagraph(len(lines) - 1)
	if len(cur.paragraphs) > 0 {
		out = append(out, cur)
	}
	return out
}

// separator returns the text between line end and line start, both excluded.
func separator(lines []string, end, start int) string {
	if end < 0 {
		return ""
	}
	if start == end+1 {
		return "\n"
	}
	return "\n" + strings.Join(lines[end+1:start], "\n") + "\n"
}

// codeCharacters are characters that section titles do not contain but code does.
const codeCharacters = "={}[]<>;\"$#\\|@_*/"

// isHeading reports whether lines[i] looks like a section title: at most 80 characters
// and 10 words (8 without a section number), starting with a capital letter or a section number, with no
// punctuation at the end and no code characters. The line before must end a
// sentence or a paragraph. An unnumbered title must also be followed by body text: it
// is a paragraph of its own, or the next line is longer or has at least four words.
// It must not look like an entry of a table of contents, which ends in a page number
// as the next line does.
func isHeading(lines []string, i int) bool {
	line := lines[i]
	if utf8.RuneCountInString(line) > 80 || strings.ContainsAny(line, codeCharacters) {
		return false
	}
	words := strings.Fields(line)
	if len(words) == 0 || len(words) > 10 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	if strings.ContainsRune(".,;:!?-", last) {
		return false
	}

	if i > 0 && lines[i-1] != "" {
		prevLast, _ := utf8.DecodeLastRuneInString(lines[i-1])
		if !strings.ContainsRune(".!?:)", prevLast) {
			return false
		}
	}
	if isSectionNumber(words[0]) {
		return len(words) > 1 && hasLetter(words[1])
	}

	first, _ := utf8.DecodeRuneInString(line)
	if !unicode.IsUpper(first) || len(words) > 8 {
		return false
	}

	next := ""
	for j := i + 1; j < len(lines) && next == ""; j++ {
		next = lines[j]
	}
	if next == "" || endsWithNumber(line) && endsWithNumber(next) {
		return false // the end of the page, or an entry of a table of contents
	}
	standalone := (i == 0 || lines[i-1] == "") && i+1 < len(lines) && lines[i+1] == ""
	return standalone || len(next) > len(line) || len(strings.Fields(next)) >= 4
}

func endsWithNumber(s string) bool {
	words := strings.Fields(s)
	return len(words) > 1 && strings.Trim(words[len(words)-1], "0123456789") == ""
}

// isSectionNumber reports whether word numbers a section: "3", "3.2", "3.2.1." or "A.1".
func isSectionNumber(word string) bool {
	word = strings.TrimSuffix(word, ".")
	parts := strings.Split(word, ".")
	for i, part := range parts {
		if part == "" || len(part) > 3 {
			return false
		}
		letter := i == 0 && len(part) == 1 && part[0] >= 'A' && part[0] <= 'Z' && len(parts) > 1
		if !letter && strings.Trim(part, "0123456789") != "" {
			return false
		}
	}
	return true
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}
