package crawl

import (
	"context"
	"fmt"
	"sync"
)

// crawl walks links breadth-first from start. The start page is fetched
// first and alone; when it redirects, the scope is anchored at the final URL.
func (c *crawler) crawl(ctx context.Context, start string) error {
	first := c.admit(start, false)
	if first == "" {
		reason := "robots.txt disallows it"
		if IsAsset(Normalize(start)) {
			reason = "its file type is not a page"
		}
		return fmt.Errorf("cannot crawl from %s: %s", start, reason)
	}
	page, body, ok := c.fetchPage(ctx, first, false)
	if !ok {
		return c.allFailed()
	}
	if final := Normalize(page.FetchedURL); final != "" && Key(final) != Key(first) {
		if s, err := NewScope(page.FetchedURL); err == nil {
			c.mu.Lock()
			c.scope = s
			c.seen[Key(final)] = true
			c.mu.Unlock()
		}
	}
	frontier := c.discover(page, body)
	c.report()
	for depth := 1; depth <= c.opt.MaxDepth && len(frontier) > 0 && ctx.Err() == nil; depth++ {
		var next []string
		var mu sync.Mutex
		c.fetchAll(ctx, frontier, func(p Page, b []byte) {
			links := c.discover(p, b)
			mu.Lock()
			next = append(next, links...)
			mu.Unlock()
			c.report()
		})
		frontier = next
	}
	c.dropCopies()
	return nil
}

// dropCopies removes pages that were read only for their links (excluded by
// patterns) and pages whose canonical page was fetched as well, so the
// content is indexed once, under its canonical URL. A copy whose canonical
// page could not be fetched stays.
func (c *crawler) dropCopies() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range append([]Page(nil), c.res.Pages...) {
		if c.excluded[Key(p.URL)] {
			c.dropPage(p.URL, excludedReason)
		}
	}
	kept := map[string]bool{}
	for _, p := range c.res.Pages {
		kept[Key(p.URL)] = true
	}
	for _, p := range append([]Page(nil), c.res.Pages...) {
		if canon, ok := c.copyOf[Key(p.URL)]; ok && kept[canon] {
			c.dropPage(p.URL, "duplicate of "+canon+" (same canonical URL)")
		}
	}
}

// discover returns the in-scope links of a fetched page that were not seen
// yet. A page whose canonical URL is another in-scope URL is a copy of that
// page: the canonical page is queued unless it was seen already, and the copy
// is dropped at the end if the canonical page was fetched.
func (c *crawler) discover(p Page, body []byte) []string {
	if body == nil {
		return nil
	}
	links := scanLinks(p.FetchedURL, body)
	var out []string
	canon := Normalize(links.Canonical)
	pageKey := Key(p.URL)
	if canon != "" && c.scope.Contains(canon) && Key(canon) != pageKey {
		c.mu.Lock()
		// Two pages that name each other canonical keep the first one.
		loop := c.copyOf[Key(canon)] == pageKey
		if !loop {
			c.copyOf[pageKey] = Key(canon)
		}
		c.mu.Unlock()
		if !loop {
			if n := c.admit(canon, true); n != "" {
				out = append(out, n)
			}
		}
	}
	for _, l := range links.Links {
		if n := c.admit(l, true); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// dropPage removes a fetched page from the result; the caller holds mu.
func (c *crawler) dropPage(u, reason string) {
	for i, p := range c.res.Pages {
		if p.URL == u {
			c.res.Pages = append(c.res.Pages[:i], c.res.Pages[i+1:]...)
			break
		}
	}
	c.res.Skipped = append(c.res.Skipped, Skip{URL: u, Reason: reason})
}
