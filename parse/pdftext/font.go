package pdftext

import (
	"strings"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

const (
	// defaultGlyphWidth is the width, in thousandths of the font size, assumed for a
	// simple font without a /Widths array (usually one of the 14 standard fonts).
	// NOTE: a real width table for the standard fonts would place words more exactly.
	defaultGlyphWidth = 500
	// maxWidthEntries caps how many entries of a /Widths or /W array are read, so a
	// hostile array cannot make one font cost gigabytes.
	maxWidthEntries = 1 << 16
)

// widthRange gives every CID from lo to hi the same width, as the
// "first last width" form of a /W array does.
type widthRange struct {
	lo, hi uint32
	width  float64
}

// font is the part of a font dictionary that text extraction uses: the split of strings
// into character codes, the Unicode text of each code and the advance of each glyph.
type font struct {
	dict      pdf.Value
	composite bool // Type0 font, whose codes are usually two bytes
	encoding  *cmap
	toUnicode *cmap
	// unicodeCodes is set for a Type0 font with a predefined UCS-2 or UTF-16 CMap,
	// whose character codes are already Unicode.
	unicodeCodes bool
	fallback     pdf.TextEncoding
	fallbackDone bool
	decoded      map[uint32]string

	firstChar    uint32
	widths       []float64
	cidWidths    map[uint32]float64
	cidRanges    []widthRange
	defaultWidth float64
	scale        float64 // glyph space units to text space units
}

// loadFont reads the parts of a font dictionary that text extraction uses.
func loadFont(dict pdf.Value) *font {
	f := &font{
		dict:    dict,
		decoded: make(map[uint32]string),
		scale:   0.001,
	}
	f.toUnicode, _ = parseCMap(dict.Key("ToUnicode"))
	switch dict.Key("Subtype").Name() {
	case "Type0":
		f.loadComposite(dict)
	case "Type3":
		if m := dict.Key("FontMatrix"); m.Len() == 6 && m.Index(0).Float64() != 0 {
			f.scale = m.Index(0).Float64()
		}
		f.loadSimpleWidths(dict)
	default:
		f.loadSimpleWidths(dict)
	}
	return f
}

func (f *font) loadSimpleWidths(dict pdf.Value) {
	f.firstChar = uint32(max(dict.Key("FirstChar").Int64(), 0))
	widths := dict.Key("Widths")
	n := min(widths.Len(), maxWidthEntries)
	for i := 0; i < n; i++ {
		f.widths = append(f.widths, widths.Index(i).Float64())
	}
	f.defaultWidth = dict.Key("FontDescriptor").Key("MissingWidth").Float64()
	if n == 0 {
		f.defaultWidth = defaultGlyphWidth
	}
}

func (f *font) loadComposite(dict pdf.Value) {
	f.composite = true
	enc := dict.Key("Encoding")
	switch enc.Kind() {
	case pdf.Stream:
		f.encoding, _ = parseCMap(enc)
	case pdf.Name:
		name := enc.Name()
		f.unicodeCodes = strings.Contains(name, "UCS2") || strings.Contains(name, "UTF16")
	}

	// NOTE: widths are looked up by character code, which equals the CID only for the
	// Identity CMaps. Other CMaps would need their code-to-CID tables.
	desc := dict.Key("DescendantFonts").Index(0)
	f.defaultWidth = 1000
	if dw := desc.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
		f.defaultWidth = dw.Float64()
	}

	f.cidWidths = make(map[uint32]float64)
	w := desc.Key("W")
	read := 0
	for i := 0; i < w.Len() && read < maxWidthEntries; {
		first := w.Index(i)
		next := w.Index(i + 1)
		if next.Kind() == pdf.Array {
			for j := 0; j < next.Len() && read < maxWidthEntries; j++ {
				f.cidWidths[uint32(first.Int64())+uint32(j)] = next.Index(j).Float64()
				read++
			}
			i += 2
			continue
		}
		last := w.Index(i + 2)
		f.cidRanges = append(f.cidRanges, widthRange{
			lo:    uint32(first.Int64()),
			hi:    uint32(next.Int64()),
			width: last.Float64(),
		})
		read++
		i += 3
	}
}

// nextCode returns the first character code in s and its length in bytes.
func (f *font) nextCode(s string) (uint32, int) {
	n := 1
	switch {
	case f.encoding != nil:
		n = f.encoding.codeLength(s, 2)
	case f.composite:
		n = min(2, len(s))
	}
	return codeValue(s[:n]), n
}

// text returns the Unicode text of a character code, and false when the font gives
// no way to map the code to Unicode.
func (f *font) text(code uint32) (string, bool) {
	if s, ok := f.decoded[code]; ok {
		return s, s != ""
	}
	s := f.decode(code)
	f.decoded[code] = s
	return s, s != ""
}

func (f *font) decode(code uint32) string {
	if f.toUnicode != nil {
		if s, ok := f.toUnicode.lookup(code); ok {
			return s
		}
	}
	if f.composite {
		if f.unicodeCodes && utf8.ValidRune(rune(code)) {
			return string(rune(code))
		}
		return ""
	}
	if !f.fallbackDone {
		f.fallbackDone = true
		lib := pdf.Font{V: f.dict}
		f.fallback = lib.Encoder()
	}
	if f.fallback == nil {
		return ""
	}
	s := f.fallback.Decode(string([]byte{byte(code)}))
	if s == string(utf8.RuneError) || !utf8.ValidString(s) {
		return ""
	}
	return s
}

// width returns the advance of a code in glyph space units.
func (f *font) width(code uint32) float64 {
	if f.composite {
		if w, ok := f.cidWidths[code]; ok {
			return w
		}
		for _, r := range f.cidRanges {
			if code >= r.lo && code <= r.hi {
				return r.width
			}
		}
		return f.defaultWidth
	}
	if code >= f.firstChar && code-f.firstChar < uint32(len(f.widths)) {
		return f.widths[code-f.firstChar]
	}
	return f.defaultWidth
}
