package htmldoc

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockTags are the elements that start a new markdown block.
var blockTags = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Body: true, atom.Caption: true, atom.Center: true, atom.Dd: true,
	atom.Details: true, atom.Dialog: true, atom.Dir: true, atom.Div: true,
	atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true,
	atom.Figure: true, atom.Footer: true, atom.Form: true, atom.H1: true,
	atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hgroup: true, atom.Hr: true, atom.Html: true,
	atom.Legend: true, atom.Li: true, atom.Main: true, atom.Menu: true,
	atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true,
	atom.Section: true, atom.Summary: true, atom.Table: true, atom.Tbody: true,
	atom.Td: true, atom.Tfoot: true, atom.Th: true, atom.Thead: true,
	atom.Tr: true, atom.Ul: true,
}

func isBlockTag(a atom.Atom) bool { return blockTags[a] }

// converter renders cleaned HTML as markdown.
type converter struct {
	// blockInside holds the inline elements, such as a link around a
	// <div>, that contain block elements. They render as containers.
	blockInside map[*html.Node]bool
}

// renderMarkdown converts nodes, in order, to one markdown document.
func renderMarkdown(nodes []*html.Node) string {
	c := &converter{blockInside: map[*html.Node]bool{}}
	var blocks []string
	for _, n := range nodes {
		c.markBlockInside(n)
		blocks = append(blocks, c.block(n)...)
	}
	return finish(joinBlocks(blocks))
}

// markBlockInside records inline elements with block descendants and
// reports whether n is or contains a block element.
func (c *converter) markBlockInside(n *html.Node) bool {
	found := false
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if c.markBlockInside(ch) {
			found = true
		}
	}
	if n.Type != html.ElementNode {
		return false
	}
	if isBlockTag(n.DataAtom) {
		return true
	}
	if found {
		c.blockInside[n] = true
	}
	return found
}

// block renders n as zero or more markdown blocks.
func (c *converter) block(n *html.Node) []string {
	switch n.Type {
	case html.TextNode:
		return nonEmpty(c.paragraph([]*html.Node{n}))
	case html.ElementNode:
	case html.DocumentNode:
		return c.children(n)
	default:
		return nil
	}
	if isTabbedSet(n) {
		return c.tabbed(n)
	}
	if level := headingLevel(n); level > 0 {
		return nonEmpty(c.heading(n, level))
	}
	switch n.DataAtom {
	case atom.Pre:
		return nonEmpty(codeBlock(n))
	case atom.Ul, atom.Ol, atom.Menu, atom.Dir:
		return nonEmpty(c.list(n))
	case atom.Dl:
		return nonEmpty(c.definitionList(n))
	case atom.Table:
		return c.table(n)
	case atom.Blockquote:
		return nonEmpty(quoteLines(joinBlocks(c.children(n))))
	case atom.Summary:
		if text := c.inlineText(childNodes(n), true); text != "" {
			return []string{"**" + text + "**"}
		}
		return nil
	case atom.Hr:
		return []string{"* * *"}
	}
	return c.children(n)
}

// children renders the children of n as blocks. Runs of text and inline
// elements between block elements become paragraphs.
func (c *converter) children(n *html.Node) []string {
	var blocks []string
	var run []*html.Node
	flush := func() {
		blocks = append(blocks, nonEmpty(c.paragraph(run))...)
		run = run[:0]
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case ch.Type == html.TextNode:
			run = append(run, ch)
		case ch.Type != html.ElementNode:
		case isBlockTag(ch.DataAtom):
			flush()
			blocks = append(blocks, c.block(ch)...)
		case c.blockInside[ch]:
			flush()
			blocks = append(blocks, c.children(ch)...)
		default:
			run = append(run, ch)
		}
	}
	flush()
	return blocks
}

// paragraph renders inline nodes as one paragraph, escaping line starts
// that markdown would read as block syntax.
func (c *converter) paragraph(nodes []*html.Node) string {
	if code := soleCodeWithBreaks(nodes); code != nil {
		return brokenCodeBlock(code)
	}
	text := c.inlineText(nodes, false)
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = escapeLineStart(line)
	}
	return strings.Join(lines, "\n")
}

// heading renders an ATX heading. A trailing run of "#" is escaped so that
// markdown does not read it as a closing sequence.
func (c *converter) heading(n *html.Node, level int) string {
	text := c.inlineText(childNodes(n), true)
	if text == "" {
		return ""
	}
	if strings.HasSuffix(text, "#") {
		i := strings.LastIndexFunc(text, func(r rune) bool { return r != '#' })
		if i < 0 || text[i] == ' ' {
			text = text[:i+1] + `\` + text[i+1:]
		}
	}
	return strings.Repeat("#", level) + " " + text
}

// list renders <ul> or <ol>. Items are separated by blank lines only when
// one of them holds several blocks.
func (c *converter) list(n *html.Node) string {
	ordered := n.DataAtom == atom.Ol
	number := 1
	if v, err := strconv.Atoi(strings.TrimSpace(attr(n, "start"))); ordered && err == nil && v >= 0 {
		number = v
	}
	var items []string
	loose := false
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode {
			continue
		}
		if ch.DataAtom != atom.Li {
			// A list nested directly in a list belongs to the item before it.
			if body := joinBlocks(c.block(ch)); body != "" && len(items) > 0 {
				items[len(items)-1] += "\n" + prefixLines("    ", "    ", body)
			}
			continue
		}
		if v, err := strconv.Atoi(strings.TrimSpace(attr(ch, "value"))); ordered && err == nil && v >= 0 {
			number = v
		}
		marker := "-"
		if ordered {
			marker = strconv.Itoa(number) + "."
			number++
		}
		body := c.listItemBody(ch)
		if strings.Contains(body, "\n\n") {
			loose = true
		}
		indent := strings.Repeat(" ", len(marker)+1)
		items = append(items, strings.TrimRight(prefixLines(marker+" ", indent, body), " "))
	}
	if loose {
		return strings.Join(items, "\n\n")
	}
	return strings.Join(items, "\n")
}

// listItemBody renders the blocks of a list item. A nested list follows the
// text before it on the next line, which keeps simple nested lists tight.
func (c *converter) listItemBody(li *html.Node) string {
	var b strings.Builder
	for i, blk := range c.children(li) {
		if i > 0 {
			if isListBlock(blk) {
				b.WriteString("\n")
			} else {
				b.WriteString("\n\n")
			}
		}
		b.WriteString(blk)
	}
	return b.String()
}

// definitionList renders <dl> in the PHP Markdown Extra form: the term on
// its own line and each definition after ":   ".
func (c *converter) definitionList(n *html.Node) string {
	var groups []string
	var group []string
	sawDefinition := false
	var walk func(*html.Node)
	walk = func(parent *html.Node) {
		for ch := parent.FirstChild; ch != nil; ch = ch.NextSibling {
			switch {
			case isElement(ch, atom.Dt):
				if sawDefinition {
					groups = append(groups, strings.Join(group, "\n"))
					group, sawDefinition = nil, false
				}
				if term := c.paragraph(childNodes(ch)); term != "" {
					group = append(group, term)
				}
			case isElement(ch, atom.Dd):
				if body := joinBlocks(c.children(ch)); body != "" {
					group = append(group, prefixLines(":   ", "    ", body))
					sawDefinition = true
				}
			case isElement(ch, atom.Div):
				// HTML allows <div> wrappers around term and definition groups.
				walk(ch)
			}
		}
	}
	walk(n)
	if len(group) > 0 {
		groups = append(groups, strings.Join(group, "\n"))
	}
	return strings.Join(groups, "\n\n")
}

// isTabbedSet reports whether n is a tab container of the pymdown-extensions
// Tabbed extension, as used by MkDocs Material.
func isTabbedSet(n *html.Node) bool {
	return n.DataAtom == atom.Div && hasClass(n, "tabbed-set")
}

// tabbed renders each tab as its bold label followed by its content. Markup
// that does not have the labels-then-blocks layout renders as plain blocks.
func (c *converter) tabbed(n *html.Node) []string {
	var labels, panels []*html.Node
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case ch.Type != html.ElementNode:
		case hasClass(ch, "tabbed-labels"):
			labels = findAll(ch, func(l *html.Node) bool { return l.DataAtom == atom.Label })
		case hasClass(ch, "tabbed-content"):
			panels = findAll(ch, func(p *html.Node) bool { return hasClass(p, "tabbed-block") })
		}
	}
	if len(labels) == 0 || len(panels) == 0 {
		return c.children(n)
	}
	var blocks []string
	for i, panel := range panels {
		if i < len(labels) {
			if label := c.inlineText(childNodes(labels[i]), true); label != "" {
				blocks = append(blocks, "**"+label+"**")
			}
		}
		blocks = append(blocks, c.children(panel)...)
	}
	return blocks
}

// prefixLines puts first before the first line of body and rest before
// every later line that is not empty. An empty body yields first alone.
func prefixLines(first, rest, body string) string {
	lines := strings.Split(body, "\n")
	for i, line := range lines {
		switch {
		case i == 0:
			lines[i] = first + line
		case line == "":
		default:
			lines[i] = rest + line
		}
	}
	return strings.Join(lines, "\n")
}

// quoteLines prefixes every line of body with "> ", and empty lines with
// ">" so that the quote stays one block.
func quoteLines(body string) string {
	lines := strings.Split(body, "\n")
	for i, line := range lines {
		if line == "" {
			lines[i] = ">"
		} else {
			lines[i] = "> " + line
		}
	}
	return strings.Join(lines, "\n")
}

// isListBlock reports whether a rendered block is a markdown list. Paragraph
// text never starts like one, because paragraph renders escape it.
func isListBlock(block string) bool {
	return strings.HasPrefix(block, "- ") || block == "-" || orderedMarker.MatchString(block)
}

func childNodes(n *html.Node) []*html.Node {
	var out []*html.Node
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		out = append(out, ch)
	}
	return out
}

func nonEmpty(block string) []string {
	if strings.TrimSpace(block) == "" {
		return nil
	}
	return []string{block}
}

func joinBlocks(blocks []string) string {
	var nonEmptyBlocks []string
	for _, b := range blocks {
		if strings.TrimSpace(b) != "" {
			nonEmptyBlocks = append(nonEmptyBlocks, b)
		}
	}
	return strings.Join(nonEmptyBlocks, "\n\n")
}
