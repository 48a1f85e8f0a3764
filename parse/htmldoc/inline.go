package htmldoc

import (
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// hardBreak marks a <br> in inline output until spaces around it are
// trimmed. It is a private-use code point, which HTML text does not carry
// in practice.
const hardBreak = "\uE000"

// inlineText renders nodes as one line of inline markdown, with white space
// collapsed as a browser does. When flat is false, <br> becomes a line
// break. When flat is true, for table cells and headings, everything stays
// on one line and block elements become spaces.
func (c *converter) inlineText(nodes []*html.Node, flat bool) string {
	var b strings.Builder
	for _, n := range nodes {
		c.inline(&b, n, flat)
	}
	return tidyInline(b.String())
}

// inline writes the markdown of n to b, with white space runs written as
// single spaces and leading and trailing spaces kept for the caller.
func (c *converter) inline(b *strings.Builder, n *html.Node, flat bool) {
	switch n.Type {
	case html.TextNode:
		writeCollapsed(b, n.Data)
		return
	case html.ElementNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.Br:
		if flat {
			b.WriteString(" ")
		} else {
			b.WriteString(hardBreak)
		}
	case atom.Img:
		writeCollapsed(b, attr(n, "alt"))
	case atom.Input:
		if !strings.EqualFold(attr(n, "type"), "checkbox") {
			return
		}
		if hasAttr(n, "checked") {
			b.WriteString("[x] ")
		} else {
			b.WriteString("[ ] ")
		}
	case atom.Code, atom.Samp, atom.Tt, atom.Pre:
		b.WriteString(codeSpan(textContent(n)))
	case atom.Kbd:
		c.keyboard(b, n, flat)
	case atom.Em, atom.I, atom.Cite, atom.Dfn, atom.Var:
		c.wrapOnce(b, n, flat, "*", atom.Em, atom.I, atom.Cite, atom.Dfn, atom.Var)
	case atom.Strong, atom.B:
		c.wrapOnce(b, n, flat, "**", atom.Strong, atom.B)
	case atom.Del, atom.S, atom.Strike:
		c.wrapOnce(b, n, flat, "~~", atom.Del, atom.S, atom.Strike)
	case atom.Sup:
		c.wrap(b, n, flat, "<sup>", "</sup>")
	case atom.Sub:
		c.wrap(b, n, flat, "<sub>", "</sub>")
	case atom.Q:
		c.wrap(b, n, flat, `"`, `"`)
	case atom.Ul, atom.Ol:
		c.inlineList(b, n, flat)
	default:
		block := isBlockTag(n.DataAtom)
		if block {
			b.WriteString(" ")
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			c.inline(b, ch, flat)
		}
		if block {
			b.WriteString(" ")
		}
	}
}

// wrap writes the children of n between open and close, keeping spaces at
// the edges outside the markers so that emphasis stays valid.
func (c *converter) wrap(b *strings.Builder, n *html.Node, flat bool, open, close string) {
	var inner strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.inline(&inner, ch, flat)
	}
	text := inner.String()
	core := strings.Trim(text, " "+hardBreak)
	if core == "" {
		if text != "" {
			b.WriteString(" ")
		}
		return
	}
	if text[0] == ' ' {
		b.WriteString(" ")
	}
	b.WriteString(open + core + close)
	if text[len(text)-1] == ' ' {
		b.WriteString(" ")
	}
}

// wrapOnce wraps n in marker unless an ancestor of the same kind, one of
// same, already did, because markdown has no nested emphasis of one kind.
func (c *converter) wrapOnce(b *strings.Builder, n *html.Node, flat bool, marker string, same ...atom.Atom) {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && slices.Contains(same, p.DataAtom) {
			for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
				c.inline(b, ch, flat)
			}
			return
		}
	}
	c.wrap(b, n, flat, marker, marker)
}

// keyboard writes <kbd> as inline HTML, which GitHub-flavoured markdown
// keeps. A <kbd> that only groups other <kbd> elements, as in a key
// combination, writes its children.
func (c *converter) keyboard(b *strings.Builder, n *html.Node, flat bool) {
	if findFirst(n, func(k *html.Node) bool { return k.DataAtom == atom.Kbd }) != nil {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			c.inline(b, ch, flat)
		}
		return
	}
	c.wrap(b, n, flat, "<kbd>", "</kbd>")
}

// inlineList writes a list that sits where only inline text fits, such as
// in a table cell, as its items joined by "; ".
func (c *converter) inlineList(b *strings.Builder, n *html.Node, flat bool) {
	var items []string
	for li := n.FirstChild; li != nil; li = li.NextSibling {
		if li.Type != html.ElementNode {
			continue
		}
		var item strings.Builder
		c.inline(&item, li, flat)
		if text := tidyInline(item.String()); text != "" {
			items = append(items, text)
		}
	}
	b.WriteString(" " + strings.Join(items, "; ") + " ")
}

// writeCollapsed writes s with each run of white space as one space.
func writeCollapsed(b *strings.Builder, s string) {
	space := false
	for _, r := range s {
		if isSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
}

// tidyInline collapses the spaces that adjacent pieces left, turns hard
// break marks into line breaks and trims every line.
func tidyInline(s string) string {
	lines := strings.Split(s, hardBreak)
	out := lines[:0]
	for _, line := range lines {
		line = strings.Join(strings.Fields(line), " ")
		if line != "" || (len(out) > 0 && out[len(out)-1] != "") {
			out = append(out, line)
		}
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// codeSpan returns text as an inline code span, with a delimiter longer
// than any backtick run inside and with white space collapsed as a browser
// shows inline code.
func codeSpan(text string) string {
	text = collapseSpace(text)
	if text == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(text, '`')+1)
	if strings.HasPrefix(text, "`") || strings.HasSuffix(text, "`") {
		return fence + " " + text + " " + fence
	}
	return fence + text + fence
}

// longestRun returns the length of the longest run of r in s.
func longestRun(s string, r byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == r {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

var (
	// orderedMarker matches the start of an ordered list item.
	orderedMarker = regexp.MustCompile(`^\d{1,9}[.)](\s|$)`)
	// blockSyntaxStart matches line starts that markdown reads as a heading,
	// quote, bullet, fence, table row or setext underline.
	blockSyntaxStart = regexp.MustCompile("^(#{1,6}(\\s|$)|>|[-+*](\\s|$)|```|~~~|\\||=+\\s*$|-+\\s*$)")
)

// escapeLineStart backslash-escapes the start of a text line that markdown
// would otherwise read as block syntax. Other characters stay as they are,
// because heavy escaping makes the text harder to read and search.
func escapeLineStart(line string) string {
	if blockSyntaxStart.MatchString(line) {
		return `\` + line
	}
	if loc := orderedMarker.FindStringIndex(line); loc != nil {
		i := strings.IndexAny(line, ".)")
		return line[:i] + `\` + line[i:]
	}
	return line
}
