package pdftext

import (
	"cmp"
	"math"
	"slices"
)

const (
	// minGutter is the narrowest empty strip, in points, taken as space between columns.
	minGutter = 8
	// minColumnLines is how many segments each side of a gutter needs to count as a column.
	minColumnLines = 5
	// maxColumnDepth allows a column to be split once more, for three-column pages.
	maxColumnDepth = 2
)

// orderColumns puts lines into reading order when the page is set in columns: a strip
// that no text crosses splits the page into a left and a right column, read one after
// the other. Lines that cross the strip, such as a title over both columns, split the
// page into bands that are read from top to bottom. Lines come back with column set
// to the position of their column or band in reading order.
func orderColumns(lines []line, depth int) []line {
	gutter, ok := findGutter(lines)
	if !ok || depth >= maxColumnDepth {
		for i := range lines {
			lines[i].column = 0
		}
		return lines
	}
	var out []line
	var left, right []line
	flush := func() {
		for _, side := range [][]line{left, right} {
			if len(side) == 0 {
				continue
			}
			base := nextColumn(out)
			for _, l := range orderColumns(side, depth+1) {
				l.column += base
				out = append(out, l)
			}
		}
		left, right = nil, nil
	}
	for _, l := range lines {
		l, r, crossing := splitLine(l, gutter)
		if crossing {
			flush()
			l.column = nextColumn(out)
			out = append(out, l)
			continue
		}
		if len(l.segs) > 0 {
			left = append(left, l)
		}
		if len(r.segs) > 0 {
			right = append(right, r)
		}
	}
	flush()
	return out
}

func nextColumn(lines []line) int {
	if len(lines) == 0 {
		return 0
	}
	return lines[len(lines)-1].column + 1
}

// splitLine returns the parts of l left and right of the gutter, or l itself with
// crossing set when one of its segments spans the gutter.
func splitLine(l line, gutter float64) (left, right line, crossing bool) {
	left = line{y: l.y, size: l.size}
	right = line{y: l.y, size: l.size}
	for _, s := range l.segs {
		switch {
		case s.x1 <= gutter:
			left.segs = append(left.segs, s)
		case s.x0 >= gutter:
			right.segs = append(right.segs, s)
		default:
			return l, line{}, true
		}
	}
	return left, right, false
}

// findGutter looks for an empty vertical strip in the middle 60% of the text that
// separates two columns of text, and returns its centre.
func findGutter(lines []line) (float64, bool) {
	var segs []segment
	for _, l := range lines {
		segs = append(segs, l.segs...)
	}
	if len(segs) < 2*minColumnLines {
		return 0, false
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range segs {
		lo, hi = math.Min(lo, s.x0), math.Max(hi, s.x1)
	}
	width := hi - lo
	if width < 4*minGutter || width > 1e5 {
		return 0, false
	}

	const bin = 2.0
	cover := make([]int, int(width/bin)+1)
	for _, s := range segs {
		for i := int((s.x0 - lo) / bin); i <= int((s.x1-lo)/bin) && i < len(cover); i++ {
			cover[i]++
		}
	}

	// Allow a few lines (titles, wide figures' captions) to cross the gutter.
	allowed := max(1, len(lines)/10)
	first, last := int(0.2*width/bin), int(0.8*width/bin)
	bestStart, bestLen, runStart := -1, 0, -1
	for i := first; i <= last+1; i++ {
		if i <= last && cover[i] <= allowed {
			if runStart < 0 {
				runStart = i
			}
			continue
		}
		if runStart >= 0 && i-runStart > bestLen {
			bestStart, bestLen = runStart, i-runStart
		}
		runStart = -1
	}
	if bestStart < 0 || float64(bestLen)*bin < minGutter {
		return 0, false
	}
	gutter := lo + (float64(bestStart)+float64(bestLen)/2)*bin
	return gutter, looksLikeColumns(segs, gutter, lo, hi)
}

// looksLikeColumns checks that the text on both sides of a gutter fills its side the
// way running text does. Code listings with comments lined up on the right, or a table
// with a wide first column, have short segments on at least one side and are refused.
func looksLikeColumns(segs []segment, gutter, lo, hi float64) bool {
	var leftWidths, rightWidths, leftY, rightY []float64
	for _, s := range segs {
		switch {
		case s.x1 <= gutter:
			leftWidths = append(leftWidths, s.x1-s.x0)
			leftY = append(leftY, s.glyphs[0].y)
		case s.x0 >= gutter:
			rightWidths = append(rightWidths, s.x1-s.x0)
			rightY = append(rightY, s.glyphs[0].y)
		}
	}
	if len(leftWidths) < minColumnLines || len(rightWidths) < minColumnLines {
		return false
	}
	if median(leftWidths) < 0.5*(gutter-lo) || median(rightWidths) < 0.5*(hi-gutter) {
		return false
	}
	// The columns must stand side by side, not one above the other.
	top := math.Min(slices.Max(leftY), slices.Max(rightY))
	bottom := math.Max(slices.Min(leftY), slices.Min(rightY))
	return top > bottom
}

func median(values []float64) float64 {
	sorted := slices.Clone(values)
	slices.SortFunc(sorted, cmp.Compare[float64])
	return sorted[len(sorted)/2]
}
