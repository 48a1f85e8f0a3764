package pdftext

import (
	"fmt"
	"io"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
)

// maxCodeBytes is the longest character code a CMap may define (PDF 32000-1:2008, 9.7.6.2).
const maxCodeBytes = 4

// codespace is one codespacerange entry: codes of n bytes between lo and hi.
type codespace struct {
	lo, hi uint32
	n      int
}

// unicodeRange is one bfrange entry of a ToUnicode CMap. Codes lo..hi map either to
// consecutive strings that start at first, or to the strings listed in each.
type unicodeRange struct {
	lo, hi uint32
	first  []uint16
	each   []string
}

// cmap is the part of a CMap that text extraction needs: how to split a string into
// character codes, and the Unicode text of each code when the CMap is a ToUnicode map.
type cmap struct {
	spaces []codespace
	chars  map[uint32]string
	ranges []unicodeRange
}

// maxCMapBytes bounds the decoded size of a CMap stream. The largest real ToUnicode
// maps, for fonts with tens of thousands of glyphs, stay under a few megabytes.
const maxCMapBytes = 16 << 20

// parseCMap reads a CMap stream. It returns nil for a missing stream, and a partial map
// with an error when the stream cannot be read to the end.
func parseCMap(stream pdf.Value) (m *cmap, err error) {
	if stream.Kind() != pdf.Stream {
		return nil, nil
	}
	m = &cmap{chars: make(map[uint32]string)}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed CMap: %v", r)
		}
	}()
	rc := stream.Reader()
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxCMapBytes))
	m.parse(data)
	return m, err
}

// parse runs the operators of a CMap program that define code space ranges and
// Unicode mappings. Every other operator only clears the operand stack.
func (m *cmap) parse(data []byte) {
	lex := cmapLexer{data: data}
	var stack []cmapToken
	for {
		tok, ok := lex.next()
		if !ok {
			return
		}
		if tok.kind != tokenKeyword {
			stack = append(stack, tok)
			continue
		}
		switch tok.text {
		case "begincodespacerange", "beginbfchar", "beginbfrange":
			stack = stack[:0] // drop the entry count, which the end operator does not need
		case "endcodespacerange":
			m.addCodespaces(stack)
			stack = stack[:0]
		case "endbfchar":
			m.addChars(stack)
			stack = stack[:0]
		case "endbfrange":
			m.addRanges(stack)
			stack = stack[:0]
		default:
			stack = stack[:0]
		}
	}
}

func (m *cmap) addCodespaces(args []cmapToken) {
	for i := 0; i+1 < len(args); i += 2 {
		lo, hi := args[i].text, args[i+1].text
		if len(lo) == 0 || len(lo) != len(hi) || len(lo) > maxCodeBytes {
			continue
		}
		m.spaces = append(m.spaces, codespace{lo: codeValue(lo), hi: codeValue(hi), n: len(lo)})
	}
}

func (m *cmap) addChars(args []cmapToken) {
	for i := 0; i+1 < len(args); i += 2 {
		src := args[i].text
		if args[i].kind != tokenString || len(src) == 0 || len(src) > maxCodeBytes {
			continue
		}
		m.chars[codeValue(src)] = decodeUTF16(args[i+1].text)
	}
}

func (m *cmap) addRanges(args []cmapToken) {
	for i := 0; i+2 < len(args); i += 3 {
		lo, hi, dst := args[i].text, args[i+1].text, args[i+2]
		if len(lo) == 0 || len(lo) > maxCodeBytes || len(hi) != len(lo) {
			continue
		}
		r := unicodeRange{lo: codeValue(lo), hi: codeValue(hi)}
		if r.hi < r.lo {
			continue
		}
		switch dst.kind {
		case tokenString:
			r.first = utf16Units(dst.text)
		case tokenArray:
			for _, item := range dst.items {
				r.each = append(r.each, decodeUTF16(item.text))
			}
		default:
			continue
		}
		m.ranges = append(m.ranges, r)
	}
}

// lookup returns the Unicode text of code and whether the map defines it.
func (m *cmap) lookup(code uint32) (string, bool) {
	if s, ok := m.chars[code]; ok {
		return s, true
	}
	for _, r := range m.ranges {
		if code < r.lo || code > r.hi {
			continue
		}
		offset := code - r.lo
		if r.each != nil {
			if int(offset) < len(r.each) {
				return r.each[offset], true
			}
			return "", false
		}
		if len(r.first) == 0 {
			return "", false
		}
		units := append([]uint16(nil), r.first...)
		units[len(units)-1] += uint16(offset)
		return string(utf16.Decode(units)), true
	}
	return "", false
}

// codeLength returns how many bytes of s form the next character code under the
// codespace ranges, or fallback when no range matches.
func (m *cmap) codeLength(s string, fallback int) int {
	if m != nil {
		for n := 1; n <= maxCodeBytes && n <= len(s); n++ {
			v := codeValue(s[:n])
			for _, sp := range m.spaces {
				if sp.n == n && v >= sp.lo && v <= sp.hi {
					return n
				}
			}
		}
	}
	return min(fallback, len(s))
}

// codeValue returns the big-endian value of a character code of up to four bytes.
func codeValue(s string) uint32 {
	var v uint32
	for i := 0; i < len(s); i++ {
		v = v<<8 | uint32(s[i])
	}
	return v
}

// utf16Units splits big-endian UTF-16 bytes into code units. A lone byte, which some
// producers write instead of two, is taken as one unit; an odd final byte is dropped.
func utf16Units(s string) []uint16 {
	if len(s) == 1 {
		return []uint16{uint16(s[0])}
	}
	units := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		units = append(units, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return units
}

func decodeUTF16(s string) string {
	return string(utf16.Decode(utf16Units(s)))
}
