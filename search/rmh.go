package search

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/search/lexical"
	"github.com/gndhq/gnd/tokens"
)

// RMHRequest is a multi-hop search: a search, then neighbouring chunks of
// each hit merged in, and follow-up rounds that search again with terms from
// the best hit.
type RMHRequest struct {
	Request
	MaxRounds          *int  `json:"max_rounds"`           // 1 to 3, default 2
	NeighborLineRadius *int  `json:"neighbor_line_radius"` // 0 to 500 lines, default 80
	ExpandNeighbors    *bool `json:"expand_neighbors"`     // default true
	SecondarySearch    *bool `json:"secondary_search"`     // default true
}

// RMHInfo reports what the multi-hop search did.
type RMHInfo struct {
	RoundsExecuted     int  `json:"rounds_executed"`
	SeedResultCount    int  `json:"seed_result_count"`
	NeighborsAdded     int  `json:"neighbors_added"`
	SecondarySearchRan bool `json:"secondary_search_ran"`
	MergedChunkCount   int  `json:"merged_chunk_count"`
}

// RMHResponse is a search response with the multi-hop report.
type RMHResponse struct {
	*Response
	RMH RMHInfo `json:"rmh"`
}

func (r *RMHRequest) normalize() error {
	if err := r.Request.Normalize(); err != nil {
		return err
	}
	intField := func(p **int, name string, def, lo, hi int) error {
		if *p == nil {
			*p = &def
		}
		if v := **p; v < lo || v > hi {
			return gnd.Errorf(gnd.EINVALID, "%s %d is out of range: must be between %d and %d", name, v, lo, hi)
		}
		return nil
	}
	if err := intField(&r.MaxRounds, "max_rounds", 2, 1, 3); err != nil {
		return err
	}
	if err := intField(&r.NeighborLineRadius, "neighbor_line_radius", 80, 0, 500); err != nil {
		return err
	}
	for _, p := range []**bool{&r.ExpandNeighbors, &r.SecondarySearch} {
		if *p == nil {
			t := true
			*p = &t
		}
	}
	return nil
}

// SearchRMH runs a multi-hop search.
func (s *Service) SearchRMH(ctx context.Context, src Sources, workspaceID string, req RMHRequest) (*RMHResponse, error) {
	if err := req.normalize(); err != nil {
		return nil, err
	}
	start := time.Now()
	first, err := s.Search(ctx, src, workspaceID, req.Request)
	if err != nil {
		return nil, err
	}
	out := &RMHResponse{Response: first, RMH: RMHInfo{RoundsExecuted: 1, SeedResultCount: len(first.Results)}}
	results := first.Results

	// Follow-up rounds: search again with the query plus terms of the best new hit.
	seen := map[string]bool{}
	for _, r := range results {
		seen[r.Citation.ChunkID] = true
	}
	anchor := results
	for round := 2; round <= *req.MaxRounds && *req.SecondarySearch && len(anchor) > 0; round++ {
		next := req.Request
		next.Query = req.Query
		// Add the expansion terms that fit within the query size limit.
		for _, term := range expansionTerms(req.Query, anchor[0]) {
			if len(next.Query)+1+len(term) > MaxQueryBytes {
				break
			}
			next.Query += " " + term
		}
		more, err := s.Search(ctx, src, workspaceID, next)
		if err != nil {
			return nil, err
		}
		out.RMH.RoundsExecuted, out.RMH.SecondarySearchRan = round, true
		anchor = nil
		for _, r := range more.Results {
			if !seen[r.Citation.ChunkID] {
				seen[r.Citation.ChunkID] = true
				results = append(results, r)
				anchor = append(anchor, r)
			}
		}
	}

	if *req.ExpandNeighbors {
		results = s.expandNeighbors(results, *req.NeighborLineRadius, &out.RMH)
	}
	out.Response = refill(first, results, *req.TopK, *req.MaxTokens)
	// The time covers every round, not only the first search.
	out.SearchTimeMS = math.Round(float64(time.Since(start).Microseconds())/10) / 100
	return out, nil
}

// expansionTerms picks up to five frequent terms of a hit that the query
// does not already contain.
func expansionTerms(query string, hit Result) []string {
	have := map[string]bool{}
	for _, t := range lexical.QueryTerms(query) {
		have[t] = true
	}
	counts := map[string]int{}
	for _, t := range lexical.Terms(hit.Citation.Symbol + "\n" + hit.Content) {
		if !have[t] && len(t) > 2 {
			counts[t]++
		}
	}
	terms := make([]string, 0, len(counts))
	for t := range counts {
		terms = append(terms, t)
	}
	sort.Slice(terms, func(i, j int) bool {
		if counts[terms[i]] != counts[terms[j]] {
			return counts[terms[i]] > counts[terms[j]]
		}
		return terms[i] < terms[j]
	})
	return terms[:min(5, len(terms))]
}

// expandNeighbors merges into each hit the chunks of the same file whose
// lines lie within radius of it, in line order, and drops results that were
// merged into an earlier one.
func (s *Service) expandNeighbors(results []Result, radius int, info *RMHInfo) []Result {
	s.mu.RLock()
	defer s.mu.RUnlock()
	merged := map[string]bool{}
	out := make([]Result, 0, len(results))
	for _, r := range results {
		if merged[r.Citation.ChunkID] {
			continue
		}
		c := r.Citation
		if c.StartLine == nil || c.EndLine == nil {
			out = append(out, r)
			continue
		}
		lo, hi := *c.StartLine-radius, *c.EndLine+radius
		var parts []*gnd.Chunk
		for id := range s.bySource[c.SourceID] {
			ch := s.chunks[id]
			if ch == nil || ch.Path != c.Path || ch.StartLine == nil || ch.EndLine == nil || *ch.EndLine < lo || *ch.StartLine > hi {
				continue
			}
			parts = append(parts, ch)
		}
		if len(parts) <= 1 {
			out = append(out, r)
			continue
		}
		sort.Slice(parts, func(i, j int) bool { return *parts[i].StartLine < *parts[j].StartLine })
		texts := make([]string, len(parts))
		for i, p := range parts {
			texts[i] = p.Content
			merged[p.ID] = true
		}
		start, end := *parts[0].StartLine, *parts[len(parts)-1].EndLine
		r.Content = strings.Join(texts, "\n")
		r.TokenCount = tokens.Count(r.Content)
		r.Citation.StartLine, r.Citation.EndLine = &start, &end
		info.NeighborsAdded += len(parts) - 1
		info.MergedChunkCount++
		out = append(out, r)
	}
	return out
}

// refill rebuilds the response's result list from results in order within
// top_k and the token budget, skipping any result that does not fit.
func refill(base *Response, results []Result, topK, budget int) *Response {
	resp := *base
	resp.Results, resp.TotalTokens = []Result{}, 0
	sources := map[string]bool{}
	for _, r := range results {
		if len(resp.Results) == topK {
			break
		}
		if r.TokenCount > budget-resp.TotalTokens {
			continue
		}
		resp.Results = append(resp.Results, r)
		resp.TotalTokens += r.TokenCount
		sources[r.Citation.SourceID] = true
	}
	resp.TotalResults, resp.SourcesWithResults = len(resp.Results), len(sources)
	return &resp
}
