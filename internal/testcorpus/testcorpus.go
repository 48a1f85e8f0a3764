// Package testcorpus locates the shared test corpus (real specs, sites and
// documents written by other people) for tests and benchmarks. The corpus sits
// in a folder named "shared/corpus" next to the repository checkout.
package testcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of the corpus folder. It walks up from the
// working directory to the module root (the folder with go.mod) and expects
// ../shared/corpus beside it. The test fails at once when the corpus is absent.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, err := Find()
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// Path joins elem onto the corpus folder, e.g. Path(t, "openapi", "discord", "openapi.json").
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{Dir(tb)}, elem...)...)
}

// Find is Dir without a testing.TB, for benchmark commands.
func Find() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			corpus := filepath.Join(filepath.Dir(dir), "shared", "corpus")
			if _, err := os.Stat(corpus); err != nil {
				return "", &os.PathError{Op: "find test corpus", Path: corpus, Err: err}
			}
			return corpus, nil
		}
		if filepath.Dir(dir) == dir {
			return "", &os.PathError{Op: "find module root", Path: wd, Err: os.ErrNotExist}
		}
	}
}
