package pdftext

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Layout thresholds, as fractions of the font size. A word space is 0.25 em in Times
// and 0.33 em in Computer Modern, and kerning between letters is rarely over 0.1 em, so a gap above
// wordGap starts a new word. Lines in the same paragraph are usually 1.1 to 1.3 em
// apart, so glyphs closer than sameLine in height sit on one line.
const (
	wordGap       = 0.15
	segmentGap    = 1.5
	sameLine      = 0.45
	duplicateDist = 0.1
	// paragraphGap is how much taller than the usual line spacing of the page a gap
	// must be to end a paragraph.
	paragraphGap = 1.4
)

// segment is a run of glyphs on one line with no gap wider than segmentGap.
type segment struct {
	glyphs []glyph
	x0, x1 float64
}

// line is a row of segments sharing a baseline.
type line struct {
	segs   []segment
	y      float64
	size   float64
	column int // position in reading order of the column or band the line belongs to
}

// layoutPage turns the glyphs of one page into lines of text in reading order. An
// empty string between lines marks a paragraph break.
func layoutPage(glyphs []glyph) []string {
	var out []string
	for _, orient := range []uint8{0, 1, 3, 2} {
		var group []glyph
		for _, g := range glyphs {
			if g.orient == orient {
				group = append(group, g)
			}
		}
		if len(group) == 0 {
			continue
		}
		lines := orderColumns(buildLines(group), 0)
		if len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, lineTexts(lines)...)
	}
	return out
}

// buildLines groups glyphs into lines from the top of the page down, each sorted left
// to right and split into segments at wide gaps.
func buildLines(glyphs []glyph) []line {
	slices.SortStableFunc(glyphs, func(a, b glyph) int {
		return cmp.Compare(b.y, a.y)
	})
	var lines []line
	start := 0
	for i := 1; i <= len(glyphs); i++ {
		if i < len(glyphs) {
			prev, cur := glyphs[i-1], glyphs[i]
			tolerance := sameLine * math.Max(math.Min(prev.size, cur.size), 1)
			if prev.y-cur.y <= tolerance {
				continue
			}
		}
		lines = append(lines, newLine(glyphs[start:i]))
		start = i
	}
	return lines
}

func newLine(glyphs []glyph) line {
	slices.SortStableFunc(glyphs, func(a, b glyph) int {
		return cmp.Compare(a.x0, b.x0)
	})
	l := line{y: glyphs[0].y}
	for _, g := range glyphs {
		l.size = math.Max(l.size, g.size)
	}
	var seg segment
	for i, g := range glyphs {
		if i > 0 && g.x0-seg.x1 > segmentGap*math.Max(g.size, 1) {
			l.segs = append(l.segs, seg)
			seg = segment{}
		}
		if len(seg.glyphs) == 0 {
			seg.x0 = g.x0
		}
		seg.glyphs = append(seg.glyphs, g)
		seg.x1 = math.Max(seg.x1, g.x1)
	}
	l.segs = append(l.segs, seg)
	return l
}

// text returns the characters of a segment with a space wherever the gap between two
// glyphs is wider than wordGap. A glyph drawn again at almost the same spot, as some
// producers do to fake bold type, is kept once.
func (s segment) text() string {
	attachAccents(s.glyphs)
	var b strings.Builder
	var prev *glyph
	pendingSpace := false
	for i := range s.glyphs {
		g := &s.glyphs[i]
		if g.text == "" {
			continue
		}
		if strings.TrimSpace(g.text) == "" {
			pendingSpace = b.Len() > 0
			continue
		}
		if prev != nil {
			if g.text == prev.text && math.Abs(g.x0-prev.x0) < duplicateDist*math.Max(g.size, 1) {
				continue
			}
			if g.x0-prev.x1 > wordGap*math.Max(math.Min(g.size, prev.size), 1) {
				pendingSpace = true
			}
		}
		if pendingSpace && b.Len() > 0 {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteString(g.text)
		prev = g
	}
	return b.String()
}

func (l line) text() string {
	parts := make([]string, 0, len(l.segs))
	for _, s := range l.segs {
		if t := s.text(); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " ")
}

// lineTexts returns the text of each line, with an empty string where a paragraph
// ends: at a change of column, at a gap clearly taller than the usual line spacing,
// or at a change of font size of more than 15%.
func lineTexts(lines []line) []string {
	spacing := usualSpacing(lines)
	var out []string
	for i, l := range lines {
		t := l.text()
		if t == "" {
			continue
		}
		if i > 0 && len(out) > 0 && out[len(out)-1] != "" {
			prev := lines[i-1]
			gap := prev.y - l.y
			ratio := l.size / math.Max(prev.size, 1)
			if prev.column != l.column || gap <= 0 || gap > paragraphGap*spacing || ratio > 1.15 || ratio < 1/1.15 {
				out = append(out, "")
			}
		}
		out = append(out, t)
	}
	return out
}

// usualSpacing returns the median distance between consecutive lines of a column,
// or a large value when the page has too few lines to tell.
func usualSpacing(lines []line) float64 {
	var gaps []float64
	for i := 1; i < len(lines); i++ {
		gap := lines[i-1].y - lines[i].y
		if lines[i].column == lines[i-1].column && gap > 0 {
			gaps = append(gaps, gap)
		}
	}
	if len(gaps) < 2 {
		return math.Inf(1)
	}
	slices.Sort(gaps)
	return gaps[len(gaps)/2]
}

// combiningAccents maps the spacing accents that TeX and other typesetters draw over a
// separate letter glyph to the combining marks that Unicode puts after the letter.
var combiningAccents = map[string]string{
	"\u00b4": "\u0301", "`": "\u0300", "\u00a8": "\u0308", "\u02c6": "\u0302", "^": "\u0302",
	"\u02dc": "\u0303", "~": "\u0303", "\u00b8": "\u0327", "\u02c7": "\u030c", "\u02d8": "\u0306",
	"\u02d9": "\u0307", "\u02da": "\u030a", "\u00af": "\u0304", "\u02dd": "\u030b", "\u02db": "\u0328",
}

// attachAccents moves an accent glyph drawn over a neighbouring letter onto that letter
// as a combining mark, so that "P´eter" reads "Péter" once cleanLine composes it.
func attachAccents(glyphs []glyph) {
	for i := range glyphs {
		mark, ok := combiningAccents[glyphs[i].text]
		if !ok {
			continue
		}
		accent := glyphs[i]
		centre := (accent.x0 + accent.x1) / 2
		best, bestDist := -1, math.Inf(1)
		for _, j := range []int{i - 1, i + 1} {
			if j < 0 || j >= len(glyphs) || !isLetter(glyphs[j].text) {
				continue
			}
			letter := glyphs[j]
			margin := 0.1 * math.Max(letter.size, 1)
			if centre < letter.x0-margin || centre > letter.x1+margin {
				continue
			}
			// On a tie the accent goes to the letter after it, which is where TeX puts it.
			if dist := math.Abs(centre - (letter.x0+letter.x1)/2); dist < bestDist || dist == bestDist && j > i {
				best, bestDist = j, dist
			}
		}
		if best >= 0 {
			// TeX puts accents on a dotless i or j, which Unicode composes only without the dot removed.
			base := strings.NewReplacer("\u0131", "i", "\u0237", "j").Replace(glyphs[best].text)
			glyphs[best].text = base + mark
			glyphs[i].text = ""
		}
	}
}

func isLetter(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	return size > 0 && unicode.IsLetter(r)
}
