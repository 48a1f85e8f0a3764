package openapi

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// decode parses data as JSON or YAML, chosen by content. Text that starts
// with '[', or with '{' followed by '"' or '}', is JSON and must be valid
// JSON. Other text, including YAML flow mappings such as "{openapi: 3.1.0}",
// is YAML, which also covers JSON documents with unquoted keys.
func decode(data []byte, doc *document) (*node, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if err := checkText(data); err != nil {
		return nil, err
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &SyntaxError{Line: 1, Column: 1, Msg: "empty document"}
	}
	if looksLikeJSON(trimmed) {
		return parseJSON(data, doc)
	}
	return parseYAML(data, doc)
}

// looksLikeJSON reports whether text, with leading blanks removed, starts
// like a JSON array or a JSON object.
func looksLikeJSON(text []byte) bool {
	switch text[0] {
	case '[':
		return true
	case '{':
		rest := bytes.TrimLeft(text[1:], " \t\r\n")
		return len(rest) == 0 || rest[0] == '"' || rest[0] == '}'
	}
	return false
}

// checkText rejects input that is not UTF-8 text: invalid UTF-8 and control
// characters other than tab, line feed and carriage return, which neither
// JSON nor YAML allows outside escapes.
func checkText(data []byte) error {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
				return syntaxErrorAt(data, i, fmt.Sprintf("binary data: control character 0x%02x is not allowed in JSON or YAML", c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return syntaxErrorAt(data, i, fmt.Sprintf("binary data: byte 0x%02x is not valid UTF-8", c))
		}
		i += size
	}
	return nil
}
