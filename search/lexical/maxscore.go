package lexical

import (
	"math"
	"math/bits"
	"slices"
)

// endOfList is the document ordinal of an exhausted cursor. Real ordinals are
// always smaller.
const endOfList = math.MaxUint32

// cursor walks one query term's posting list.
type cursor struct {
	docs   []uint32
	tfs    []uint16
	pos    int
	weight float64 // idf · (k1 + 1) · query count
	bound  float64 // highest score the term can add to any document
	slot   int     // index of the term in the sorted query terms
}

// doc returns the current document ordinal, or endOfList.
func (c *cursor) doc() uint32 {
	if c.pos < len(c.docs) {
		return c.docs[c.pos]
	}
	return endOfList
}

// advance moves the cursor to the first posting with an ordinal ≥ target,
// galloping then binary searching so that a long skip costs O(log distance).
func (c *cursor) advance(target uint32) {
	lo := c.pos
	if lo >= len(c.docs) || c.docs[lo] >= target {
		return
	}
	step := 1
	hi := lo + step
	for hi < len(c.docs) && c.docs[hi] < target {
		lo = hi
		step *= 2
		hi = lo + step
	}
	hi = min(hi, len(c.docs))
	// Invariant: docs[lo] < target, and docs[hi] ≥ target or hi == len.
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if c.docs[mid] < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	c.pos = hi
}

// windowSize is the number of consecutive ordinals scored together. Its
// accumulators (32 KiB) stay in the L1 cache.
const windowSize = 4096

// run fills s.heap with the top k documents. It applies MaxScore pruning,
// scoring term at a time inside windows of consecutive ordinals. Cursors are
// sorted by score bound. The lowest-bound cursors whose bounds add up to
// less than the current k-th score are non-essential: a document that only
// they contain cannot enter the top k, so only the essential cursors
// produce candidates. The split is revised between windows.
func (s *searcher) run(ix *Index, k int) {
	s.heap.reset(k)
	threshold := math.Inf(-1)
	essential := 0
	cursors := s.cursors
	for {
		start := uint32(endOfList)
		for i := essential; i < len(cursors); i++ {
			start = min(start, cursors[i].doc())
		}
		if start == endOfList {
			return
		}
		threshold = s.scoreWindow(ix, start, essential, threshold)
		for essential < len(cursors) && s.prefix[essential] < threshold {
			essential++
		}
		if essential == len(cursors) {
			return
		}
	}
}

// scoreWindow scores the documents in [start, start+windowSize) and offers
// them to the heap. The essential cursors add their scores to every document
// they contain, which makes those documents the window's candidates. Then,
// from the highest bound down, each non-essential cursor adds its scores to
// the candidates that can still beat threshold. It returns the new threshold
// and leaves the window cleared.
func (s *searcher) scoreWindow(ix *Index, start uint32, essential int, threshold float64) float64 {
	end := uint32(min(uint64(start)+windowSize, endOfList))
	for i := essential; i < len(s.cursors); i++ {
		s.accumulate(&s.cursors[i], start, end, ix.lengths)
	}
	s.collectCandidates(ix, start)
	for i := essential - 1; i >= 0 && len(s.candidates) > 0; i-- {
		// s.prefix[i] bounds what cursors i … 0 can still add.
		c := &s.cursors[i]
		expected := len(c.docs) * int(end-start) / max(len(ix.ids), 1)
		if len(s.candidates)*probeCost < expected {
			s.pruneAndProbe(c, start, s.prefix[i], threshold, ix.lengths)
		} else {
			s.prune(s.prefix[i], threshold)
			c.advance(start)
			s.accumulateTouched(c, start, end, ix.lengths)
		}
	}
	return s.offerCandidates(ix, start, threshold)
}

// probeCost estimates the cost of probing a cursor for one candidate, a
// gallop with unpredictable branches, relative to merging one posting. It
// decides between probing a non-essential cursor per candidate and merging
// its postings into the window.
const probeCost = 4

// accumulate adds c's scores for the documents in [start, end) to the window
// and moves c past them.
func (s *searcher) accumulate(c *cursor, start, end uint32, lengths []uint32) {
	docs, tfs, pos := c.docs, c.tfs, c.pos
	weight, c0, c1 := c.weight, s.c0, s.c1
	for ; pos < len(docs); pos++ {
		doc := docs[pos]
		if doc >= end {
			break
		}
		offset := (doc - start) % windowSize
		tf := float64(tfs[pos])
		s.acc[offset] += weight * tf / (tf + c0 + c1*float64(lengths[doc]))
		s.touched[offset/64] |= 1 << (offset % 64)
	}
	c.pos = pos
}

// accumulateTouched is accumulate restricted to the window's candidates.
func (s *searcher) accumulateTouched(c *cursor, start, end uint32, lengths []uint32) {
	docs, tfs, pos := c.docs, c.tfs, c.pos
	weight, c0, c1 := c.weight, s.c0, s.c1
	for ; pos < len(docs); pos++ {
		doc := docs[pos]
		if doc >= end {
			break
		}
		offset := (doc - start) % windowSize
		if s.touched[offset/64]&(1<<(offset%64)) != 0 {
			tf := float64(tfs[pos])
			s.acc[offset] += weight * tf / (tf + c0 + c1*float64(lengths[doc]))
		}
	}
	c.pos = pos
}

// collectCandidates lists the window offsets that the essential cursors
// touched, in ascending order, dropping dead documents and documents
// outside the allowed groups.
func (s *searcher) collectCandidates(ix *Index, start uint32) {
	s.candidates = s.candidates[:0]
	if ix.deadCount == 0 && len(s.allowed) == 0 {
		for w, word := range &s.touched {
			for ; word != 0; word &= word - 1 {
				s.candidates = append(s.candidates, uint16(w*64+bits.TrailingZeros64(word)))
			}
		}
		return
	}
	for w := range s.touched {
		word := s.touched[w]
		for rest := word; rest != 0; rest &= rest - 1 {
			bit := bits.TrailingZeros64(rest)
			offset := uint16(w*64 + bit)
			if s.admits(ix, start+uint32(offset)) {
				s.candidates = append(s.candidates, offset)
				continue
			}
			word &^= 1 << bit
			s.acc[offset] = 0
		}
		s.touched[w] = word
	}
}

// pruneAndProbe removes the candidates whose score plus rest cannot reach
// threshold, and adds c's scores to the others, advancing c to each.
func (s *searcher) pruneAndProbe(c *cursor, start uint32, rest, threshold float64, lengths []uint32) {
	kept := s.candidates[:0]
	for _, offset := range s.candidates {
		offset &= windowSize - 1
		if s.acc[offset]+rest < threshold {
			s.touched[offset/64] &^= 1 << (offset % 64)
			s.acc[offset] = 0
			continue
		}
		kept = append(kept, offset)
		doc := start + uint32(offset)
		c.advance(doc)
		if c.doc() == doc {
			s.acc[offset] += c.weight * termWeight(uint32(c.tfs[c.pos]), lengths[doc], s.c0, s.c1)
		}
	}
	s.candidates = kept
}

// prune removes the candidates whose score plus rest cannot reach threshold.
func (s *searcher) prune(rest, threshold float64) {
	kept := s.candidates[:0]
	for _, offset := range s.candidates {
		offset &= windowSize - 1
		if s.acc[offset]+rest >= threshold {
			kept = append(kept, offset)
			continue
		}
		s.touched[offset/64] &^= 1 << (offset % 64)
		s.acc[offset] = 0
	}
	s.candidates = kept
}

// offerCandidates offers the candidates to the heap, clears the window and
// returns the new threshold.
func (s *searcher) offerCandidates(ix *Index, start uint32, threshold float64) float64 {
	for _, offset := range s.candidates {
		offset &= windowSize - 1
		score := s.acc[offset]
		s.acc[offset] = 0
		s.touched[offset/64] = 0
		if score >= threshold && s.heap.offer(ix, heapEntry{doc: start + uint32(offset), score: score}) {
			threshold = s.heap.threshold()
		}
	}
	s.candidates = s.candidates[:0]
	return threshold
}

// admits reports whether doc is live and in an allowed group.
func (s *searcher) admits(ix *Index, doc uint32) bool {
	if ix.isDead(doc) {
		return false
	}
	return len(s.allowed) == 0 || s.allowed[ix.groupOf[doc]]
}

// rescore recomputes the score of every heap entry by summing its term
// scores in query-term order, so that a document's score does not depend on
// the order in which the search added them up.
func (s *searcher) rescore(ix *Index) {
	for e := range s.heap.entries {
		entry := &s.heap.entries[e]
		clear(s.contrib)
		for i := range s.cursors {
			c := &s.cursors[i]
			if at, found := slices.BinarySearch(c.docs, entry.doc); found {
				s.contrib[c.slot] = c.weight * termWeight(uint32(c.tfs[at]), ix.lengths[entry.doc], s.c0, s.c1)
			}
		}
		entry.score = 0
		for _, v := range s.contrib {
			entry.score += v
		}
	}
}

// heapEntry is a scored candidate.
type heapEntry struct {
	doc   uint32
	score float64
}

// better reports whether a ranks above b: a higher score, or an equal score
// and a smaller ID.
func (ix *Index) better(a, b heapEntry) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return ix.ids[a.doc] < ix.ids[b.doc]
}

// topK is a bounded min-heap whose root is the worst of the best k entries.
type topK struct {
	entries []heapEntry
	k       int
}

// reset empties the heap and sets its capacity to k.
func (h *topK) reset(k int) {
	h.entries = h.entries[:0]
	h.k = k
}

// threshold returns the score a candidate must reach to enter a full heap,
// or -Inf while the heap has room.
func (h *topK) threshold() float64 {
	if len(h.entries) < h.k {
		return math.Inf(-1)
	}
	return h.entries[0].score
}

// offer adds e when the heap has room or e ranks above the root, and reports
// whether the heap changed.
func (h *topK) offer(ix *Index, e heapEntry) bool {
	if len(h.entries) < h.k {
		h.entries = append(h.entries, e)
		for i := len(h.entries) - 1; i > 0; {
			parent := (i - 1) / 2
			if !ix.better(h.entries[parent], h.entries[i]) {
				break
			}
			h.entries[parent], h.entries[i] = h.entries[i], h.entries[parent]
			i = parent
		}
		return true
	}
	if !ix.better(e, h.entries[0]) {
		return false
	}
	h.entries[0] = e
	for i := 0; ; {
		worst, left, right := i, 2*i+1, 2*i+2
		if left < len(h.entries) && ix.better(h.entries[worst], h.entries[left]) {
			worst = left
		}
		if right < len(h.entries) && ix.better(h.entries[worst], h.entries[right]) {
			worst = right
		}
		if worst == i {
			return true
		}
		h.entries[i], h.entries[worst] = h.entries[worst], h.entries[i]
		i = worst
	}
}
