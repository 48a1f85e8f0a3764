package search

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/search/lexical"
)

// Confidence levels of EvidenceQuality.
const (
	ConfidenceHigh         = "high"
	ConfidenceMedium       = "medium"
	ConfidenceLow          = "low"
	ConfidenceInsufficient = "insufficient"
)

// rate computes the evidence quality of the results and applies the
// refusal thresholds.
//
// The score is 0 without results. Otherwise it is
//
//	0.6·coverage + 0.2·min(1, n/3) + 0.2·freshShare − 0.15·[conflicts]
//
// clamped to 0..1, where coverage is the mean, over the top three results,
// of the share of distinct query terms that occur in the result, n is the
// number of results and freshShare the share of results from fresh sources.
// Confidence is insufficient when a refusal threshold is unmet, high from
// 0.75 without conflicts, medium from 0.5, low otherwise.
func (s *Service) rate(query string, resp *Response, p gnd.Policy) {
	eq := EvidenceQuality{EvidenceCount: len(resp.Results), HasConflicts: len(resp.Conflicts) > 0}
	if n := len(resp.Results); n > 0 {
		freshCount, days := 0, 0.0
		for _, r := range resp.Results {
			if !r.IsStale {
				freshCount++
			}
			days += r.FreshnessDays
		}
		eq.AvgFreshnessDays = math.Round(days/float64(n)*100) / 100
		score := 0.6*s.coverage(query, resp.Results) + 0.2*math.Min(1, float64(n)/3) + 0.2*float64(freshCount)/float64(n)
		if eq.HasConflicts {
			score -= 0.15
		}
		eq.Score = math.Round(math.Max(0, math.Min(1, score))*1000) / 1000
	}
	var unmet []string
	if eq.EvidenceCount < p.MinEvidenceCount {
		unmet = append(unmet, fmt.Sprintf("min_evidence_count %d (found %d)", p.MinEvidenceCount, eq.EvidenceCount))
	}
	if eq.Score < p.MinEvidenceScore {
		unmet = append(unmet, fmt.Sprintf("min_evidence_score %.2f (scored %.3f)", p.MinEvidenceScore, eq.Score))
	}
	switch {
	case len(unmet) > 0:
		eq.Confidence = ConfidenceInsufficient
	case eq.Score >= 0.75 && !eq.HasConflicts:
		eq.Confidence = ConfidenceHigh
	case eq.Score >= 0.5:
		eq.Confidence = ConfidenceMedium
	default:
		eq.Confidence = ConfidenceLow
	}
	if len(unmet) > 0 {
		msg := "Evidence below the policy threshold: " + strings.Join(unmet, "; ")
		if p.EnforceRefusal {
			msg = "Refused: evidence below the policy threshold: " + strings.Join(unmet, "; ")
			resp.Results, resp.TotalResults, resp.TotalTokens, resp.SourcesWithResults = []Result{}, 0, 0, 0
			resp.Conflicts = []Conflict{}
		}
		resp.Warnings = append(resp.Warnings, msg)
	}
	resp.EvidenceQuality = eq
}

// coverage is the mean share of distinct query terms found in each of the
// top three results (in the text the lexical index holds for the chunk).
func (s *Service) coverage(query string, results []Result) float64 {
	seen := map[string]bool{}
	var terms []string
	for _, t := range lexical.QueryTerms(query) {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	if len(terms) == 0 {
		return 0
	}
	top := results[:min(3, len(results))]
	total := 0.0
	for _, r := range top {
		total += float64(s.lex.MatchCount(r.Citation.ChunkID, terms)) / float64(len(terms))
	}
	return total / float64(len(top))
}

// conflicts lists OpenAPI endpoints among the results whose schema hash
// differs in another searched source.
func (s *Service) conflicts(results []Result, groups []string, scope map[string]*gnd.Source) []Conflict {
	searched := make(map[string]bool, len(groups))
	for _, g := range groups {
		searched[g] = true
	}
	out := []Conflict{}
	done := map[string]bool{}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range results {
		c := s.chunks[r.Citation.ChunkID]
		if c == nil || c.EndpointKey == "" || done[c.EndpointKey] {
			continue
		}
		done[c.EndpointKey] = true
		hashes := map[string]string{} // source id → schema hash
		for id := range s.endpoints[c.EndpointKey] {
			other := s.chunks[id]
			if other == nil || !searched[other.SourceID] || other.SchemaHash == "" {
				continue
			}
			hashes[other.SourceID] = other.SchemaHash
		}
		if conflict, ok := conflictOf(c.EndpointKey, hashes, scope); ok {
			out = append(out, conflict)
		}
	}
	return out
}

func conflictOf(key string, hashes map[string]string, scope map[string]*gnd.Source) (Conflict, bool) {
	distinct := map[string]bool{}
	for _, h := range hashes {
		distinct[h] = true
	}
	if len(distinct) < 2 {
		return Conflict{}, false
	}
	ids := make([]string, 0, len(hashes))
	for id := range hashes {
		ids = append(ids, id)
	}
	name := func(id string) string {
		if so := scope[id]; so != nil {
			return so.Name
		}
		return id
	}
	sort.Slice(ids, func(i, j int) bool { return name(ids[i]) < name(ids[j]) })
	c := Conflict{EndpointKey: key}
	for _, id := range ids {
		c.Sources = append(c.Sources, name(id))
		c.SchemaHashes = append(c.SchemaHashes, hashes[id])
	}
	c.Description = fmt.Sprintf("%s has different request or response schemas in %d sources: %s",
		key, len(ids), strings.Join(c.Sources, ", "))
	return c, true
}
