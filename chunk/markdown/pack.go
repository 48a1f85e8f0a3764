package markdown

import (
	"regexp"
	"strings"
)

// part is a section, or a piece of one, on its way to becoming a Section.
type part struct {
	path       []string
	start, end int
	text       string
	tokens     int
	// splitHead and splitTail mark a part that starts or ends inside a
	// code block or table split across parts. Two such parts must not be
	// joined, because the repeated lines between them would break it.
	splitHead, splitTail bool
}

// chunker sizes the sections of one document.
type chunker struct {
	doc  *document
	opt  Options
	size *sizer
}

// piece is a run of input lines that is packed whole. Its text may add a
// repeated fence line or table header to stay valid on its own.
type piece struct {
	start, end           int
	text                 string
	tokens               int
	splitHead, splitTail bool
}

type atomKind int

const (
	lineAtom atomKind = iota
	fenceAtom
	tableAtom
)

// atom is the smallest unit that splitting keeps whole unless it alone
// exceeds the limit: one line, one fenced code block or one table.
type atom struct {
	kind       atomKind
	start, end int
	fence      *fence
	// closed is false for a fence that runs to the end of the document.
	closed bool
}

// tableDelimiter matches the delimiter row under a GFM table header.
var tableDelimiter = regexp.MustCompile(`^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$`)

// splitSection returns s as one part, or as several when it exceeds the
// token limit.
func (c *chunker) splitSection(s rawSection) []part {
	blocks := c.blocks(s.start, s.end)
	whole, estimate := c.blocksText(blocks)
	if n, ok := c.size.fits(whole, estimate); ok {
		return []part{{path: s.path, start: s.start, end: s.end, text: whole, tokens: n}}
	}
	pieces := c.pieces(blocks)
	size := func(i int) int { return pieces[i].tokens }
	// Two pieces of one split code block or table stay apart, because
	// joined they would hold a repeated fence or header in the middle.
	separate := func(i int) bool { return pieces[i-1].splitTail && pieces[i].splitHead }
	runs := c.pack(len(pieces), size, 0, separate, func(a, b int) string {
		return c.joinPieces(pieces[a : b+1])
	})
	parts := make([]part, 0, len(runs))
	for _, r := range runs {
		parts = append(parts, part{
			path:      s.path,
			start:     pieces[r.first].start,
			end:       pieces[r.last].end,
			text:      r.text,
			tokens:    r.tokens,
			splitHead: pieces[r.first].splitHead,
			splitTail: pieces[r.last].splitTail,
		})
	}
	return parts
}

// blocksText returns the text of consecutive blocks with the blank lines
// between them, and its estimated size.
func (c *chunker) blocksText(blocks [][]atom) (string, int) {
	first, last := blocks[0][0], blocks[len(blocks)-1]
	end := last[len(last)-1]
	text := c.doc.join(first.start, end.end)
	estimate := c.size.lines(first.start, end.end)
	if end.kind == fenceAtom && !end.closed {
		closer := end.fence.closingLine()
		text += "\n" + closer
		estimate += c.size.joint + c.size.count(closer)
	}
	return text, estimate
}

// pieces breaks blocks into pieces that each fit the limit, keeping
// paragraphs whole where they fit, then atoms, and splitting only atoms
// that alone exceed it.
func (c *chunker) pieces(blocks [][]atom) []piece {
	var out []piece
	for _, blk := range blocks {
		text, estimate := c.blocksText([][]atom{blk})
		if n, ok := c.size.fits(text, estimate); ok {
			out = append(out, piece{start: blk[0].start, end: blk[len(blk)-1].end, text: text, tokens: n})
			continue
		}
		for _, a := range blk {
			text, estimate := c.blocksText([][]atom{{a}})
			n, ok := c.size.fits(text, estimate)
			switch {
			case ok || a.kind == lineAtom:
				out = append(out, piece{start: a.start, end: a.end, text: text, tokens: n})
			case a.kind == fenceAtom:
				out = append(out, c.splitFence(a)...)
			default:
				out = append(out, c.splitTable(a)...)
			}
		}
	}
	return out
}

// blocks returns the atoms of lines start to end grouped into paragraphs,
// which blank lines outside code blocks separate. The range must start and
// end on non-blank lines.
func (c *chunker) blocks(start, end int) [][]atom {
	lines := c.doc.lines
	var blocks [][]atom
	var current []atom
	for i := start; i <= end; {
		switch f := c.doc.fenceAt[i]; {
		case isBlank(lines[i]):
			if len(current) > 0 {
				blocks = append(blocks, current)
				current = nil
			}
			i++
		case f != nil:
			last, closed := f.close, true
			if last < 0 || last > end {
				last, closed = end, false
			}
			current = append(current, atom{kind: fenceAtom, start: i, end: last, fence: f, closed: closed})
			i = last + 1
		case c.isTableHeader(i, end):
			j := i + 2
			for j <= end && !isBlank(lines[j]) && strings.Contains(lines[j], "|") && c.doc.fenceAt[j] == nil {
				j++
			}
			current = append(current, atom{kind: tableAtom, start: i, end: j - 1})
			i = j
		default:
			current = append(current, atom{kind: lineAtom, start: i, end: i})
			i++
		}
	}
	if len(current) > 0 {
		blocks = append(blocks, current)
	}
	return blocks
}

// isTableHeader reports whether line i starts a GFM table: a row with a
// pipe followed by a delimiter row.
func (c *chunker) isTableHeader(i, end int) bool {
	lines := c.doc.lines
	if i+1 > end || !strings.Contains(lines[i], "|") || c.doc.fenceAt[i+1] != nil {
		return false
	}
	delimiter := strings.TrimSuffix(lines[i+1], "\r")
	return strings.Contains(delimiter, "-") && tableDelimiter.MatchString(delimiter)
}

// splitFence cuts a code block that exceeds the limit into balanced code
// blocks. Every part opens with a copy of the original fence line, info
// string included, and closes with a matching fence.
func (c *chunker) splitFence(a atom) []piece {
	lines := c.doc.lines
	opener := lines[a.start]
	closer := a.fence.closingLine()
	codeStart, codeEnd := a.start+1, a.end
	if a.closed {
		closer = lines[a.end]
		codeEnd = a.end - 1
	}
	if codeStart > codeEnd {
		text, _ := c.blocksText([][]atom{{a}})
		return []piece{{start: a.start, end: a.end, text: text, tokens: c.size.count(text)}}
	}
	overhead := c.size.line(a.start) + c.size.count(closer) + 2*c.size.joint
	runs := c.packLines(codeStart, codeEnd, overhead, func(body string) string {
		return opener + "\n" + body + "\n" + closer
	})
	out := make([]piece, 0, len(runs))
	for k, r := range runs {
		p := piece{start: r.first, end: r.last, text: r.text, tokens: r.tokens, splitHead: k > 0, splitTail: k < len(runs)-1}
		if k == 0 {
			p.start = a.start
		}
		if k == len(runs)-1 && a.closed {
			p.end = a.end
		}
		out = append(out, p)
	}
	return out
}

// splitTable cuts a table that exceeds the limit into tables that each
// repeat the header and delimiter rows.
func (c *chunker) splitTable(a atom) []piece {
	lines := c.doc.lines
	header := lines[a.start] + "\n" + lines[a.start+1]
	rowStart := a.start + 2
	if rowStart > a.end {
		text := c.doc.join(a.start, a.end)
		return []piece{{start: a.start, end: a.end, text: text, tokens: c.size.count(text)}}
	}
	overhead := c.size.lines(a.start, a.start+1) + c.size.joint
	runs := c.packLines(rowStart, a.end, overhead, func(body string) string {
		return header + "\n" + body
	})
	out := make([]piece, 0, len(runs))
	for k, r := range runs {
		p := piece{start: r.first, end: r.last, text: r.text, tokens: r.tokens, splitHead: k > 0, splitTail: k < len(runs)-1}
		if k == 0 {
			p.start = a.start
		}
		out = append(out, p)
	}
	return out
}

// packLines packs input lines start to end into runs that fit the limit
// once wrap adds its fixed lines, whose size is overhead. The runs hold
// input line indices.
func (c *chunker) packLines(start, end, overhead int, wrap func(string) string) []run {
	size := func(i int) int { return c.size.line(start + i) }
	never := func(int) bool { return false }
	runs := c.pack(end-start+1, size, overhead, never, func(a, b int) string {
		return wrap(c.doc.join(start+a, start+b))
	})
	for i := range runs {
		runs[i].first += start
		runs[i].last += start
	}
	return runs
}

// joinPieces joins pieces with the blank lines that separate them in the
// input.
func (c *chunker) joinPieces(pieces []piece) string {
	var b strings.Builder
	for k, p := range pieces {
		if k > 0 {
			b.WriteByte('\n')
			for gap := pieces[k-1].end + 1; gap < p.start; gap++ {
				b.WriteString(c.doc.lines[gap])
				b.WriteByte('\n')
			}
		}
		b.WriteString(p.text)
	}
	return b.String()
}
