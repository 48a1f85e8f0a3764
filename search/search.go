package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/embed"
	"github.com/gndhq/gnd/search/lexical"
)

// Sources lists a workspace's sources with their committed index versions;
// *store.DB implements it.
type Sources interface {
	WorkspaceSources(ctx context.Context, workspaceID string) ([]*gnd.Source, map[string]int64, error)
}

// candidate is a chunk on its way through ranking.
type candidate struct {
	chunk  *gnd.Chunk
	source *gnd.Source
	text   float64 // normalised lexical score, 0..1
	vector float64 // normalised vector score, 0..1
	score  float64 // fused score times source priority
}

// Search runs a validated query for a workspace.
func (s *Service) Search(ctx context.Context, src Sources, workspaceID string, req Request) (*Response, error) {
	start := time.Now()
	if err := req.Normalize(); err != nil {
		return nil, err
	}
	policy, err := s.policy(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	scope, versions, err := s.scope(ctx, src, workspaceID, req.SourceIDs)
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
	if err := s.catchUp(ctx, versions, groups); err != nil {
		return nil, err
	}

	qv := s.embedQuery(ctx, req.Query, resp)
	cands := s.rank(req.Query, qv, max(*req.TopK*2, minCandidates), groups, scope, policy, resp)
	s.fill(cands, req, fresh, now, resp)
	resp.Conflicts = s.conflicts(resp.Results, groups, scope)
	s.rate(req.Query, resp, policy)
	resp.SearchTimeMS = math.Round(float64(time.Since(start).Microseconds())/10) / 100
	return resp, nil
}

// scope returns the workspace's sources, or the requested subset of them,
// and the committed index version of each.
func (s *Service) scope(ctx context.Context, src Sources, workspaceID string, ids []string) (map[string]*gnd.Source, map[string]int64, error) {
	all, versions, err := s.workspaceSources(ctx, src, workspaceID)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]*gnd.Source, len(all))
	for _, so := range all {
		byID[so.ID] = so
	}
	if len(ids) == 0 {
		return byID, versions, nil
	}
	out := make(map[string]*gnd.Source, len(ids))
	for _, id := range ids {
		so, ok := byID[id]
		if !ok {
			return nil, nil, gnd.Errorf(gnd.EINVALID, "source_ids: source %s not found", id)
		}
		out[id] = so
	}
	return out, versions, nil
}

// sourcesTTL is how long a workspace's source list and index versions are
// reused between searches. Changes made in this process (commits, source
// edits) drop the cached list at once; changes made by another process are
// seen within this time.
const sourcesTTL = 500 * time.Millisecond

type cachedSources struct {
	sources  []*gnd.Source
	versions map[string]int64
	expires  time.Time
}

func (s *Service) workspaceSources(ctx context.Context, src Sources, workspaceID string) ([]*gnd.Source, map[string]int64, error) {
	s.policyMu.Lock()
	c, ok := s.sourceLists[workspaceID]
	s.policyMu.Unlock()
	if ok && time.Now().Before(c.expires) {
		return c.sources, c.versions, nil
	}
	all, versions, err := src.WorkspaceSources(ctx, workspaceID)
	if err != nil {
		return nil, nil, err
	}
	s.policyMu.Lock()
	s.sourceLists[workspaceID] = cachedSources{sources: all, versions: versions, expires: time.Now().Add(sourcesTTL)}
	s.policyMu.Unlock()
	return all, versions, nil
}

// ForgetSources drops every cached source list, after a change to sources.
func (s *Service) ForgetSources() {
	s.policyMu.Lock()
	clear(s.sourceLists)
	s.policyMu.Unlock()
}

// policyTTL is how long a workspace's policy is reused between searches.
// The API forgets a policy it changes at once; a change made through another
// process applies within this time.
const policyTTL = time.Second

type cachedPolicy struct {
	policy  gnd.Policy
	expires time.Time
}

// policy returns the workspace's trust policy, cached for policyTTL.
func (s *Service) policy(ctx context.Context, workspaceID string) (gnd.Policy, error) {
	s.policyMu.Lock()
	c, ok := s.policies[workspaceID]
	s.policyMu.Unlock()
	if ok && time.Now().Before(c.expires) {
		return c.policy, nil
	}
	p, err := s.store.Policy(ctx, workspaceID)
	if err != nil {
		return gnd.Policy{}, err
	}
	s.policyMu.Lock()
	s.policies[workspaceID] = cachedPolicy{policy: p, expires: time.Now().Add(policyTTL)}
	s.policyMu.Unlock()
	return p, nil
}

// ForgetPolicy drops the cached policy of a workspace after a change.
func (s *Service) ForgetPolicy(workspaceID string) {
	s.policyMu.Lock()
	delete(s.policies, workspaceID)
	s.policyMu.Unlock()
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

// VectorLimits bound how much searches depend on the embedding provider.
// QueryTimeout bounds the embedding of a search query, retries included.
// FailurePause is how long searches skip the vector leg after it failed,
// so an unavailable provider costs one slow search, not all of them.
type VectorLimits struct {
	QueryTimeout, FailurePause time.Duration
}

// Defaults of VectorLimits.
const (
	DefaultQueryTimeout = 2 * time.Second
	DefaultFailurePause = 30 * time.Second
)

// SetVectorLimits sets the limits. A QueryTimeout of 0 takes the default,
// and a FailurePause of 0 turns the pause off. Call it before the service
// handles searches.
func (s *Service) SetVectorLimits(l VectorLimits) {
	if l.QueryTimeout <= 0 {
		l.QueryTimeout = DefaultQueryTimeout
	}
	l.FailurePause = max(l.FailurePause, 0)
	s.limits = l
}

// providerFailure describes why embedding a query failed in words fit for
// API clients: the provider's address and message stay in the log.
func providerFailure(ctx context.Context, err error, timeout time.Duration) string {
	var api *embed.APIError
	switch {
	case errors.As(err, &api):
		return fmt.Sprintf("the embedding provider answered HTTP %d", api.StatusCode)
	case ctx.Err() != nil:
		return fmt.Sprintf("the embedding provider did not answer within %s", timeout)
	case errors.Is(err, embed.ErrBadVectors):
		return "the embedding provider returned unusable vectors"
	}
	return "the embedding provider could not be reached"
}

// pauseVectors makes searches skip the vector leg for the failure pause.
func (s *Service) pauseVectors(reason string) {
	s.policyMu.Lock()
	defer s.policyMu.Unlock()
	s.pausedUntil, s.pauseReason = time.Now().Add(s.limits.FailurePause), reason
}

// vectorPause returns why the vector leg is paused and for how long more,
// or a duration of zero or less when it is not.
func (s *Service) vectorPause() (string, time.Duration) {
	s.policyMu.Lock()
	defer s.policyMu.Unlock()
	return s.pauseReason, time.Until(s.pausedUntil)
}

// embedQuery returns the query's vector, or nil with a warning when the
// vector leg is off or fails; the text leg then answers alone.
func (s *Service) embedQuery(ctx context.Context, query string, resp *Response) []float32 {
	s.mu.RLock()
	e := s.embedder
	s.mu.RUnlock()
	if e == nil {
		resp.Warnings = append(resp.Warnings, "Vector search is off (no embedding model configured): results are ranked by text match only")
		return nil
	}
	if reason, left := s.vectorPause(); left > 0 {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("Vector search is paused for %ds more because %s: results are ranked by text match only",
			int(left.Seconds()+0.999), reason))
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.limits.QueryTimeout)
	defer cancel()
	vecs, err := e.Embed(ctx, []string{query})
	if err == nil && (len(vecs) != 1 || len(vecs[0]) == 0) {
		err = fmt.Errorf("got %d vectors for one query", len(vecs))
	}
	if err != nil {
		reason := providerFailure(ctx, err, s.limits.QueryTimeout)
		s.log.Warn("embed query failed, pausing vector search", "model", e.Model(), "pause", s.limits.FailurePause, "err", err)
		s.pauseVectors(reason)
		resp.Warnings = append(resp.Warnings, "Vector search failed because "+reason+": results are ranked by text match only")
		return nil
	}
	v := append([]float32(nil), vecs[0]...)
	embed.Normalize(v)
	return v
}

// rank runs both legs, normalises each to 0..1, fuses them and applies the
// source priority. Without a query vector the fused score is the text score.
func (s *Service) rank(query string, qv []float32, k int, groups []string, scope map[string]*gnd.Source, p gnd.Policy, resp *Response) []candidate {
	if len(groups) == 0 {
		return nil
	}
	hits := s.lex.Search(query, lexical.SearchOptions{K: k, Groups: groups})
	s.mu.RLock()
	defer s.mu.RUnlock()
	var vhits []vectorHit
	if qv != nil {
		set := make(map[string]bool, len(groups))
		for _, g := range groups {
			set[g] = true
		}
		vhits = s.vec.search(qv, set, k, false)
		missing := 0
		for _, g := range groups {
			missing += len(s.bySource[g]) - s.vec.count(g)
		}
		if missing > 0 && s.embedder != nil {
			resp.Warnings = append(resp.Warnings, fmt.Sprintf("%d of the searched chunks have no vector from model %s yet, so they rank by text match only; sync their sources to embed them",
				missing, s.embedder.Model()))
		}
	}
	// NOTE: RRF ranks each leg's list as it is, without completing it, so
	// its order can change when top_k grows past 10.
	if qv != nil && s.fusion.Mode != "rrf" {
		hits, vhits = s.completeLegs(query, qv, hits, vhits)
	}
	byID := map[string]*candidate{}
	var order []*candidate
	get := func(id string) *candidate {
		if c, ok := byID[id]; ok {
			return c
		}
		ch := s.chunks[id]
		if ch == nil || scope[ch.SourceID] == nil {
			return nil
		}
		c := &candidate{chunk: ch, source: scope[ch.SourceID]}
		byID[id] = c
		order = append(order, c)
		return c
	}
	s.fuse(hits, vhits, get)
	cands := make([]candidate, 0, len(order))
	for _, c := range order {
		if c.score <= 0 {
			// No text match and no positive similarity: nothing to cite.
			continue
		}
		c.score *= p.Priority(c.source.Key())
		cands = append(cands, *c)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].chunk.ID < cands[j].chunk.ID
	})
	return cands
}

// completeLegs gives every candidate both scores: the BM25 score of chunks
// only the vector leg found and the cosine of chunks only the text leg
// found. Without it a chunk just outside one leg's top k would lose that
// leg's score, and asking for more results could reorder the first ones.
// The caller holds s.mu for reading.
func (s *Service) completeLegs(query string, qv []float32, hits []lexical.Hit, vhits []vectorHit) ([]lexical.Hit, []vectorHit) {
	inText := make(map[string]bool, len(hits))
	for _, h := range hits {
		inText[h.ID] = true
	}
	inVector := make(map[string]bool, len(vhits))
	var textless []string
	for _, h := range vhits {
		inVector[h.id] = true
		if !inText[h.id] {
			textless = append(textless, h.id)
		}
	}
	for _, h := range hits {
		if inVector[h.ID] {
			continue
		}
		if sim, ok := s.vec.similarity(h.ID, qv); ok {
			vhits = append(vhits, vectorHit{h.ID, sim})
		}
	}
	for id, score := range s.lex.Score(query, textless) {
		hits = append(hits, lexical.Hit{ID: id, Score: score})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID < hits[j].ID
	})
	sortHits(vhits)
	return hits, vhits
}

// fuse scores the candidates of both legs. Weighted fusion divides each leg
// by its best score (negative cosines count as 0) and adds them with the
// configured weights; RRF adds 1/(60+rank) per leg and divides by the best
// sum. With one leg only, its normalised score is the fused score.
func (s *Service) fuse(hits []lexical.Hit, vhits []vectorHit, get func(string) *candidate) {
	rrf := s.fusion.Mode == "rrf"
	wv, wt := s.fusion.VectorWeight, s.fusion.TextWeight
	if len(vhits) == 0 {
		wv, wt = 0, 1
	}
	if len(hits) == 0 && len(vhits) > 0 {
		wv, wt = 1, 0
	}
	topText := 0.0
	if len(hits) > 0 {
		topText = hits[0].Score
	}
	for rank, h := range hits {
		c := get(h.ID)
		if c == nil {
			continue
		}
		if topText > 0 {
			c.text = h.Score / topText
		}
		if rrf {
			c.score += 1 / float64(61+rank)
		} else {
			c.score += wt * c.text
		}
	}
	topVec := 0.0
	if len(vhits) > 0 {
		topVec = math.Max(0, float64(vhits[0].score))
	}
	for rank, h := range vhits {
		c := get(h.id)
		if c == nil {
			continue
		}
		if topVec > 0 {
			c.vector = math.Max(0, float64(h.score)) / topVec
		}
		if rrf {
			c.score += 1 / float64(61+rank)
		} else {
			c.score += wv * c.vector
		}
	}
	if rrf {
		best := 0.0
		for _, h := range hits {
			if c := get(h.ID); c != nil {
				best = math.Max(best, c.score)
			}
		}
		for _, h := range vhits {
			if c := get(h.id); c != nil {
				best = math.Max(best, c.score)
			}
		}
		s.scaleRRF(hits, vhits, get, best)
	}
}

// scaleRRF divides RRF sums by the best one so scores run 0..1.
func (s *Service) scaleRRF(hits []lexical.Hit, vhits []vectorHit, get func(string) *candidate, best float64) {
	if best <= 0 {
		return
	}
	done := map[*candidate]bool{}
	scale := func(c *candidate) {
		if c != nil && !done[c] {
			done[c] = true
			c.score /= best
		}
	}
	for _, h := range hits {
		scale(get(h.ID))
	}
	for _, h := range vhits {
		scale(get(h.id))
	}
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
	if skipped > 0 {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("%d higher-ranked result(s) skipped because they did not fit max_tokens %d; raise max_tokens to see them",
			skipped, *req.MaxTokens))
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
	policy, err := s.policy(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	scope, versions, err := s.scope(ctx, src, workspaceID, nil)
	if err != nil {
		return nil, err
	}
	groups := make([]string, 0, len(scope))
	for id := range scope {
		groups = append(groups, id)
	}
	if err := s.catchUp(ctx, versions, groups); err != nil {
		return nil, err
	}
	resp := &Response{}
	cands := s.rank(query, s.embedQuery(ctx, query, resp), k, groups, scope, policy, resp)
	out := make([]Ranked, len(cands))
	for i, c := range cands {
		out[i] = Ranked{ChunkID: c.chunk.ID, SourceID: c.chunk.SourceID, Path: c.chunk.Path, Score: c.score}
	}
	return out, nil
}
