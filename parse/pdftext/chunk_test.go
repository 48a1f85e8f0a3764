package pdftext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gndhq/gnd/tokens"
)

// countWords counts tokens as words, so that expected pieces are easy to work out.
func countWords(s string) int {
	return len(strings.Fields(s))
}

func TestChunkSplitsAtHeadings(t *testing.T) {
	pages := []Page{{Number: 3, Text: "3.2 Fonts\n\nFonts are chosen with set font and the terminal.\nMore text about fonts.\n\nOverview of Terminals\nEach terminal draws plots on one kind of device or file.\n\nA closing paragraph."}}
	pieces := Chunk(pages, Options{MaxTokens: 100, Count: countWords})
	if len(pieces) != 2 {
		t.Fatalf("got %d pieces, want 2: %+v", len(pieces), pieces)
	}
	if pieces[0].Heading != "3.2 Fonts" {
		t.Errorf("piece 1 heading = %q, want %q", pieces[0].Heading, "3.2 Fonts")
	}
	if !strings.HasPrefix(pieces[0].Content, "3.2 Fonts\n\nFonts are chosen") {
		t.Errorf("piece 1 content = %q, want it to start with the heading and its paragraph", pieces[0].Content)
	}
	if pieces[1].Heading != "Overview of Terminals" {
		t.Errorf("piece 2 heading = %q, want %q", pieces[1].Heading, "Overview of Terminals")
	}
	if want := "Overview of Terminals\nEach terminal draws plots on one kind of device or file.\n\nA closing paragraph."; pieces[1].Content != want {
		t.Errorf("piece 2 content = %q, want %q", pieces[1].Content, want)
	}
	for i, p := range pieces {
		if p.Page != 3 || p.Symbol != "page 3" {
			t.Errorf("piece %d page = %d, symbol = %q, want 3 and %q", i+1, p.Page, p.Symbol, "page 3")
		}
	}
}

func TestChunkHeadingDetection(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		heading string // expected heading of the last piece, "" for none
	}{
		{"numbered", "Intro text ends here.\n4.1.2 Output Formats\nbody", "4.1.2 Output Formats"},
		{"appendix number", "A.1 Error Codes\nThe codes that the service returns are listed here.", "A.1 Error Codes"},
		{"title followed by body", "End of a paragraph.\nRandom number generator\nThe function rand() produces a sequence of numbers.", "Random number generator"},
		{"line ending in a period", "End.\nThis is a sentence.\nThe function rand() produces a sequence of numbers.", ""},
		{"line ending in a colon", "End.\nExample:\nThe function rand() produces a sequence of numbers.", ""},
		{"wrapped sentence", "The function rand produces a\nSequence Of Numbers\nbetween zero and one, using an algorithm.", ""},
		{"code line", "End.\nTITLE = New\nset title TITLE offset char 0, char -1 and more", ""},
		{"lower case start", "End.\nplot sin(x)\nThe function rand() produces a sequence of numbers.", ""},
		{"table of contents", "Contents\n\nCopyright 21\nIntroduction 21\nNew features 23", "Contents"},
		{"title at the end of the page", "Some text.\nNext Section", ""},
		{"too long", "End.\nThis Line Has Far Too Many Words To Be A Real Section Title\nbody text follows here with words", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pieces := Chunk([]Page{{Number: 1, Text: c.text}}, Options{MaxTokens: 100, Count: countWords})
			if len(pieces) == 0 {
				t.Fatalf("got no pieces")
			}
			if got := pieces[len(pieces)-1].Heading; got != c.heading {
				t.Errorf("heading = %q, want %q", got, c.heading)
			}
		})
	}
}

func TestChunkCarriesHeadingToNextPage(t *testing.T) {
	pages := []Page{
		{Number: 1, Text: "Installation\n\nRun the installer and follow the steps it shows."},
		{Number: 2, Text: "the installer asks for a folder."},
		{Number: 3, Text: ""},
	}
	pieces := Chunk(pages, Options{Count: countWords})
	if len(pieces) != 2 {
		t.Fatalf("got %d pieces, want 2 (one per page with text): %+v", len(pieces), pieces)
	}
	if pieces[1].Page != 2 {
		t.Errorf("piece 2 page = %d, want 2", pieces[1].Page)
	}
	if pieces[1].Heading != "Installation" {
		t.Errorf("piece 2 heading = %q, want the heading from page 1", pieces[1].Heading)
	}
	if pieces[1].Content != "the installer asks for a folder." {
		t.Errorf("piece 2 content = %q, want the text of page 2 alone", pieces[1].Content)
	}
}

func TestChunkRespectsMaxTokens(t *testing.T) {
	long := strings.Repeat("word ", 45) + "end."
	giant := strings.Repeat("x", 120)
	text := "first paragraph is short.\n\n" + long + "\n\nline one of a block\nline two of a block\n\n" + giant
	const limit = 10
	// Count one token per four bytes so that a word without spaces can exceed the limit.
	count := func(s string) int { return (len(s) + 3) / 4 }
	pieces := Chunk([]Page{{Number: 7, Text: text}}, Options{MaxTokens: limit, Count: count})
	var joined strings.Builder
	for i, p := range pieces {
		if n := count(p.Content); n > limit {
			t.Errorf("piece %d has %d tokens, over the limit of %d: %q", i+1, n, limit, p.Content)
		}
		if !strings.Contains(text, p.Content) {
			t.Errorf("piece %d is not part of the page text: %q", i+1, p.Content)
		}
		if p.Content == "" {
			t.Errorf("piece %d is empty", i+1)
		}
		joined.WriteString(p.Content)
	}
	if got, want := strings.Join(strings.Fields(joined.String()), ""), strings.Join(strings.Fields(text), ""); got != want {
		t.Errorf("pieces lose or repeat text:\n got %q\nwant %q", got, want)
	}
}

func TestChunkSplitsMultibyteWordOnRuneBoundaries(t *testing.T) {
	word := strings.Repeat("é", 50)
	pieces := Chunk([]Page{{Number: 1, Text: word}}, Options{MaxTokens: 8, Count: func(s string) int { return len(s) }})
	if len(pieces) < 2 {
		t.Fatalf("got %d pieces, want the word split", len(pieces))
	}
	total := 0
	for i, p := range pieces {
		if !utf8.ValidString(p.Content) {
			t.Errorf("piece %d is not valid UTF-8: %q", i+1, p.Content)
		}
		if len(p.Content) > 8 {
			t.Errorf("piece %d has %d bytes, over the limit of 8", i+1, len(p.Content))
		}
		total += utf8.RuneCountInString(p.Content)
	}
	if total != 50 {
		t.Errorf("pieces hold %d characters, want 50", total)
	}
}

func TestChunkDefaults(t *testing.T) {
	text := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 200)
	pieces := Chunk([]Page{{Number: 1, Text: text}}, Options{})
	if len(pieces) < 2 {
		t.Fatalf("got %d pieces for about 2000 tokens, want several", len(pieces))
	}
	for i, p := range pieces {
		if n := tokens.Count(p.Content); n > DefaultMaxTokens {
			t.Errorf("piece %d has %d tokens, over the default of %d", i+1, n, DefaultMaxTokens)
		}
	}
}

func TestChunkEmptyInput(t *testing.T) {
	if pieces := Chunk(nil, Options{}); len(pieces) != 0 {
		t.Errorf("Chunk(nil) = %+v, want no pieces", pieces)
	}
	if pieces := Chunk([]Page{{Number: 1, Text: "\n\n  \n"}}, Options{}); len(pieces) != 0 {
		t.Errorf("Chunk of a blank page = %+v, want no pieces", pieces)
	}
}
