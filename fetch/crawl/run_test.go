package crawl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gndhq/gnd/fetch"
)

// site is a small documentation site on a loopback httptest server. Pages
// are HTML bodies by path, and handlers replace a page with custom behaviour.
// Page responses carry an ETag and return 304 for a matching If-None-Match.
type site struct {
	*httptest.Server
	mu       sync.Mutex
	pages    map[string]string
	raw      map[string][]byte // non-HTML files such as robots.txt and sitemaps
	handlers map[string]http.HandlerFunc
	hits     map[string]int
	ifNone   map[string][]string // If-None-Match values received by path
}

func newSite(t *testing.T) *site {
	s := &site{pages: map[string]string{}, raw: map[string][]byte{}, handlers: map[string]http.HandlerFunc{},
		hits: map[string]int{}, ifNone: map[string][]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	if v := r.Header.Get("If-None-Match"); v != "" {
		s.ifNone[r.URL.Path] = append(s.ifNone[r.URL.Path], v)
	}
	h := s.handlers[r.URL.Path]
	page, isPage := s.pages[r.URL.Path]
	raw, isRaw := s.raw[r.URL.Path]
	s.mu.Unlock()
	switch {
	case h != nil:
		h(w, r)
	case isPage:
		etag := `"` + sha(page)[:16] + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	case isRaw:
		w.Write(raw)
	default:
		http.NotFound(w, r)
	}
}

func (s *site) page(path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = body
}

func (s *site) file(path string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw[path] = body
}

func (s *site) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[path] = h
}

func (s *site) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) ifNoneMatch(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ifNone[path]...)
}

// totalHits counts requests to paths with the prefix.
func (s *site) totalHits(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.hits {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

func sha(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// htmlPage returns a page with a title and links in document order.
func htmlPage(title string, links ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1>", title, title)
	for _, l := range links {
		fmt.Fprintf(&b, `<a href="%s">%s</a> `, l, l)
	}
	b.WriteString("</body></html>")
	return b.String()
}

// options returns crawl options for a loopback site with fast retries.
func options() Options {
	return Options{
		Client:      fetch.NewClient(fetch.Options{AllowPrivate: true, Timeout: 20 * time.Second}),
		Concurrency: 2,
		RetryDelay:  time.Millisecond,
	}
}

// pageURLs returns the sorted URLs of the result's pages.
func pageURLs(res *Result) []string {
	var out []string
	for _, p := range res.Pages {
		out = append(out, p.URL)
	}
	sort.Strings(out)
	return out
}

func pageByURL(res *Result, u string) (Page, bool) {
	for _, p := range res.Pages {
		if p.URL == u {
			return p, true
		}
	}
	return Page{}, false
}

func skipReasons(res *Result) map[string]string {
	out := map[string]string{}
	for _, s := range res.Skipped {
		out[s.URL] = s.Reason
	}
	return out
}

func equalStrings(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func TestRunListFetchesGivenPages(t *testing.T) {
	s := newSite(t)
	other := newSite(t)
	s.page("/docs/a", htmlPage("A"))
	s.page("/docs/b", htmlPage("B"))
	s.page("/blog/post", htmlPage("Post"))
	other.page("/docs/c", htmlPage("C"))

	req := Request{URLs: []string{s.URL + "/docs/a", s.URL + "/docs/b#section", s.URL + "/docs/a/", s.URL + "/blog/post", other.URL + "/docs/c"}}
	res, err := Run(t.Context(), req, options())
	if err != nil {
		t.Fatalf("Run list: %v", err)
	}
	want := []string{s.URL + "/blog/post", s.URL + "/docs/a", s.URL + "/docs/b"}
	if got := pageURLs(res); !equalStrings(got, want) {
		t.Errorf("pages = %q, expected %q", got, want)
	}
	if res.OutOfScope != 1 {
		t.Errorf("OutOfScope = %d, expected 1 for the page on another host", res.OutOfScope)
	}
	if n := other.totalHits("/"); n != 0 {
		t.Errorf("the other host received %d requests, expected none", n)
	}
	if n := s.hitCount("/docs/a"); n != 1 {
		t.Errorf("/docs/a was requested %d times, expected once (its duplicate is folded)", n)
	}
	if p, ok := pageByURL(res, s.URL+"/docs/a"); ok {
		if p.ContentHash != sha(htmlPage("A")) {
			t.Errorf("content hash of /docs/a is %s, expected the SHA-256 of its body", p.ContentHash)
		}
		if p.NotModified {
			t.Errorf("a page without a previous sync is marked NotModified")
		}
		if !strings.HasPrefix(p.ContentType, "text/html") {
			t.Errorf("content type is %q, expected text/html", p.ContentType)
		}
	}
}

func TestRunListConditionalGet(t *testing.T) {
	s := newSite(t)
	bodyA, bodyB := htmlPage("A"), htmlPage("B")
	s.page("/docs/a", bodyA)
	s.page("/docs/b", bodyB)
	etagA := `"` + sha(bodyA)[:16] + `"`

	opt := options()
	opt.Previous = map[string]Previous{
		s.URL + "/docs/a": {Validators: fetch.Validators{ETag: etagA}, ContentHash: "stored-hash-a"},
		// No validators, but the stored hash equals the body's hash.
		s.URL + "/docs/b": {ContentHash: sha(bodyB)},
	}
	res, err := Run(t.Context(), Request{URLs: []string{s.URL + "/docs/a", s.URL + "/docs/b"}}, opt)
	if err != nil {
		t.Fatalf("Run list: %v", err)
	}
	a, ok := pageByURL(res, s.URL+"/docs/a")
	if !ok {
		t.Fatalf("/docs/a missing from the result")
	}
	if got := s.ifNoneMatch("/docs/a"); len(got) != 1 || got[0] != etagA {
		t.Errorf("/docs/a was requested with If-None-Match %q, expected %q", got, etagA)
	}
	if !a.NotModified {
		t.Errorf("/docs/a answered 304 but is not marked NotModified")
	}
	if len(a.Body) != 0 {
		t.Errorf("/docs/a answered 304 but has a %d-byte body", len(a.Body))
	}
	if a.ContentHash != "stored-hash-a" {
		t.Errorf("/docs/a content hash is %q, expected the stored hash", a.ContentHash)
	}
	if a.Validators.ETag != etagA {
		t.Errorf("/docs/a validators are %+v, expected the ETag kept", a.Validators)
	}
	b, ok := pageByURL(res, s.URL+"/docs/b")
	if !ok {
		t.Fatalf("/docs/b missing from the result")
	}
	if !b.NotModified {
		t.Errorf("/docs/b has the stored content hash but is not marked NotModified")
	}
	if string(b.Body) != bodyB {
		t.Errorf("/docs/b was downloaded in full, so its body should be kept")
	}
}

func TestRunListFailuresAndGone(t *testing.T) {
	s := newSite(t)
	s.page("/docs/a", htmlPage("A"))
	s.handle("/docs/removed", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	s.handle("/docs/broken", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusInternalServerError) })
	s.handle("/docs/forbidden", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })

	opt := options()
	opt.PageRetries = 2
	urls := []string{s.URL + "/docs/a", s.URL + "/docs/missing", s.URL + "/docs/removed", s.URL + "/docs/broken", s.URL + "/docs/forbidden"}
	res, err := Run(t.Context(), Request{URLs: urls}, opt)
	if err != nil {
		t.Fatalf("Run with one good page: %v", err)
	}
	if got := pageURLs(res); !equalStrings(got, []string{s.URL + "/docs/a"}) {
		t.Errorf("pages = %q, expected only /docs/a", got)
	}
	failures := map[string]Failure{}
	for _, f := range res.Failures {
		failures[strings.TrimPrefix(f.URL, s.URL)] = f
	}
	for _, c := range []struct {
		path   string
		status int
		gone   bool
		hits   int
	}{
		{"/docs/missing", 404, true, 1},
		{"/docs/removed", 410, true, 1},
		{"/docs/broken", 500, false, 3},
		{"/docs/forbidden", 403, false, 1},
	} {
		f, ok := failures[c.path]
		if !ok {
			t.Errorf("%s is not listed in Failures", c.path)
			continue
		}
		if f.StatusCode != c.status {
			t.Errorf("%s failure has status %d, expected %d", c.path, f.StatusCode, c.status)
		}
		if f.Gone != c.gone {
			t.Errorf("%s failure has Gone=%v, expected %v", c.path, f.Gone, c.gone)
		}
		if n := s.hitCount(c.path); n != c.hits {
			t.Errorf("%s was requested %d times, expected %d", c.path, n, c.hits)
		}
	}
}

func TestRunRetriesRecoveringPage(t *testing.T) {
	s := newSite(t)
	var mu sync.Mutex
	calls := 0
	s.handle("/docs/flaky", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, htmlPage("Flaky"))
	})
	opt := options()
	opt.PageRetries = 2
	res, err := Run(t.Context(), Request{URLs: []string{s.URL + "/docs/flaky"}}, opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Failures) != 0 {
		t.Errorf("a page that recovered on its third try is listed in Failures: %+v", res.Failures)
	}
	if _, ok := pageByURL(res, s.URL+"/docs/flaky"); !ok {
		t.Errorf("the recovered page is missing from the result")
	}
	if n := s.hitCount("/docs/flaky"); n != 3 {
		t.Errorf("the page was requested %d times, expected 3 (two 503s and a success)", n)
	}
}

func TestRunAllPagesFailed(t *testing.T) {
	s := newSite(t)
	_, err := Run(t.Context(), Request{URLs: []string{s.URL + "/docs/missing"}}, options())
	var se *fetch.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("Run where every page is missing returned %v, expected a *fetch.StatusError", err)
	}
	if se.StatusCode != http.StatusNotFound {
		t.Errorf("status error has code %d, expected 404", se.StatusCode)
	}
}

func TestRunSitemapFromRobots(t *testing.T) {
	s := newSite(t)
	other := newSite(t)
	s.file("/robots.txt", []byte("User-agent: *\nDisallow: /docs/private/\nSitemap: "+s.URL+"/maps/index.xml\n"))
	s.file("/maps/index.xml", []byte(`<sitemapindex><sitemap><loc>`+s.URL+`/maps/pages.xml.gz</loc></sitemap>`+
		`<sitemap><loc>more.xml</loc></sitemap></sitemapindex>`))
	s.file("/maps/pages.xml.gz", gzipBytes(t, []byte(`<urlset><url><loc>`+s.URL+`/docs/a</loc></url>`+
		`<url><loc>`+s.URL+`/docs/private/secret</loc></url><url><loc>`+other.URL+`/docs/elsewhere</loc></url></urlset>`)))
	s.file("/maps/more.xml", []byte(`<urlset><url><loc>/docs/b</loc></url></urlset>`))
	s.page("/docs/a", htmlPage("A"))
	s.page("/docs/b", htmlPage("B"))
	s.page("/docs/private/secret", htmlPage("Secret"))
	s.page("/docs/", htmlPage("Home", "/docs/unlisted"))
	s.page("/docs/unlisted", htmlPage("Unlisted"))
	other.page("/docs/elsewhere", htmlPage("Elsewhere"))

	res, err := Run(t.Context(), Request{Start: s.URL + "/docs/", UseSitemap: true}, options())
	if err != nil {
		t.Fatalf("Run sitemap: %v", err)
	}
	want := []string{s.URL + "/docs/a", s.URL + "/docs/b"}
	if got := pageURLs(res); !equalStrings(got, want) {
		t.Errorf("pages = %q, expected the sitemap's pages %q", got, want)
	}
	if reason := skipReasons(res)[s.URL+"/docs/private/secret"]; reason != "disallowed by robots.txt" {
		t.Errorf("the disallowed sitemap page has skip reason %q, expected \"disallowed by robots.txt\"", reason)
	}
	if n := s.hitCount("/docs/private/secret"); n != 0 {
		t.Errorf("the disallowed page was requested %d times", n)
	}
	if n := other.totalHits("/"); n != 0 {
		t.Errorf("a sitemap page on another host was requested %d times", n)
	}
	if res.OutOfScope != 1 {
		t.Errorf("OutOfScope = %d, expected 1 for the page on another host", res.OutOfScope)
	}
	if n := s.hitCount("/docs/unlisted"); n != 0 {
		t.Errorf("sitemap mode followed links to an unlisted page (%d requests)", n)
	}
}

func TestRunSitemapFallbacks(t *testing.T) {
	t.Run("start folder", func(t *testing.T) {
		s := newSite(t)
		s.file("/docs/sitemap.xml", []byte(`<urlset><url><loc>a</loc></url></urlset>`))
		s.page("/docs/a", htmlPage("A"))
		res, err := Run(t.Context(), Request{Start: s.URL + "/docs/", UseSitemap: true}, options())
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if got := pageURLs(res); !equalStrings(got, []string{s.URL + "/docs/a"}) {
			t.Errorf("pages = %q, expected the page of /docs/sitemap.xml", got)
		}
	})
	t.Run("site root", func(t *testing.T) {
		s := newSite(t)
		s.file("/sitemap.xml", []byte(`<urlset><url><loc>/docs/b</loc></url></urlset>`))
		s.page("/docs/b", htmlPage("B"))
		res, err := Run(t.Context(), Request{Start: s.URL + "/docs/", UseSitemap: true}, options())
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if got := pageURLs(res); !equalStrings(got, []string{s.URL + "/docs/b"}) {
			t.Errorf("pages = %q, expected the page of /sitemap.xml", got)
		}
		if n := s.hitCount("/docs/sitemap.xml"); n != 1 {
			t.Errorf("/docs/sitemap.xml was tried %d times before the root, expected once", n)
		}
	})
	t.Run("none", func(t *testing.T) {
		s := newSite(t)
		_, err := Run(t.Context(), Request{Start: s.URL + "/docs/", UseSitemap: true}, options())
		if err == nil || !strings.Contains(err.Error(), "sitemap") {
			t.Errorf("Run without any sitemap returned %v, expected an error about the sitemap", err)
		}
	})
}

// linkSite serves /docs/ linking to n pages /docs/p0 … /docs/p(n-1).
func linkSite(t *testing.T, n int) *site {
	s := newSite(t)
	var links []string
	for i := range n {
		p := fmt.Sprintf("/docs/p%d", i)
		links = append(links, p)
		s.page(p, htmlPage(p))
	}
	s.page("/docs/", htmlPage("Home", links...))
	return s
}

func TestRunCrawlPageCap(t *testing.T) {
	s := linkSite(t, 10)
	opt := options()
	opt.MaxPages = 4
	res, err := Run(t.Context(), Request{Start: s.URL + "/docs/"}, opt)
	if err != nil {
		t.Fatalf("Run crawl: %v", err)
	}
	if len(res.Pages) != 4 {
		t.Errorf("crawl fetched %d pages, expected the cap of 4", len(res.Pages))
	}
	capped := 0
	for _, sk := range res.Skipped {
		if sk.Reason == "page cap of 4 reached" {
			capped++
		}
	}
	if capped != 7 {
		t.Errorf("%d pages are skipped for the page cap, expected 7", capped)
	}
	if n := s.totalHits("/docs/p"); n != 3 {
		t.Errorf("%d linked pages were requested, expected 3", n)
	}
}

func TestRunCrawlDepthCap(t *testing.T) {
	s := newSite(t)
	s.page("/docs/", htmlPage("Depth 0", "d1"))
	s.page("/docs/d1", htmlPage("Depth 1", "d2"))
	s.page("/docs/d2", htmlPage("Depth 2", "d3"))
	s.page("/docs/d3", htmlPage("Depth 3", "d4"))
	s.page("/docs/d4", htmlPage("Depth 4"))
	opt := options()
	opt.MaxDepth = 2
	res, err := Run(t.Context(), Request{Start: s.URL + "/docs/"}, opt)
	if err != nil {
		t.Fatalf("Run crawl: %v", err)
	}
	want := []string{s.URL + "/docs/", s.URL + "/docs/d1", s.URL + "/docs/d2"}
	if got := pageURLs(res); !equalStrings(got, want) {
		t.Errorf("pages = %q, expected depth 0 to 2: %q", got, want)
	}
	if n := s.hitCount("/docs/d3"); n != 0 {
		t.Errorf("a page at depth 3 was requested %d times with MaxDepth 2", n)
	}
}

func TestRunCrawlScope(t *testing.T) {
	s := newSite(t)
	other := newSite(t)
	s.page("/docs/", htmlPage("Home", "guide", "/docs/guide/deep", "/blog/", other.URL+"/docs/x", "mailto:a@b.test", "style.css", "#top"))
	s.page("/docs/guide", htmlPage("Guide"))
	s.page("/docs/guide/deep", htmlPage("Deep"))
	s.page("/blog/", htmlPage("Blog"))
	res, err := Run(t.Context(), Request{Start: s.URL + "/docs/"}, options())
	if err != nil {
		t.Fatalf("Run crawl: %v", err)
	}
	want := []string{s.URL + "/docs/", s.URL + "/docs/guide", s.URL + "/docs/guide/deep"}
	if got := pageURLs(res); !equalStrings(got, want) {
		t.Errorf("pages = %q, expected %q", got, want)
	}
	if res.OutOfScope != 2 {
		t.Errorf("OutOfScope = %d, expected 2 (the sibling folder and the other host)", res.OutOfScope)
	}
	if n := s.hitCount("/blog/"); n != 0 {
		t.Errorf("the out-of-scope folder was requested %d times", n)
	}
	if n := other.totalHits("/"); n != 0 {
		t.Errorf("another host was requested %d times", n)
	}
	if n := s.hitCount("/docs/style.css"); n != 0 {
		t.Errorf("a stylesheet was requested %d times", n)
	}
}

func TestRunCrawlRobots(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("ignore=%v", ignore), func(t *testing.T) {
			s := newSite(t)
			s.file("/robots.txt", []byte("User-agent: *\nDisallow: /docs/private/\n"))
			s.page("/docs/", htmlPage("Home", "public", "private/secret"))
			s.page("/docs/public", htmlPage("Public"))
			s.page("/docs/private/secret", htmlPage("Secret"))
			opt := options()
			opt.IgnoreRobots = ignore
			res, err := Run(t.Context(), Request{Start: s.URL + "/docs/"}, opt)
			if err != nil {
				t.Fatalf("Run crawl: %v", err)
			}
			_, fetched := pageByURL(res, s.URL+"/docs/private/secret")
			reason := skipReasons(res)[s.URL+"/docs/private/secret"]
			if ignore {
				if !fetched {
					t.Errorf("with robots.txt ignored, the disallowed page was not fetched")
				}
				if n := s.hitCount("/robots.txt"); n != 0 {
					t.Errorf("robots.txt was requested %d times although it is ignored", n)
				}
				return
			}
			if fetched {
				t.Errorf("a page disallowed by robots.txt was fetched")
			}
			if reason != "disallowed by robots.txt" {
				t.Errorf("skip reason is %q, expected \"disallowed by robots.txt\"", reason)
			}
			if n := s.hitCount("/docs/private/secret"); n != 0 {
				t.Errorf("the disallowed page was requested %d times", n)
			}
		})
	}
}

func TestRunCrawlStartDisallowed(t *testing.T) {
	s := newSite(t)
	s.file("/robots.txt", []byte("User-agent: gnd\nDisallow: /\n"))
	s.page("/docs/", htmlPage("Home"))
	_, err := Run(t.Context(), Request{Start: s.URL + "/docs/"}, options())
	if err == nil {
		t.Fatalf("a crawl whose start page robots.txt disallows succeeded")
	}
	if n := s.hitCount("/docs/"); n != 0 {
		t.Errorf("the disallowed start page was requested %d times", n)
	}
}

// TestRunCrawlFilter checks that patterns decide what is indexed, while a
// crawl still follows links through excluded pages.
func TestRunCrawlFilter(t *testing.T) {
	s := newSite(t)
	s.page("/docs/", htmlPage("Home", "guide/a", "drafts/b"))
	s.page("/docs/guide/a", htmlPage("A"))
	s.page("/docs/drafts/b", htmlPage("B"))
	opt := options()
	var seen []string
	var mu sync.Mutex
	opt.Filter = func(rel string) bool {
		mu.Lock()
		seen = append(seen, rel)
		mu.Unlock()
		return !strings.HasPrefix(rel, "docs/drafts/")
	}
	res, err := Run(t.Context(), Request{Start: s.URL + "/docs/"}, opt)
	if err != nil {
		t.Fatalf("Run crawl: %v", err)
	}
	if _, ok := pageByURL(res, s.URL+"/docs/guide/a"); !ok {
		t.Errorf("an included page is missing")
	}
	if reason := skipReasons(res)[s.URL+"/docs/drafts/b"]; reason != "excluded by include_patterns or exclude_patterns" {
		t.Errorf("excluded page has skip reason %q", reason)
	}
	if _, ok := pageByURL(res, s.URL+"/docs/drafts/b"); ok {
		t.Errorf("an excluded page is in the result")
	}
	// A crawl reads an excluded page once, for its links.
	if n := s.hitCount("/docs/drafts/b"); n > 1 {
		t.Errorf("an excluded page was requested %d times", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if !equalStrings(sortedStrings(seen), []string{"docs/drafts/b", "docs/guide/a", "docs/index.html"}) {
		t.Errorf("the filter saw paths %q, expected paths without the leading slash, a folder naming its index page", seen)
	}
}

func sortedStrings(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

func TestRunCrawlCanonicalDuplicate(t *testing.T) {
	canonical := func(href string) string {
		return `<html><head><link rel="canonical" href="` + href + `"></head><body><p>Same text</p></body></html>`
	}
	for _, c := range []struct {
		name  string
		links []string
	}{
		{"canonical linked first", []string{"a", "a-print"}},
		{"duplicate linked first", []string{"a-print", "a"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSite(t)
			s.page("/docs/", htmlPage("Home", c.links...))
			s.page("/docs/a", canonical("/docs/a"))
			s.page("/docs/a-print", canonical(s.URL+"/docs/a"))
			opt := options()
			// One request at a time makes the order of pages that of the links.
			opt.Concurrency = 1
			res, err := Run(t.Context(), Request{Start: s.URL + "/docs/"}, opt)
			if err != nil {
				t.Fatalf("Run crawl: %v", err)
			}
			_, keptCanonical := pageByURL(res, s.URL+"/docs/a")
			_, keptDuplicate := pageByURL(res, s.URL+"/docs/a-print")
			if keptDuplicate {
				t.Errorf("the page whose canonical URL is /docs/a was kept as a page of its own")
			}
			if !keptCanonical {
				t.Errorf("the canonical page /docs/a is missing from the result")
			}
			dropped := 0
			for _, sk := range res.Skipped {
				if strings.Contains(sk.Reason, "same canonical URL") {
					dropped++
				}
			}
			if dropped != 1 {
				t.Errorf("%d pages are skipped as duplicates of a canonical URL, expected 1", dropped)
			}
		})
	}
}

func TestRunCrawlRedirectAnchorsScope(t *testing.T) {
	s := newSite(t)
	s.handle("/start", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/docs/guide/", http.StatusFound)
	})
	s.page("/docs/guide/", htmlPage("Guide", "intro", "/docs/guide/", "/docs/other", "/start-here"))
	s.page("/docs/guide/intro", htmlPage("Intro"))
	s.page("/docs/other", htmlPage("Other"))
	s.page("/start-here", htmlPage("Start here"))

	res, err := Run(t.Context(), Request{Start: s.URL + "/start"}, options())
	if err != nil {
		t.Fatalf("Run crawl: %v", err)
	}
	if res.Scope.Prefix != "/docs/guide/" {
		t.Errorf("scope prefix after the start URL redirected is %q, expected /docs/guide/", res.Scope.Prefix)
	}
	if _, ok := pageByURL(res, s.URL+"/docs/guide/intro"); !ok {
		t.Errorf("a page under the redirect target is missing")
	}
	if n := s.hitCount("/docs/other"); n != 0 {
		t.Errorf("a page outside the redirect target's folder was requested %d times", n)
	}
	if n := s.hitCount("/start-here"); n != 0 {
		t.Errorf("a page in the start URL's original folder was requested %d times", n)
	}
	if n := s.hitCount("/docs/guide/"); n != 1 {
		t.Errorf("the redirect target was requested %d times, expected once", n)
	}
	if len(res.Pages) != 2 {
		t.Errorf("crawl returned %d pages, expected 2 (the start page and intro)", len(res.Pages))
	}
}

func TestRunCrawlUnchangedByHash(t *testing.T) {
	s := newSite(t)
	home := htmlPage("Home", "a")
	s.page("/docs/", home)
	s.page("/docs/a", htmlPage("A"))
	opt := options()
	etag := `"` + sha(home)[:16] + `"`
	opt.Previous = map[string]Previous{s.URL + "/docs/": {Validators: fetch.Validators{ETag: etag}, ContentHash: sha(home)}}
	res, err := Run(t.Context(), Request{Start: s.URL + "/docs/"}, opt)
	if err != nil {
		t.Fatalf("Run crawl: %v", err)
	}
	if got := s.ifNoneMatch("/docs/"); len(got) != 0 {
		t.Errorf("a crawl sent If-None-Match %q, expected unconditional requests so links can be found", got)
	}
	p, ok := pageByURL(res, s.URL+"/docs/")
	if !ok {
		t.Fatalf("the start page is missing")
	}
	if !p.NotModified {
		t.Errorf("a page whose hash equals the stored one is not marked NotModified")
	}
	if _, ok := pageByURL(res, s.URL+"/docs/a"); !ok {
		t.Errorf("links of an unchanged page were not followed")
	}
}

func TestRunCrawlStopsOnCancel(t *testing.T) {
	s := linkSite(t, 40)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	opt := options()
	opt.Concurrency = 2
	const cancelAfter = 3
	opt.Progress = func(p Progress) {
		if p.Fetched >= cancelAfter {
			cancel()
		}
	}
	done := make(chan struct{})
	var res *Result
	var err error
	go func() {
		defer close(done)
		res, err = Run(ctx, Request{Start: s.URL + "/docs/"}, opt)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("Run did not return within 30s of its context being cancelled")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v after cancel, expected context.Canceled", err)
	}
	if res == nil {
		t.Fatalf("Run returned no partial result")
	}
	// Requests already in flight may finish, but no new ones start.
	if n := s.totalHits("/docs/p"); n > cancelAfter-1+opt.Concurrency {
		t.Errorf("%d linked pages were requested after cancelling at %d fetched, expected at most %d",
			n, cancelAfter, cancelAfter-1+opt.Concurrency)
	}
}

func TestRunCrawlCanonicalUnreachable(t *testing.T) {
	// A page names a canonical URL in scope that does not exist. Its content
	// must still be indexed under one of the two URLs.
	s := newSite(t)
	s.page("/docs/", htmlPage("Home", "copy"))
	s.page("/docs/copy", `<html><head><link rel="canonical" href="/docs/moved"></head><body><p>Only copy</p></body></html>`)
	res, err := Run(t.Context(), Request{Start: s.URL + "/docs/"}, options())
	if err != nil {
		t.Fatalf("Run crawl: %v", err)
	}
	_, keptCopy := pageByURL(res, s.URL+"/docs/copy")
	_, keptCanonical := pageByURL(res, s.URL+"/docs/moved")
	if !keptCopy && !keptCanonical {
		t.Errorf("the page's content is lost: its canonical URL failed (%+v) and the page itself was dropped (%+v)", res.Failures, res.Skipped)
	}
}
