package search

import "github.com/gndhq/gnd/search/lexical"

// LexicalLeg runs only the BM25 leg, for benchmarks that separate the cost
// of each leg from the full request.
func LexicalLeg(s *Service, query string, k int, groups []string) int {
	return len(s.lex.Search(query, lexical.SearchOptions{K: k, Groups: groups}))
}

// VectorLeg runs only the exact vector scan.
func VectorLeg(s *Service, q []float32, k int, groups []string) int {
	set := map[string]bool{}
	for _, g := range groups {
		set[g] = true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.vec.search(q, set, k))
}
