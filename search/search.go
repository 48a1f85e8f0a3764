package search

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/search/lexical"
)

// Sources lists a workspace's sources; *store.DB implements it.
type Sources interface {
	ListSources(ctx context.Context, f gnd.SourceFilter) ([]*gnd.Source, int, error)
}

// candidate is a chunk on its way through ranking.
type candidate struct {
	chunk  *gnd.Chunk
	source *gnd.Source
	text   float64 // normalised lexical score, 0..1
	score  float64 // fused score times source priority
}

// Search runs a validated query for a workspace.
func (s *Service) Search(ctx context.Context, src Sources, workspaceID string, req Request) (*Response, error) {
	start := time.Now()
	if err := req.Normalize(); err != nil {
		return nil, err
	}
	policy, err := s.store.Policy(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	scope, err := s.scope(ctx, src, workspaceID, req.SourceIDs)
	if err != nil {
		return nil, err
	}
	resp := &Response{Results: []Result{}, Conflicts: []Conflict{}, Warnings: []string{}, Query: req.Query}
	now := time.Now()
	fresh := s.staleness(scope, policy, now, resp)

	// Choose the sources to search: all in scope, or only fresh ones.
	groups := make([]string, 0, len(scope))
	for _, so := range scope {
		if !*req.IncludeStale && !fresh[so.ID] {
			continue
		}
		groups = append(groups, so.ID)
	}
	if excluded := len(scope) - len(groups); excluded > 0 {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("%d stale source(s) excluded because include_stale is false", excluded))
	}
	resp.SourcesSearched = len(groups)
	if err := s.waitForCommits(ctx, workspaceID, groups); err != nil {
		return nil, err
	}

	cands := s.rank(req.Query, max(*req.TopK*4, 50), groups, scope, policy, resp)
	s.fill(cands, req, fresh, now, resp)
	resp.Conflicts = s.conflicts(resp.Results, groups, scope)
	s.rate(req.Query, resp, policy)
	resp.SearchTimeMS = math.Round(float64(time.Since(start).Microseconds())/10) / 100
	return resp, nil
}

// scope returns the workspace's sources, or the requested subset of them.
func (s *Service) scope(ctx context.Context, src Sources, workspaceID string, ids []string) (map[string]*gnd.Source, error) {
	all, _, err := src.ListSources(ctx, gnd.SourceFilter{WorkspaceID: workspaceID, Limit: 100000})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*gnd.Source, len(all))
	for _, so := range all {
		byID[so.ID] = so
	}
	if len(ids) == 0 {
		return byID, nil
	}
	out := make(map[string]*gnd.Source, len(ids))
	for _, id := range ids {
		so, ok := byID[id]
		if !ok {
			return nil, gnd.Errorf(gnd.EINVALID, "source_ids: source %s not found", id)
		}
		out[id] = so
	}
	return out, nil
}

// staleness fills the summary and returns which sources are fresh. A source
// is fresh when its last successful sync is within the staleness budget.
func (s *Service) staleness(scope map[string]*gnd.Source, p gnd.Policy, now time.Time, resp *Response) map[string]bool {
	fresh := make(map[string]bool, len(scope))
	sum := StalenessSummary{TotalSources: len(scope), StalenessBudgetDays: p.StalenessBudgetDays(), StaleSourceNames: []string{}}
	budget := time.Duration(p.StalenessBudgetSeconds) * time.Second
	for _, so := range sortedSources(scope) {
		if so.LastSyncCompleted != nil && now.Sub(*so.LastSyncCompleted) <= budget {
			fresh[so.ID] = true
			sum.FreshSources++
			continue
		}
		sum.StaleSources++
		sum.StaleSourceNames = append(sum.StaleSourceNames, so.Name)
	}
	resp.StalenessSummary = sum
	if p.EnforceStaleness && sum.StaleSources > 0 {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("%d of %d sources are stale (not synced successfully within %d days)",
			sum.StaleSources, sum.TotalSources, sum.StalenessBudgetDays))
	}
	return fresh
}

func sortedSources(m map[string]*gnd.Source) []*gnd.Source {
	out := make([]*gnd.Source, 0, len(m))
	for _, so := range m {
		out = append(out, so)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Name < out[j].Name || (out[i].Name == out[j].Name && out[i].ID < out[j].ID)
	})
	return out
}

// rank runs the lexical leg, normalises its scores to 0..1, and applies the
// source priority. Without embeddings the fused score is the text score.
func (s *Service) rank(query string, k int, groups []string, scope map[string]*gnd.Source, p gnd.Policy, resp *Response) []candidate {
	if len(groups) == 0 {
		return nil
	}
	hits := s.lex.Search(query, lexical.SearchOptions{K: k, Groups: groups})
	resp.Warnings = append(resp.Warnings, "Vector search is off (no embedding model configured): results are ranked by text match only")
	if len(hits) == 0 {
		return nil
	}
	top := hits[0].Score
	s.mu.RLock()
	cands := make([]candidate, 0, len(hits))
	for _, h := range hits {
		c, ok := s.chunks[h.ID]
		if !ok {
			continue
		}
		so := scope[c.SourceID]
		if so == nil {
			continue
		}
		text := 0.0
		if top > 0 {
			text = h.Score / top
		}
		cands = append(cands, candidate{chunk: c, source: so, text: text, score: text * p.Priority(so.Key())})
	}
	s.mu.RUnlock()
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	return cands
}

// fill adds results in rank order while they fit the token budget; a result
// that does not fit is skipped, never cut.
func (s *Service) fill(cands []candidate, req Request, fresh map[string]bool, now time.Time, resp *Response) {
	budget := *req.MaxTokens
	skipped := 0
	withResults := map[string]bool{}
	for _, c := range cands {
		if len(resp.Results) == *req.TopK {
			break
		}
		if c.chunk.TokenCount > budget {
			skipped++
			continue
		}
		budget -= c.chunk.TokenCount
		resp.Results = append(resp.Results, newResult(c, fresh[c.source.ID], now))
		resp.TotalTokens += c.chunk.TokenCount
		withResults[c.source.ID] = true
	}
	if skipped > 0 && len(resp.Results) < *req.TopK {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("%d result(s) skipped because they did not fit max_tokens %d", skipped, *req.MaxTokens))
	}
	resp.TotalResults = len(resp.Results)
	resp.SourcesWithResults = len(withResults)
}

func newResult(c candidate, fresh bool, now time.Time) Result {
	days := 0.0
	if t := c.source.LastSyncCompleted; t != nil {
		days = math.Round(now.Sub(*t).Hours()/24*100) / 100
	}
	ch := c.chunk
	return Result{
		Content: ch.Content, Score: math.Round(c.score*10000) / 10000, TokenCount: ch.TokenCount,
		Citation: Citation{ChunkID: ch.ID, SourceID: ch.SourceID, SourceName: c.source.Name, Path: ch.Path, Symbol: ch.Symbol,
			StartLine: ch.StartLine, EndLine: ch.EndLine, VersionRef: ch.VersionRef, Language: ch.Language, ChunkType: ch.ChunkType},
		FreshnessDays: days, IsStale: !fresh,
	}
}

// Ranked is one chunk in ranking order.
type Ranked struct {
	ChunkID, SourceID, Path string
	Score                   float64
}

// Rank returns up to k chunks for query in the order Search considers them,
// before top_k and the token budget apply. Retrieval benchmarks use it to
// score rankings deeper than top_k allows.
func (s *Service) Rank(ctx context.Context, src Sources, workspaceID, query string, k int) ([]Ranked, error) {
	policy, err := s.store.Policy(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	scope, err := s.scope(ctx, src, workspaceID, nil)
	if err != nil {
		return nil, err
	}
	groups := make([]string, 0, len(scope))
	for id := range scope {
		groups = append(groups, id)
	}
	if err := s.waitForCommits(ctx, workspaceID, groups); err != nil {
		return nil, err
	}
	cands := s.rank(query, k, groups, scope, policy, &Response{})
	out := make([]Ranked, len(cands))
	for i, c := range cands {
		out[i] = Ranked{ChunkID: c.chunk.ID, SourceID: c.chunk.SourceID, Path: c.chunk.Path, Score: c.score}
	}
	return out, nil
}

// waitForCommits reads the committed index versions of the workspace and
// waits until the in-memory index holds them for the searched sources.
func (s *Service) waitForCommits(ctx context.Context, workspaceID string, groups []string) error {
	want, err := s.store.IndexVersions(ctx, workspaceID)
	if err != nil {
		return err
	}
	return s.catchUp(ctx, want, groups)
}
