package search

import "github.com/gndhq/gnd/search/lexical"

// LexicalLeg runs only the BM25 leg, for benchmarks that separate the cost
// of each leg from the full request.
func LexicalLeg(s *Service, query string, k int, groups []string) int {
	return len(s.lex.Search(query, lexical.SearchOptions{K: k, Groups: groups}))
}

// VectorLeg runs only the vector leg, through the graphs or, with exact,
// by scanning every vector, and returns the similarities found, best first.
func VectorLeg(s *Service, q []float32, k int, groups []string, exact bool) []float32 {
	set := map[string]bool{}
	for _, g := range groups {
		set[g] = true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var sims []float32
	for _, h := range s.vec.search(q, set, k, exact) {
		sims = append(sims, h.score)
	}
	return sims
}

// SetEfSearch sets the size of the candidate list of graph searches and
// returns a function that restores it.
func SetEfSearch(ef int) (restore func()) {
	old := efSearch
	efSearch = ef
	return func() { efSearch = old }
}
