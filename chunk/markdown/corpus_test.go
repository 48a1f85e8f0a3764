package markdown

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
	"github.com/gndhq/gnd/parse/htmldoc"
)

// corpusFile is one markdown file of the test corpus.
type corpusFile struct {
	rel  string
	text string
}

func containerdDocs(tb testing.TB) []corpusFile {
	tb.Helper()
	root := testcorpus.Path(tb, "markdown", "containerd-docs")
	var files []corpusFile
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		files = append(files, corpusFile{rel: filepath.ToSlash(rel), text: string(body)})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

func TestSplitContainerdDocs(t *testing.T) {
	files := containerdDocs(t)
	if len(files) != 59 {
		t.Fatalf("found %d markdown files, want 59", len(files))
	}
	for _, opt := range []Options{{}, {MaxTokens: 200, MinTokens: 30}, {MaxTokens: 60, MinTokens: 10}} {
		for _, f := range files {
			sections := Split(strings.TrimSuffix(filepath.Base(f.rel), ".md"), f.text, opt)
			if len(sections) == 0 {
				t.Errorf("%s: no sections", f.rel)
			}
			checkSections(t, f.rel, f.text, sections, opt)
		}
	}
}

func TestSplitCrictlHeadingPaths(t *testing.T) {
	var text string
	for _, f := range containerdDocs(t) {
		if f.rel == "cri/crictl.md" {
			text = f.text
		}
	}
	if text == "" {
		t.Fatal("cri/crictl.md is missing from the corpus")
	}

	// Checked by hand: a setext title, ten "##" sections, and a "#" shell
	// comment on line 72 inside a code block that is not a heading.
	want := []struct {
		symbol     string
		start, end int
	}{
		{"crictl > CRICTL User Guide", 1, 9},
		{"crictl > CRICTL User Guide > Install crictl", 11, 29},
		{"crictl > CRICTL User Guide > Download and Inspect a Container Image", 31, 54},
		{"crictl > CRICTL User Guide > Directly Load a Container Image", 56, 86},
		{"crictl > CRICTL User Guide > Run a pod sandbox (using a config file)", 88, 112},
		{"crictl > CRICTL User Guide > Create and Run a Container in the Pod Sandbox (using a config file)", 114, 143},
		{"crictl > CRICTL User Guide > Exec a Command in the Container", 144, 148},
		{"crictl > CRICTL User Guide > Display Stats for the Container", 149, 156},
		{"crictl > CRICTL User Guide > Display Version Information", 157, 164},
		{"crictl > CRICTL User Guide > Display Status & Configuration Information about Containerd & The CRI Plugin", 165, 334},
		{"crictl > CRICTL User Guide > More Information", 336, 338},
	}
	opt := Options{MaxTokens: 100000, MinTokens: -1}
	got := Split("crictl", text, opt)
	checkSections(t, "cri/crictl.md", text, got, opt)

	if len(got) != len(want) {
		t.Fatalf("got %d sections, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Symbol != w.symbol {
			t.Errorf("section %d symbol = %q, want %q", i+1, got[i].Symbol, w.symbol)
		}
		if got[i].StartLine != w.start || got[i].EndLine != w.end {
			t.Errorf("section %d lines = %d-%d, want %d-%d", i+1, got[i].StartLine, got[i].EndLine, w.start, w.end)
		}
	}

	if !strings.HasPrefix(got[0].Content, "CRICTL User Guide\n=================") {
		t.Errorf("first section does not start with the setext heading: %.60q", got[0].Content)
	}
}

func TestSplitCrictlMergesTinySections(t *testing.T) {
	var text string
	for _, f := range containerdDocs(t) {
		if f.rel == "cri/crictl.md" {
			text = f.text
		}
	}
	got := Split("crictl", text, Options{})
	checkSections(t, "cri/crictl.md", text, got, Options{})
	// "More Information" (lines 336-338) is 34 tokens, below the default
	// minimum of 40, and the last section, so it joins the part before it.
	// The merged section keeps the path both share.
	last := got[len(got)-1]
	if last.StartLine >= 336 || last.EndLine != 338 {
		t.Errorf("last section covers lines %d-%d, want the tiny last section merged into the one before", last.StartLine, last.EndLine)
	}
	if last.Symbol != "crictl > CRICTL User Guide" {
		t.Errorf("merged section symbol = %q, want the shared parent %q", last.Symbol, "crictl > CRICTL User Guide")
	}
}

// codeLines returns every line inside the fenced code blocks of files.
func codeLines(files []corpusFile) []string {
	var out []string
	for _, f := range files {
		inside := false
		for _, line := range strings.Split(f.text, "\n") {
			if strings.HasPrefix(line, "```") {
				inside = !inside
				continue
			}
			if inside {
				out = append(out, line)
			}
		}
	}
	return out
}

func TestSplitHugeCodeBlock(t *testing.T) {
	code := codeLines(containerdDocs(t))
	if len(code) < 1000 {
		t.Fatalf("corpus has %d code lines, want at least 1000", len(code))
	}
	// Four backticks, because the shell snippets do not contain them, with
	// the indentation of a list item to check that it is kept.
	input := "# Commands\n\nAll code from the docs:\n\n  ````console title=\"all\"\n  " +
		strings.Join(code, "\n  ") + "\n  ````\n\nAfter the block.\n"
	opt := Options{MaxTokens: 300}
	sections := Split("", input, opt)
	checkSections(t, "huge code block", input, sections, opt)
	if len(sections) < 10 {
		t.Fatalf("got %d sections, want the code block split into many", len(sections))
	}

	for i, s := range sections {
		lines := strings.Split(s.Content, "\n")
		if i > 0 && lines[0] != "  ````console title=\"all\"" {
			t.Errorf("part %d starts with %q, want the original fence line with its info string", i+1, lines[0])
		}
		if i < len(sections)-1 && lines[len(lines)-1] != "  ````" {
			t.Errorf("part %d ends with %q, want a closing fence", i+1, lines[len(lines)-1])
		}
	}
	last := sections[len(sections)-1].Content
	if !strings.HasSuffix(last, "````\n\nAfter the block.") {
		t.Errorf("last part ends with %q, want the real closing fence and the text after it", last[max(0, len(last)-40):])
	}
}

func TestSplitHugeTable(t *testing.T) {
	var table []string
	for _, f := range containerdDocs(t) {
		if f.rel != "getting-started.md" {
			continue
		}
		lines := strings.Split(f.text, "\n")
		for i := 160; i < len(lines) && strings.Contains(lines[i], "|"); i++ {
			table = append(table, lines[i])
		}
	}
	if len(table) < 5 {
		t.Fatalf("getting-started.md table has %d lines, want its header and rows", len(table))
	}

	// Repeat the real rows to make one table far over the limit.
	rows := table[2:]
	var big []string
	big = append(big, table[:2]...)
	for len(big) < 400 {
		big = append(big, rows...)
	}
	input := "## Runtimes\n\n" + strings.Join(big, "\n") + "\n"
	opt := Options{MaxTokens: 400}
	sections := Split("Getting started", input, opt)
	checkSections(t, "huge table", input, sections, opt)
	if len(sections) < 5 {
		t.Fatalf("got %d sections, want the table split into many", len(sections))
	}

	header := table[0] + "\n" + table[1] + "\n"
	for i, s := range sections {
		body := s.Content
		if i == 0 {
			body = strings.TrimPrefix(body, "## Runtimes\n\n")
		}
		if !strings.HasPrefix(body, header) {
			t.Errorf("part %d does not start with the table header and delimiter rows: %.80q", i+1, body)
		}
		for _, row := range strings.Split(body, "\n") {
			if strings.Count(row, "|") != strings.Count(table[0], "|") {
				t.Errorf("part %d row %q has a different number of cells than the header", i+1, row)
			}
		}
		if s.Symbol != "Getting started > Runtimes" {
			t.Errorf("part %d symbol = %q, want the section path", i+1, s.Symbol)
		}
	}
}

func TestSplitPymdownMarkdown(t *testing.T) {
	root := testcorpus.Path(t, "html", "pymdown-extensions-site")
	pages := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text, _, err := htmldoc.Decode(body, "text/html")
		if err != nil {
			return err
		}
		page, err := htmldoc.Extract("https://facelessuser.github.io/pymdown-extensions/", text)
		if err != nil {
			return err
		}
		pages++
		rel, _ := filepath.Rel(root, path)
		for _, opt := range []Options{{}, {MaxTokens: 150, MinTokens: 20}} {
			sections := Split(page.Title, page.Markdown, opt)
			checkSections(t, rel, page.Markdown, sections, opt)
			for _, s := range sections {
				if s.Headings[0] != page.Title {
					t.Errorf("%s: section %q does not start its path with the page title", rel, s.Symbol)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != 49 {
		t.Errorf("split %d pages, want 49", pages)
	}
}

func BenchmarkSplitContainerdDocs(b *testing.B) {
	files := containerdDocs(b)
	total := 0
	for _, f := range files {
		total += len(f.text)
	}
	b.SetBytes(int64(total))
	for b.Loop() {
		for _, f := range files {
			Split(f.rel, f.text, Options{})
		}
	}
}
