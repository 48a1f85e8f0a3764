package htmldoc

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// droppedTags never hold main content: scripts, styles, embedded media,
// form controls, navigation, footers and asides (sidebars, and page facts
// such as the last-update date).
var droppedTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Button: true, atom.Select: true, atom.Textarea: true, atom.Option: true,
	atom.Nav: true, atom.Svg: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Canvas: true, atom.Audio: true, atom.Video: true,
	atom.Dialog: true, atom.Link: true, atom.Meta: true, atom.Head: true,
	atom.Footer: true, atom.Aside: true,
}

// chromeRoles are ARIA landmark and widget roles of page furniture.
var chromeRoles = map[string]bool{
	"navigation": true, "banner": true, "contentinfo": true, "complementary": true,
	"search": true, "dialog": true, "alertdialog": true, "menu": true,
	"menubar": true, "toolbar": true,
}

// chromeWords are class and id words of page furniture. A class or id
// matches when it equals a word or when one of its parts split at "-" and
// "_" does, so "md-sidebar" and "cookie_banner" match but "toctree" does not.
var chromeWords = map[string]bool{
	"toc": true, "sidebar": true, "breadcrumb": true, "breadcrumbs": true,
	"cookie": true, "cookies": true, "consent": true, "gdpr": true,
	"navbar": true, "navigation": true, "nav": true, "menu": true, "skip": true,
	"skiplink": true, "pagination": true, "pager": true, "share": true,
	"sharing": true, "social": true, "headerlink": true, "permalink": true,
	"anchorjs": true, "clipboard": true, "feedback": true, "newsletter": true,
	"subscribe": true, "announce": true, "announcement": true, "banner": true,
	"promo": true, "sponsor": true, "comments": true, "footer": true,
	"header": true, "masthead": true, "toolbar": true, "edit": true,
	"search": true, "tableofcontents": true, "sr-only": true,
	"visually-hidden": true, "visuallyhidden": true, "screen-reader-text": true,
}

// chromeLinkTexts are the texts of links that only move around the page or
// off to an editor: heading anchors, skip links, edit links and back-to-top.
var chromeLinkTexts = map[string]bool{
	"¶": true, "#": true, "§": true, "🔗": true, "⚓": true, "↑": true, "⬆": true,
	"skip to content": true, "skip to main content": true, "skip navigation": true,
	"edit this page": true, "edit on github": true, "edit page": true,
	"view source": true, "view page source": true, "improve this page": true,
	"suggest edits": true, "back to top": true, "top": true, "to top": true,
}

// stripBoilerplate removes page furniture below root, never root itself.
func stripBoilerplate(root *html.Node) {
	var next *html.Node
	for c := root.FirstChild; c != nil; c = next {
		next = c.NextSibling
		switch c.Type {
		case html.CommentNode, html.DoctypeNode:
			root.RemoveChild(c)
			continue
		case html.ElementNode:
		default:
			continue
		}
		if isBoilerplate(c) {
			root.RemoveChild(c)
			continue
		}
		stripBoilerplate(c)
	}
}

// isBoilerplate reports whether element n is page furniture.
func isBoilerplate(n *html.Node) bool {
	if droppedTags[n.DataAtom] {
		return true
	}
	switch n.DataAtom {
	case atom.Input:
		// A checkbox in a list item is a task-list marker and renders as [x].
		return !(strings.EqualFold(attr(n, "type"), "checkbox") && insideListItem(n))
	case atom.Form:
		return !holdsKeyContent(n)
	case atom.Header:
		return !holdsHeading(n) || !insideArticle(n)
	case atom.A:
		return isChromeLink(n)
	}
	if hasAttr(n, "hidden") || strings.EqualFold(attr(n, "aria-hidden"), "true") {
		return true
	}
	if isHiddenByStyle(attr(n, "style")) {
		return true
	}
	if chromeRoles[strings.ToLower(strings.TrimSpace(attr(n, "role")))] {
		return true
	}
	if isLanguageSwitcher(n) {
		return true
	}
	return hasChromeName(n) && !holdsKeyContent(n)
}

// hasChromeName reports whether a class or the id of n is a chrome word.
// Ids count only on elements without headings, because documentation
// generators set section ids from heading text ("search", "edit"). The word
// "header" counts only without headings too, so a card header that holds
// a heading stays.
func hasChromeName(n *html.Node) bool {
	if headingLevel(n) > 0 {
		return false
	}
	names := classes(n)
	if id := attr(n, "id"); id != "" {
		names = append(names, id)
	}
	for i, name := range names {
		word := chromeWord(name)
		if word == "" {
			continue
		}
		isID := i == len(names)-1 && attr(n, "id") != ""
		if (isID || word == "header") && holdsHeading(n) {
			continue
		}
		return true
	}
	return false
}

// chromeWord returns the chrome word that name, or one of its parts split
// at "-" and "_", equals, or "".
func chromeWord(name string) string {
	name = strings.ToLower(name)
	if chromeWords[name] {
		return name
	}
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' }) {
		if chromeWords[part] {
			return part
		}
	}
	return ""
}

// isChromeLink reports whether link n is a heading anchor, skip link, edit
// link or back-to-top link. Link text includes image alt text.
func isChromeLink(n *html.Node) bool {
	for _, c := range classes(n) {
		switch strings.ToLower(c) {
		case "headerlink", "permalink", "anchor", "anchorjs-link", "header-anchor", "hash-link", "md-skip":
			return true
		}
	}
	text := strings.ToLower(collapseSpace(linkText(n)))
	if !chromeLinkTexts[text] {
		return false
	}
	// "top" and the arrows are common words elsewhere, so they count only
	// on links within the page.
	switch text {
	case "top", "to top", "↑", "⬆", "#":
		return strings.HasPrefix(strings.TrimSpace(attr(n, "href")), "#")
	}
	return true
}

// linkText returns the text of n with image alt text in place of images.
func linkText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
			case isElement(c, atom.Img):
				b.WriteString(" " + attr(c, "alt") + " ")
			case c.Type == html.ElementNode:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// isHiddenByStyle reports whether an inline style hides the element.
func isHiddenByStyle(style string) bool {
	s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}

// isLanguageSwitcher reports whether n is a block of links to translations
// of the page: three or more links with hreflang and no heading.
func isLanguageSwitcher(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Div, atom.P, atom.Ul, atom.Ol, atom.Section, atom.Span:
	default:
		return false
	}
	links := findAll(n, func(c *html.Node) bool { return c.DataAtom == atom.A && hasAttr(c, "hreflang") })
	return len(links) >= 3 && !holdsHeading(n)
}

// holdsKeyContent reports whether n contains what marks a main content
// area: a <main>, an <article>, role=main or an <h1>. Such elements are kept
// even when their class looks like chrome, because a page wrapper with a
// class such as "has-sidebar" holds the whole page.
func holdsKeyContent(n *html.Node) bool {
	return findFirst(n, func(c *html.Node) bool {
		switch c.DataAtom {
		case atom.Main, atom.Article, atom.H1:
			return true
		}
		return strings.EqualFold(attr(c, "role"), "main")
	}) != nil
}

func holdsHeading(n *html.Node) bool {
	return findFirst(n, func(c *html.Node) bool { return headingLevel(c) > 0 }) != nil
}

// insideArticle reports whether n has an <article> or <main> ancestor.
func insideArticle(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Article || p.DataAtom == atom.Main || strings.EqualFold(attr(p, "role"), "main") {
			return true
		}
	}
	return false
}

func insideListItem(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Li {
			return true
		}
	}
	return false
}

// headingLevel returns 1 to 6 for <h1> to <h6> and 0 for anything else.
func headingLevel(n *html.Node) int {
	if n.Type != html.ElementNode {
		return 0
	}
	switch n.DataAtom {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}
