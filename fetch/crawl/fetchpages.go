package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gndhq/gnd/fetch"
)

// fetchList fetches an explicit list of pages. Pages of a list are not
// limited to the scope, but they must be on the start URL's host unless
// anyHost.
func (c *crawler) fetchList(ctx context.Context, urls []string, anyHost bool) error {
	var todo []string
	for _, raw := range urls {
		if n := c.admit(raw, false); n != "" {
			if !anyHost && !sameHost(n, c.scope) {
				c.mu.Lock()
				c.res.OutOfScope++
				c.queued--
				c.mu.Unlock()
				continue
			}
			todo = append(todo, n)
		}
	}
	c.report()
	c.conditional = true
	c.fetchAll(ctx, todo, func(Page, []byte) {})
	return nil
}

func sameHost(normalized string, s Scope) bool {
	n := Normalize(normalized)
	return n != "" && Scope{Host: s.Host, Prefix: "/"}.Contains(n)
}

// fetchAll fetches pages with bounded concurrency and calls visit with each
// page whose body was downloaded, for link discovery.
func (c *crawler) fetchAll(ctx context.Context, urls []string, visit func(Page, []byte)) {
	sem := make(chan struct{}, c.opt.Concurrency)
	var wg sync.WaitGroup
	for _, u := range urls {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			page, body, ok := c.fetchPage(ctx, u, c.conditional)
			if ok {
				visit(page, body)
			}
		})
	}
	wg.Wait()
}

// fetchPage downloads one page with retries and records the outcome. It
// returns the page and, when a body was downloaded, the body for link
// discovery. conditional sends the stored validators.
func (c *crawler) fetchPage(ctx context.Context, u string, conditional bool) (Page, []byte, bool) {
	prev := c.opt.Previous[u]
	v := fetch.Validators{}
	if conditional {
		v = prev.Validators
	}
	c.mu.Lock()
	target := c.requestURL[u]
	c.mu.Unlock()
	if target == "" {
		target = u
	}
	resp, err := c.getWithRetries(ctx, target, v)
	c.mu.Lock()
	c.done++
	c.mu.Unlock()
	defer c.report()
	if err != nil {
		if ctx.Err() == nil {
			c.recordFailure(u, err)
		}
		return Page{}, nil, false
	}
	page := Page{URL: u, FetchedURL: resp.URL, ContentType: resp.Header.Get("Content-Type"), Validators: resp.Validators}
	if resp.NotModified {
		page.NotModified, page.ContentHash = true, prev.ContentHash
		if page.Validators == (fetch.Validators{}) {
			page.Validators = prev.Validators
		}
		c.addPage(page)
		return page, nil, true
	}
	page.Body, page.ContentHash = resp.Body, hashBody(resp.Body)
	if prev.ContentHash != "" && prev.ContentHash == page.ContentHash {
		page.NotModified = true
	}
	c.addPage(page)
	return page, resp.Body, true
}

func (c *crawler) addPage(p Page) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.res.Pages = append(c.res.Pages, p)
}

func (c *crawler) recordFailure(u string, err error) {
	f := Failure{URL: u, Err: err.Error()}
	var status *fetch.StatusError
	if errors.As(err, &status) {
		f.StatusCode, f.Err = status.StatusCode, status.Status
		f.Gone = status.StatusCode == http.StatusNotFound || status.StatusCode == http.StatusGone
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.res.Failures = append(c.res.Failures, f)
}

// getWithRetries retries 5xx, 429 and network errors with doubling delays.
func (c *crawler) getWithRetries(ctx context.Context, u string, v fetch.Validators) (*fetch.Response, error) {
	delay := c.opt.RetryDelay
	var lastErr error
	for attempt := 0; attempt <= c.opt.PageRetries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(delay):
			}
			delay *= 2
		}
		resp, err := c.opt.Client.Get(ctx, u, v)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if !retryablePageError(err) || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func retryablePageError(err error) bool {
	var status *fetch.StatusError
	if errors.As(err, &status) {
		return status.StatusCode >= 500 || status.StatusCode == http.StatusTooManyRequests
	}
	var tooLarge *fetch.TooLargeError
	return !errors.As(err, &tooLarge) && !errors.Is(err, fetch.ErrBlockedAddress) && !errors.Is(err, fetch.ErrTooManyRedirects)
}

// fromSitemap reads the sitemap (robots.txt Sitemap lines, else
// sitemap.xml under the start folder, else at the site root), follows
// sitemap indexes up to three levels, and fetches the listed pages on the
// start URL's host.
func (c *crawler) fromSitemap(ctx context.Context, start string) error {
	var roots []string
	if c.robots != nil {
		roots = append(roots, c.robots.Sitemaps...)
	}
	base := c.scope.Scheme + "://" + c.scope.Host
	roots = append(roots, base+c.scope.Prefix+"sitemap.xml")
	if c.scope.Prefix != "/" {
		roots = append(roots, base+"/sitemap.xml")
	}
	var pages []string
	var firstErr error
	found := false
	for _, root := range roots {
		list, err := c.readSitemap(ctx, root, 0)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		pages, found = list, true
		break
	}
	if !found {
		return fmt.Errorf("read sitemap: %w", firstErr)
	}
	return c.fetchList(ctx, pages, false)
}

func (c *crawler) readSitemap(ctx context.Context, u string, depth int) ([]string, error) {
	resp, err := c.opt.Client.Get(ctx, u, fetch.Validators{})
	if err != nil {
		return nil, err
	}
	pages, children, err := parseSitemap(resp.URL, resp.Body, c.opt.Client.MaxBytes())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	for _, child := range children {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if depth >= 3 {
			c.res.Failures = append(c.res.Failures, Failure{URL: child, Err: "sitemap index nested deeper than 3 levels"})
			continue
		}
		list, err := c.readSitemap(ctx, child, depth+1)
		if err != nil {
			c.recordFailure(child, err)
			continue
		}
		pages = append(pages, list...)
	}
	return pages, nil
}
