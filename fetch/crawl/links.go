package crawl

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// pageLinks are the facts a crawl needs from a page: where its links point
// and which URL it declares canonical. Resolution honours <base href>.
type pageLinks struct {
	Links     []string // absolute URLs, in document order
	Canonical string   // absolute, "" when absent
}

// scanLinks tokenizes an HTML page and resolves its <a href> targets and
// canonical link against pageURL. It never fails: malformed markup yields
// whatever links were found.
func scanLinks(pageURL string, body []byte) pageLinks {
	base, err := url.Parse(pageURL)
	if err != nil {
		return pageLinks{}
	}
	var out pageLinks
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		attrs := readAttrs(z)
		switch string(name) {
		case "base":
			if h := attrs["href"]; h != "" {
				if b, err := base.Parse(h); err == nil {
					base = b
				}
			}
		case "a", "area":
			if u := resolve(base, attrs["href"]); u != "" {
				out.Links = append(out.Links, u)
			}
		case "link":
			if hasToken(attrs["rel"], "canonical") {
				out.Canonical = resolve(base, attrs["href"])
			}
		}
	}
}

func readAttrs(z *html.Tokenizer) map[string]string {
	attrs := map[string]string{}
	for {
		key, val, more := z.TagAttr()
		attrs[string(key)] = string(val)
		if !more {
			return attrs
		}
	}
}

func hasToken(list, token string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == token {
			return true
		}
	}
	return false
}

func resolve(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return ""
	}
	u, err := base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	u.Fragment = ""
	return u.String()
}
