package lexical

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
)

// DefaultK is the number of hits Search returns when SearchOptions.K is not
// positive.
const DefaultK = 10

// boundSlack inflates score bounds so that floating-point rounding in a sum
// of term scores can never make pruning drop a document that belongs in the
// top K.
const boundSlack = 1 + 1e-9

// Hit is a search result.
type Hit struct {
	ID    string
	Score float64 // BM25 score, higher is better
}

// SearchOptions select what Search returns.
type SearchOptions struct {
	K      int      // maximum number of hits; DefaultK when not positive
	Groups []string // only documents of these groups; nil or empty means all
}

// queryTerm is a distinct query term with its number of occurrences.
type queryTerm struct {
	term  string
	count int
}

// queryTermCounts returns the distinct terms of query with their counts,
// sorted by term.
func queryTermCounts(query string) []queryTerm {
	var all []string
	a := getAnalyzer()
	a.analyze(query, func(term string) { all = append(all, term) })
	putAnalyzer(a)
	slices.Sort(all)
	var terms []queryTerm
	for i, term := range all {
		if i > 0 && term == all[i-1] {
			terms[len(terms)-1].count++
			continue
		}
		terms = append(terms, queryTerm{term, 1})
	}
	return terms
}

// Search returns the K documents with the highest BM25 score for query,
// best first, with equal scores ordered by ID. A document matches when it
// contains at least one query term. A query term occurring n times counts n
// times. Search returns nil when nothing matches, and reflects every
// Upsert and Delete that returned before it started.
func (ix *Index) Search(query string, opt SearchOptions) []Hit {
	terms := queryTermCounts(query)
	if len(terms) == 0 {
		return nil
	}
	k := opt.K
	if k <= 0 {
		k = DefaultK
	}

	s := searcherPool.Get().(*searcher)
	defer s.release()

	// A search never blocks, so without a yield one goroutine could run many
	// searches in a row until the Go scheduler preempts it (after 10 ms as of
	// Go 1.26), while other searches wait. Yielding once per search lets
	// concurrent searches take turns when the CPUs are saturated. The yield
	// comes before the read lock, so it never delays a waiting writer.
	runtime.Gosched()

	ix.mu.RLock()
	defer ix.mu.RUnlock()

	k = min(k, len(ix.byID))
	if k == 0 || !s.prepare(ix, terms, opt.Groups) {
		return nil
	}
	s.run(ix, k)
	s.rescore(ix)
	return s.hits(ix)
}

// Score returns the BM25 score for query of each of the documents ids, the
// same score Search gives them. Unknown documents and documents that match
// no query term are left out.
func (ix *Index) Score(query string, ids []string) map[string]float64 {
	out := map[string]float64{}
	terms := queryTermCounts(query)
	if len(terms) == 0 || len(ids) == 0 {
		return out
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := float64(len(ix.ids))
	if n == 0 {
		return out
	}
	avgLength := max(float64(ix.totalLength)/n, 1)
	k1, b := ix.params.K1, ix.params.B
	c0, c1 := k1*(1-b), k1*b/avgLength

	for _, id := range ids {
		ord, ok := ix.byID[id]
		if !ok {
			continue
		}
		score, matched := 0.0, false
		// Terms are summed in query term order, as Search sums them.
		for _, qt := range terms {
			tid, ok := ix.termIDs[qt.term]
			if !ok {
				continue
			}
			list := &ix.postings[tid]
			at, found := slices.BinarySearch(list.docs, ord)
			if !found {
				continue
			}
			df := float64(len(list.docs))
			weight := math.Log(1+(n-df+0.5)/(df+0.5)) * (k1 + 1) * float64(qt.count)
			score += weight * termWeight(uint32(list.tfs[at]), ix.lengths[ord], c0, c1)
			matched = true
		}
		if matched {
			out[id] = score
		}
	}
	return out
}

// searcherPool recycles the per-search buffers.
var searcherPool = sync.Pool{New: func() any { return new(searcher) }}

// searcher holds the state of one search. It is reused through searcherPool.
type searcher struct {
	cursors    []cursor // sorted by bound, ascending
	prefix     []float64
	contrib    []float64 // term scores of one document, by query term
	acc        [windowSize]float64
	touched    [windowSize / 64]uint64 // bitset of the window offsets in acc that hold a score
	candidates []uint16                // offsets set in touched, ascending
	heap       topK
	allowed    []bool // by group ordinal; empty when every group is allowed
	c0, c1     float64
}

// prepare sets up the group filter and one cursor per query term found in
// the index. It reports false when no document can match.
func (s *searcher) prepare(ix *Index, terms []queryTerm, groups []string) bool {
	if !s.prepareGroups(ix, groups) {
		return false
	}
	n := float64(len(ix.ids))
	avgLength := max(float64(ix.totalLength)/n, 1)
	k1, b := ix.params.K1, ix.params.B
	s.c0, s.c1 = k1*(1-b), k1*b/avgLength

	s.cursors = s.cursors[:0]
	for slot, qt := range terms {
		tid, ok := ix.termIDs[qt.term]
		if !ok {
			continue
		}
		list := &ix.postings[tid]
		df := float64(len(list.docs))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		weight := idf * (k1 + 1) * float64(qt.count)
		s.cursors = append(s.cursors, cursor{
			docs:   list.docs,
			tfs:    list.tfs,
			weight: weight,
			bound:  weight * list.maxTermWeight(ix.lengths, s.c0, s.c1) * boundSlack,
			slot:   slot,
		})
	}
	if len(s.cursors) == 0 {
		return false
	}
	slices.SortFunc(s.cursors, func(a, b cursor) int {
		if c := cmp.Compare(a.bound, b.bound); c != 0 {
			return c
		}
		return a.slot - b.slot
	})
	s.prefix = s.prefix[:0]
	sum := 0.0
	for i := range s.cursors {
		sum += s.cursors[i].bound
		s.prefix = append(s.prefix, sum)
	}
	s.contrib = slices.Grow(s.contrib[:0], len(terms))[:len(terms)]
	return true
}

// prepareGroups sets s.allowed for groups, leaving it empty when groups is.
// It reports false when none of groups is in the index.
func (s *searcher) prepareGroups(ix *Index, groups []string) bool {
	s.allowed = s.allowed[:0]
	if len(groups) == 0 {
		return true
	}
	s.allowed = slices.Grow(s.allowed, len(ix.groupNames))[:len(ix.groupNames)]
	clear(s.allowed)
	found := false
	for _, g := range groups {
		if gid, ok := ix.groupIDs[g]; ok {
			s.allowed[gid] = true
			found = true
		}
	}
	return found
}

// release drops the searcher's references to posting lists, so that they
// can be freed after a compaction, and returns it to searcherPool.
func (s *searcher) release() {
	clear(s.cursors)
	s.cursors = s.cursors[:0]
	s.heap.entries = s.heap.entries[:0]
	searcherPool.Put(s)
}

// hits returns the heap's contents best first and resets the heap.
func (s *searcher) hits(ix *Index) []Hit {
	entries := s.heap.entries
	slices.SortFunc(entries, func(a, b heapEntry) int {
		if ix.better(a, b) {
			return -1
		}
		return 1
	})
	out := make([]Hit, len(entries))
	for i, e := range entries {
		out[i] = Hit{ID: ix.ids[e.doc], Score: e.score}
	}
	s.heap.entries = entries[:0]
	return out
}
