package app_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/app"
	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

func TestHTMLDocURLsIndexExactlyThosePages(t *testing.T) {
	fx, pages := pymdownFixture(t)
	srv := gndtest.Start(t, gndtest.Options{})
	chosen := []string{pages[3], pages[10], pages[20]}
	stale := fx.URL + "/no/such/page/"
	id := srv.CreateSource(map[string]any{"name": "chosen", "source_type": "docs", "doc_urls": append(chosen, stale)})
	job := srv.SyncAndWait(id)
	if job["status"] != "completed" {
		t.Fatalf("status %v: %v", job["status"], job["error_message"])
	}
	got := indexedPages(t, srv, id)
	if strings.Join(got, " ") != strings.Join(sorted(chosen), " ") {
		t.Errorf("indexed %v, want exactly %v", got, chosen)
	}
	if job["items_failed"].(float64) != 1 {
		t.Errorf("items_failed %v, want 1 for the stale URL", job["items_failed"])
	}
	failures, _ := job["failures"].([]any)
	if len(failures) != 1 || failures[0].(map[string]any)["url"] != stale || failures[0].(map[string]any)["status_code"] != 404.0 {
		t.Errorf("failures %v, want the stale URL with status 404", failures)
	}
}

func sorted(list []string) []string {
	out := append([]string(nil), list...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestHTMLChunksAreCleanMarkdown(t *testing.T) {
	fx, _ := pymdownFixture(t)
	srv := gndtest.Start(t, gndtest.Options{})
	id := srv.CreateSource(map[string]any{"name": "pymdown", "source_type": "docs", "url": fx.URL + "/", "use_sitemap": true})
	if job := srv.SyncAndWait(id); job["status"] != "completed" {
		t.Fatalf("status %v: %v", job["status"], job["error_message"])
	}
	chunks, err := srv.App.DB.Chunks(context.Background(), id)
	gndtest.Must(t, err, "read chunks")
	tables, fences := 0, 0
	for _, c := range chunks {
		// Site chrome that every page carries must not reach a chunk.
		for _, chrome := range []string{"Made with", "Skip to content", "Back to top"} {
			if strings.Contains(c.Content, chrome) {
				t.Errorf("chunk %s of %s contains page chrome %q", c.Symbol, c.Path, chrome)
			}
		}
		if n := strings.Count(c.Content, "\n```"); n%2 != 0 && !strings.HasPrefix(c.Content, "```") {
			t.Errorf("chunk %s of %s has unbalanced code fences", c.Symbol, c.Path)
		}
		if strings.Contains(c.Content, "\n| --- |") || strings.Contains(c.Content, "| --- |") {
			tables++
		}
		if strings.Contains(c.Content, "```") {
			fences++
		}
		if c.Language != "markdown" || c.ChunkType != "docs" || len(c.VersionRef) != 16 {
			t.Errorf("chunk %s: language %q, chunk_type %q, version_ref %q", c.Symbol, c.Language, c.ChunkType, c.VersionRef)
		}
		if !strings.Contains(c.Symbol, " > ") && c.Symbol == "" {
			t.Errorf("chunk of %s has no heading path", c.Path)
		}
	}
	if tables == 0 || fences == 0 {
		t.Errorf("found %d chunks with tables and %d with code blocks; the site has both", tables, fences)
	}
}

func TestHTMLPartialFailures(t *testing.T) {
	fx := gndtest.NewFixture(t, "")
	var links []string
	for i := 1; i <= 24; i++ {
		links = append(links, fmt.Sprintf(`<li><a href="page%d.html">Page %d</a></li>`, i, i))
	}
	fx.Set("/site/index.html", []byte("<html><head><title>Home</title></head><body><main><h1>Home</h1><ul>"+strings.Join(links, "")+"</ul></main></body></html>"))
	for i := 1; i <= 24; i++ {
		fx.Set(fmt.Sprintf("/site/page%d.html", i), []byte(fmt.Sprintf(
			"<html><head><title>Page %d</title></head><body><main><h1>Page %d</h1><p>Topic number %d explains widget %d in detail.</p></main></body></html>", i, i, i, i)))
	}
	for i := 1; i <= 5; i++ {
		fx.SetStatus(fmt.Sprintf("/site/page%d.html", i), http.StatusForbidden)
	}
	srv := gndtest.Start(t, gndtest.Options{})
	id := srv.CreateSource(map[string]any{"name": "partial", "source_type": "docs", "url": fx.URL + "/site/"})
	job := srv.SyncAndWait(id)
	if job["status"] != "completed" {
		t.Fatalf("status %v: %v", job["status"], job["error_message"])
	}
	if job["items_failed"] != 5.0 {
		t.Errorf("items_failed %v, want 5", job["items_failed"])
	}
	failed := map[string]bool{}
	for _, f := range job["failures"].([]any) {
		m := f.(map[string]any)
		failed[m["url"].(string)] = m["status_code"] == 403.0
	}
	for i := 1; i <= 5; i++ {
		if !failed[fmt.Sprintf("%s/site/page%d.html", fx.URL, i)] {
			t.Errorf("page%d.html is not listed as failed with 403: %v", i, failed)
		}
	}
	if msg := job["progress_message"].(string); !strings.Contains(msg, "5") || !strings.Contains(msg, "pages failed") {
		t.Errorf("progress_message %q does not say how many pages failed", msg)
	}
	if got := len(indexedPages(t, srv, id)); got != 20 {
		t.Errorf("indexed %d pages, want 20 (index and 19 pages)", got)
	}

	// When every page fails, the job fails.
	fx.SetStatus("/all/index.html", http.StatusForbidden)
	allID := srv.CreateSource(map[string]any{"name": "all failing", "source_type": "docs", "url": fx.URL + "/all/index.html"})
	if job := srv.SyncAndWait(allID); job["status"] != "failed" || job["error_message"] != "Failed to fetch URL: 403 Forbidden" {
		t.Errorf("all pages failing: status %v, error %v, want failed with the 403", job["status"], job["error_message"])
	}
}

func TestHTMLSitemapIndexWithMalformedChild(t *testing.T) {
	fx, pages := pymdownFixture(t)
	var a, b strings.Builder
	for i, p := range pages {
		target := &a
		if i%2 == 1 {
			target = &b
		}
		fmt.Fprintf(target, "<url><loc>%s</loc></url>", p)
	}
	fx.Set("/docs-a.xml", []byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+a.String()+`</urlset>`))
	fx.Set("/docs-broken.xml", []byte(`<?xml version="1.0"?><urlset><url><loc>`+pages[1]))
	fx.Set("/sitemap.xml", []byte(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
		`<sitemap><loc>docs-a.xml</loc></sitemap><sitemap><loc>/docs-broken.xml</loc></sitemap></sitemapindex>`))
	srv := gndtest.Start(t, gndtest.Options{})
	id := srv.CreateSource(map[string]any{"name": "index", "source_type": "docs", "url": fx.URL + "/", "use_sitemap": true})
	job := srv.SyncAndWait(id)
	if job["status"] != "completed" {
		t.Fatalf("status %v: %v", job["status"], job["error_message"])
	}
	if got := len(indexedPages(t, srv, id)); got != 24 {
		t.Errorf("indexed %d pages, want the 24 of the good child sitemap", got)
	}
	failures, _ := job["failures"].([]any)
	if len(failures) != 1 || failures[0].(map[string]any)["url"] != fx.URL+"/docs-broken.xml" {
		t.Errorf("failures %v, want the malformed child sitemap", failures)
	}
}

func TestHTMLCrawlReportsOutOfScopeLinks(t *testing.T) {
	fx := gndtest.NewFixture(t, "")
	fx.Set("/guide/start/index.html", []byte(`<html><body><main><h1>Start</h1><p>Begin with the basics.</p>
		<a href="../install/">Install</a> <a href="../upgrade/">Upgrade</a> <a href="deep.html">Deeper</a></main></body></html>`))
	fx.Set("/guide/start/deep.html", []byte(`<html><body><main><h1>Deeper</h1><p>More about the basics.</p></main></body></html>`))
	fx.Set("/guide/install/index.html", []byte(`<html><body><main><h1>Install</h1><p>Sibling section.</p></main></body></html>`))
	fx.SetDelay("/guide/start/deep.html", 800*time.Millisecond)
	srv := gndtest.Start(t, gndtest.Options{})
	id := srv.CreateSource(map[string]any{"name": "one section", "source_type": "docs", "url": fx.URL + "/guide/start/"})
	jobID := srv.Sync(id)
	maxSkipped := 0.0
	deadline := time.Now().Add(time.Minute)
	for {
		job := srv.MustDo(200, "GET", "/jobs/"+jobID, nil)
		if d, ok := job["stage_details"].(map[string]any); ok && job["stage"] == "fetch" {
			if v, ok := d["skipped_out_of_scope"].(float64); ok && v > maxSkipped {
				maxSkipped = v
			}
		}
		if job["status"] == "completed" || job["status"] == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if maxSkipped != 2 {
		t.Errorf("stage_details.skipped_out_of_scope reached %v, want 2 (the two sibling sections)", maxSkipped)
	}
	want := []string{fx.URL + "/guide/start/", fx.URL + "/guide/start/deep.html"}
	if got := indexedPages(t, srv, id); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("indexed %v, want only the start section %v", got, want)
	}
}

func TestHTMLEncodingsAndSniffing(t *testing.T) {
	dir := testcorpus.Path(t, "html", "httpd-manual-bind-variants")
	fx := gndtest.NewFixture(t, "")
	for _, name := range []string{"bind.html.de", "bind.html.ko.euc-kr", "bind.html"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		gndtest.Must(t, err, "read "+name)
		fx.Set("/manual/"+strings.ReplaceAll(name, ".", "_")+".html", data)
	}
	srv := gndtest.Start(t, gndtest.Options{})
	urls := []string{fx.URL + "/manual/bind_html_de.html", fx.URL + "/manual/bind_html_ko_euc-kr.html", fx.URL + "/manual/bind_html.html"}
	id := srv.CreateSource(map[string]any{"name": "httpd", "source_type": "docs", "doc_urls": urls})
	job := srv.SyncAndWait(id)
	if job["status"] != "completed" {
		t.Fatalf("status %v: %v", job["status"], job["error_message"])
	}
	skipped, _ := job["skipped"].([]any)
	if len(skipped) != 1 || skipped[0].(map[string]any)["url"] != urls[2] || skipped[0].(map[string]any)["reason"] == "" {
		t.Errorf("skipped %v, want the type map with a reason", skipped)
	}
	chunks, err := srv.App.DB.Chunks(context.Background(), id)
	gndtest.Must(t, err, "read chunks")
	for _, c := range chunks {
		if strings.ContainsRune(c.Content, '\uFFFD') {
			t.Errorf("chunk %s of %s contains a replacement character", c.Symbol, c.Path)
		}
	}
	for _, q := range []struct{ query, path string }{{"Adressen", urls[0]}, {"가상호스트", urls[1]}} {
		resp := srv.Search(map[string]any{"query": q.query, "source_ids": []string{id}})
		r := gndtest.Results(resp)
		if len(r) == 0 || gndtest.Citation(r[0])["path"] != q.path {
			t.Errorf("search %q: want a first result from %s, got %v", q.query, q.path, r)
		}
	}
}

func TestHTMLResyncCountsAndDeletes(t *testing.T) {
	fx := gndtest.NewFixture(t, "")
	page := func(title, body string) []byte {
		return []byte("<html><head><title>" + title + "</title></head><body><nav>Menu</nav><main><h1>" + title + "</h1><p>" + body + "</p></main></body></html>")
	}
	fx.Set("/d/index.html", []byte(`<html><body><main><h1>Docs</h1><p>Start here for the quasar manual.</p><a href="a.html">A</a> <a href="b.html">B</a> <a href="c.html">C</a></main></body></html>`))
	fx.Set("/d/a.html", page("Alpha", "Alpha explains the zebrafish configuration."))
	fx.Set("/d/b.html", page("Beta", "Beta covers the marmoset deployment."))
	fx.Set("/d/c.html", page("Gamma", "Gamma lists the ocelot limits."))
	srv := gndtest.Start(t, gndtest.Options{})
	id := srv.CreateSource(map[string]any{"name": "small", "source_type": "docs", "url": fx.URL + "/d/"})
	first := srv.SyncAndWait(id)
	assertCounts(t, "first sync", first, 4, 0, 0)

	again := srv.SyncAndWait(id)
	assertCounts(t, "unchanged re-sync", again, 0, 0, 0)

	// Edit a, remove c, add d.
	fx.Set("/d/index.html", []byte(`<html><body><main><h1>Docs</h1><p>Start here for the quasar manual.</p><a href="a.html">A</a> <a href="b.html">B</a> <a href="d.html">D</a></main></body></html>`))
	fx.Set("/d/a.html", page("Alpha", "Alpha explains the zebrafish configuration and its defaults."))
	fx.SetStatus("/d/c.html", http.StatusNotFound)
	fx.Set("/d/d.html", page("Delta", "Delta describes the axolotl backups."))
	changed := srv.SyncAndWait(id)
	// The start page changed too (its link list), so two updates.
	assertCounts(t, "changed re-sync", changed, 1, 2, 1)
	if r := gndtest.Results(srv.Search(map[string]any{"query": "ocelot limits", "source_ids": []string{id}})); len(r) != 0 {
		t.Errorf("the removed page is still found: %v", r)
	}
	if r := gndtest.Results(srv.Search(map[string]any{"query": "axolotl backups", "source_ids": []string{id}})); len(r) == 0 {
		t.Error("the added page is not found")
	}
}

func TestHTMLCancelDuringCrawl(t *testing.T) {
	fx, _ := pymdownFixture(t)
	for _, p := range []string{"/faq/", "/installation/", "/usage_notes/", "/extensions/arithmatex/", "/extensions/b64/"} {
		fx.SetDelay(p, 5*time.Second)
	}
	var fetchStarted = make(chan struct{}, 1)
	srv := gndtest.Start(t, gndtest.Options{Setup: func(a *app.App) {
		a.Runner.Hooks.BeforeStage = func(ctx context.Context, job *gnd.Job, stage gnd.Stage) error {
			if stage == gnd.StageFetch {
				select {
				case fetchStarted <- struct{}{}:
				default:
				}
			}
			return nil
		}
	}})
	id := srv.CreateSource(map[string]any{"name": "pymdown", "source_type": "docs", "url": fx.URL + "/"})
	jobID := srv.Sync(id)
	<-fetchStarted
	time.Sleep(300 * time.Millisecond)
	requestsBefore := fx.Hits("/faq/")
	cancelledAt := time.Now()
	srv.MustDo(200, "POST", "/jobs/"+jobID+"/cancel", nil)
	// The worker stops: the job's status stays cancelled and the source's
	// index stays empty.
	time.Sleep(1500 * time.Millisecond)
	if job := srv.MustDo(200, "GET", "/jobs/"+jobID, nil); job["status"] != "cancelled" {
		t.Errorf("job status %v, want cancelled", job["status"])
	}
	if n := len(indexedPages(t, srv, id)); n != 0 {
		t.Errorf("a cancelled crawl indexed %d pages", n)
	}
	if hits := fx.Hits("/faq/"); hits > requestsBefore+1 {
		t.Errorf("the crawl kept fetching after the cancel")
	}
	if srv.App.Engine != nil {
		t.Logf("cancel took effect; %s since cancel", time.Since(cancelledAt).Round(time.Millisecond))
	}
}

func TestHTMLIncludeExcludePatterns(t *testing.T) {
	fx, _ := pymdownFixture(t)
	srv := gndtest.Start(t, gndtest.Options{})
	for _, sitemap := range []bool{true, false} {
		t.Run(fmt.Sprintf("sitemap=%v", sitemap), func(t *testing.T) {
			checkPatterns(t, srv, fx, sitemap)
		})
	}
}

func checkPatterns(t *testing.T, srv *gndtest.Server, fx *gndtest.Fixture, sitemap bool) {
	id := srv.CreateSource(map[string]any{"name": "extensions only", "source_type": "docs", "url": fx.URL + "/", "use_sitemap": sitemap,
		"include_patterns": []string{"extensions/**"}, "exclude_patterns": []string{"extensions/emoji/", "extensions/blocks/**"}})
	job := srv.SyncAndWait(id)
	if job["status"] != "completed" {
		t.Fatalf("status %v: %v", job["status"], job["error_message"])
	}
	pages := indexedPages(t, srv, id)
	if len(pages) == 0 {
		t.Fatal("no page indexed")
	}
	for _, p := range pages {
		rel := strings.TrimPrefix(p, fx.URL+"/")
		if !strings.HasPrefix(rel, "extensions/") || strings.HasPrefix(rel, "extensions/emoji/") || strings.HasPrefix(rel, "extensions/blocks/") {
			t.Errorf("indexed %s, which the patterns exclude", rel)
		}
	}
	if job["items_skipped"].(float64) == 0 {
		t.Error("items_skipped is 0; the excluded pages should be listed with a reason")
	}
	if src := srv.MustDo(200, "GET", "/sources/"+id, nil); src["version_ref"] == "" || src["version_ref"] == nil {
		t.Errorf("source version_ref is empty, want the site's content hash")
	}
}
