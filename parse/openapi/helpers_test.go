package openapi

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
)

// corpusFile returns the path and content of a file under the corpus's
// openapi folder.
func corpusFile(t testing.TB, elem ...string) (string, []byte) {
	t.Helper()
	path := testcorpus.Path(t, append([]string{"openapi"}, elem...)...)
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read corpus file: %v", err)
	}
	return path, body
}

// fileURL returns the file:// URL of an absolute path.
func fileURL(path string) string {
	return "file://" + filepath.ToSlash(path)
}

// fileLoader reads file:// URLs from disk.
func fileLoader(_ context.Context, url string) ([]byte, error) {
	return os.ReadFile(filepath.FromSlash(strings.TrimPrefix(url, "file://")))
}

var (
	parsedMu sync.Mutex
	parsed   = map[string]*Spec{}
)

// parseCorpus parses a corpus file with a file:// Loader, once per test
// binary, because the large files take a second under the race detector.
// Callers must not modify the returned Spec.
func parseCorpus(t testing.TB, elem ...string) *Spec {
	t.Helper()
	path, body := corpusFile(t, elem...)
	parsedMu.Lock()
	defer parsedMu.Unlock()
	if spec, ok := parsed[path]; ok {
		return spec
	}
	spec, err := Parse(context.Background(), fileURL(path), body, fileLoader)
	if err != nil {
		t.Fatalf("Parse %s: %v", strings.Join(elem, "/"), err)
	}
	parsed[path] = spec
	return spec
}

// mustParse parses an inline document that must be valid.
func mustParse(t testing.TB, doc string) *Spec {
	t.Helper()
	spec, err := Parse(context.Background(), "", []byte(doc), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return spec
}

// operation returns the operation with the given key or fails the test.
func operation(t testing.TB, spec *Spec, key string) Operation {
	t.Helper()
	for _, op := range spec.Operations {
		if op.Key == key {
			return op
		}
	}
	t.Fatalf("no operation %q among %d operations", key, len(spec.Operations))
	return Operation{}
}

// assertContains fails the test when text, described by name in the
// message, does not contain want.
func assertContains(t testing.TB, text, want, name string) {
	t.Helper()
	if !strings.Contains(text, want) {
		t.Errorf("%s does not contain %q; got:\n%s", name, want, text)
	}
}
