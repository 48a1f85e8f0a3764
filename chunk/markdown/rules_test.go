package markdown

import (
	"strings"
	"testing"

	"github.com/gndhq/gnd/tokens"
)

// sectionSummary is the part of a Section that rule tests compare.
type sectionSummary struct {
	symbol     string
	start, end int
}

func summarize(sections []Section) []sectionSummary {
	out := make([]sectionSummary, len(sections))
	for i, s := range sections {
		out[i] = sectionSummary{s.Symbol, s.StartLine, s.EndLine}
	}
	return out
}

// noMerge keeps every heading section separate, so tests see the raw cuts.
var noMerge = Options{MaxTokens: 100000, MinTokens: -1}

func TestSplitHeadingRules(t *testing.T) {
	cases := []struct {
		name  string
		title string
		input string
		want  []sectionSummary
	}{
		{
			name:  "text before first heading belongs to title section",
			title: "Guide",
			input: "Intro line.\n\n# One\nBody.\n",
			want:  []sectionSummary{{"Guide", 1, 1}, {"Guide > One", 3, 4}},
		},
		{
			name:  "h3 after h1 nests without h2",
			input: "# A\n### A3\n## B\n### B3\n# C\n",
			want:  []sectionSummary{{"A", 1, 1}, {"A > A3", 2, 2}, {"A > B", 3, 3}, {"A > B > B3", 4, 4}, {"C", 5, 5}},
		},
		{
			name:  "atx closing sequence and escapes",
			input: "## Title ##\n#   Spaced   #\n# C# #\n#NoSpace\n####### seven\n## [Link](http://x) and \\*star\\* **ID: X-1**\n",
			want:  []sectionSummary{{"Title", 1, 1}, {"Spaced", 2, 2}, {"C#", 3, 5}, {"C# > Link and *star* ID: X-1", 6, 6}},
		},
		{
			name:  "setext headings",
			input: "Top\n===\n\nSub heading\nsecond line\n---\ntext\n",
			want:  []sectionSummary{{"Top", 1, 2}, {"Top > Sub heading second line", 4, 7}},
		},
		{
			name:  "dashes after blank line or list are not setext",
			input: "# H\ntext\n\n---\n- item\n---\n",
			want:  []sectionSummary{{"H", 1, 6}},
		},
		{
			name:  "hash lines in fences are not headings",
			input: "# Real\n```sh\n# comment\n```\n~~~~\n# tilde\n```\n# still code\n~~~~\n````md\n```\n# nested\n```\n````\n",
			want:  []sectionSummary{{"Real", 1, 14}},
		},
		{
			name:  "indented code is not a heading",
			input: "# Real\n\n    # indented code\n    ## more\n",
			want:  []sectionSummary{{"Real", 1, 4}},
		},
		{
			name:  "fence in list item hides headings",
			input: "# Steps\n1. Run:\n    ```console\n    # root prompt\n    ```\n## Next\n",
			want:  []sectionSummary{{"Steps", 1, 5}, {"Steps > Next", 6, 6}},
		},
		{
			name:  "unclosed indented fence line is code, not a fence",
			input: "# A\n\n    ```\n    code\n# B\n",
			want:  []sectionSummary{{"A", 1, 4}, {"B", 5, 5}},
		},
		{
			name:  "yaml front matter skipped",
			input: "---\ntitle: Hello\ntags: [a, b]\n---\n# Body\ntext\n",
			want:  []sectionSummary{{"Body", 5, 6}},
		},
		{
			name:  "thematic break at start is not front matter",
			input: "---\nJust text, not yaml: [\n---\n# H\n",
			want:  []sectionSummary{{"", 1, 1}, {"Just text, not yaml: [", 2, 3}, {"H", 4, 4}},
		},
		{
			name:  "title equal to top heading is not repeated",
			title: "Install Guide",
			input: "# install guide\n## Linux\n",
			want:  []sectionSummary{{"Install Guide", 1, 1}, {"Install Guide > Linux", 2, 2}},
		},
		{
			name:  "crlf line endings",
			input: "# A\r\ntext\r\n\r\n## B\r\nmore\r\n",
			want:  []sectionSummary{{"A", 1, 2}, {"A > B", 4, 5}},
		},
		{
			name:  "fence after list markers hides headings",
			input: "# L\n- 1. > ```\n     > # not heading\n     > ```\n10. ```\n    # code\n    ```\n## After\n",
			want:  []sectionSummary{{"L", 1, 7}, {"L > After", 8, 8}},
		},
		{
			name:  "blockquote fence hides headings",
			input: "# Q\n> ```\n> # not heading\n> ```\n",
			want:  []sectionSummary{{"Q", 1, 4}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Split(tc.title, tc.input, noMerge)
			checkSections(t, tc.name, tc.input, got, noMerge)
			if gotSummary := summarize(got); !equalSummaries(gotSummary, tc.want) {
				t.Errorf("sections =\n%v\nwant\n%v", gotSummary, tc.want)
			}
		})
	}
}

func equalSummaries(a, b []sectionSummary) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSplitEmptyInputs(t *testing.T) {
	for _, input := range []string{"", "\n\n", "   \n\t\n", "---\nkey: value\n---\n"} {
		if got := Split("T", input, Options{}); got != nil {
			t.Errorf("Split(%q) = %v, want nil", input, got)
		}
	}
}

func TestSplitTinyPageIsOneSection(t *testing.T) {
	input := "# Tiny\n\nOne line.\n\n## Part\n\nTwo.\n\n## Other\n\nThree.\n"
	got := Split("Page", input, Options{})
	if len(got) != 1 {
		t.Fatalf("tiny page gave %d sections, want 1", len(got))
	}
	if got[0].Content != strings.TrimSuffix(input, "\n") {
		t.Errorf("content = %q, want the whole page", got[0].Content)
	}
	if got[0].Symbol != "Page > Tiny" {
		t.Errorf("symbol = %q, want the shared path %q", got[0].Symbol, "Page > Tiny")
	}
	if got[0].StartLine != 1 || got[0].EndLine != 11 {
		t.Errorf("lines = %d-%d, want 1-11", got[0].StartLine, got[0].EndLine)
	}
}

func TestSplitUnclosedFenceIsClosed(t *testing.T) {
	input := "# Code\n\n```go\nfunc main() {\n# not a heading\n"
	got := Split("", input, Options{})
	if len(got) != 1 {
		t.Fatalf("got %d sections, want 1", len(got))
	}
	want := "# Code\n\n```go\nfunc main() {\n# not a heading\n```"
	if got[0].Content != want {
		t.Errorf("content = %q, want %q with a closing fence added", got[0].Content, want)
	}
	if got[0].EndLine != 5 {
		t.Errorf("EndLine = %d, want 5", got[0].EndLine)
	}
}

func TestSplitParagraphBoundaries(t *testing.T) {
	// Ten paragraphs of ten words, one token each with countWords.
	var paragraphs []string
	for i := 0; i < 10; i++ {
		paragraphs = append(paragraphs, strings.TrimSpace(strings.Repeat("word ", 10)))
	}
	input := "# Head\n\n" + strings.Join(paragraphs, "\n\n") + "\n"
	opt := Options{MaxTokens: 35, MinTokens: 5, Count: countWords}
	got := Split("", input, opt)
	checkSections(t, "paragraphs", input, got, opt)
	for i, s := range got {
		if countWords(s.Content) > 35 {
			t.Errorf("section %d has %d words, over 35", i+1, countWords(s.Content))
		}
		lines := strings.Split(s.Content, "\n")
		if lines[0] == "" || lines[len(lines)-1] == "" {
			t.Errorf("section %d starts or ends with a blank line", i+1)
		}
		if s.Symbol != "Head" {
			t.Errorf("section %d symbol = %q, want Head", i+1, s.Symbol)
		}
	}
	if len(got) != 4 {
		t.Errorf("got %d sections, want 4: the heading with three paragraphs, then 3, 3 and 1 merged back", len(got))
	}
}

func TestSplitLongLineStaysWhole(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("token ", 100))
	input := "# H\n\nshort text\n\n" + long + "\n\nafter\n"
	opt := Options{MaxTokens: 20, MinTokens: -1, Count: countWords}
	got := Split("", input, opt)
	checkSections(t, "long line", input, got, opt)
	found := false
	for _, s := range got {
		if s.Content == long {
			found = true
		}
	}
	if !found {
		t.Errorf("the 100-word line is not a section of its own: %v", summarize(got))
	}
}

func TestSplitDeterministic(t *testing.T) {
	input := strings.Repeat("# A\n\ntext text text\n\n```\ncode\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n", 30)
	opt := Options{MaxTokens: 60, MinTokens: 20}
	first := Split("T", input, opt)
	for i := 0; i < 3; i++ {
		again := Split("T", input, opt)
		if len(again) != len(first) {
			t.Fatalf("run %d gave %d sections, first run %d", i+2, len(again), len(first))
		}
		for j := range first {
			if again[j].Content != first[j].Content || again[j].Symbol != first[j].Symbol {
				t.Fatalf("run %d section %d differs from the first run", i+2, j+1)
			}
		}
	}
}

func FuzzSplit(f *testing.F) {
	seeds := []string{
		"",
		"# A\n\ntext\n",
		"Title\n===\n\n```go\n# x\n```\n",
		"---\na: 1\n---\n# B\n",
		"| a | b |\n|---|---|\n| 1 | 2 |\n",
		"    ```\n# H\n",
		"> ```\n> # q\n",
		"1. x\n    ````\n    ```\n    ````\n",
		"~~~\n\n\n~~~~\n#\n",
	}
	for _, s := range seeds {
		f.Add(s, 30)
	}
	f.Fuzz(func(t *testing.T, input string, limit int) {
		opt := Options{MaxTokens: 5 + abs(limit)%200, MinTokens: abs(limit) % 20, Count: countWords}
		if limit%2 != 0 {
			opt.Count = tokens.Count
		}
		sections := Split("T", input, opt)
		lines := splitLines(input)
		prevEnd := 0
		for i, s := range sections {
			if strings.TrimSpace(s.Content) == "" {
				t.Fatalf("section %d has empty content", i+1)
			}
			if err := checkFences(s.Content); err != nil {
				t.Fatalf("section %d: %v\n%q", i+1, err, s.Content)
			}
			if s.StartLine < 1 || s.StartLine > s.EndLine || s.EndLine > len(lines) {
				t.Fatalf("section %d lines %d-%d outside 1-%d", i+1, s.StartLine, s.EndLine, len(lines))
			}
			if s.StartLine <= prevEnd {
				t.Fatalf("section %d starts at %d, inside the previous one ending at %d", i+1, s.StartLine, prevEnd)
			}
			prevEnd = s.EndLine
			if !strings.Contains(s.Content, strings.Join(lines[s.StartLine-1:s.EndLine], "\n")) {
				t.Fatalf("section %d content lacks its input lines %d-%d", i+1, s.StartLine, s.EndLine)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
