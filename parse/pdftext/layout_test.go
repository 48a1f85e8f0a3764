package pdftext

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// pageTexts extracts data and returns the text of each page.
func pageTexts(t *testing.T, data []byte) []string {
	t.Helper()
	pages, warnings, err := Extract(context.Background(), data)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if len(warnings) > 0 {
		t.Logf("warnings: %q", warnings)
	}
	texts := make([]string, len(pages))
	for i, p := range pages {
		texts[i] = p.Text
	}
	return texts
}

func TestExtractPageText(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    string
	}{
		{"spaces from TJ offsets", "BT /F1 10 Tf 72 700 Td [(Hello) -600 (world)] TJ ET", "Hello world"},
		{"kerning is no space", "BT /F1 10 Tf 72 700 Td [(Hel) 50 (lo) -20 (!)] TJ ET", "Hello!"},
		{"space glyphs and word spacing", "BT /F1 10 Tf 3 Tw 72 700 Td (two  words) Tj ET", "two words"},
		{"words placed one by one", "BT /F1 10 Tf 1 0 0 1 72 700 Tm (placed) Tj 1 0 0 1 120 700 Tm (apart) Tj ET", "placed apart"},
		{"lines drawn bottom first", drawText(72, 600, "second line") + drawText(72, 612, "first line"), "first line\nsecond line"},
		{"paragraph gap", drawText(72, 700, "one") + drawText(72, 688, "two") + drawText(72, 676, "three") + drawText(72, 640, "four"), "one\ntwo\nthree\n\nfour"},
		{"superscript stays on its line", "BT /F1 10 Tf 72 700 Td (x) Tj 3 Ts (2) Tj 0 Ts ( + 1) Tj ET", "x2 + 1"},
		{"control characters removed", `BT /F1 10 Tf 72 700 Td (a\001\002b\011c) Tj ET`, "ab c"},
		{"composite font with ToUnicode", "BT /F2 12 Tf 72 700 Td <000100020003> Tj ET", "Hi!"},
		{"rotated text", "BT /F1 10 Tf 0 1 -1 0 300 300 Tm (going up) Tj ET", "going up"},
		{"fake bold drawn twice", drawText(72, 700, "Bold") + drawText(72.3, 700, "Bold"), "Bold"},
		{"accent over a letter", drawText(72, 700, "P") + drawText(78, 700, `\264`) + drawText(78, 700, "eter"), "Péter"},
		{"hyphenated word joined", drawText(72, 700, "the extrac-") + drawText(72, 688, "tion of text"), "the extraction\nof text"},
		{"soft hyphen joined", drawText(72, 700, `hyphen\255`) + drawText(72, 688, "ation works"), "hyphenation\nworks"},
		{"capitalised part keeps hyphen", drawText(72, 700, "an ISO-") + drawText(72, 688, "based format"), "an ISO-\nbased format"},
		{"single letter keeps hyphen", drawText(72, 700, "the x-") + drawText(72, 688, "axis label"), "the x-\naxis label"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			texts := pageTexts(t, textPDF(t, c.content))
			if texts[0] != c.want {
				t.Errorf("page text = %q, want %q", texts[0], c.want)
			}
		})
	}
}

func TestExtractTwoColumns(t *testing.T) {
	var content strings.Builder
	content.WriteString(drawText(72, 740, "A title that runs across both of the columns below"))
	var left, right []string
	for i := 0; i < 6; i++ {
		y := 700 - 12*float64(i)
		l := fmt.Sprintf("left column line number %d", i+1)
		r := fmt.Sprintf("right column line number %d", i+1)
		left, right = append(left, l), append(right, r)
		content.WriteString(drawText(72, y, l))
		content.WriteString(drawText(320, y, r))
	}
	texts := pageTexts(t, textPDF(t, content.String()))
	want := "A title that runs across both of the columns below\n\n" +
		strings.Join(left, "\n") + "\n\n" + strings.Join(right, "\n")
	if texts[0] != want {
		t.Errorf("page text =\n%s\nwant\n%s", texts[0], want)
	}
}

func TestExtractCodeWithCommentsIsOneColumn(t *testing.T) {
	var content strings.Builder
	var want []string
	for i := 0; i < 8; i++ {
		y := 700 - 12*float64(i)
		code := fmt.Sprintf("plot %d", i)
		content.WriteString(drawText(72, y, code))
		content.WriteString(drawText(300, y, "# note"))
		want = append(want, code+" # note")
	}
	texts := pageTexts(t, textPDF(t, content.String()))
	if texts[0] != strings.Join(want, "\n") {
		t.Errorf("page text =\n%s\nwant\n%s", texts[0], strings.Join(want, "\n"))
	}
}

func TestExtractFormXObject(t *testing.T) {
	d := newTextDoc()
	form := d.b.flateStream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 300 100] /Resources %d 0 R", d.resources),
		[]byte("BT /F1 10 Tf 10 10 Td (text inside a form) Tj ET"))
	contents := d.b.flateStream("", []byte(drawText(72, 700, "page text")+"q 1 0 0 1 62 590 cm /X1 Do Q"))
	d.addPageWith(fmt.Sprintf("/Contents %d 0 R /Resources <</Font <<>> /XObject <</X1 %d 0 R>>>>", contents, form))
	texts := pageTexts(t, d.bytes())
	// The page has no fonts of its own, so only the form's text is readable.
	if !strings.Contains(texts[0], "text inside a form") {
		t.Errorf("page text = %q, want it to contain the form's text", texts[0])
	}
}

func TestExtractCompressedStructure(t *testing.T) {
	d := newTextDoc()
	d.addPage(drawText(72, 700, "first page"))
	d.addPage(drawText(72, 700, "second page"))
	texts := pageTexts(t, d.compressedBytes())
	if len(texts) != 2 {
		t.Fatalf("got %d pages, want 2", len(texts))
	}
	if texts[0] != "first page" || texts[1] != "second page" {
		t.Errorf("page texts = %q, want [first page second page]", texts)
	}
}

func TestExtractInheritedResources(t *testing.T) {
	d := newTextDoc()
	contents := d.b.flateStream("", []byte(drawText(72, 700, "inherited font")))
	d.addPageWith(fmt.Sprintf("/Contents %d 0 R", contents))
	root := d.finish()
	d.b.set(d.pages, fmt.Sprintf("<</Type /Pages /Kids [%d 0 R] /Count 1 /Resources %d 0 R>>", d.kids[0], d.resources))
	pages, _, err := Extract(context.Background(), d.b.bytes(root, ""))
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if pages[0].Text != "inherited font" {
		t.Errorf("page text = %q, want %q", pages[0].Text, "inherited font")
	}
}

func TestExtractRemovesRunningHeader(t *testing.T) {
	var contents []string
	for i := 1; i <= 5; i++ {
		contents = append(contents, drawText(72, 750, fmt.Sprintf("User Manual %d", i))+
			drawText(72, 700, fmt.Sprintf("Body of page %d", i))+
			drawText(300, 40, fmt.Sprintf("%d", i)))
	}
	texts := pageTexts(t, textPDF(t, contents...))
	for i, text := range texts {
		want := fmt.Sprintf("Body of page %d", i+1)
		if text != want {
			t.Errorf("page %d text = %q, want %q", i+1, text, want)
		}
	}
}

func TestExtractWarnsAboutUnmappedCodes(t *testing.T) {
	data := textPDF(t, "BT /F2 12 Tf 72 700 Td <000100020009> Tj ET")
	pages, warnings, err := Extract(context.Background(), data)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if pages[0].Text != "Hi" {
		t.Errorf("page text = %q, want %q", pages[0].Text, "Hi")
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "1 characters") {
		t.Errorf("warnings = %q, want one warning about 1 character", warnings)
	}
}
