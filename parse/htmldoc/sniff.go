package htmldoc

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
)

// sniffLimit is how many leading bytes Sniff reads.
const sniffLimit = 4096

// htmlMediaTypes are the Content-Type values that declare HTML or XHTML.
var htmlMediaTypes = map[string]bool{
	"text/html":             true,
	"application/xhtml+xml": true,
}

// vagueMediaTypes carry no useful claim about the content, so Sniff decides
// from the bytes alone. Servers send text/plain for unknown files too often
// for it to count as a claim.
var vagueMediaTypes = map[string]bool{
	"":                         true,
	"application/octet-stream": true,
	"application/unknown":      true,
	"unknown/unknown":          true,
	"*/*":                      true,
	"text/plain":               true,
}

// htmlMarker matches tags that only HTML documents start with or contain
// near the top: a doctype, <html>, <head>, <body> or <title>.
var htmlMarker = regexp.MustCompile(`(?i)<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|title[\s>])`)

// typeMapRecord matches a record line of an Apache type map (.var file),
// which content negotiation uses and which is often named like an HTML page.
var typeMapRecord = regexp.MustCompile(`(?im)^(URI|Content-type|Content-Language|Content-Encoding):[ \t]*\S`)

// xmlRoot matches the first element name after an XML prolog, comments and
// a doctype.
var xmlRoot = regexp.MustCompile(`<([A-Za-z][\w.:-]*)`)

// Sniff reports whether body is an HTML or XHTML document. When it is not,
// reason describes what the content is instead, for example
// "content is text/plain (Apache type map), not HTML". contentType is the
// HTTP Content-Type header or "". A declared type other than HTML, XML or a
// vague type (text/plain, application/octet-stream) is trusted. Otherwise
// the first 4 KiB decide, through net/http's content sniffing plus checks
// for XML root elements and Apache type maps.
func Sniff(body []byte, contentType string) (ok bool, reason string) {
	declared := mediaType(contentType)
	if !htmlMediaTypes[declared] && !vagueMediaTypes[declared] && !isXMLMediaType(declared) {
		return false, fmt.Sprintf("Content-Type is %s, not HTML", declared)
	}

	head := body
	if len(head) > sniffLimit {
		head = head[:sniffLimit]
	}
	head = bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		// Sniff UTF-16 text after converting it, because the signatures
		// below are ASCII. An odd cut at sniffLimit only garbles the end.
		if text, _, err := Decode(head[:len(head)&^1], ""); err == nil {
			head = []byte(text)
		}
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return false, "content is empty"
	}

	detected := mediaType(http.DetectContentType(head))
	switch {
	case detected == "text/html":
		return true, ""
	case detected == "text/xml":
		return sniffXML(head)
	case detected != "text/plain":
		return false, fmt.Sprintf("content is %s, not HTML", detected)
	}

	if len(typeMapRecord.FindAll(head, 2)) == 2 {
		return false, "content is text/plain (Apache type map), not HTML"
	}
	if htmlMarker.Match(head) {
		return true, ""
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return false, "content is JSON or other structured text, not HTML"
	}
	return false, "content is text/plain, not HTML"
}

// sniffXML accepts an XML document whose root element is <html>.
func sniffXML(head []byte) (bool, string) {
	rest := head
	for {
		m := xmlRoot.FindSubmatchIndex(rest)
		if m == nil {
			return false, "content is XML with no root element, not HTML"
		}
		// Skip a match inside a comment, processing instruction or doctype.
		before := rest[:m[0]]
		if bytes.Count(before, []byte("<!--")) > bytes.Count(before, []byte("-->")) {
			rest = rest[m[1]:]
			continue
		}
		root := string(rest[m[2]:m[3]])
		if strings.EqualFold(root, "html") {
			return true, ""
		}
		return false, fmt.Sprintf("content is XML (root element <%s>), not HTML", root)
	}
}

// mediaType returns the lower-case media type of a Content-Type value without
// parameters, or "" when contentType is empty.
func mediaType(contentType string) string {
	if strings.TrimSpace(contentType) == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

func isXMLMediaType(mt string) bool {
	return mt == "text/xml" || mt == "application/xml"
}
