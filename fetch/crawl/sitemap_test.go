package crawl

import (
	"bytes"
	"compress/gzip"
	"reflect"
	"strings"
	"testing"
)

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return buf.Bytes()
}

const sitemapURL = "http://docs.test/docs/sitemap.xml"

const urlset = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://docs.test/docs/a</loc><lastmod>2024-01-01</lastmod></url>
  <url><loc>
     http://docs.test/docs/b
  </loc></url>
  <url><loc>relative/c</loc></url>
  <url><loc>/docs/d</loc></url>
  <url><loc>ftp://docs.test/file</loc></url>
</urlset>`

func TestParseSitemapURLSet(t *testing.T) {
	pages, children, err := parseSitemap(sitemapURL, []byte(urlset), 1<<20)
	if err != nil {
		t.Fatalf("parse urlset: %v", err)
	}
	want := []string{"http://docs.test/docs/a", "http://docs.test/docs/b", "http://docs.test/docs/relative/c", "http://docs.test/docs/d"}
	if !reflect.DeepEqual(pages, want) {
		t.Errorf("pages = %q, expected %q (trimmed, resolved against the sitemap URL, non-http dropped)", pages, want)
	}
	if len(children) != 0 {
		t.Errorf("a urlset returned child sitemaps %q", children)
	}
}

func TestParseSitemapIndex(t *testing.T) {
	index := `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>http://docs.test/docs/sitemap-1.xml</loc></sitemap>
  <sitemap><loc>sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>`
	pages, children, err := parseSitemap(sitemapURL, []byte(index), 1<<20)
	if err != nil {
		t.Fatalf("parse sitemap index: %v", err)
	}
	want := []string{"http://docs.test/docs/sitemap-1.xml", "http://docs.test/docs/sitemap-2.xml.gz"}
	if !reflect.DeepEqual(children, want) {
		t.Errorf("children = %q, expected %q", children, want)
	}
	if len(pages) != 0 {
		t.Errorf("a sitemap index returned pages %q", pages)
	}
}

func TestParseSitemapGzip(t *testing.T) {
	pages, _, err := parseSitemap(sitemapURL+".gz", gzipBytes(t, []byte(urlset)), 1<<20)
	if err != nil {
		t.Fatalf("parse gzipped urlset: %v", err)
	}
	if len(pages) != 4 {
		t.Errorf("gzipped urlset gave %d pages, expected 4: %q", len(pages), pages)
	}
}

func TestParseSitemapDecompressionCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<urlset>`)
	for b.Len() < 64<<10 {
		b.WriteString(`<url><loc>http://docs.test/docs/page</loc></url>`)
	}
	b.WriteString(`</urlset>`)
	body := gzipBytes(t, []byte(b.String()))
	const limit = 16 << 10
	if len(body) >= limit {
		t.Fatalf("test setup: the compressed sitemap (%d bytes) must be below the cap", len(body))
	}
	_, _, err := parseSitemap(sitemapURL+".gz", body, limit)
	if err == nil {
		t.Fatalf("a sitemap that expands past the %d-byte cap was accepted", limit)
	}
	if !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error %q does not say that the sitemap is too large", err)
	}
	if _, _, err := parseSitemap(sitemapURL+".gz", body, int64(b.Len())); err != nil {
		t.Errorf("a sitemap exactly at the cap was rejected: %v", err)
	}
}

func TestParseSitemapRejectsBadInput(t *testing.T) {
	for _, c := range []struct {
		name, body, message string
	}{
		{"malformed XML", `<urlset><url><loc>http://docs.test/a</loc></url>`, "invalid sitemap XML"},
		{"not XML", `this is not a sitemap`, "invalid sitemap XML"},
		{"empty body", ``, "invalid sitemap XML"},
		{"HTML page", `<html><body><a href="/x">x</a></body></html>`, "root element is <html>"},
		{"RSS feed", `<rss><channel><item><link>http://docs.test/a</link></item></channel></rss>`, "root element is <rss>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := parseSitemap(sitemapURL, []byte(c.body), 1<<20)
			if err == nil {
				t.Fatalf("parseSitemap accepted %q", c.body)
			}
			if !strings.Contains(err.Error(), c.message) {
				t.Errorf("error %q does not contain %q", err, c.message)
			}
		})
	}
	if _, _, err := parseSitemap(sitemapURL, []byte{0x1f, 0x8b, 0, 1, 2}, 1<<20); err == nil {
		t.Errorf("a truncated gzip body was accepted")
	}
}
