// Package htmldoc turns a fetched HTML page into clean markdown of its main
// content plus the facts a crawler needs: title, language, canonical URL and
// outgoing links. Decode and Sniff prepare the raw bytes for Extract.
package htmldoc

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page is the metadata and main-content markdown of one HTML document.
type Page struct {
	// Title is the text of <title>, or of the first <h1> when the title is
	// missing or empty, with white space collapsed.
	Title string
	// Lang is the language tag from <html lang> (or xml:lang), or from a
	// Content-Language meta tag, or "".
	Lang string
	// Canonical is the absolute http(s) URL of <link rel=canonical>, or ""
	// when the page has none.
	Canonical string
	// Links holds the absolute http(s) URL of every <a href> in the whole
	// document, navigation included, in document order, without fragments
	// and without duplicates.
	Links []string
	// Markdown is the main content of the page as GitHub-flavoured markdown.
	// Navigation, headers, footers, sidebars and other page furniture are
	// removed. Links render as their text only, because Links keeps every
	// URL and the text is what a reader searches for.
	Markdown string
}

// Extract parses an HTML document fetched from pageURL and returns its
// metadata and main content. pageURL resolves relative links and must parse
// as a URL; when it is not absolute, relative links are left out of Links.
// A <base href> in the document takes precedence, as in browsers. The input
// must already be UTF-8 (see Decode). Malformed HTML is not an error,
// because the parser repairs it as browsers do, but a document nested
// deeper than 512 elements is, because golang.org/x/net/html rejects it.
func Extract(pageURL string, document string) (*Page, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("htmldoc: extract: invalid page URL %q: %w", pageURL, err)
	}
	doc, err := html.Parse(strings.NewReader(document))
	if err != nil {
		return nil, fmt.Errorf("htmldoc: extract %s: parse HTML: %w", pageURL, err)
	}
	base = documentBase(doc, base)

	page := &Page{
		Title:     documentTitle(doc),
		Lang:      documentLang(doc),
		Canonical: canonicalURL(doc, base),
		Links:     documentLinks(doc, base),
	}
	page.Markdown = renderMarkdown(mainContent(doc))
	return page, nil
}

// documentBase applies the first <base href> to the page URL.
func documentBase(doc *html.Node, pageURL *url.URL) *url.URL {
	baseTag := findFirst(doc, func(n *html.Node) bool {
		return n.DataAtom == atom.Base && hasAttr(n, "href")
	})
	if baseTag == nil {
		return pageURL
	}
	ref, err := url.Parse(strings.TrimSpace(attr(baseTag, "href")))
	if err != nil {
		return pageURL
	}
	return pageURL.ResolveReference(ref)
}

// documentTitle returns <title>, or the first <h1> when that is empty.
func documentTitle(doc *html.Node) string {
	if t := findFirst(doc, func(n *html.Node) bool { return n.DataAtom == atom.Title }); t != nil {
		if title := collapseSpace(textContent(t)); title != "" {
			return title
		}
	}
	if h1 := findFirst(doc, func(n *html.Node) bool { return n.DataAtom == atom.H1 }); h1 != nil {
		return collapseSpace(textContent(h1))
	}
	return ""
}

// documentLang returns the page language from <html> or a meta tag.
func documentLang(doc *html.Node) string {
	if root := findFirst(doc, func(n *html.Node) bool { return n.DataAtom == atom.Html }); root != nil {
		for _, key := range []string{"lang", "xml:lang"} {
			if lang := strings.TrimSpace(attr(root, key)); lang != "" {
				return lang
			}
		}
	}
	meta := findFirst(doc, func(n *html.Node) bool {
		return n.DataAtom == atom.Meta && strings.EqualFold(attr(n, "http-equiv"), "content-language")
	})
	if meta == nil {
		return ""
	}
	// The header form allows a list such as "en, de". The first entry is the
	// primary language.
	first, _, _ := strings.Cut(attr(meta, "content"), ",")
	return strings.TrimSpace(first)
}

// canonicalURL returns the resolved href of <link rel=canonical>.
func canonicalURL(doc *html.Node, base *url.URL) string {
	link := findFirst(doc, func(n *html.Node) bool {
		if n.DataAtom != atom.Link {
			return false
		}
		for _, rel := range strings.Fields(strings.ToLower(attr(n, "rel"))) {
			if rel == "canonical" {
				return true
			}
		}
		return false
	})
	if link == nil {
		return ""
	}
	return absoluteURL(base, attr(link, "href"))
}

// documentLinks returns the resolved targets of every <a href>.
func documentLinks(doc *html.Node, base *url.URL) []string {
	var links []string
	seen := map[string]bool{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom == atom.A && hasAttr(c, "href") {
				if u := absoluteURL(base, attr(c, "href")); u != "" && !seen[u] {
					seen[u] = true
					links = append(links, u)
				}
			}
			walk(c)
		}
	}
	walk(doc)
	return links
}

// absoluteURL resolves href against base and returns it without its
// fragment, or "" when the result is not an absolute http or https URL.
func absoluteURL(base *url.URL, href string) string {
	// Browsers drop tabs and line breaks anywhere in a URL and trim spaces.
	href = strings.TrimSpace(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(href))
	ref, err := url.Parse(href)
	if err != nil {
		return ""
	}
	u := base.ResolveReference(ref)
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Host = strings.ToLower(u.Host)
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}
