package htmldoc

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	htmlcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// metaScanLimit is how many bytes of the document Decode searches for a
// <meta charset> declaration. The HTML standard's prescan stops at 1024 bytes,
// but real pages often put the tag later in a long <head>.
const metaScanLimit = 64 << 10

// Decode converts body to UTF-8. It picks the encoding from, in order: a byte
// order mark, the charset parameter of contentType, the encoding attribute of
// an XML prolog, a <meta charset> or <meta http-equiv=Content-Type> tag, and
// finally UTF-8 when body is valid UTF-8 and windows-1252 otherwise.
//
// Labels are resolved as browsers do (the WHATWG Encoding Standard), so the
// returned charset is the canonical name of the encoding used: a page that
// declares ISO-8859-1 reports "windows-1252", a superset that browsers use in
// its place. An unknown label is skipped and the next source is tried. Bytes
// that are invalid in the chosen encoding become U+FFFD. The error is non-nil
// only when the chosen encoding cannot decode at all.
func Decode(body []byte, contentType string) (text string, charset string, err error) {
	enc, name, label, skip := detectEncoding(body, contentType)
	if name == "replacement" {
		return "", name, fmt.Errorf("htmldoc: decode: charset %q is unsafe to decode, so the WHATWG Encoding Standard maps it to the replacement encoding; convert the page to UTF-8 first", label)
	}
	body = body[skip:]
	if name == "utf-8" {
		return strings.ToValidUTF8(string(body), "\uFFFD"), name, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return "", name, fmt.Errorf("htmldoc: decode as %s: %w", name, err)
	}
	return string(out), name, nil
}

// detectEncoding returns the encoding to use, its canonical name, the label
// that named it ("" when no declaration did) and the length of a byte
// order mark to skip.
func detectEncoding(body []byte, contentType string) (encoding.Encoding, string, string, int) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8, "utf-8", "", 3
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", "", 2
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", "", 2
	}

	labels := []string{
		contentTypeCharset(contentType),
		xmlPrologEncoding(body),
		metaCharset(body),
	}
	for i, label := range labels {
		if label == "" {
			continue
		}
		enc, name := htmlcharset.Lookup(label)
		if enc == nil {
			continue
		}
		// A document in UTF-16 cannot contain an ASCII-readable declaration,
		// so the HTML standard reads such an in-document label as UTF-8.
		if i > 0 && strings.HasPrefix(name, "utf-16") {
			return unicode.UTF8, "utf-8", label, 0
		}
		return enc, name, label, 0
	}

	if utf8.Valid(body) {
		return unicode.UTF8, "utf-8", "", 0
	}
	enc, name := htmlcharset.Lookup("windows-1252")
	return enc, name, "", 0
}

// contentTypeCharset returns the charset parameter of a Content-Type value,
// or "". It follows the HTML standard's lenient extraction from a meta
// element, so "text/html;charset=utf-8;" and unquoted or quoted values work
// where mime.ParseMediaType would reject the whole value.
func contentTypeCharset(contentType string) string {
	lower := strings.ToLower(contentType)
	for start := 0; ; {
		i := strings.Index(lower[start:], "charset")
		if i < 0 {
			return ""
		}
		rest := strings.TrimLeft(contentType[start+i+len("charset"):], " \t\r\n")
		start += i + len("charset")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\r\n")
		if rest == "" {
			return ""
		}
		if rest[0] == '"' || rest[0] == '\'' {
			end := strings.IndexByte(rest[1:], rest[0])
			if end < 0 {
				return ""
			}
			return strings.TrimSpace(rest[1 : end+1])
		}
		end := strings.IndexAny(rest, "; \t\r\n")
		if end < 0 {
			end = len(rest)
		}
		return rest[:end]
	}
}

// xmlPrologEncoding returns the encoding attribute of an XML declaration
// (<?xml version="1.0" encoding="..."?>) at the start of body, or "".
func xmlPrologEncoding(body []byte) string {
	rest := bytes.TrimLeft(body, " \t\r\n")
	if !bytes.HasPrefix(rest, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(rest, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(rest[len("<?xml"):end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	value := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(value, "=") {
		return ""
	}
	value = strings.TrimLeft(value[1:], " \t\r\n")
	if value == "" || (value[0] != '"' && value[0] != '\'') {
		return ""
	}
	quote := value[0]
	value = value[1:]
	closing := strings.IndexByte(value, quote)
	if closing < 0 {
		return ""
	}
	return value[:closing]
}

// metaCharset returns the charset named by the first <meta charset> or
// <meta http-equiv="Content-Type" content="...; charset=..."> tag within the
// first metaScanLimit bytes, or "". It stops at <body> or the first element
// that cannot be in <head>. The tokenizer reads ASCII-compatible bytes only,
// which every encoding that can declare itself this way is.
func metaCharset(body []byte) string {
	if len(body) > metaScanLimit {
		body = body[:metaScanLimit]
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "meta":
				if !hasAttr {
					continue
				}
				if label := metaTagCharset(z); label != "" {
					return label
				}
			case "body":
				return ""
			}
		}
	}
}

// metaTagCharset reads the attributes of the current <meta> token.
func metaTagCharset(z *html.Tokenizer) string {
	var direct, content string
	var httpEquiv bool
	for {
		key, val, more := z.TagAttr()
		switch strings.ToLower(string(key)) {
		case "charset":
			direct = strings.TrimSpace(string(val))
		case "http-equiv":
			httpEquiv = strings.EqualFold(strings.TrimSpace(string(val)), "content-type")
		case "content":
			content = string(val)
		}
		if !more {
			break
		}
	}
	if direct != "" {
		return direct
	}
	if httpEquiv {
		return contentTypeCharset(content)
	}
	return ""
}
