package code

// pieces turns spans into pieces, cutting every span over the token limit
// into parts.
func (c *chunker) pieces(spans []span) []Piece {
	out := make([]Piece, 0, len(spans))
	for _, sp := range spans {
		if !sp.hidden {
			out = append(out, c.piecesOf(sp)...)
		}
	}
	return out
}

func (c *chunker) piecesOf(sp span) []Piece {
	text := c.src.content(sp.start, sp.end)
	// Counting a text much longer than the limit would only confirm that it
	// must be cut, and cut counts every line anyway.
	if len(text) <= 4*c.max && c.fits(text) {
		return []Piece{{Symbol: sp.symbol, Kind: sp.kind, StartLine: sp.start, EndLine: sp.end, Content: text}}
	}
	head := c.partHeader(sp.head)
	ranges := c.cut(sp, head)
	if len(ranges) == 1 {
		return []Piece{{Symbol: sp.symbol, Kind: sp.kind, StartLine: sp.start, EndLine: sp.end, Content: text}}
	}
	out := make([]Piece, 0, len(ranges))
	prefix := ""
	if head.from > 0 {
		prefix = c.src.content(head.from, head.to) + "\n"
	}
	for i, r := range ranges {
		p := Piece{Symbol: sp.symbol, Kind: sp.kind, StartLine: r[0], EndLine: r[1], Part: i + 1}
		p.Content = c.src.content(r[0], r[1])
		if i > 0 && prefix != "" && r[0] > head.to {
			p.Content = prefix + p.Content
		}
		out = append(out, p)
	}
	return out
}

// partHeader returns the signature lines that start every later part: the
// whole header when it takes at most half the limit, else its first line when
// that does, else none.
func (c *chunker) partHeader(h header) header {
	if h.from <= 0 || h.to < h.from {
		return header{}
	}
	if c.rangeTokens(h.from, h.to) <= c.max/2 {
		return h
	}
	if c.lineTokens(h.from) <= c.max/2 {
		return header{h.from, h.from}
	}
	return header{}
}

func (c *chunker) rangeTokens(from, to int) int {
	n := 0
	for l := from; l <= to; l++ {
		n += c.lineTokens(l)
	}
	return n
}

// cut splits a span into consecutive line ranges that each fit the limit as
// measured by the sum of per-line token counts, which can differ from the
// count of the joined text by a few tokens. Later parts leave room for the
// header. A definition's ranges cover it exactly, while a loose span's ranges
// are trimmed of blank lines at both ends and dropped when empty.
func (c *chunker) cut(sp span, head header) [][2]int {
	headTokens := 0
	if head.from > 0 {
		headTokens = c.rangeTokens(head.from, head.to)
	}
	base := c.baseIndent(sp)
	var out [][2]int
	start := sp.start
	for start <= sp.end {
		budget := c.max
		if len(out) > 0 && start > head.to {
			budget = max(c.max-headTokens, 1)
		}
		fit, sum := start, c.lineTokens(start)
		for fit < sp.end && sum+c.lineTokens(fit+1) <= budget {
			fit++
			sum += c.lineTokens(fit)
		}
		end := fit
		if fit < sp.end {
			end = c.boundary(start, fit, base)
		}
		out = append(out, [2]int{start, end})
		start = end + 1
	}
	if !sp.loose {
		return out
	}
	trimmed := out[:0]
	for _, r := range out {
		if a, b := c.src.trim(r[0], r[1]); a <= b {
			trimmed = append(trimmed, [2]int{a, b})
		}
	}
	return trimmed
}

// baseIndent returns the smallest indentation among the non-blank lines of a
// span after its header: the level at which the body's statements start.
func (c *chunker) baseIndent(sp span) int {
	from := sp.start
	if sp.head.to >= from {
		from = sp.head.to + 1
	}
	base := -1
	for l := from; l <= sp.end; l++ {
		if c.src.blank(l) || c.src.closer(l) {
			continue
		}
		if w := c.src.indent(l); base < 0 || w < base {
			base = w
		}
	}
	return base
}

// boundary picks the last line of a part that may end anywhere in start..fit.
// Within the second half of that range it prefers a blank line, then a line
// followed by a statement at the body's base indentation. Failing both, the
// part ends at fit.
func (c *chunker) boundary(start, fit, base int) int {
	low := start + (fit-start)/2
	for b := fit; b >= low && b > start; b-- {
		if c.src.blank(b) {
			return b
		}
	}
	for b := fit; b >= low; b-- {
		next := b + 1
		if !c.src.blank(b) && !c.src.blank(next) && !c.src.closer(next) && c.src.indent(next) <= base {
			return b
		}
	}
	return fit
}
