// Package pdftext extracts the text of each page of an uploaded PDF and cuts it into
// pieces for indexing.
//
// Parsing uses github.com/ledongthuc/pdf for the file structure (cross-reference
// tables and streams, object streams, Flate and ASCII85 filters, RC4 and AES-128
// encryption with an empty user password). This package interprets the page content
// streams itself: it places every glyph from the font metrics and the text and
// graphics state, then rebuilds words, lines, columns and paragraphs from their
// positions. Damaged or hostile input ends in an error or a warning, never in a panic.
package pdftext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Errors returned by Extract and CheckHeader. Test for them with errors.Is: the
// returned errors wrap them with details.
var (
	// ErrNotPDF means the data does not start with a %PDF- header.
	ErrNotPDF = errors.New("not a PDF file")
	// ErrEncrypted means the document needs a password or uses encryption that cannot
	// be read. Documents encrypted with an empty user password are read normally.
	ErrEncrypted = errors.New("PDF is encrypted")
	// ErrMalformed means the file is truncated or its structure is corrupt.
	ErrMalformed = errors.New("PDF is damaged")
	// ErrNoText means the document could be read but none of its pages has text, as
	// happens with scanned pages that were never run through OCR.
	ErrNoText = errors.New("PDF has no extractable text")
)

// Page is the text of one page.
type Page struct {
	Number int // 1-based page number
	// Text holds the page's lines in reading order. An empty line separates paragraphs.
	Text string
}

// CheckHeader returns an error wrapping ErrNotPDF unless data starts with a %PDF-
// header. It accepts white space, NUL bytes and a UTF-8 byte order mark before the
// header, within the first 1024 bytes, because some upload paths add them.
func CheckHeader(data []byte) error {
	if len(data) == 0 {
		return fmt.Errorf("%w: the file is empty", ErrNotPDF)
	}
	if headerOffset(data) < 0 {
		return fmt.Errorf("%w: the data does not start with a %%PDF- header (it starts with %q)", ErrNotPDF, data[:min(len(data), 16)])
	}
	return nil
}

// headerOffset returns where the %PDF-n.n header starts, or -1 when there is none.
func headerOffset(data []byte) int {
	i := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		i = 3
	}
	for i < len(data) && i < headerSearchLimit && isSpace(data[i]) {
		i++
	}
	rest := data[i:]
	if len(rest) < 8 || !bytes.HasPrefix(rest, []byte("%PDF-")) {
		return -1
	}
	if !isDigit(rest[5]) || rest[6] != '.' || !isDigit(rest[7]) {
		return -1
	}
	return i
}

func isDigit(c byte) bool {
	return c >= '0' && c <= '9'
}

// Extract returns the text of every page, including pages without text, in page order.
//
// It checks ctx before each page and every few thousand content operators. A page
// whose text cannot be read completely is returned with the text that was read, and
// a warning names the page and the cause. Extract returns an error when the file
// cannot be opened, when ctx ends, or when no page has text. That error wraps ErrNoText
// when every page was read, and otherwise ErrMalformed (ErrEncrypted for an encrypted
// document) with the page number of the first failure. Running headers and footers
// (lines repeated at the top or bottom of many pages, page numbers included) are
// removed. Panics from the reader are recovered and returned the same way.
func Extract(ctx context.Context, data []byte) (pages []Page, warnings []string, err error) {
	encrypted := false
	defer func() {
		if p := recover(); p != nil {
			pages, err = nil, readFailure(encrypted, fmt.Errorf("%v", p))
		}
	}()

	if err := CheckHeader(data); err != nil {
		return nil, nil, fmt.Errorf("pdftext: %w", err)
	}
	reader, err := openReader(data)
	if err != nil {
		return nil, nil, fmt.Errorf("pdftext: %w", err)
	}
	encrypted = !reader.Trailer().Key("Encrypt").IsNull()
	objects, warnings, err := pageTree(reader)
	if err != nil {
		return nil, warnings, fmt.Errorf("pdftext: %w", err)
	}

	lines, pageWarnings, firstFailure, err := extractPages(ctx, objects)
	warnings = append(warnings, pageWarnings...)
	if err != nil {
		return nil, warnings, err
	}
	pages, ok := finishPages(lines)
	if ok {
		return pages, warnings, nil
	}
	if firstFailure != nil {
		return nil, warnings, readFailure(encrypted, fmt.Errorf("no page could be read, the first failure was on %w", firstFailure))
	}
	return nil, warnings, fmt.Errorf("pdftext: %w: none of the %d pages contains text; scanned pages need OCR first", ErrNoText, len(lines))
}

// extractPages returns the lines of each page, the warnings, and the first page
// failure. It returns an error only when ctx ends.
func extractPages(ctx context.Context, objects []pdf.Value) (lines [][]string, warnings []string, firstFailure, err error) {
	fonts := make(map[string]*font)
	lines = make([][]string, len(objects))
	for i, object := range objects {
		if err := ctx.Err(); err != nil {
			return nil, warnings, nil, fmt.Errorf("pdftext: extraction stopped before page %d of %d: %w", i+1, len(objects), err)
		}
		pageLines, pageWarnings, err := extractPage(ctx, fonts, object)
		for _, w := range pageWarnings {
			warnings = append(warnings, fmt.Sprintf("page %d: %s", i+1, w))
		}
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("page %d: text may be incomplete: %v", i+1, err))
			if firstFailure == nil {
				firstFailure = fmt.Errorf("page %d: %w", i+1, err)
			}
		}
		lines[i] = pageLines
	}
	if err := ctx.Err(); err != nil {
		return nil, warnings, nil, fmt.Errorf("pdftext: extraction stopped on the last page: %w", err)
	}
	return lines, warnings, firstFailure, nil
}

// readFailure describes a failure to read an opened document. In an encrypted document
// it is most likely a decryption the reader got wrong, so it wraps ErrEncrypted.
func readFailure(encrypted bool, cause error) error {
	if encrypted {
		return fmt.Errorf("pdftext: %w: decrypting the document failed (%v); upload a copy saved without a password", ErrEncrypted, cause)
	}
	return fmt.Errorf("pdftext: %w: reading failed: %w", ErrMalformed, cause)
}

// finishPages removes running headers and footers, joins hyphenated words, and
// reports whether any page has text.
func finishPages(lines [][]string) ([]Page, bool) {
	removeRunningLines(lines)
	pages := make([]Page, len(lines))
	hasText := false
	for i, l := range lines {
		text := strings.Join(joinHyphens(l), "\n")
		pages[i] = Page{Number: i + 1, Text: text}
		hasText = hasText || text != ""
	}
	return pages, hasText
}

// extractPage returns the cleaned lines of one page, with an empty string between
// paragraphs. It returns what it read before a failure together with the error.
func extractPage(ctx context.Context, fonts map[string]*font, page pdf.Value) (lines []string, warnings []string, err error) {
	in := &interpreter{fonts: fonts, ctx: ctx}
	func() {
		defer func() {
			p := recover()
			if stop, ok := p.(stopPage); ok {
				warnings = append(warnings, stop.reason)
			} else if p != nil {
				err = fmt.Errorf("%v", p)
			}
		}()
		content := page.Key("Contents")
		if content.Kind() != pdf.Stream && content.Kind() != pdf.Array {
			return
		}
		in.run(content, inherited(page, "Resources"), identity, 0)
	}()
	if in.unknown > 0 {
		warnings = append(warnings, fmt.Sprintf("%d characters were left out because their font maps them to no Unicode text", in.unknown))
	}
	for _, l := range layoutPage(in.glyphs) {
		if l != "" {
			l = cleanLine(l)
			if l == "" {
				continue
			}
		}
		lines = append(lines, l)
	}
	return removeEmptyRuns(trimLeadingBreaks(lines)), warnings, err
}
