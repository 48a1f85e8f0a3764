package markdown

import "strings"

// merge joins parts below MinTokens with a neighbour when the result fits
// MaxTokens. The neighbour that shares more of the heading path goes first,
// the next one on a tie. Parts sit in a linked list while merging, so that
// a document with thousands of tiny sections merges in linear time.
func (c *chunker) merge(parts []part) []part {
	if c.opt.MinTokens <= 0 || len(parts) < 2 {
		return parts
	}
	n := len(parts)
	next := make([]int, n)
	prev := make([]int, n)
	for i := range parts {
		next[i], prev[i] = i+1, i-1
	}
	next[n-1] = -1
	remove := func(i int) {
		if prev[i] >= 0 {
			next[prev[i]] = next[i]
		}
		if next[i] >= 0 {
			prev[next[i]] = prev[i]
		}
	}
	// tryJoin merges part b into part a, which comes right before it.
	tryJoin := func(a, b int) bool {
		merged, ok := c.join(parts[a], parts[b])
		if ok {
			parts[a] = merged
			remove(b)
		}
		return ok
	}

	for i := 0; i >= 0; {
		if parts[i].tokens >= c.opt.MinTokens || (prev[i] < 0 && next[i] < 0) {
			i = next[i]
			continue
		}
		p, q := prev[i], next[i]
		nextFirst := q >= 0 && (p < 0 || sharedPrefix(parts[i].path, parts[q].path) >= sharedPrefix(parts[i].path, parts[p].path))
		switch {
		case nextFirst && tryJoin(i, q):
			// Part i grew and is checked again.
		case p >= 0 && tryJoin(p, i):
			i = next[p]
		case !nextFirst && q >= 0 && tryJoin(i, q):
		default:
			i = next[i]
		}
	}

	var out []part
	for i := 0; i >= 0; i = next[i] {
		out = append(out, parts[i])
	}
	return out
}

// join returns a and b as one part, with the input lines between them,
// and false when the result would exceed MaxTokens or when a and b are
// pieces of the same split code block or table.
func (c *chunker) join(a, b part) (part, bool) {
	if a.splitTail && b.splitHead {
		return part{}, false
	}
	var text strings.Builder
	text.WriteString(a.text)
	text.WriteByte('\n')
	for gap := a.end + 1; gap < b.start; gap++ {
		text.WriteString(c.doc.lines[gap])
		text.WriteByte('\n')
	}
	text.WriteString(b.text)
	tokens, ok := c.size.fits(text.String(), a.tokens+c.size.joint+b.tokens)
	if !ok {
		return part{}, false
	}
	shared := sharedPrefix(a.path, b.path)
	return part{
		path:      a.path[:shared:shared],
		start:     a.start,
		end:       b.end,
		text:      text.String(),
		tokens:    tokens,
		splitHead: a.splitHead,
		splitTail: b.splitTail,
	}, true
}

// sharedPrefix returns how many leading elements a and b have in common.
func sharedPrefix(a, b []string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
