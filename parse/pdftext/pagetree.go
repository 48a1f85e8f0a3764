package pdftext

import (
	"fmt"

	"github.com/ledongthuc/pdf"
)

const (
	// maxPages bounds the pages read from one document.
	maxPages = 100_000
	// maxTreeNodes bounds the page tree nodes visited, so a tree whose /Kids point back
	// to an ancestor ends instead of looping.
	maxTreeNodes = 2 * maxPages
	// maxTreeDepth bounds how deep the page tree and /Parent chains are followed.
	maxTreeDepth = 64
)

// pageTree returns the page objects of the document in page order. It walks the page
// tree itself, once, because the reader library walks it from the root for every page
// and has no guard against cycles.
func pageTree(r *pdf.Reader) (pages []pdf.Value, warnings []string, err error) {
	root := r.Trailer().Key("Root").Key("Pages")
	if root.Kind() != pdf.Dict {
		return nil, nil, fmt.Errorf("%w: the document catalog has no page tree", ErrMalformed)
	}

	visited := 0
	truncated, looped := false, false
	// Inner nodes are identified by their dictionary text, which lists their kids by
	// object number, because the reader library does not expose object numbers.
	seen := make(map[string]bool)
	var walk func(node pdf.Value, depth int)
	walk = func(node pdf.Value, depth int) {
		visited++
		if visited > maxTreeNodes || depth > maxTreeDepth || len(pages) >= maxPages {
			truncated = true
			return
		}
		kids := node.Key("Kids")
		kind := node.Key("Type").Name()
		if kind == "Page" || kind != "Pages" && kids.Kind() != pdf.Array {
			pages = append(pages, node)
			return
		}
		key := node.String()
		if seen[key] {
			looped = true
			return
		}
		seen[key] = true
		for i := 0; i < kids.Len() && !truncated; i++ {
			if kid := kids.Index(i); kid.Kind() == pdf.Dict {
				walk(kid, depth+1)
			}
		}
	}
	walk(root, 0)

	if truncated || looped {
		warnings = append(warnings, fmt.Sprintf("the page tree is too large or loops back on itself; %d pages are read", len(pages)))
	}
	if count := root.Key("Count").Int64(); count != int64(len(pages)) && !truncated && !looped {
		warnings = append(warnings, fmt.Sprintf("the page tree declares %d pages but contains %d; the %d found are read", count, len(pages), len(pages)))
	}
	if len(pages) == 0 {
		return nil, warnings, fmt.Errorf("%w: the page tree contains no pages", ErrMalformed)
	}
	return pages, warnings, nil
}

// inherited returns the value of key on the page or the nearest page tree node above
// it, as PDF does for /Resources.
func inherited(page pdf.Value, key string) pdf.Value {
	node := page
	for depth := 0; depth <= maxTreeDepth && node.Kind() == pdf.Dict; depth++ {
		if v := node.Key(key); !v.IsNull() {
			return v
		}
		node = node.Key("Parent")
	}
	return pdf.Value{}
}
