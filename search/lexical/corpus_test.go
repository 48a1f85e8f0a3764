package lexical

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
)

// syntheticGroups is the number of groups synthetic documents are spread over.
const syntheticGroups = 100

// textFragments returns real text cut into pieces of roughly a sentence to a
// paragraph: CACM abstracts, the containerd documentation and the
// descriptions of the OpenAPI documents in the test corpus.
func textFragments(tb testing.TB) []string {
	tb.Helper()
	var fragments []string
	add := func(text string) {
		for _, para := range strings.Split(text, "\n\n") {
			para = strings.Join(strings.Fields(para), " ")
			for len(para) > 400 {
				cut := strings.LastIndexByte(para[:400], ' ')
				if cut <= 0 {
					cut = 400
				}
				fragments = append(fragments, para[:cut])
				para = strings.TrimSpace(para[cut:])
			}
			if len(para) >= 20 {
				fragments = append(fragments, para)
			}
		}
	}
	for _, d := range cacmDocs(tb) {
		add(d.Text)
	}
	markdown := testcorpus.Path(tb, "markdown", "containerd-docs")
	err := filepath.WalkDir(markdown, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		data, err := os.ReadFile(path)
		add(string(data))
		return err
	})
	if err != nil {
		tb.Fatalf("read containerd docs: %v", err)
	}
	for _, spec := range [][]string{
		{"openapi", "discord", "openapi.json"},
		{"openapi", "go-admin", "admin_swagger.json"},
		{"openapi", "kubernetes-apiextensions-v1", "v1.json"},
	} {
		data, err := os.ReadFile(testcorpus.Path(tb, spec...))
		if err != nil {
			tb.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			tb.Fatalf("parse %s: %v", filepath.Join(spec...), err)
		}
		collectDescriptions(doc, add)
	}
	return fragments
}

// collectDescriptions calls add with every description, summary and
// operationId string in a decoded JSON value, in a fixed order.
func collectDescriptions(v any, add func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for _, key := range slices.Sorted(maps.Keys(v)) {
			child := v[key]
			if s, ok := child.(string); ok && (key == "description" || key == "summary" || key == "operationId") {
				add(s)
				continue
			}
			collectDescriptions(child, add)
		}
	case []any:
		for _, child := range v {
			collectDescriptions(child, add)
		}
	}
}

// syntheticDocs returns n documents of about 1 KB, each a random
// combination of real text fragments, spread over syntheticGroups groups. The
// same n always gives the same documents.
func syntheticDocs(fragments []string, n int, seed uint64) []Doc {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	docs := make([]Doc, n)
	var b strings.Builder
	for i := range docs {
		b.Reset()
		for b.Len() < 1000 {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(fragments[rng.IntN(len(fragments))])
		}
		docs[i] = Doc{
			ID:    fmt.Sprintf("doc-%06d", i),
			Group: fmt.Sprintf("group-%03d", i%syntheticGroups),
			Text:  b.String(),
		}
	}
	return docs
}

// benchQueries are natural-language queries of 5 to 10 words, with common
// words, about the subjects of the synthetic corpus.
var benchQueries = []string{
	"how do I configure the snapshotter for the container runtime",
	"what is the default timeout for pulling an image",
	"garbage collection of content in the metadata store",
	"list the guild members with their roles and permissions",
	"create a webhook message with embeds and attachments",
	"algorithms for sorting large files on external storage",
	"time sharing operating system performance and scheduling",
	"parsing context free grammars in compiler construction",
	"how to send a direct message to a user",
	"the schema of a custom resource definition validation",
	"numerical methods for solving differential equations accurately",
	"getUserById returns the user object for the given id",
	"how are image layers unpacked into the snapshot",
	"rate limits for application commands in a channel",
	"memory management and paging in virtual memory systems",
	"what happens when the shim process exits unexpectedly",
}

var (
	bigDocsOnce  sync.Once
	bigDocs      []Doc
	bigIndexOnce sync.Once
	bigIndex     *Index
)

// docs100k returns 100,000 synthetic documents, made once per test binary.
func docs100k(tb testing.TB) []Doc {
	tb.Helper()
	bigDocsOnce.Do(func() {
		bigDocs = syntheticDocs(textFragments(tb), 100_000, 1)
	})
	if bigDocs == nil {
		tb.Fatal("making the synthetic documents failed in an earlier benchmark")
	}
	return bigDocs
}

// index100k returns a shared index of docs100k, built once per test binary.
func index100k(tb testing.TB) (*Index, []Doc) {
	tb.Helper()
	docs := docs100k(tb)
	bigIndexOnce.Do(func() {
		bigIndex = New(Params{})
		bigIndex.Upsert(docs...)
	})
	return bigIndex, docs
}
