package code

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gndhq/gnd/tokens"
)

// sourceLines splits src the way Chunk numbers lines.
func sourceLines(src string) []string {
	lines := strings.Split(src, "\n")
	if strings.HasSuffix(src, "\n") {
		lines = lines[:len(lines)-1]
	}
	if src == "" {
		return nil
	}
	return lines
}

// checkInvariants reports every broken promise of Chunk's result: ranges in
// bounds and in order, no shared lines, content equal to the source lines (or
// a header then the lines, for later parts), and parts numbered 1..n.
func checkInvariants(t *testing.T, name, src string, pieces []Piece) {
	t.Helper()
	lines := sourceLines(src)
	prevEnd := 0
	for i, p := range pieces {
		where := fmt.Sprintf("%s piece %d (%s %q lines %d-%d part %d)", name, i, p.Kind, p.Symbol, p.StartLine, p.EndLine, p.Part)
		if p.StartLine < 1 || p.EndLine > len(lines) || p.StartLine > p.EndLine {
			t.Errorf("%s: range out of bounds for a file of %d lines", where, len(lines))
			continue
		}
		if p.StartLine <= prevEnd {
			t.Errorf("%s: starts at or before line %d where the previous piece ends", where, prevEnd)
		}
		prevEnd = p.EndLine
		want := strings.Join(lines[p.StartLine-1:p.EndLine], "\n")
		if p.Part <= 1 {
			if p.Content != want {
				t.Errorf("%s: content differs from source lines\ngot:\n%s\nwant:\n%s", where, p.Content, want)
			}
		} else if !strings.HasSuffix(p.Content, want) {
			t.Errorf("%s: content does not end with its source lines\ngot:\n%s\nwant suffix:\n%s", where, p.Content, want)
		} else if prefix := strings.TrimSuffix(p.Content, want); prefix != "" && !strings.Contains(src, prefix) {
			t.Errorf("%s: header %q is not a run of source lines", where, prefix)
		}
		if p.Symbol == "" {
			t.Errorf("%s: empty symbol", where)
		}
		if p.Part > 1 && (i == 0 || pieces[i-1].Part != p.Part-1 || pieces[i-1].Symbol != p.Symbol) {
			t.Errorf("%s: part does not follow part %d of the same symbol", where, p.Part-1)
		}
	}
}

// chunkOK runs Chunk, fails the test on an error, and checks the invariants.
func chunkOK(t *testing.T, path, src string, opt Options) []Piece {
	t.Helper()
	pieces, err := Chunk(path, []byte(src), opt)
	if err != nil {
		t.Fatalf("Chunk(%s) error: %v", path, err)
	}
	checkInvariants(t, path, src, pieces)
	return pieces
}

// outline renders pieces as "kind symbol start-end" lines for failure messages.
func outline(pieces []Piece) string {
	var sb strings.Builder
	for _, p := range pieces {
		fmt.Fprintf(&sb, "  %-9s %-30s %d-%d", p.Kind, p.Symbol, p.StartLine, p.EndLine)
		if p.Part > 0 {
			fmt.Fprintf(&sb, " part %d", p.Part)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// want is an expected piece: its symbol, kind and line range.
type want struct {
	symbol string
	kind   string
	start  int
	end    int
}

// expectPieces checks that pieces match the expected list exactly, in order.
func expectPieces(t *testing.T, pieces []Piece, wants []want) {
	t.Helper()
	if len(pieces) != len(wants) {
		t.Errorf("got %d pieces, want %d\ngot:\n%s", len(pieces), len(wants), outline(pieces))
	}
	for i := 0; i < min(len(pieces), len(wants)); i++ {
		p, w := pieces[i], wants[i]
		if p.Symbol != w.symbol || p.Kind != w.kind || p.StartLine != w.start || p.EndLine != w.end {
			t.Errorf("piece %d = %s %q %d-%d, want %s %q %d-%d\nall pieces:\n%s",
				i, p.Kind, p.Symbol, p.StartLine, p.EndLine, w.kind, w.symbol, w.start, w.end, outline(pieces))
		}
	}
}

// lineOf returns the 1-based line number of the first line containing
// marker, so expectations follow the sample text instead of hard-coded numbers.
func lineOf(t *testing.T, src, marker string) int {
	t.Helper()
	for i, l := range sourceLines(src) {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("marker %q not found in sample", marker)
	return 0
}

// tokensOf counts tokens with the default counter.
func tokensOf(s string) int {
	return tokens.Count(s)
}
