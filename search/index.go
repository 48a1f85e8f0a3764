// Package search runs queries over the indexed chunks. It keeps every chunk
// in memory with a BM25 index and, with embeddings on, a vector index. A
// query runs both legs, fuses their scores, applies the workspace's trust
// policy and token budget, and rates the evidence.
package search

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/embed"
	"github.com/gndhq/gnd/search/lexical"
	"github.com/gndhq/gnd/store"
)

// Store is the storage that search reads. *store.DB implements it.
type Store interface {
	AllSources(ctx context.Context) ([]*gnd.Source, map[string]int64, error)
	EachChunk(ctx context.Context, sourceIDs []string, fn func(*gnd.Chunk) error) error
	Policy(ctx context.Context, workspaceID string) (gnd.Policy, error)
	Embeddings(ctx context.Context, model string, hashes []string) (map[string][]float32, error)
	EachChunkVector(ctx context.Context, model string, sourceIDs []string, fn func(chunkID string, v []float32) error) error
}

// Fusion sets how the two legs combine. Zero values take the defaults.
type Fusion struct {
	// Mode is "weighted" (the default: normalised scores, weighted sum) or
	// "rrf" (reciprocal rank fusion with k = 60).
	Mode string
	// VectorWeight and TextWeight weigh the normalised scores; defaults 0.7
	// and 0.3.
	VectorWeight, TextWeight float64
}

// Service holds the in-memory index and runs searches. It stays in step
// with the database in two ways: jobs in this process report their commits
// through Apply, and Refresh (run periodically by Run) reloads sources whose
// index version changed in another process.
type Service struct {
	store Store
	log   *slog.Logger
	lex   *lexical.Index

	mu       sync.RWMutex
	chunks   map[string]*gnd.Chunk  // by chunk id
	sources  map[string]*gnd.Source // by source id
	versions map[string]int64       // index version loaded per source
	// dropped holds deleted sources, which a search that listed them
	// before the deletion must not wait for.
	dropped  map[string]bool
	bySource map[string]map[string]bool
	// endpoints maps an OpenAPI endpoint key to the ids of its chunks, for
	// conflict detection across sources.
	endpoints map[string]map[string]bool
	// updated is closed and replaced whenever a source's loaded version
	// changes, waking searches that wait for a commit to arrive.
	updated chan struct{}

	// embedder embeds queries and names the model of the stored vectors;
	// nil turns the vector leg off.
	embedder embed.Embedder
	fusion   Fusion
	limits   VectorLimits
	vec      *vectorIndex

	// policyMu guards the short-lived caches of policies and source lists,
	// and the pause of the vector leg after the provider failed a query.
	policyMu    sync.Mutex
	policies    map[string]cachedPolicy
	sourceLists map[string]cachedSources
	pausedUntil time.Time
	pauseReason string
}

// SetEmbedder turns the vector leg on with e (nil turns it off) and sets the
// fusion. Call it before Refresh.
func (s *Service) SetEmbedder(e embed.Embedder, f Fusion) {
	if f.Mode == "" {
		f.Mode = "weighted"
	}
	if f.VectorWeight == 0 && f.TextWeight == 0 {
		f.VectorWeight, f.TextWeight = 0.7, 0.3
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedder, s.fusion = e, f
}

// NewService returns an empty service; call Refresh (or Run) to load it.
func NewService(st Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: st, log: log, lex: lexical.New(lexical.Params{}),
		chunks: map[string]*gnd.Chunk{}, sources: map[string]*gnd.Source{}, versions: map[string]int64{}, dropped: map[string]bool{},
		bySource: map[string]map[string]bool{}, endpoints: map[string]map[string]bool{}, updated: make(chan struct{}),
		vec: newVectorIndex(), policies: map[string]cachedPolicy{}, sourceLists: map[string]cachedSources{},
		limits: VectorLimits{QueryTimeout: DefaultQueryTimeout, FailurePause: DefaultFailurePause}}
}

// Run refreshes the index every interval, and builds the vector graphs in
// the background, until ctx is done.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { s.buildVectors(ctx) })
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("refresh search index", "err", err)
		}
	}
}

// Refresh reloads source metadata and the chunks of every source whose index
// version differs from the loaded one, and drops deleted sources.
func (s *Service) Refresh(ctx context.Context) error {
	sources, versions, err := s.store.AllSources(ctx)
	if err != nil {
		return err
	}
	var stale []string
	s.mu.Lock()
	present := map[string]bool{}
	for _, src := range sources {
		present[src.ID] = true
		s.sources[src.ID] = src
		if v, ok := s.versions[src.ID]; !ok || v != versions[src.ID] {
			stale = append(stale, src.ID)
		}
	}
	var gone []string
	for id := range s.sources {
		if !present[id] {
			gone = append(gone, id)
		}
	}
	s.mu.Unlock()
	for _, id := range gone {
		s.DropSource(id)
	}
	for _, id := range stale {
		if err := s.reloadSource(ctx, id, versions[id]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) reloadSource(ctx context.Context, sourceID string, version int64) error {
	var loaded []*gnd.Chunk
	err := s.store.EachChunk(ctx, []string{sourceID}, func(c *gnd.Chunk) error {
		loaded = append(loaded, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load chunks of source %s: %w", sourceID, err)
	}
	vectors, err := s.sourceVectors(ctx, sourceID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.versions[sourceID]; ok && v >= version {
		// A commit in this process was applied while the chunks were read.
		return nil
	}
	// Chunks still present keep their vectors, so the source's graph is
	// changed, not rebuilt.
	present := make(map[string]bool, len(loaded))
	for _, c := range loaded {
		present[c.ID] = true
	}
	for id := range s.bySource[sourceID] {
		if !present[id] {
			s.removeChunk(id)
		}
	}
	s.lex.DeleteGroup(sourceID)
	docs := make([]lexical.Doc, 0, len(loaded))
	for _, c := range loaded {
		s.putChunk(c)
		docs = append(docs, lexDoc(c))
		if v, ok := vectors[c.ID]; ok {
			s.vec.put(c.ID, c.SourceID, v)
		} else {
			s.vec.remove(c.ID)
		}
	}
	s.lex.Upsert(docs...)
	s.versions[sourceID] = version
	s.notify()
	return nil
}

// notify wakes searches waiting for a version; the caller holds mu.
func (s *Service) notify() {
	close(s.updated)
	s.updated = make(chan struct{})
}

// catchUp makes sure the index holds at least the committed versions of the
// given sources, so a search that follows a completed sync finds its chunks.
// It waits briefly for a commit of this process to be applied, then loads
// any source that is still behind (such as one changed by another process).
func (s *Service) catchUp(ctx context.Context, want map[string]int64, groups []string) error {
	deadline := time.Now().Add(2 * time.Second)
	for {
		s.mu.RLock()
		var behind []string
		for _, id := range groups {
			if s.versions[id] < want[id] && !s.dropped[id] {
				behind = append(behind, id)
			}
		}
		wait := s.updated
		s.mu.RUnlock()
		if len(behind) == 0 {
			return nil
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			for _, id := range behind {
				if err := s.reloadSource(ctx, id, want[id]); err != nil {
					return err
				}
			}
			return nil
		}
		select {
		case <-wait:
		case <-time.After(remaining):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// putChunk stores c in the maps; the caller holds mu and updates lex.
func (s *Service) putChunk(c *gnd.Chunk) {
	if old := s.chunks[c.ID]; old != nil && old.EndpointKey != "" {
		delete(s.endpoints[old.EndpointKey], c.ID)
	}
	s.chunks[c.ID] = c
	ids := s.bySource[c.SourceID]
	if ids == nil {
		ids = map[string]bool{}
		s.bySource[c.SourceID] = ids
	}
	ids[c.ID] = true
	if c.EndpointKey != "" {
		set := s.endpoints[c.EndpointKey]
		if set == nil {
			set = map[string]bool{}
			s.endpoints[c.EndpointKey] = set
		}
		set[c.ID] = true
	}
}

// removeChunk drops a chunk from the maps; the caller holds mu and updates lex.
func (s *Service) removeChunk(id string) {
	c := s.chunks[id]
	if c == nil {
		return
	}
	delete(s.chunks, id)
	delete(s.bySource[c.SourceID], id)
	s.vec.remove(id)
	if c.EndpointKey != "" {
		delete(s.endpoints[c.EndpointKey], id)
		if len(s.endpoints[c.EndpointKey]) == 0 {
			delete(s.endpoints, c.EndpointKey)
		}
	}
}

// lexDoc is the text the lexical leg indexes for a chunk: its symbol, the
// last element of its path and its content.
func lexDoc(c *gnd.Chunk) lexical.Doc {
	return lexical.Doc{ID: c.ID, Group: c.SourceID, Text: c.Symbol + "\n" + baseName(c.Path) + "\n" + c.Content}
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// Apply takes a committed change of one source into the index at once.
// When the sync embedded chunks it did not change, every vector of the
// source is read first, so the new version is never visible without them.
func (s *Service) Apply(sourceID string, a *store.Applied) {
	defer s.ForgetSources()
	var byChunk map[string][]float32
	var byText map[string][]float32
	if a.VectorsChanged {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var err error
		byChunk, err = s.sourceVectors(ctx, sourceID)
		cancel()
		if err != nil {
			s.log.Error("load vectors of a source", "source_id", sourceID, "err", err)
		}
	} else {
		byText = s.vectorsFor(a)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(a.Deleted) > 0 {
		s.lex.Delete(a.Deleted...)
		for _, id := range a.Deleted {
			s.removeChunk(id)
		}
	}
	docs := make([]lexical.Doc, 0, len(a.Created)+len(a.Updated))
	for _, list := range [][]gnd.Chunk{a.Created, a.Updated} {
		for i := range list {
			c := list[i]
			if old, ok := s.chunks[c.ID]; ok && c.CreatedAt.IsZero() {
				c.CreatedAt = old.CreatedAt
			}
			s.putChunk(&c)
			docs = append(docs, lexDoc(&c))
			if v, ok := byText[c.TextHash]; ok {
				s.vec.put(c.ID, c.SourceID, v)
			}
		}
	}
	for id, v := range byChunk {
		if c := s.chunks[id]; c != nil && c.SourceID == sourceID {
			s.vec.put(id, sourceID, v)
		}
	}
	s.lex.Upsert(docs...)
	if a.IndexVersion > s.versions[sourceID] {
		s.versions[sourceID] = a.IndexVersion
	}
	s.notify()
}

// sourceVectors reads the cached vectors of every chunk of a source by
// chunk id, or nil when the vector leg is off.
func (s *Service) sourceVectors(ctx context.Context, sourceID string) (map[string][]float32, error) {
	s.mu.RLock()
	e := s.embedder
	s.mu.RUnlock()
	if e == nil {
		return nil, nil
	}
	vectors := map[string][]float32{}
	err := s.store.EachChunkVector(ctx, e.Model(), []string{sourceID}, func(id string, v []float32) error {
		vectors[id] = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load vectors of source %s: %w", sourceID, err)
	}
	return vectors, nil
}

// vectorsFor reads the cached vectors of the chunks a commit wrote, by
// text hash. Missing vectors leave those chunks to the text leg.
func (s *Service) vectorsFor(a *store.Applied) map[string][]float32 {
	if s.embedder == nil {
		return nil
	}
	var hashes []string
	for _, list := range [][]gnd.Chunk{a.Created, a.Updated} {
		for _, c := range list {
			hashes = append(hashes, c.TextHash)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	vectors, err := s.store.Embeddings(ctx, s.embedder.Model(), hashes)
	if err != nil {
		s.log.Error("load vectors of a commit", "err", err)
	}
	return vectors
}

// DropSource removes a deleted source and its chunks.
func (s *Service) DropSource(sourceID string) {
	defer s.ForgetSources()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.bySource[sourceID] {
		s.removeChunk(id)
	}
	delete(s.bySource, sourceID)
	delete(s.sources, sourceID)
	delete(s.versions, sourceID)
	s.dropped[sourceID] = true
	s.notify()
	s.lex.DeleteGroup(sourceID)
	s.vec.dropSource(sourceID)
}

// VectorBacklog returns the number of vectors waiting to be added to a
// graph. Searches scan them exactly meanwhile.
func (s *Service) VectorBacklog() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.vec.backlog()
}

// Len returns the number of chunks in the index.
func (s *Service) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.chunks)
}
