package code

import "strings"

// scope is the context of one nesting level in a brace-language file.
type scope struct {
	qual   string // qualified name of the enclosing containers, "" at top level
	inType bool   // directly inside a class-like container, so functions are methods
}

// walk returns the definition spans among the statements of code[lo:hi].
// floor is the last line before the range that a doc comment may not reach.
func (f *braceFile) walk(lo, hi int, sc scope, floor int) []span {
	var out []span
	prevEnd := floor
	for _, st := range f.statements(lo, hi) {
		first := f.src.lineOf(st.start)
		last := f.src.lineOf(st.end - 1)
		if d, ok := f.declaration(st, sc); ok {
			out = append(out, f.define(st, d, sc, first, last, prevEnd)...)
		}
		prevEnd = last
	}
	return out
}

// body returns the index of the statement's body block, or -1. In
// TypeScript a block after ':', '<', ',', '|' or '&' is an object type
// (`function f(): { a: number } {`), not the body.
func (f *braceFile) body(st statement) int {
	if len(st.blocks) == 0 {
		return -1
	}
	if f.lang != "typescript" {
		return 0
	}
	for k, b := range st.blocks {
		p := b[0] - 1
		for p >= st.start && isSpace(f.code[p]) {
			p--
		}
		if p < st.start || strings.IndexByte(":<,|&", f.code[p]) < 0 {
			return k
		}
	}
	return 0
}

func (f *braceFile) declaration(st statement, sc scope) (decl, bool) {
	b := f.body(st)
	headEnd := st.end
	if b >= 0 {
		headEnd = st.blocks[b][0]
	}
	if headEnd-st.start > maxHeaderBytes {
		return decl{}, false
	}
	d, ok := f.classify(tokenize(f.code[st.start:headEnd]), b >= 0, sc.inType)
	if ok && d.name == "" && !d.transparent {
		d.name = f.declaratorName(st, b)
		ok = d.name != ""
	}
	return d, ok
}

// declaratorName names an anonymous C struct, union or enum after the first
// declarator that follows its body: `typedef struct { ... } point;`.
func (f *braceFile) declaratorName(st statement, b int) string {
	if b < 0 || st.blocks[b][1] >= st.end {
		return ""
	}
	for _, t := range tokenize(f.code[st.blocks[b][1]+1 : st.end]) {
		if t.word {
			return t.text
		}
	}
	return ""
}

// define returns the spans of one declaration: a single span, or for a
// container its members and its remaining lines. The span starts at the
// comment lines directly above the statement, down to line prevEnd+1.
func (f *braceFile) define(st statement, d decl, sc scope, first, last, prevEnd int) []span {
	start := first
	for start-1 > prevEnd && f.commentOnly[start-2] {
		start--
	}

	b := f.body(st)
	sp := span{symbol: qualify(sc.qual, d.name), kind: d.kind, start: start, end: last, head: header{first, first}}
	if b >= 0 {
		sp.head.to = f.src.lineOf(st.blocks[b][0])
	}
	if !d.container || b < 0 {
		return []span{sp}
	}

	block := st.blocks[b]
	openLine := f.src.lineOf(block[0])
	closeLine := f.src.lineOf(block[1])
	if d.transparent {
		members := f.walk(block[0]+1, block[1], sc, openLine)
		inner := members[:0]
		for _, m := range members {
			if m.start > openLine && m.end < closeLine {
				inner = append(inner, m)
			}
		}
		if closeLine > openLine {
			inner = append(inner, span{start: closeLine, end: closeLine, hidden: true})
		}
		return inner
	}

	inner := scope{qual: sp.symbol, inType: d.kind != KindModule}
	members := f.walk(block[0]+1, block[1], inner, openLine)
	return container(f.src, sp, members, openLine, closeLine)
}
