package lexical

import "math"

// maxTF is the largest term frequency a posting stores. Higher counts are
// clamped. Only a document of more than 65,535 terms can reach it, and BM25
// has nearly saturated in tf long before.
const maxTF = math.MaxUint16

// frontierMinPostings is the posting count from which a list keeps a
// frontier for its score bound. Shorter lists compute the bound by scanning,
// which costs about as much as reading the frontier.
const frontierMinPostings = 64

// postingList holds the documents that contain one term, in ascending
// ordinal order, with the term's frequency in each.
type postingList struct {
	docs []uint32
	tfs  []uint16
	// frontier holds the (tf, length) pairs that no other posting dominates
	// with a higher tf and a shorter length, sorted by tf and by length
	// ascending. Whatever the average document length, the list's highest
	// BM25 term score belongs to one of them, so the bound computed from them
	// stays valid as the average changes. Postings of dead documents keep
	// their points until compaction, which can only raise the bound. Lists
	// shorter than frontierMinPostings keep it empty.
	frontier []tfLength
}

// tfLength is a term frequency paired with a document length.
type tfLength struct {
	tf     uint32
	length uint32
}

// add appends a posting for doc, which must be larger than every ordinal in
// the list. lengths holds the length of every document by ordinal.
func (p *postingList) add(doc uint32, tf uint32, lengths []uint32) {
	p.docs = append(p.docs, doc)
	p.tfs = append(p.tfs, uint16(min(tf, maxTF)))
	switch {
	case len(p.docs) == frontierMinPostings:
		p.frontier = buildFrontier(p.docs, p.tfs, lengths)
	case len(p.docs) > frontierMinPostings:
		p.frontier = insertFrontier(p.frontier, tfLength{min(tf, maxTF), lengths[doc]})
	}
}

// buildFrontier returns the frontier of the given postings.
func buildFrontier(docs []uint32, tfs []uint16, lengths []uint32) []tfLength {
	var frontier []tfLength
	for i, d := range docs {
		frontier = insertFrontier(frontier, tfLength{uint32(tfs[i]), lengths[d]})
	}
	return frontier
}

// maxTermWeight returns the largest tf/(tf + c0 + c1·length) over the list's
// postings, the part of a BM25 term score that varies by document. lengths
// holds the length of every document by ordinal.
func (p *postingList) maxTermWeight(lengths []uint32, c0, c1 float64) float64 {
	best := 0.0
	if len(p.frontier) > 0 {
		for _, q := range p.frontier {
			best = max(best, termWeight(q.tf, q.length, c0, c1))
		}
		return best
	}
	for i, d := range p.docs {
		best = max(best, termWeight(uint32(p.tfs[i]), lengths[d], c0, c1))
	}
	return best
}

// termWeight returns tf/(tf + c0 + c1·length), the document-dependent factor
// of a BM25 term score.
func termWeight(tf, length uint32, c0, c1 float64) float64 {
	f := float64(tf)
	return f / (f + c0 + c1*float64(length))
}

// insertFrontier adds point to the frontier unless a point with at least its
// tf and at most its length is already there, and removes the points it
// dominates.
func insertFrontier(frontier []tfLength, point tfLength) []tfLength {
	for _, q := range frontier {
		if q.tf >= point.tf && q.length <= point.length {
			return frontier
		}
	}
	kept := frontier[:0]
	for _, q := range frontier {
		if q.tf <= point.tf && q.length >= point.length {
			continue
		}
		kept = append(kept, q)
	}
	at := len(kept)
	for i, q := range kept {
		if q.tf > point.tf {
			at = i
			break
		}
	}
	kept = append(kept, tfLength{})
	copy(kept[at+1:], kept[at:])
	kept[at] = point
	return kept
}
