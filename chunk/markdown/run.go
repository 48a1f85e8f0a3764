package markdown

// run is a group of consecutive items, first to last inclusive, with its
// rendered text and size.
type run struct {
	first, last int
	text        string
	tokens      int
}

// pack groups n items greedily into runs that fit MaxTokens. A run is
// estimated as overhead plus its items' sizes plus one line break between
// items. A run that fails the exact check drops items from its end, and a
// single item over the limit is a run on its own. Item i starts a new run
// when separate(i) is true. A last run below MinTokens then takes items
// from the run before it, so a split does not end in a fragment.
func (c *chunker) pack(n int, size func(int) int, overhead int, separate func(int) bool, render func(a, b int) string) []run {
	estimate := func(first, last int) int {
		total := overhead
		for i := first; i <= last; i++ {
			total += size(i)
		}
		return total + (last-first)*c.size.joint
	}
	var runs []run
	for first := 0; first < n; {
		last := first
		total := overhead + size(first)
		for last+1 < n && !separate(last+1) && total+c.size.joint+size(last+1) <= c.opt.MaxTokens {
			last++
			total += c.size.joint + size(last)
		}
		text := render(first, last)
		tokens, ok := c.size.fits(text, total)
		for !ok && last > first {
			last--
			text = render(first, last)
			tokens, ok = c.size.fits(text, estimate(first, last))
		}
		runs = append(runs, run{first: first, last: last, text: text, tokens: tokens})
		first = last + 1
	}
	return c.rebalance(runs, estimate, separate, render)
}

// rebalance moves items from the second-to-last run into a last run that
// is below MinTokens, while both stay within the limits.
func (c *chunker) rebalance(runs []run, estimate func(int, int) int, separate func(int) bool, render func(a, b int) string) []run {
	for len(runs) >= 2 {
		prev, last := runs[len(runs)-2], runs[len(runs)-1]
		if last.tokens >= c.opt.MinTokens || prev.first == prev.last || separate(last.first) {
			break
		}
		grown := run{first: prev.last, last: last.last, text: render(prev.last, last.last)}
		var ok bool
		if grown.tokens, ok = c.size.fits(grown.text, estimate(grown.first, grown.last)); !ok {
			break
		}
		shrunk := run{first: prev.first, last: prev.last - 1, text: render(prev.first, prev.last-1)}
		shrunk.tokens, _ = c.size.fits(shrunk.text, estimate(shrunk.first, shrunk.last))
		if shrunk.tokens < c.opt.MinTokens {
			break
		}
		runs[len(runs)-2], runs[len(runs)-1] = shrunk, grown
	}
	return runs
}
