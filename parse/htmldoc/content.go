package htmldoc

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// contentContainers match, in order of preference, the elements that hold
// the main content of a page. Documentation generators get their own entry
// because their pages also wrap sidebars in <main>.
var contentContainers = []func(*html.Node) bool{
	// MkDocs with the Material theme.
	func(n *html.Node) bool { return hasClass(n, "md-content__inner") },
	func(n *html.Node) bool { return n.DataAtom == atom.Div && hasClass(n, "md-content") },
	// Docusaurus.
	func(n *html.Node) bool { return hasClass(n, "theme-doc-markdown") },
	// GitHub-rendered markdown and generators that copy its class.
	func(n *html.Node) bool { return hasClass(n, "markdown-body") },
	func(n *html.Node) bool { return n.DataAtom == atom.Main },
	func(n *html.Node) bool { return strings.EqualFold(attr(n, "role"), "main") },
}

// mainContent returns the nodes that hold the main content of doc, with
// page furniture removed from them. It modifies doc.
func mainContent(doc *html.Node) []*html.Node {
	for _, match := range contentContainers {
		if n := findFirst(doc, match); n != nil && cleanedHasText(n) {
			return []*html.Node{n}
		}
	}
	articles := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Article })
	if len(articles) == 1 && cleanedHasText(articles[0]) {
		return articles
	}

	body := findFirst(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body })
	if body == nil {
		body = doc
	}
	stripBoilerplate(body)
	return scoreContent(body)
}

// cleanedHasText strips page furniture below n and reports whether any
// text is left.
func cleanedHasText(n *html.Node) bool {
	stripBoilerplate(n)
	return strings.TrimFunc(textContent(n), isSpace) != ""
}
