package pdftext

import (
	"bytes"
	"compress/zlib"
	"context"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gndhq/gnd/internal/testcorpus"
	"github.com/gndhq/gnd/tokens"
)

// gnuplotPages is the page count of the gnuplot 5.4 manual, as pdfinfo (poppler
// 22.12) reports it and countPageObjects confirms.
const gnuplotPages = 311

var gnuplot struct {
	once     sync.Once
	data     []byte
	pages    []Page
	warnings []string
	err      error
}

// gnuplotManual returns the file and the extracted pages of the gnuplot manual,
// extracting it once for all tests.
func gnuplotManual(t *testing.T) ([]byte, []Page, []string) {
	t.Helper()
	path := testcorpus.Path(t, "pdf", "gnuplot.pdf")
	gnuplot.once.Do(func() {
		gnuplot.data, gnuplot.err = os.ReadFile(path)
		if gnuplot.err == nil {
			gnuplot.pages, gnuplot.warnings, gnuplot.err = Extract(context.Background(), gnuplot.data)
		}
	})
	if gnuplot.err != nil {
		t.Fatalf("extracting gnuplot.pdf: %v", gnuplot.err)
	}
	return gnuplot.data, gnuplot.pages, gnuplot.warnings
}

// countPageObjects counts page objects (/Type /Page) in the raw file and in every
// stream that inflates with zlib, which covers the object streams of PDF 1.5 files.
// It shares no code with the reader library.
func countPageObjects(data []byte) int {
	pageType := regexp.MustCompile(`/Type\s*/Page[^s\w]`)
	count := len(pageType.FindAllIndex(data, -1))
	streamStart := regexp.MustCompile(`stream\r?\n`)
	for _, loc := range streamStart.FindAllIndex(data, -1) {
		if loc[0] >= 3 && string(data[loc[0]-3:loc[0]]) == "end" {
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(data[loc[1]:]))
		if err != nil {
			continue
		}
		inflated, _ := io.ReadAll(io.LimitReader(zr, 64<<20))
		count += len(pageType.FindAllIndex(inflated, -1))
	}
	return count
}

func TestExtractGnuplotPageCount(t *testing.T) {
	data, pages, _ := gnuplotManual(t)
	if len(pages) != gnuplotPages {
		t.Errorf("Extract returned %d pages, want %d", len(pages), gnuplotPages)
	}
	if n := countPageObjects(data); n != gnuplotPages {
		t.Errorf("counting /Type /Page objects found %d, want %d", n, gnuplotPages)
	}
	for i, p := range pages {
		if p.Number != i+1 {
			t.Fatalf("pages[%d].Number = %d, want %d", i, p.Number, i+1)
		}
	}
}

// Each phrase was found with Extract and confirmed on the page rendered by pdftoppm
// and in the output of pdftotext (poppler 22.12).
var gnuplotPhrases = []struct {
	page   int
	phrase string
}{
	{1, "This manual was originally prepared by Dick Crawford."},
	{1, "Hans-Bernhard Bröker"},
	{23, "Bug reports and feature requests should be uploaded to the trackers"},
	{40, "The function rand() produces a sequence of pseudo-random numbers between 0 and 1"},
	{40, "returns the complete elliptic integral of the second kind"},
	{41, "Parentheses may be used to change order of evaluation."},
	{41, `word("string",n) returns the nth word in string.`},
	{232, "This command prepares a statistical summary of the data in one or two columns of a file."},
	{303, "Please e-mail bug reports to the gnuplot-bugs mailing list"},
}

func TestExtractGnuplotPhrasesOnTheirPage(t *testing.T) {
	_, pages, _ := gnuplotManual(t)
	for _, want := range gnuplotPhrases {
		var found []int
		for _, p := range pages {
			if strings.Contains(p.Text, want.phrase) {
				found = append(found, p.Number)
			}
		}
		if len(found) == 0 {
			t.Errorf("phrase %q not found on any page, want page %d", want.phrase, want.page)
			continue
		}
		if found[0] != want.page {
			t.Errorf("phrase %q first found on page %d, want page %d (found on %v)", want.phrase, found[0], want.page, found)
		}
	}
}

func TestExtractGnuplotTextIsClean(t *testing.T) {
	_, pages, warnings := gnuplotManual(t)
	words, glued := 0, 0
	for _, p := range pages {
		if !utf8.ValidString(p.Text) {
			t.Errorf("page %d: text is not valid UTF-8", p.Number)
		}
		if i := strings.IndexFunc(p.Text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }); i >= 0 {
			t.Errorf("page %d: control character %q at byte %d", p.Number, p.Text[i], i)
		}
		if strings.Contains(p.Text, "\n\n\n") {
			t.Errorf("page %d: more than one empty line in a row", p.Number)
		}
		for _, w := range strings.Fields(p.Text) {
			words++
			if utf8.RuneCountInString(w) > 40 && !strings.Contains(w, "/") {
				glued++
			}
		}
	}
	if words < 150_000 {
		t.Errorf("the manual has %d words, want at least 150000 (pdftotext finds about 158000)", words)
	}
	if glued > words/1000 {
		t.Errorf("%d of %d words are longer than 40 characters, so spaces are missing", glued, words)
	}
	if len(warnings) > 10 {
		t.Errorf("got %d warnings, want at most 10: %v", len(warnings), warnings)
	}
}

func TestExtractGnuplotRemovesRunningHeaders(t *testing.T) {
	_, pages, _ := gnuplotManual(t)
	for _, p := range pages[20:] {
		first, _, _ := strings.Cut(p.Text, "\n")
		if strings.Contains(first, "gnuplot 5.4") {
			t.Errorf("page %d starts with the running header %q", p.Number, first)
		}
	}
}

func TestChunkGnuplotPagesAndSizes(t *testing.T) {
	_, pages, _ := gnuplotManual(t)
	for _, maxTokens := range []int{0, 120} {
		limit := maxTokens
		if limit == 0 {
			limit = DefaultMaxTokens
		}
		pieces := Chunk(pages, Options{MaxTokens: maxTokens})
		covered := map[int]bool{}
		for i, piece := range pieces {
			if piece.Page < 1 || piece.Page > len(pages) {
				t.Fatalf("MaxTokens %d: piece %d has page %d, outside 1..%d", maxTokens, i, piece.Page, len(pages))
			}
			covered[piece.Page] = true
			if !strings.Contains(pages[piece.Page-1].Text, piece.Content) {
				t.Errorf("MaxTokens %d: piece %d is not part of the text of page %d: %.80q", maxTokens, i, piece.Page, piece.Content)
			}
			if n := tokens.Count(piece.Content); n > limit {
				t.Errorf("MaxTokens %d: piece %d on page %d has %d tokens", maxTokens, i, piece.Page, n)
			}
			if want := "page " + strconv.Itoa(piece.Page); piece.Symbol != want {
				t.Errorf("MaxTokens %d: piece %d has Symbol %q, want %q", maxTokens, i, piece.Symbol, want)
			}
		}
		for _, p := range pages {
			if strings.TrimSpace(p.Text) != "" && !covered[p.Number] {
				t.Errorf("MaxTokens %d: page %d has text but no piece", maxTokens, p.Number)
			}
		}
	}
}

func TestChunkGnuplotHeadings(t *testing.T) {
	_, pages, _ := gnuplotManual(t)
	pieces := Chunk(pages, Options{})
	want := map[string]int{"Random number generator": 40, "Operators": 41, "Stats (Statistical Summary)": 232}
	for heading, page := range want {
		found := false
		for _, p := range pieces {
			if p.Heading == heading && p.Page == page {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no piece on page %d has heading %q", page, heading)
		}
	}
}
