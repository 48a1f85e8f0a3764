package code

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// netHTTPFiles returns the paths of every .go file under the Go
// distribution's src/net/http, skipping the test when it is missing.
func netHTTPFiles(tb testing.TB) []string {
	tb.Helper()
	root := filepath.Join(runtime.GOROOT(), "src", "net", "http")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil || len(files) == 0 {
		tb.Skipf("Go sources not found under %s: %v", root, err)
	}
	return files
}

// astSymbols lists the symbols Chunk should produce for a Go file, one per
// top-level function, method and type spec, computed independently with
// go/ast. ok is false when the file does not parse.
func astSymbols(path string, src []byte) (symbols []string, ok bool) {
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, false
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil && len(d.Recv.List) > 0 {
				t := d.Recv.List[0].Type
				for {
					switch x := t.(type) {
					case *ast.StarExpr:
						t = x.X
						continue
					case *ast.IndexExpr:
						t = x.X
						continue
					case *ast.IndexListExpr:
						t = x.X
						continue
					case *ast.ParenExpr:
						t = x.X
						continue
					}
					break
				}
				name = t.(*ast.Ident).Name + "." + name
			}
			symbols = append(symbols, name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, isType := s.(*ast.TypeSpec); isType {
					symbols = append(symbols, ts.Name.Name)
				}
			}
		}
	}
	return symbols, true
}

func TestChunkNetHTTP(t *testing.T) {
	files := netHTTPFiles(t)
	totalPieces := 0
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pieces := chunkOK(t, path, string(src), Options{})
		totalPieces += len(pieces)

		wantSymbols, ok := astSymbols(path, src)
		if !ok {
			continue // testdata may hold files that do not parse; invariants were checked above
		}
		var got []string
		for _, p := range pieces {
			if p.Kind != KindFile && p.Part <= 1 {
				got = append(got, p.Symbol)
			}
		}
		slices.Sort(got)
		slices.Sort(wantSymbols)
		if !slices.Equal(got, wantSymbols) {
			t.Errorf("%s: symbols differ from go/ast\ngot  %d: %v\nwant %d: %v", path, len(got), got, len(wantSymbols), wantSymbols)
		}
	}
	t.Logf("%d files, %d pieces", len(files), totalPieces)
}

// BenchmarkChunkNetHTTP measures Chunk over net/http with the cl100k token
// counter, and with a bytes/4 estimate that shows the cost of reading the
// code without the tokenizer.
func BenchmarkChunkNetHTTP(b *testing.B) {
	files := netHTTPFiles(b)
	srcs := make([][]byte, len(files))
	total := 0
	for i, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		srcs[i] = src
		total += len(src)
	}
	counters := []struct {
		name  string
		count func(string) int
	}{
		{"cl100k", nil},
		{"bytes4", func(s string) int { return (len(s) + 3) / 4 }},
	}
	for _, counter := range counters {
		b.Run(counter.name, func(b *testing.B) {
			b.SetBytes(int64(total))
			for b.Loop() {
				for i, src := range srcs {
					if _, err := Chunk(files[i], src, Options{Count: counter.count}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}
