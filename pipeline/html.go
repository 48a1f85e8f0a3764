package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/fetch"
	"github.com/gndhq/gnd/fetch/crawl"
	"github.com/gndhq/gnd/parse/htmldoc"
	"github.com/gndhq/gnd/store"
)

// HTML ingests a docs source with docs_format "html": pages from doc_urls,
// the sitemap or a crawl, main content as markdown, one chunk per section.
type HTML struct {
	Client *fetch.Client
	// MaxPages, MaxDepth and Concurrency are the server defaults, which a
	// source's settings may override. Zero values take the crawl defaults:
	// 1000 pages, depth 10 and 4 requests at once.
	MaxPages, MaxDepth, Concurrency int
	// Filter compiles a source's include and exclude patterns.
	Filter func(include, exclude []string) (func(string) bool, error)
}

// Fetch discovers and downloads the pages. Pages that did not change since
// the last sync (304 or the same content hash) and pages that failed keep
// their stored chunks. Pages that returned 404 or 410 lose them.
func (h *HTML) Fetch(ctx context.Context, t *Task) (*Fetched, error) {
	src := t.Source
	opt := crawl.Options{Client: h.Client, MaxPages: pick(src.Settings.MaxPages, h.MaxPages),
		MaxDepth: pick(src.Settings.MaxDepth, h.MaxDepth), Concurrency: pick(src.Settings.Concurrency, h.Concurrency),
		Previous: map[string]crawl.Previous{}}
	if src.Settings.RespectRobots != nil && !*src.Settings.RespectRobots {
		opt.IgnoreRobots = true
	}
	if h.Filter != nil && (len(src.IncludePatterns) > 0 || len(src.ExcludePatterns) > 0) {
		filter, err := h.Filter(src.IncludePatterns, src.ExcludePatterns)
		if err != nil {
			return nil, Permanent(fmt.Errorf("invalid include or exclude pattern: %w", err))
		}
		opt.Filter = filter
	}
	for u, st := range t.PrevState {
		opt.Previous[u] = crawl.Previous{Validators: fetch.Validators{ETag: st.ETag, LastModified: st.LastModified}, ContentHash: st.ContentHash}
	}
	crawling := len(src.DocURLs) == 0 && !src.UseSitemap
	opt.Progress = func(p crawl.Progress) {
		details := map[string]int{"files_fetched": p.Fetched, "total_files": p.Discovered, "skipped_out_of_scope": p.OutOfScope}
		// A crawl keeps finding pages, so its fraction stays below 1 until
		// the queue is empty; a list or sitemap has its size up front.
		fraction := float64(p.Fetched) / float64(max(p.Discovered, 1))
		if crawling {
			fraction = float64(p.Fetched) / float64(p.Discovered+10)
		}
		t.Progress.Update(ctx, details, fmt.Sprintf("Fetched %d of %d pages found so far", p.Fetched, p.Discovered), 0, fraction)
	}
	req := crawl.Request{Start: src.URL, URLs: src.DocURLs, UseSitemap: src.UseSitemap}
	res, err := crawl.Run(ctx, req, opt)
	if err != nil {
		return nil, err
	}
	t.Progress.Update(ctx, map[string]int{"files_fetched": len(res.Pages) + len(res.Failures), "total_files": len(res.Pages) + len(res.Failures),
		"skipped_out_of_scope": res.OutOfScope}, "", 0, 1)
	return h.fetched(t, res), nil
}

func pick(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// fetched turns a crawl result into the fetch stage's output.
func (h *HTML) fetched(t *Task, res *crawl.Result) *Fetched {
	f := &Fetched{ItemNoun: "pages", State: []store.FetchState{}}
	for _, p := range res.Pages {
		f.State = append(f.State, store.FetchState{URL: p.URL, ETag: p.Validators.ETag, LastModified: p.Validators.LastModified, ContentHash: p.ContentHash})
		if p.NotModified {
			f.Keep = append(f.Keep, p.URL)
			f.KeptFiles++
			continue
		}
		f.Documents = append(f.Documents, Document{URL: p.FetchedURL, Path: p.URL, Body: p.Body, ContentType: p.ContentType,
			Validators: p.Validators, Hash: p.ContentHash})
	}
	for _, fail := range res.Failures {
		f.Failures = append(f.Failures, gnd.Failure{URL: fail.URL, StatusCode: fail.StatusCode, Error: fail.Err})
		if fail.Gone {
			continue
		}
		// Keep the last good index of a page that failed this time.
		f.Keep = append(f.Keep, fail.URL)
		if prev, ok := t.PrevState[fail.URL]; ok {
			f.State = append(f.State, prev)
			f.KeptFiles++
		}
	}
	for _, s := range res.Skipped {
		f.Skipped = append(f.Skipped, gnd.Skip{URL: s.URL, Reason: s.Reason})
	}
	return f
}

// Parse decodes each page, skips bodies that are not HTML, and extracts the
// main content as markdown.
func (h *HTML) Parse(ctx context.Context, t *Task, f *Fetched) (*Parsed, error) {
	p := &Parsed{}
	total := len(f.Documents)
	for i, doc := range f.Documents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if ok, reason := htmldoc.Sniff(doc.Body, doc.ContentType); !ok {
			f.Skipped = append(f.Skipped, gnd.Skip{URL: doc.Path, Reason: reason})
			continue
		}
		text, _, err := htmldoc.Decode(doc.Body, doc.ContentType)
		if err != nil {
			f.Failures = append(f.Failures, gnd.Failure{URL: doc.Path, Error: "decode: " + err.Error()})
			continue
		}
		page, err := htmldoc.Extract(doc.URL, text)
		if err != nil {
			f.Failures = append(f.Failures, gnd.Failure{URL: doc.Path, Error: "extract: " + err.Error()})
			continue
		}
		if page.Markdown == "" {
			f.Skipped = append(f.Skipped, gnd.Skip{URL: doc.Path, Reason: "no main content found"})
			continue
		}
		title := page.Title
		if title == "" {
			title = doc.Path
		}
		p.Docs = append(p.Docs, ParsedDoc{Path: doc.Path, Title: title, Markdown: page.Markdown,
			VersionRef: shortHash(doc.Hash), Language: "markdown", ChunkType: gnd.ChunkDocs})
		t.Progress.Update(ctx, map[string]int{"files_parsed": i + 1, "total_files": total}, "", i+1, float64(i+1)/float64(max(total, 1)))
	}
	p.FileCount = len(p.Docs) + f.KeptFiles
	p.VersionRef = siteVersion(f.State)
	if len(p.Docs) == 0 && len(f.Keep) == 0 {
		return nil, Permanent(fmt.Errorf("no page had HTML content to index (%d skipped)", len(f.Skipped)))
	}
	return p, nil
}

// siteVersion is a hash over every indexed page's URL and content hash, so
// the source's version_ref changes exactly when a page does.
func siteVersion(state []store.FetchState) string {
	lines := make([]string, 0, len(state))
	for _, s := range state {
		lines = append(lines, s.URL+" "+s.ContentHash)
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:8])
}

// shortHash is a content hash cut to 16 hex digits for citations.
func shortHash(h string) string {
	return h[:min(len(h), 16)]
}
