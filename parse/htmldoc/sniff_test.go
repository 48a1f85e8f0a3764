package htmldoc

import (
	"os"
	"strings"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
	"golang.org/x/text/encoding/unicode"
)

func TestSniffApacheTypeMap(t *testing.T) {
	body, err := os.ReadFile(testcorpus.Path(t, "html", "httpd-manual-bind-variants", "bind.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, contentType := range []string{"", "text/html", "text/plain"} {
		ok, reason := Sniff(body, contentType)
		if ok {
			t.Errorf("Sniff(bind.html, %q) accepted an Apache type map as HTML", contentType)
			continue
		}
		if !strings.Contains(reason, "type map") {
			t.Errorf("Sniff(bind.html, %q) reason = %q, want it to name the type map", contentType, reason)
		}
	}
}

func TestSniffHTTPDVariantsAreHTML(t *testing.T) {
	for _, v := range httpdVariants {
		body, err := os.ReadFile(testcorpus.Path(t, "html", "httpd-manual-bind-variants", v.file))
		if err != nil {
			t.Fatal(err)
		}
		if ok, reason := Sniff(body, ""); !ok {
			t.Errorf("Sniff(%s) rejected an XHTML page: %s", v.file, reason)
		}
	}
}

func TestSniffPymdownPagesAreHTML(t *testing.T) {
	for _, page := range pymdownPages(t) {
		if ok, reason := Sniff(page.body, "text/html; charset=utf-8"); !ok {
			t.Errorf("Sniff(%s) rejected an HTML page: %s", page.rel, reason)
		}
	}
}

type sniffCase struct {
	name        string
	body        string
	contentType string
	wantOK      bool
	wantReason  string
}

func TestSniffCases(t *testing.T) {
	cases := []sniffCase{
		{"doctype", "<!DOCTYPE html><title>x</title>", "", true, ""},
		{"leading comment", "<!-- generated --><html><body>x</body></html>", "", true, ""},
		{"fragment with body tag after text", "Warning: notice\n<html><body><p>x</p></body></html>", "", true, ""},
		{"xhtml with prolog", `<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"></html>`, "application/xhtml+xml", true, ""},
		{"rss feed", `<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>`, "", false, "root element <rss>"},
		{"sitemap under comment", `<?xml version="1.0"?><!-- <html> --><urlset></urlset>`, "text/xml", false, "root element <urlset>"},
		{"pdf", "%PDF-1.7\n1 0 obj", "", false, "application/pdf"},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "", false, "image/png"},
		{"json", `{"openapi": "3.1.0"}`, "", false, "JSON"},
		{"plain text", "Just some words.\nAnd more.", "", false, "text/plain"},
		{"empty", "  \n ", "text/html", false, "empty"},
		{"declared json", "<html><body>x</body></html>", "application/json", false, "application/json"},
		{"declared html with html body", "<html><body>x</body></html>", "text/html; charset=utf-8", true, ""},
	}
	utf16 := encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "<!DOCTYPE html><p>x</p>")
	cases = append(cases, sniffCase{"utf-16 with byte order mark", string(utf16), "", true, ""})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, reason := Sniff([]byte(tc.body), tc.contentType)
			if ok != tc.wantOK {
				t.Fatalf("Sniff ok = %v (reason %q), want %v", ok, reason, tc.wantOK)
			}
			if !strings.Contains(reason, tc.wantReason) {
				t.Errorf("reason = %q, want it to contain %q", reason, tc.wantReason)
			}
			if ok && reason != "" {
				t.Errorf("accepted content has reason %q, want empty", reason)
			}
		})
	}
}
