package pdftext

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
)

// encryptedPDF returns a one-page document whose trailer names an encryption
// dictionary with the given entries.
func encryptedPDF(t testing.TB, encryptEntries string) []byte {
	t.Helper()
	d := newTextDoc()
	d.addPage(drawText(72, 700, "secret text"))
	encrypt := d.b.add("<<" + encryptEntries + ">>")
	root := d.finish()
	id := "<0123456789abcdef0123456789abcdef>"
	return d.b.bytes(root, fmt.Sprintf("/Encrypt %d 0 R /ID [%s %s]", encrypt, id, id))
}

// hex32 is 32 bytes in hexadecimal, the length of the /O and /U entries of RC4 and
// AES-128 encryption.
var hex32 = "<" + strings.Repeat("5a", 32) + ">"

func TestExtractRejectsBadInput(t *testing.T) {
	gnuplotData, err := os.ReadFile(testcorpus.Path(t, "pdf", "gnuplot.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		data    []byte
		want    error
		message string // a part of the error message a user needs to see
	}{
		{"zero bytes", nil, ErrNotPDF, "empty"},
		{"HTML page", []byte("<!DOCTYPE html>\n<html><body><p>Not found</p></body></html>\n"), ErrNotPDF, "does not start with a %PDF- header"},
		{"truncated to 30%", gnuplotData[:len(gnuplotData)*3/10], ErrMalformed, "truncated"},
		{"header only", []byte("%PDF-1.7\n"), ErrMalformed, "truncated"},
		{"password needed (RC4 128-bit)", encryptedPDF(t, "/Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O "+hex32+" /U "+hex32), ErrEncrypted, "password"},
		{"AES-256 encryption", encryptedPDF(t, "/Filter /Standard /V 5 /R 6 /Length 256 /P -3904 /O "+hex32+" /U "+hex32), ErrEncrypted, "password"},
		{"unknown security handler", encryptedPDF(t, "/Filter /FOPN_foweb /V 1"), ErrEncrypted, "encryption"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pages, _, err := Extract(context.Background(), c.data)
			if !errors.Is(err, c.want) {
				t.Fatalf("Extract error = %v, want an error wrapping %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.message) {
				t.Errorf("error message %q does not mention %q", err, c.message)
			}
			if pages != nil {
				t.Errorf("Extract returned %d pages along with the error, want none", len(pages))
			}
		})
	}
}

func TestCheckHeader(t *testing.T) {
	cases := []struct {
		name string
		data string
		ok   bool
	}{
		{"plain header", "%PDF-1.4\n", true},
		{"PDF 2.0", "%PDF-2.0\r\n", true},
		{"UTF-8 byte order mark", "\xef\xbb\xbf%PDF-1.7\n", true},
		{"leading white space", "\r\n \t%PDF-1.3\n", true},
		{"leading NUL bytes", "\x00\x00%PDF-1.3\n", true},
		{"white space past 1024 bytes", strings.Repeat(" ", 1100) + "%PDF-1.3\n", false},
		{"text before the header", "hello %PDF-1.3\n", false},
		{"no version", "%PDF-\n", false},
		{"PostScript", "%!PS-Adobe-3.0\n", false},
		{"empty", "", false},
	}
	for _, c := range cases {
		err := CheckHeader([]byte(c.data))
		if c.ok && err != nil {
			t.Errorf("%s: CheckHeader = %v, want nil", c.name, err)
		}
		if !c.ok && !errors.Is(err, ErrNotPDF) {
			t.Errorf("%s: CheckHeader = %v, want an error wrapping ErrNotPDF", c.name, err)
		}
	}
}

func TestExtractReadsShiftedHeader(t *testing.T) {
	// Offsets in the file count from the %PDF- header, as they do when a byte order
	// mark or white space was added in front of a finished file.
	data := append([]byte("\xef\xbb\xbf\n"), textPDF(t, drawText(72, 700, "shifted start"))...)
	pages, _, err := Extract(context.Background(), data)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if got := pages[0].Text; got != "shifted start" {
		t.Errorf("page 1 text = %q, want %q", got, "shifted start")
	}
}

func TestExtractReadsPDF20AndTrailingGarbage(t *testing.T) {
	data := textPDF(t, drawText(72, 700, "version two"))
	data = append([]byte("%PDF-2.0"), data[len("%PDF-1.4"):]...)
	data = append(data, []byte("\n<html>appended by a broken upload</html>\n")...)
	pages, _, err := Extract(context.Background(), data)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if got := pages[0].Text; got != "version two" {
		t.Errorf("page 1 text = %q, want %q", got, "version two")
	}
}

func TestExtractRejectsForgedObjectCount(t *testing.T) {
	data := textPDF(t, drawText(72, 700, "text"))
	forged := strings.Replace(string(data), "xref\n0 ", "xref\n900000000 ", 1)
	_, _, err := Extract(context.Background(), []byte(forged))
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("Extract error = %v, want an error wrapping ErrMalformed", err)
	}
	if !strings.Contains(err.Error(), "900000") {
		t.Errorf("error %q does not name the forged object number", err)
	}
}

func TestExtractStopsOnCancelledContext(t *testing.T) {
	data := textPDF(t, drawText(72, 700, "one"), drawText(72, 700, "two"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pages, _, err := Extract(ctx, data)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Extract error = %v, want an error wrapping context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "page 1") {
		t.Errorf("error %q does not say which page extraction stopped at", err)
	}
	if pages != nil {
		t.Errorf("Extract returned %d pages after cancellation, want none", len(pages))
	}
}

func TestExtractWithoutTextReturnsErrNoText(t *testing.T) {
	data := textPDF(t, "0 0 m 100 100 l S\n", "")
	_, _, err := Extract(context.Background(), data)
	if !errors.Is(err, ErrNoText) {
		t.Fatalf("Extract error = %v, want an error wrapping ErrNoText", err)
	}
	if !strings.Contains(err.Error(), "2 pages") {
		t.Errorf("error %q does not give the page count", err)
	}
}

func TestExtractWarnsAboutBrokenPage(t *testing.T) {
	d := newTextDoc()
	d.addPage(drawText(72, 700, "first page"))
	broken := d.b.stream("/Filter /LZWDecode", []byte("not really LZW"))
	d.addPageWith(fmt.Sprintf("/Contents %d 0 R /Resources %d 0 R", broken, d.resources))
	d.addPage(drawText(72, 700, "third page"))
	pages, warnings, err := Extract(context.Background(), d.bytes())
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if len(pages) != 3 {
		t.Fatalf("got %d pages, want 3", len(pages))
	}
	if pages[0].Text != "first page" || pages[2].Text != "third page" {
		t.Errorf("readable pages = %q and %q, want %q and %q", pages[0].Text, pages[2].Text, "first page", "third page")
	}
	if pages[1].Text != "" {
		t.Errorf("broken page text = %q, want empty", pages[1].Text)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "page 2: ") {
		t.Errorf("warnings = %q, want one warning for page 2", warnings)
	}
}

func TestExtractAllPagesBrokenIsMalformed(t *testing.T) {
	d := newTextDoc()
	broken := d.b.stream("/Filter /LZWDecode", []byte("not really LZW"))
	d.addPageWith(fmt.Sprintf("/Contents %d 0 R /Resources %d 0 R", broken, d.resources))
	_, warnings, err := Extract(context.Background(), d.bytes())
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("Extract error = %v, want an error wrapping ErrMalformed", err)
	}
	if !strings.Contains(err.Error(), "page 1") {
		t.Errorf("error %q does not name the failed page", err)
	}
	if len(warnings) == 0 {
		t.Errorf("got no warnings, want one for page 1")
	}
}

func TestExtractSurvivesPageTreeCycle(t *testing.T) {
	d := newTextDoc()
	d.addPage(drawText(72, 700, "only page"))
	root := d.finish()
	// Make the page tree list itself as its own kid, next to the real page.
	d.b.set(d.pages, fmt.Sprintf("<</Type /Pages /Kids [%d 0 R %d 0 R] /Count 2>>", d.kids[0], d.pages))
	pages, warnings, err := Extract(context.Background(), d.b.bytes(root, ""))
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if pages[0].Text != "only page" {
		t.Errorf("page 1 text = %q, want %q", pages[0].Text, "only page")
	}
	if len(warnings) == 0 || !strings.Contains(warnings[0], "loops back") {
		t.Errorf("warnings = %q, want a warning about the page tree", warnings)
	}
}
