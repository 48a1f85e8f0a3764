package code

import (
	"fmt"
	"strings"
	"testing"
)

func TestChunkEmptyInput(t *testing.T) {
	pieces, err := Chunk("empty.go", nil, Options{})
	if err != nil {
		t.Fatalf("Chunk of an empty file returned error %v", err)
	}
	if len(pieces) != 0 {
		t.Errorf("got %d pieces for an empty file, want none", len(pieces))
	}
}

func TestChunkNegativeMaxTokens(t *testing.T) {
	_, err := Chunk("a.go", []byte("package a\n"), Options{MaxTokens: -1})
	if err == nil {
		t.Fatal("Chunk with MaxTokens -1 returned no error")
	}
	if !strings.Contains(err.Error(), "MaxTokens -1") {
		t.Errorf("error %q does not name the invalid value", err)
	}
}

func TestChunkLineEndings(t *testing.T) {
	cases := []struct {
		name string
		src  string
	}{
		{"crlf", "package a\r\n\r\nfunc F() {\r\n}\r\n"},
		{"no final newline", "package a\n\nfunc F() {\n}"},
		{"only newlines", "\n\n\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chunkOK(t, "a.go", c.src, Options{})
		})
	}
}

func TestChunkCRLFContentKeepsCarriageReturns(t *testing.T) {
	src := "package a\r\n\r\nfunc F() {\r\n}\r\n"
	pieces := chunkOK(t, "a.go", src, Options{})
	if len(pieces) != 2 {
		t.Fatalf("got %d pieces, want 2\n%s", len(pieces), outline(pieces))
	}
	if want := "func F() {\r\n}\r"; pieces[1].Content != want {
		t.Errorf("content = %q, want %q", pieces[1].Content, want)
	}
}

func TestChunkUnknownTextSplitsAtBlankLines(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&sb, "key_%d:\n  value: %d\n  other: text %d\n\n", i, i, i)
	}
	src := sb.String()
	pieces := chunkOK(t, "config.yaml", src, Options{MaxTokens: 100})
	if len(pieces) < 3 {
		t.Fatalf("got %d pieces, want the file cut into several\n%s", len(pieces), outline(pieces))
	}
	lines := sourceLines(src)
	for i, p := range pieces {
		if p.Kind != KindFile || p.Symbol != "config.yaml" {
			t.Errorf("piece %d is %s %q, want file config.yaml", i, p.Kind, p.Symbol)
		}
		if p.Part != i+1 {
			t.Errorf("piece %d has Part %d, want %d", i, p.Part, i+1)
		}
		if !strings.HasPrefix(lines[p.StartLine-1], "key_") {
			t.Errorf("piece %d starts at line %d %q, want the start of a block after a blank line", i, p.StartLine, lines[p.StartLine-1])
		}
		if n := tokensOf(p.Content); n > 100 {
			t.Errorf("piece %d has %d tokens, want at most 100", i, n)
		}
	}
}

func TestChunkCustomCounter(t *testing.T) {
	src := "def a():\n    return 1\n\n\ndef b():\n    return 2\n"
	words := func(s string) int { return len(strings.Fields(s)) }
	pieces := chunkOK(t, "m.py", src, Options{MaxTokens: 3, Count: words})
	var parts int
	for _, p := range pieces {
		if p.Part > 0 {
			parts++
		}
	}
	if parts != 4 {
		t.Errorf("got %d parts, want 4 (each function cut into 2 parts by a 3-word limit)\n%s", parts, outline(pieces))
	}
}

func TestChunkSplitPartsRepeatHeader(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("class Big:\n    \"\"\"Many methods.\"\"\"\n\n    def run(self,\n            arg):\n")
	for i := 0; i < 120; i++ {
		fmt.Fprintf(&sb, "        total_%d = arg * %d + self.offset\n", i, i)
		if i%10 == 9 {
			sb.WriteString("\n")
		}
	}
	sb.WriteString("        return arg\n")
	src := sb.String()
	pieces := chunkOK(t, "big.py", src, Options{MaxTokens: 200})

	var run []Piece
	for _, p := range pieces {
		if p.Symbol == "Big.run" {
			run = append(run, p)
		}
	}
	if len(run) < 3 {
		t.Fatalf("got %d pieces for Big.run, want at least 3 parts\n%s", len(run), outline(pieces))
	}

	header := "    def run(self,\n            arg):\n"
	for i, p := range run {
		if i == 0 {
			if p.StartLine != 4 {
				t.Errorf("part 1 starts at line %d, want 4", p.StartLine)
			}
			continue
		}
		if !strings.HasPrefix(p.Content, header) {
			t.Errorf("part %d does not start with the def header:\n%s", p.Part, p.Content)
		}
		if p.StartLine != run[i-1].EndLine+1 {
			t.Errorf("part %d starts at line %d, want %d", p.Part, p.StartLine, run[i-1].EndLine+1)
		}
		if n := tokensOf(p.Content); n > 210 {
			t.Errorf("part %d has %d tokens, want about 200 at most", p.Part, n)
		}
	}
	if last := run[len(run)-1]; last.EndLine != len(sourceLines(src)) {
		t.Errorf("last part ends at line %d, want %d", last.EndLine, len(sourceLines(src)))
	}
}

func TestChunkLongLineIsOnePiece(t *testing.T) {
	src := "x = [" + strings.Repeat("1, ", 2000) + "]\n"
	pieces := chunkOK(t, "data.py", src, Options{MaxTokens: 50})
	if len(pieces) != 1 {
		t.Fatalf("got %d pieces for one long line, want 1\n%s", len(pieces), outline(pieces))
	}
	if pieces[0].Part != 0 {
		t.Errorf("single long line has Part %d, want 0", pieces[0].Part)
	}
}

func TestChunkMarkdownFallsBackToText(t *testing.T) {
	src := "# Title\n\nSome text.\n\n## Section\n\nMore text.\n"
	pieces := chunkOK(t, "README.md", src, Options{})
	expectPieces(t, pieces, []want{{"README.md", KindFile, 1, 7}})
}
