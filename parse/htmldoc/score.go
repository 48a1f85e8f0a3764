package htmldoc

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The scorer below follows the approach of Mozilla's Readability. Every
// paragraph gives points for its length and commas to its parent and fewer
// points to further ancestors. Link density then cuts each score, and the
// best ancestor wins together with siblings that scored well.

// positiveName and negativeName match class and id values that suggest
// content or furniture, as in Readability.
var (
	positiveName = regexp.MustCompile(`(?i)article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|section|document`)
	negativeName = regexp.MustCompile(`(?i)-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footer|footnote|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|tool|widget`)
)

const (
	// minParagraphChars is the shortest paragraph text that scores.
	minParagraphChars = 25
	// ancestorLevels is how many ancestors of a paragraph receive points.
	ancestorLevels = 5
	// minAlternatives is how many other strong candidates must share an
	// ancestor with the best one before that ancestor is taken instead.
	minAlternatives = 3
)

type scorer struct {
	scores map[*html.Node]float64
	order  []*html.Node
}

// scoreContent returns the best content node below body and its siblings
// that also look like content, in document order.
func scoreContent(body *html.Node) []*html.Node {
	s := &scorer{scores: map[*html.Node]float64{}}
	for _, p := range scorableElements(body) {
		s.scoreParagraph(p)
	}
	if len(s.order) == 0 {
		return []*html.Node{body}
	}
	for _, n := range s.order {
		s.scores[n] *= 1 - linkDensity(n)
	}

	top := s.best()
	top = s.promote(top, body)
	top = s.climb(top, body)
	if top == body {
		return []*html.Node{body}
	}
	return s.withSiblings(top, soleH1(body))
}

// climb moves from top to an ancestor that scores higher, as long as the
// scores on the way stay above a third of top's. A wrapper that gathers
// several good blocks scores above each of them.
func (s *scorer) climb(top, body *html.Node) *html.Node {
	last := s.scores[top]
	threshold := last / 3
	for p := top.Parent; p != nil && p != body; p = p.Parent {
		score, ok := s.scores[p]
		if !ok {
			continue
		}
		if score < threshold {
			break
		}
		if score > last {
			return p
		}
		last = score
	}
	return top
}

// soleH1 returns the only <h1> below root, or nil when there are none or
// several.
func soleH1(root *html.Node) *html.Node {
	h1s := findAll(root, func(n *html.Node) bool { return n.DataAtom == atom.H1 })
	if len(h1s) != 1 {
		return nil
	}
	return h1s[0]
}

// scorableElements returns the paragraph-like elements below root: <p>,
// <pre>, <td> and elements such as <div> that contain no block elements.
func scorableElements(root *html.Node) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.P, atom.Pre, atom.Td:
				out = append(out, c)
				continue
			case atom.Div, atom.Section:
				if !hasBlockChild(c) {
					out = append(out, c)
					continue
				}
			}
			walk(c)
		}
	}
	walk(root)
	return out
}

func (s *scorer) scoreParagraph(p *html.Node) {
	text := collapseSpace(textContent(p))
	length := utf8.RuneCountInString(text)
	if length < minParagraphChars || p.Parent == nil {
		return
	}
	points := 1 + float64(strings.Count(text, ",")+strings.Count(text, "，"))
	points += min(float64(length/100), 3)

	level := 0
	for a := p.Parent; a != nil && a.Type == html.ElementNode && level < ancestorLevels; a = a.Parent {
		if _, seen := s.scores[a]; !seen {
			s.scores[a] = initialScore(a)
			s.order = append(s.order, a)
		}
		switch level {
		case 0:
			s.scores[a] += points
		case 1:
			s.scores[a] += points / 2
		default:
			s.scores[a] += points / float64(level*3)
		}
		level++
	}
}

// best returns the highest-scoring candidate, the first one on ties.
func (s *scorer) best() *html.Node {
	var top *html.Node
	for _, n := range s.order {
		if top == nil || s.scores[n] > s.scores[top] {
			top = n
		}
	}
	return top
}

// promote moves from top to the nearest ancestor that contains at least
// minAlternatives other candidates scoring within 75% of top. Pages that
// split content into many sibling sections need this, because each section
// alone scores about as well as the others.
func (s *scorer) promote(top, body *html.Node) *html.Node {
	var alternatives []*html.Node
	for _, n := range s.order {
		if n != top && s.scores[n] >= 0.75*s.scores[top] {
			alternatives = append(alternatives, n)
		}
	}
	if len(alternatives) < minAlternatives {
		return top
	}
	for a := top.Parent; a != nil && a != body.Parent; a = a.Parent {
		contained := 0
		for _, alt := range alternatives {
			if contains(a, alt) {
				contained++
			}
		}
		if contained >= minAlternatives {
			return a
		}
	}
	return top
}

// withSiblings returns top and those of its siblings that score at least a
// fifth of top, that are paragraphs of plain prose, or that hold title, the
// page's only <h1>, which names the content.
func (s *scorer) withSiblings(top, title *html.Node) []*html.Node {
	if top.Parent == nil {
		return []*html.Node{top}
	}
	threshold := max(10, s.scores[top]*0.2)
	var out []*html.Node
	for c := top.Parent.FirstChild; c != nil; c = c.NextSibling {
		if c == top {
			out = append(out, c)
			continue
		}
		if c.Type != html.ElementNode {
			continue
		}
		if score, ok := s.scores[c]; ok && score >= threshold {
			out = append(out, c)
			continue
		}
		if (c.DataAtom == atom.P && isProse(c)) || (title != nil && contains(c, title)) {
			out = append(out, c)
		}
	}
	return out
}

// isProse reports whether paragraph p reads as running text: long with few
// links, or short, link-free and ending a sentence.
func isProse(p *html.Node) bool {
	text := collapseSpace(textContent(p))
	density := linkDensity(p)
	length := utf8.RuneCountInString(text)
	if length > 80 {
		return density < 0.25
	}
	return length > 0 && density == 0 && strings.HasSuffix(text, ".")
}

// initialScore gives a candidate points for its tag and its class and id.
func initialScore(n *html.Node) float64 {
	score := 0.0
	switch n.DataAtom {
	case atom.Div, atom.Article, atom.Main, atom.Section:
		score += 5
	case atom.Pre, atom.Td, atom.Blockquote:
		score += 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		score -= 3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		score -= 5
	}
	return score + nameWeight(n)
}

// nameWeight returns +25 or -25 for each of class and id that looks like
// content or furniture.
func nameWeight(n *html.Node) float64 {
	weight := 0.0
	for _, name := range []string{attr(n, "class"), attr(n, "id")} {
		if name == "" {
			continue
		}
		if negativeName.MatchString(name) {
			weight -= 25
		}
		if positiveName.MatchString(name) {
			weight += 25
		}
	}
	return weight
}

// linkDensity returns the share of the text of n that sits inside links.
func linkDensity(n *html.Node) float64 {
	total := utf8.RuneCountInString(collapseSpace(textContent(n)))
	if total == 0 {
		return 0
	}
	linked := 0
	for _, a := range findAll(n, func(c *html.Node) bool { return c.DataAtom == atom.A }) {
		linked += utf8.RuneCountInString(collapseSpace(textContent(a)))
	}
	return float64(linked) / float64(total)
}

// hasBlockChild reports whether n has a block-level element child.
func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && isBlockTag(c.DataAtom) {
			return true
		}
	}
	return false
}

// contains reports whether n is d or an ancestor of d.
func contains(n, d *html.Node) bool {
	for ; d != nil; d = d.Parent {
		if d == n {
			return true
		}
	}
	return false
}
