package htmldoc

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxSpan caps colspan and rowspan. Browsers cap them at 1000 and 65534,
// but a markdown table padded with that many empty cells is useless.
const maxSpan = 100

// table renders <table> as a GitHub-flavoured markdown table with the first
// row as header. A highlighter's line-number table renders as a code block
// and a layout table (one cell, role=presentation, or cells holding
// headings or tables) renders as the blocks of its cells.
func (c *converter) table(t *html.Node) []string {
	if pre := codeTablePre(t); pre != nil {
		return nonEmpty(codeBlock(pre))
	}
	rows, caption := tableRows(t)
	if len(rows) == 0 {
		return nil
	}
	if isLayoutTable(t, rows) {
		var blocks []string
		for _, row := range rows {
			for _, cell := range row {
				blocks = append(blocks, c.children(cell)...)
			}
		}
		return blocks
	}

	grid := c.cellGrid(rows)
	if len(grid) == 0 {
		return nil
	}
	var blocks []string
	if caption != nil {
		blocks = nonEmpty(c.paragraph(childNodes(caption)))
	}
	return append(blocks, renderGrid(grid))
}

// codeTablePre returns the <pre> in the code cell of a Pygments or
// highlight.js line-number table, or nil when t is not such a table.
func codeTablePre(t *html.Node) *html.Node {
	codeCell := findFirst(t, func(n *html.Node) bool {
		return n.DataAtom == atom.Td && (hasClass(n, "code") || hasClass(n, "hljs-ln-code"))
	})
	if codeCell == nil {
		return nil
	}
	gutter := findFirst(t, func(n *html.Node) bool { return n.DataAtom == atom.Td && isLineNumbers(n) })
	if gutter == nil && !hasClass(t, "highlighttable") {
		return nil
	}
	return findFirst(codeCell, func(n *html.Node) bool { return n.DataAtom == atom.Pre })
}

// tableRows returns the cells of every row of t, in document order, and the
// <caption>. Rows of nested tables are not included.
func tableRows(t *html.Node) ([][]*html.Node, *html.Node) {
	var rows [][]*html.Node
	var caption *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			switch {
			case isElement(ch, atom.Caption):
				caption = ch
			case isElement(ch, atom.Thead), isElement(ch, atom.Tbody), isElement(ch, atom.Tfoot):
				walk(ch)
			case isElement(ch, atom.Tr):
				var cells []*html.Node
				for cell := ch.FirstChild; cell != nil; cell = cell.NextSibling {
					if isElement(cell, atom.Td) || isElement(cell, atom.Th) {
						cells = append(cells, cell)
					}
				}
				if len(cells) > 0 {
					rows = append(rows, cells)
				}
			}
		}
	}
	walk(t)
	return rows, caption
}

// isLayoutTable reports whether t arranges content rather than holding data.
func isLayoutTable(t *html.Node, rows [][]*html.Node) bool {
	switch strings.ToLower(attr(t, "role")) {
	case "presentation", "none":
		return true
	}
	if len(rows) == 1 && len(rows[0]) == 1 {
		return true
	}
	for _, row := range rows {
		for _, cell := range row {
			nested := findFirst(cell, func(n *html.Node) bool { return n.DataAtom == atom.Table || headingLevel(n) > 0 })
			if nested != nil {
				return true
			}
		}
	}
	return false
}

// cellGrid renders every cell and places it in a rectangular grid, filling
// the slots that colspan and rowspan cover with empty cells.
func (c *converter) cellGrid(rows [][]*html.Node) [][]string {
	var grid [][]string
	covered := map[int]int{} // column -> rows still covered by a rowspan above
	for _, row := range rows {
		var out []string
		col := 0
		skipCovered := func() {
			for covered[col] > 0 {
				covered[col]--
				out = append(out, "")
				col++
			}
		}
		for _, cell := range row {
			skipCovered()
			text := c.cellText(cell)
			colspan := spanValue(attr(cell, "colspan"))
			rowspan := spanValue(attr(cell, "rowspan"))
			for k := 0; k < colspan; k++ {
				if k == 0 {
					out = append(out, text)
				} else {
					out = append(out, "")
				}
				if rowspan > 1 {
					covered[col] = rowspan - 1
				}
				col++
			}
		}
		// Columns after the last cell may still be covered from above.
		last := -1
		for column, left := range covered {
			if left > 0 && column >= col {
				last = max(last, column)
			}
		}
		for ; col <= last; col++ {
			if covered[col] > 0 {
				covered[col]--
			}
			out = append(out, "")
		}
		grid = append(grid, out)
	}
	return grid
}

// cellText renders a cell as one line with pipes escaped.
func (c *converter) cellText(cell *html.Node) string {
	text := c.inlineText(childNodes(cell), true)
	return strings.ReplaceAll(text, "|", `\|`)
}

// spanValue parses a colspan or rowspan value, clamped to 1..maxSpan.
func spanValue(s string) int {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 1 {
		return 1
	}
	return min(v, maxSpan)
}

// renderGrid writes grid as a markdown table whose first row is the header.
// Short rows are padded so every row has the same number of cells.
func renderGrid(grid [][]string) string {
	width := 0
	for _, row := range grid {
		width = max(width, len(row))
	}
	var b strings.Builder
	writeRow := func(row []string) {
		b.WriteString("|")
		for i := 0; i < width; i++ {
			cell := ""
			if i < len(row) {
				cell = row[i]
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	writeRow(grid[0])
	b.WriteString("|" + strings.Repeat(" --- |", width) + "\n")
	for _, row := range grid[1:] {
		writeRow(row)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
