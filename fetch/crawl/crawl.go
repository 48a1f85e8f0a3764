// Package crawl discovers and downloads the pages of an HTML documentation
// site: from an explicit URL list, from the site's sitemap (sitemap indexes
// and gzip included), or by a breadth-first crawl that stays on the start
// URL's host and under its path prefix. It honours robots.txt, caps pages,
// depth and concurrency, retries failing pages, and sends conditional
// requests so unchanged pages are not downloaded again.
package crawl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gndhq/gnd/fetch"
)

// Request selects the source of pages. URLs, when not empty, is the
// explicit page list. Otherwise UseSitemap selects the sitemap, else a crawl
// from Start.
type Request struct {
	Start      string
	URLs       []string
	UseSitemap bool
}

// Previous holds the validators and content hash that the last successful
// sync stored for a page.
type Previous struct {
	Validators  fetch.Validators
	ContentHash string
}

// Options configure a crawl. Zero values take the documented defaults.
type Options struct {
	Client *fetch.Client
	// MaxPages caps the pages fetched; default 1000.
	MaxPages int
	// MaxDepth caps link depth from the start page in crawl mode; default 10.
	MaxDepth int
	// Concurrency is the number of requests in flight to the host; default 4.
	Concurrency int
	// IgnoreRobots turns off robots.txt checks (honoured by default).
	IgnoreRobots bool
	// Filter, when not nil, decides by the URL path without its leading
	// slash whether a page is indexed (include and exclude patterns).
	Filter func(relPath string) bool
	// Previous holds the stored validators and hashes by normalised URL.
	Previous map[string]Previous
	// PageRetries is how often a page that failed with a 5xx, 429 or network
	// error is tried again; default 2. RetryDelay is the first delay,
	// doubled per retry; default 200ms.
	PageRetries int
	RetryDelay  time.Duration
	// Progress, when not nil, is called after every page.
	Progress func(Progress)
}

// Progress counts a crawl's pages so far.
type Progress struct {
	Fetched    int // pages requested so far, including 304 responses and failures
	Discovered int // pages queued so far, in scope
	OutOfScope int // links outside the host or path prefix
}

// Page is a page that was downloaded or confirmed unchanged.
type Page struct {
	URL         string // normalised URL, the page's identity
	FetchedURL  string // final URL after redirects
	Body        []byte // empty when NotModified
	ContentType string
	Validators  fetch.Validators
	ContentHash string // SHA-256 of Body; the stored hash when NotModified
	// NotModified reports a 304, or a body whose hash equals the stored one.
	NotModified bool
}

// Failure is a page or sitemap that could not be fetched.
type Failure struct {
	URL        string
	StatusCode int
	Err        string
	// Gone reports a 404 or 410: the page no longer exists.
	Gone bool
}

// Skip is a discovered page that was deliberately not fetched.
type Skip struct {
	URL    string
	Reason string
}

// Result is the outcome of a crawl.
type Result struct {
	Pages      []Page
	Failures   []Failure
	Skipped    []Skip
	OutOfScope int
	// Scope is the host and path prefix a crawl stayed in, anchored after
	// the start URL's first redirect.
	Scope Scope
}

const excludedReason = "excluded by include_patterns or exclude_patterns"

// ErrNoPages is returned when discovery found no page to fetch.
var ErrNoPages = errors.New("no pages found")

type crawler struct {
	opt    Options
	robots *Robots
	scope  Scope
	res    *Result
	mu     sync.Mutex
	seen   map[string]bool // Key of every URL queued or fetched
	// copyOf maps the Key of a page dropped as a copy to the Key of its
	// canonical URL.
	copyOf map[string]string
	queued int
	done   int
	// conditional sends stored validators. A crawl does not, because it
	// needs every page's body to find its links; unchanged pages are then
	// recognised by their content hash.
	conditional bool
	// crawling is set for a link crawl; excluded holds the Key of pages
	// that patterns exclude but that a crawl reads for their links.
	crawling bool
	excluded map[string]bool
	// requestURL maps a normalised URL to the form it was discovered in,
	// without fragment. That form is requested, because a server need not
	// serve "/docs/" the way it serves "/docs/index.html".
	requestURL map[string]string
}

// Run discovers and fetches the pages. It returns an error only when
// nothing could be fetched (the start page, the sitemap or every page
// failed) or ctx ended. Single failing pages are listed in Result.Failures.
func Run(ctx context.Context, req Request, opt Options) (*Result, error) {
	if opt.MaxPages <= 0 {
		opt.MaxPages = 1000
	}
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = 10
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.PageRetries == 0 {
		opt.PageRetries = 2
	}
	if opt.RetryDelay <= 0 {
		opt.RetryDelay = 200 * time.Millisecond
	}
	c := &crawler{opt: opt, res: &Result{}, seen: map[string]bool{}, copyOf: map[string]string{}, requestURL: map[string]string{}, excluded: map[string]bool{}}
	start := req.Start
	if start == "" && len(req.URLs) > 0 {
		start = req.URLs[0]
	}
	scope, err := NewScope(start)
	if err != nil {
		return nil, fmt.Errorf("invalid start URL %q: %w", start, err)
	}
	c.scope = scope
	if !opt.IgnoreRobots {
		c.robots = c.loadRobots(ctx, start)
	}
	switch {
	case len(req.URLs) > 0:
		err = c.fetchList(ctx, req.URLs, false)
	case req.UseSitemap:
		err = c.fromSitemap(ctx, start)
	default:
		c.crawling = true
		err = c.crawl(ctx, start)
	}
	c.res.Scope = c.scope
	if err != nil {
		return c.res, err
	}
	if ctx.Err() != nil {
		return c.res, ctx.Err()
	}
	if len(c.res.Pages) == 0 {
		return c.res, c.allFailed()
	}
	return c.res, nil
}

// allFailed explains why no page was fetched.
func (c *crawler) allFailed() error {
	if len(c.res.Failures) == 0 {
		return ErrNoPages
	}
	f := c.res.Failures[0]
	if f.StatusCode != 0 {
		return &fetch.StatusError{URL: f.URL, StatusCode: f.StatusCode, Status: f.Err}
	}
	return fmt.Errorf("all %d pages failed; first: %s: %s", len(c.res.Failures), f.URL, f.Err)
}

func (c *crawler) loadRobots(ctx context.Context, start string) *Robots {
	u, err := url.Parse(start)
	if err != nil {
		return nil
	}
	resp, err := c.opt.Client.Get(ctx, u.Scheme+"://"+u.Host+"/robots.txt", fetch.Validators{})
	if err != nil {
		return nil // no robots.txt, or unreachable: everything is allowed
	}
	return ParseRobots(resp.Body, "gnd")
}

// admit checks a discovered URL and marks it seen. It returns the
// normalised URL, or "" when the page is not to be fetched.
func (c *crawler) admit(raw string, checkScope bool) string {
	n := Normalize(raw)
	if n == "" {
		return ""
	}
	key := Key(n)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[key] {
		return ""
	}
	c.seen[key] = true
	if checkScope && !c.scope.Contains(n) {
		c.res.OutOfScope++
		return ""
	}
	if IsAsset(n) {
		return ""
	}
	if c.opt.Filter != nil && !c.opt.Filter(RelativePath(n)) {
		if !c.crawling {
			c.res.Skipped = append(c.res.Skipped, Skip{URL: n, Reason: excludedReason})
			return ""
		}
		// A crawl still reads an excluded page for its links; the page
		// itself is left out of the result after discovery.
		c.excluded[Key(n)] = true
	}
	if c.robots != nil {
		u, _ := url.Parse(n)
		if !c.robots.Allowed(u.RequestURI()) {
			c.res.Skipped = append(c.res.Skipped, Skip{URL: n, Reason: "disallowed by robots.txt"})
			return ""
		}
	}
	if c.queued >= c.opt.MaxPages {
		c.res.Skipped = append(c.res.Skipped, Skip{URL: n, Reason: fmt.Sprintf("page cap of %d reached", c.opt.MaxPages)})
		return ""
	}
	c.queued++
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil {
		u.Fragment, u.RawFragment = "", ""
		c.requestURL[n] = u.String()
	}
	return n
}

func (c *crawler) report() {
	if c.opt.Progress == nil {
		return
	}
	c.mu.Lock()
	p := Progress{Fetched: c.done, Discovered: c.queued, OutOfScope: c.res.OutOfScope}
	c.mu.Unlock()
	c.opt.Progress(p)
}

func hashBody(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
