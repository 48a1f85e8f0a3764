package crawl

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// sitemapDoc is a sitemap or a sitemap index: <urlset> with <url><loc>, or
// <sitemapindex> with <sitemap><loc>.
type sitemapDoc struct {
	XMLName  xml.Name
	URLs     []string `xml:"url>loc"`
	Sitemaps []string `xml:"sitemap>loc"`
}

// parseSitemap decodes a sitemap body, gunzipping it when it starts with
// the gzip magic bytes, and resolves each <loc> against the sitemap's URL.
// maxBytes caps the decompressed size.
func parseSitemap(sitemapURL string, body []byte, maxBytes int64) (pages, children []string, err error) {
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, nil, fmt.Errorf("gunzip sitemap: %w", err)
		}
		body, err = io.ReadAll(io.LimitReader(zr, maxBytes+1))
		if err != nil {
			return nil, nil, fmt.Errorf("gunzip sitemap: %w", err)
		}
		if int64(len(body)) > maxBytes {
			return nil, nil, fmt.Errorf("sitemap is larger than %d bytes after decompression", maxBytes)
		}
	}
	var doc sitemapDoc
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("invalid sitemap XML: %w", err)
	}
	switch doc.XMLName.Local {
	case "urlset", "sitemapindex":
	default:
		return nil, nil, errors.New("invalid sitemap: the root element is <" + doc.XMLName.Local + ">, not <urlset> or <sitemapindex>")
	}
	base, _ := url.Parse(sitemapURL)
	for _, loc := range doc.URLs {
		if u := resolve(base, strings.TrimSpace(loc)); u != "" {
			pages = append(pages, u)
		}
	}
	for _, loc := range doc.Sitemaps {
		if u := resolve(base, strings.TrimSpace(loc)); u != "" {
			children = append(children, u)
		}
	}
	return pages, children, nil
}
