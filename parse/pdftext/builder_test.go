package pdftext

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"
)

// pdfBuilder writes small PDF files for tests. Objects are numbered from 1 in the
// order they are added.
type pdfBuilder struct {
	objects []string // object bodies, without "n 0 obj" and "endobj"
	streams map[int]bool
}

func (b *pdfBuilder) add(body string) int {
	b.objects = append(b.objects, body)
	return len(b.objects)
}

// reserve adds a placeholder object to fill in later with set, for objects that
// refer to each other.
func (b *pdfBuilder) reserve() int {
	return b.add("null")
}

func (b *pdfBuilder) set(id int, body string) {
	b.objects[id-1] = body
}

func (b *pdfBuilder) stream(dict string, data []byte) int {
	if b.streams == nil {
		b.streams = map[int]bool{}
	}
	id := b.add(fmt.Sprintf("<<%s /Length %d>>\nstream\n%s\nendstream", dict, len(data), data))
	b.streams[id] = true
	return id
}

func (b *pdfBuilder) flateStream(dict string, data []byte) int {
	return b.stream(dict+" /Filter /FlateDecode", deflate(data))
}

func deflate(data []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// bytes writes the file with a classic cross-reference table.
func (b *pdfBuilder) bytes(root int, trailerExtra string) []byte {
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(b.objects))
	for i, body := range b.objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, body)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(b.objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<</Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(b.objects)+1, root, trailerExtra, xref)
	return out.Bytes()
}

// compressedBytes writes the file the way PDF 1.5 writers do: objects other than
// streams go into one compressed object stream, and the cross-reference data is a
// compressed cross-reference stream.
func (b *pdfBuilder) compressedBytes(root int) []byte {
	var out bytes.Buffer
	out.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	n := len(b.objects)
	objStm, xrefID := n+1, n+2
	type entry struct{ kind, field2, field3 int }
	entries := make([]entry, n+3)
	entries[0] = entry{0, 0, 65535}

	var header, body bytes.Buffer
	index := 0
	for i, obj := range b.objects {
		id := i + 1
		if b.streams[id] {
			entries[id] = entry{1, out.Len(), 0}
			fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", id, obj)
			continue
		}
		fmt.Fprintf(&header, "%d %d ", id, body.Len())
		body.WriteString(obj + "\n")
		entries[id] = entry{2, objStm, index}
		index++
	}
	data := deflate(append(header.Bytes(), body.Bytes()...))
	entries[objStm] = entry{1, out.Len(), 0}
	fmt.Fprintf(&out, "%d 0 obj\n<</Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d>>\nstream\n%s\nendstream\nendobj\n",
		objStm, index, header.Len(), len(data), data)

	entries[xrefID] = entry{1, out.Len(), 0}
	var table bytes.Buffer
	for _, e := range entries {
		table.WriteByte(byte(e.kind))
		table.Write([]byte{byte(e.field2 >> 24), byte(e.field2 >> 16), byte(e.field2 >> 8), byte(e.field2)})
		table.Write([]byte{byte(e.field3 >> 8), byte(e.field3)})
	}
	xrefData := deflate(table.Bytes())
	fmt.Fprintf(&out, "%d 0 obj\n<</Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Filter /FlateDecode /Length %d>>\nstream\n%s\nendstream\nendobj\n",
		xrefID, len(entries), root, len(xrefData), xrefData)
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", entries[xrefID].field2)
	return out.Bytes()
}

// courierWidths is a /Widths array of 600 units for codes 32 to 126, the widths of the
// standard Courier font.
var courierWidths = "[" + strings.TrimSpace(strings.Repeat("600 ", 95)) + "]"

// textDoc builds a document whose pages share one resource dictionary with two fonts.
// /F1 is Courier with WinAnsiEncoding and widths. /F2 is a composite Identity-H font
// whose ToUnicode map gives CIDs 1 to 3 the text "H", "i" and "!".
type textDoc struct {
	b         pdfBuilder
	pages     int
	kids      []int
	resources int
}

func newTextDoc() *textDoc {
	d := &textDoc{}
	d.pages = d.b.reserve()
	f1 := d.b.add("<</Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 126 /Widths " + courierWidths + ">>")
	cmap := "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"1 begincodespacerange <0000> <FFFF> endcodespacerange\n" +
		"1 beginbfchar <0001> <0048> endbfchar\n" +
		"1 beginbfrange <0002> <0003> [<0069> <0021>] endbfrange\n" +
		"endcmap CMapName currentdict /CMap defineresource pop end end\n"
	toUnicode := d.b.flateStream("", []byte(cmap))
	cid := d.b.add("<</Type /Font /Subtype /CIDFontType2 /BaseFont /Test /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /DW 1000 /W [1 [700 300 300]]>>")
	f2 := d.b.add(fmt.Sprintf("<</Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>", cid, toUnicode))
	d.resources = d.b.add(fmt.Sprintf("<</Font <</F1 %d 0 R /F2 %d 0 R>>>>", f1, f2))
	return d
}

// addPage adds a letter-size page that draws content.
func (d *textDoc) addPage(content string) int {
	contents := d.b.flateStream("", []byte(content))
	return d.addPageWith(fmt.Sprintf("/Contents %d 0 R /Resources %d 0 R", contents, d.resources))
}

// addPageWith adds a page whose dictionary has the given entries besides the standard ones.
func (d *textDoc) addPageWith(entries string) int {
	page := d.b.add(fmt.Sprintf("<</Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] %s>>", d.pages, entries))
	d.kids = append(d.kids, page)
	return page
}

func (d *textDoc) finish() int {
	var kids []string
	for _, k := range d.kids {
		kids = append(kids, fmt.Sprintf("%d 0 R", k))
	}
	d.b.set(d.pages, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), len(d.kids)))
	return d.b.add(fmt.Sprintf("<</Type /Catalog /Pages %d 0 R>>", d.pages))
}

// bytes returns the document with a classic cross-reference table.
func (d *textDoc) bytes() []byte {
	root := d.finish()
	return d.b.bytes(root, "")
}

// compressedBytes returns the document with an object stream and a cross-reference stream.
func (d *textDoc) compressedBytes() []byte {
	root := d.finish()
	return d.b.compressedBytes(root)
}

// textPDF returns a document with one page per content stream.
func textPDF(t testing.TB, contents ...string) []byte {
	t.Helper()
	d := newTextDoc()
	for _, c := range contents {
		d.addPage(c)
	}
	return d.bytes()
}

// drawText returns content that draws s with /F1 at size 10 from (x, y).
func drawText(x, y float64, s string) string {
	return fmt.Sprintf("BT /F1 10 Tf %g %g Td (%s) Tj ET\n", x, y, s)
}
