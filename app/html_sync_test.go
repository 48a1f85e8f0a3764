package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

const pymdownPublic = "https://facelessuser.github.io/pymdown-extensions/"

// pymdownFixture serves the pymdown site on loopback with its sitemaps
// rewritten to the loopback address.
func pymdownFixture(t testing.TB) (*gndtest.Fixture, []string) {
	t.Helper()
	dir := testcorpus.Path(t, "html", "pymdown-extensions-site")
	fx := gndtest.NewFixture(t, dir)
	raw, err := os.ReadFile(filepath.Join(dir, "sitemap.xml"))
	gndtest.Must(t, err, "read sitemap")
	local := strings.ReplaceAll(string(raw), pymdownPublic, fx.URL+"/")
	fx.Set("/sitemap.xml", []byte(local))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(local))
	zw.Close()
	fx.Set("/sitemap.xml.gz", gz.Bytes())
	var pages []string
	for _, line := range strings.Split(local, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "<loc>") {
			pages = append(pages, strings.TrimSuffix(strings.TrimPrefix(line, "<loc>"), "</loc>"))
		}
	}
	return fx, pages
}

// indexedPages returns the distinct citation paths of a source's chunks.
func indexedPages(t *testing.T, srv *gndtest.Server, sourceID string) []string {
	t.Helper()
	chunks, err := srv.App.DB.Chunks(context.Background(), sourceID)
	gndtest.Must(t, err, "read chunks")
	set := map[string]bool{}
	for _, c := range chunks {
		set[c.Path] = true
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func TestHTMLSiteSyncModes(t *testing.T) {
	fx, sitemapPages := pymdownFixture(t)
	if len(sitemapPages) != 48 {
		t.Fatalf("sitemap lists %d pages, want 48", len(sitemapPages))
	}
	want := make([]string, 0, len(sitemapPages))
	for _, p := range sitemapPages {
		want = append(want, p)
	}
	sort.Strings(want)
	srv := gndtest.Start(t, gndtest.Options{})
	cases := []struct {
		name string
		body map[string]any
	}{
		{"sitemap", map[string]any{"use_sitemap": true}},
		{"crawl", map[string]any{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := map[string]any{"name": "pymdown " + c.name, "source_type": "docs", "url": fx.URL + "/"}
			for k, v := range c.body {
				body[k] = v
			}
			id := srv.CreateSource(body)
			job := srv.SyncAndWait(id)
			if job["status"] != "completed" {
				t.Fatalf("status %v: %v %v", job["status"], job["error_message"], job["error_details"])
			}
			got := indexedPages(t, srv, id)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("indexed %d pages, want the 48 sitemap pages\ngot:  %v\nwant: %v", len(got), got, want)
			}
			t.Logf("job: created %v, items_failed %v, items_skipped %v, failures %s", job["chunks_created"], job["items_failed"], job["items_skipped"], gndtest.Sprint(job["failures"]))
		})
	}
}
