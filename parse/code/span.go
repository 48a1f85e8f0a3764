package code

import "sort"

// header is the signature line range of a definition. From 0 means none.
type header struct {
	from, to int
}

// span is a line range found by a language reader, before token splitting.
type span struct {
	symbol string
	kind   string
	start  int // first line, including doc comments and decorators
	end    int // last line
	head   header
	// loose marks left-over lines outside definitions: they are cut at blank
	// lines and trimmed, where a definition is cut so that parts cover it.
	loose bool
	// hidden marks lines a container claims without a piece, such as its
	// closing brace, so that they do not start the next file-level piece.
	hidden bool
}

// qualify joins a container's qualified name and a member name with ".".
func qualify(outer, name string) string {
	if outer == "" {
		return name
	}
	if name == "" {
		return outer
	}
	return outer + "." + name
}

// sanitize sorts spans and drops those that fall outside from..to or overlap
// an earlier span, so that every line belongs to at most one span.
func sanitize(spans []span, from, to int) []span {
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	out := spans[:0]
	last := from - 1
	for _, sp := range spans {
		if sp.start <= last || sp.start > sp.end || sp.start < from || sp.end > to {
			continue
		}
		out = append(out, sp)
		last = sp.end
	}
	return out
}

// fillGaps returns the definition spans in from..to together with loose spans
// for the lines between them. Loose spans carry symbol and kind, are trimmed of
// blank lines, and are dropped when trivial, or kept as hidden spans when
// claim is set. A loose span that contains the whole head keeps it as its
// header.
func fillGaps(s *source, defs []span, from, to int, symbol, kind string, head header, claim bool) []span {
	defs = sanitize(defs, from, to)
	out := make([]span, 0, 2*len(defs)+1)
	emit := func(a, b int) {
		a, b = s.trim(a, b)
		if a > b {
			return
		}
		if s.trivial(a, b) {
			if claim {
				out = append(out, span{start: a, end: b, hidden: true})
			}
			return
		}
		sp := span{symbol: symbol, kind: kind, start: a, end: b, loose: true}
		if head.from >= a && head.to <= b && head.from > 0 {
			sp.head = head
		}
		out = append(out, sp)
	}
	line := from
	for _, d := range defs {
		if d.start > line {
			emit(line, d.start-1)
		}
		out = append(out, d)
		line = d.end + 1
	}
	if line <= to {
		emit(line, to)
	}
	return out
}

// container builds the spans of a definition whose members are cut out: the
// members themselves, and loose spans for the rest of the definition that
// carry the definition's symbol and kind. Members must lie strictly between
// the line that opens the body and the line that closes it, and any other
// member stays in the container's own lines. Trivial runs such as the closing
// brace become hidden spans, so they do not start the enclosing file-level
// piece.
func container(s *source, def span, members []span, bodyOpen, bodyClose int) []span {
	inner := members[:0]
	for _, m := range members {
		if m.start > bodyOpen && m.end < bodyClose {
			inner = append(inner, m)
		}
	}
	return fillGaps(s, inner, def.start, def.end, def.symbol, def.kind, def.head, true)
}
