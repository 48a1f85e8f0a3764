package openapi

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrNotOpenAPI is returned, wrapped with the reason, for a well-formed JSON
// or YAML document that is not an OpenAPI or Swagger description: its top
// level is not an object, or it has neither an "openapi" nor a "swagger" field.
var ErrNotOpenAPI = errors.New("not an OpenAPI or Swagger document")

// ErrUnsupportedVersion is returned, wrapped with the version found, for a
// document whose "openapi" or "swagger" field names a version this package
// does not parse. Supported are Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2.
var ErrUnsupportedVersion = errors.New("unsupported OpenAPI version")

// SyntaxError reports a document that is neither valid JSON nor valid YAML.
// Line and Column are 1-based. Column counts characters, not bytes. For YAML
// input the column is an estimate because the YAML parser reports only the
// line: it is the first tab of the line for tab errors, and otherwise the
// first non-blank character of the line.
type SyntaxError struct {
	Line   int
	Column int
	Msg    string
}

// Error returns the message in the form "invalid spec: line L, column C: msg".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid spec: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// syntaxErrorAt builds a SyntaxError for the byte at offset in data.
func syntaxErrorAt(data []byte, offset int, msg string) *SyntaxError {
	line, col := lineColumn(data, offset)
	return &SyntaxError{Line: line, Column: col, Msg: msg}
}

// lineColumn converts a byte offset into a 1-based line and a 1-based column
// counted in characters. Offsets past the end point just after the last byte.
func lineColumn(data []byte, offset int) (line, col int) {
	if offset > len(data) {
		offset = len(data)
	}
	line, lineStart := 1, 0
	for i := 0; i < offset; i++ {
		if data[i] == '\n' {
			line++
			lineStart = i + 1
		}
	}
	return line, utf8.RuneCount(data[lineStart:offset]) + 1
}
