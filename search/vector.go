package search

import (
	"container/heap"
	"context"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/gndhq/gnd/search/hnsw"
)

// Vector index tuning. A source's vectors are scanned exactly until it
// holds graphMin of them. From then on they go into an HNSW graph with
// graphParams, which a search walks with a candidate list of
// max(efSearch, k). The graph is rebuilt once more than a quarter of its
// nodes (and at least rebuildMin) are deleted. BenchmarkVectorGraph measures
// the recall these settings reach against the exact scan: at 100,000 chunks
// of real text, 0.99 for short keyword queries and 1.0 for passages.
const (
	graphMin    = 2048
	rebuildMin  = 1024
	insertBatch = 8
)

var (
	efSearch    = 384
	graphParams = hnsw.Params{M: 16, EfConstruction: 256, Seed: 1}
)

// vectorIndex holds the unit-length vectors of chunks, split by source so a
// search only looks at the sources it may see. Chunks with identical
// vectors (the same text at several places) share one entry: duplicate
// points would crowd each other out of a graph's links and become hard to
// reach.
//
// Each source's vectors live in an HNSW graph or, until the background
// builder (Service.buildVectors) has added them, in a pending list that
// searches scan exactly. A vector is always in exactly one of the two, so
// results never miss it.
//
// Service.mu guards the maps of sources and owners. Each source's vectors
// have their own lock, so the builder never holds Service.mu.
type vectorIndex struct {
	dim     int
	sources map[string]*sourceVectors
	owner   map[string]owner // by chunk id
	// wake signals the builder that pending vectors arrived.
	wake chan struct{}
}

type owner struct {
	sv  *sourceVectors
	key uint64
}

func newVectorIndex() *vectorIndex {
	return &vectorIndex{sources: map[string]*sourceVectors{}, owner: map[string]owner{}, wake: make(chan struct{}, 1)}
}

type sourceVectors struct {
	mu sync.RWMutex
	// members lists the chunk ids sharing each vector, by vector key.
	members map[uint64][]string
	graph   *hnsw.Graph // nil until the source has graphMin vectors
	keys    []uint64    // vector key by graph node
	node    map[uint64]int32
	// pending vectors are not in the graph yet.
	pending    []pendingVector
	pendingPos map[uint64]int
	// chunks counts the chunk ids with a vector.
	chunks int
}

type pendingVector struct {
	key uint64
	vec []float32
}

type vectorHit struct {
	id    string
	score float32
}

// put stores v (already normalised) for a chunk. The caller holds
// Service.mu for writing. A vector of another dimension than the index's is
// ignored and reported false. Putting the vector a chunk has already changes
// nothing, so reloading a source keeps its graph.
func (x *vectorIndex) put(id, sourceID string, v []float32) bool {
	if x.dim == 0 {
		x.dim = len(v)
	}
	if len(v) != x.dim || len(v) == 0 {
		return false
	}
	if o, ok := x.owner[id]; ok && o.sv == x.sources[sourceID] && o.sv.holds(o.key, v) {
		return true
	}
	x.remove(id)
	sv := x.sources[sourceID]
	if sv == nil {
		sv = &sourceVectors{members: map[uint64][]string{}, node: map[uint64]int32{}, pendingPos: map[uint64]int{}}
		x.sources[sourceID] = sv
	}
	sv.mu.Lock()
	defer sv.mu.Unlock()
	key := sv.keyOf(v)
	x.owner[id] = owner{sv, key}
	sv.members[key] = append(sv.members[key], id)
	sv.chunks++
	if len(sv.members[key]) > 1 {
		return true
	}
	sv.pendingPos[key] = len(sv.pending)
	sv.pending = append(sv.pending, pendingVector{key, v})
	x.signal()
	return true
}

// remove drops a chunk's vector. The caller holds Service.mu for writing.
func (x *vectorIndex) remove(id string) {
	o, ok := x.owner[id]
	if !ok {
		return
	}
	delete(x.owner, id)
	sv, key := o.sv, o.key
	sv.mu.Lock()
	defer sv.mu.Unlock()
	sv.chunks--
	ids := sv.members[key]
	for i, m := range ids {
		if m == id {
			ids = append(ids[:i], ids[i+1:]...)
			break
		}
	}
	if len(ids) > 0 {
		sv.members[key] = ids
		return
	}
	delete(sv.members, key)
	if i, ok := sv.pendingPos[key]; ok {
		last := len(sv.pending) - 1
		sv.pending[i] = sv.pending[last]
		sv.pendingPos[sv.pending[i].key] = i
		sv.pending = sv.pending[:last]
		delete(sv.pendingPos, key)
		return
	}
	if n, ok := sv.node[key]; ok {
		sv.graph.Delete(n)
		delete(sv.node, key)
		if sv.needsRebuild() {
			x.signal()
		}
	}
}

// signal wakes the builder.
func (x *vectorIndex) signal() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// needsRebuild reports whether so many graph nodes are deleted that the
// graph should be built again from the live vectors. The caller holds sv.mu.
func (sv *sourceVectors) needsRebuild() bool {
	g := sv.graph
	return g != nil && g.Deleted() >= rebuildMin && g.Deleted()*4 > g.Len()
}

// keyOf returns the key of v: the FNV-1a hash of its bits, moved on past
// any key already used by a different vector.
func (sv *sourceVectors) keyOf(v []float32) uint64 {
	h := uint64(14695981039346656037)
	for _, f := range v {
		h ^= uint64(math.Float32bits(f))
		h *= 1099511628211
	}
	for {
		stored := sv.vectorOf(h)
		if stored == nil || slices.Equal(stored, v) {
			return h
		}
		h++
	}
}

// holds reports whether v is stored under key.
func (sv *sourceVectors) holds(key uint64, v []float32) bool {
	sv.mu.RLock()
	defer sv.mu.RUnlock()
	return slices.Equal(sv.vectorOf(key), v)
}

// vectorOf returns the vector stored under key, or nil.
func (sv *sourceVectors) vectorOf(key uint64) []float32 {
	if len(sv.members[key]) == 0 {
		return nil
	}
	if i, ok := sv.pendingPos[key]; ok {
		return sv.pending[i].vec
	}
	if n, ok := sv.node[key]; ok {
		return sv.graph.Vector(n)
	}
	return nil
}

// dropSource removes a source's vectors, so the next put starts it afresh.
// The caller holds Service.mu and has removed the source's chunks.
func (x *vectorIndex) dropSource(sourceID string) {
	delete(x.sources, sourceID)
}

func (x *vectorIndex) len() int { return len(x.owner) }

// similarity returns the cosine of q and a chunk's vector, and false when
// the chunk has none. The caller holds Service.mu.
func (x *vectorIndex) similarity(id string, q []float32) (float32, bool) {
	o, ok := x.owner[id]
	if !ok || len(q) != x.dim {
		return 0, false
	}
	o.sv.mu.RLock()
	defer o.sv.mu.RUnlock()
	v := o.sv.vectorOf(o.key)
	if v == nil {
		return 0, false
	}
	return hnsw.Dot(q, v), true
}

// count returns the number of chunks of a source that have a vector. The
// caller holds Service.mu.
func (x *vectorIndex) count(sourceID string) int {
	sv := x.sources[sourceID]
	if sv == nil {
		return 0
	}
	sv.mu.RLock()
	defer sv.mu.RUnlock()
	return sv.chunks
}

// backlog returns the number of vectors waiting for the builder, counting
// those of a graph due to be rebuilt. The caller holds Service.mu.
func (x *vectorIndex) backlog() int {
	n := 0
	for _, sv := range x.sources {
		sv.mu.RLock()
		if sv.graph != nil || len(sv.pending) >= graphMin {
			n += len(sv.pending)
		}
		if sv.needsRebuild() {
			n += sv.graph.Len() - sv.graph.Deleted()
		}
		sv.mu.RUnlock()
	}
	return n
}

// search returns the k chunks of the given sources most similar to q. The
// caller holds Service.mu for reading. exact forces the brute-force scan,
// which the benchmarks use as the baseline for recall.
func (x *vectorIndex) search(q []float32, sources map[string]bool, k int, exact bool) []vectorHit {
	if len(q) != x.dim || x.dim == 0 || k <= 0 {
		return nil
	}
	var all []vectorHit
	for id := range sources {
		if sv := x.sources[id]; sv != nil {
			all = append(all, sv.search(q, k, exact)...)
		}
	}
	sortHits(all)
	return all[:min(k, len(all))]
}

func (sv *sourceVectors) search(q []float32, k int, exact bool) []vectorHit {
	sv.mu.RLock()
	defer sv.mu.RUnlock()
	h := make([]vectorHit, 0, k)
	add := func(key uint64, score float32) {
		if len(h) == k && score <= h[0].score {
			return
		}
		for _, id := range sv.members[key] {
			h = pushHit(h, k, vectorHit{id, score})
		}
	}
	for _, p := range sv.pending {
		add(p.key, hnsw.Dot(q, p.vec))
	}
	if sv.graph == nil {
		return h
	}
	if exact {
		for n, key := range sv.keys {
			if sv.graph.Live(int32(n)) {
				add(key, hnsw.Dot(q, sv.graph.Vector(int32(n))))
			}
		}
		return h
	}
	for _, r := range sv.graph.Search(q, k, max(efSearch, k), nil) {
		add(sv.keys[r.Node], r.Sim)
	}
	return h
}

// hitHeap is a min-heap of hits: the worst of the best k found so far is
// on top.
type hitHeap []vectorHit

func (h hitHeap) Len() int           { return len(h) }
func (h hitHeap) Less(i, j int) bool { return h[i].score < h[j].score }
func (h hitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)        { *h = append(*h, x.(vectorHit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// pushHit keeps the best k hits in h.
func pushHit(h []vectorHit, k int, v vectorHit) []vectorHit {
	hh := hitHeap(h)
	if len(hh) < k {
		heap.Push(&hh, v)
		return hh
	}
	if v.score > hh[0].score {
		hh[0] = v
		heap.Fix(&hh, 0)
	}
	return hh
}

func sortHits(hs []vectorHit) {
	sort.Slice(hs, func(i, j int) bool {
		if hs[i].score != hs[j].score {
			return hs[i].score > hs[j].score
		}
		return hs[i].id < hs[j].id
	})
}

// buildVectors moves pending vectors into their sources' graphs until ctx
// is done. It takes each source's lock for insertBatch insertions at a
// time, so searches wait at most a few milliseconds for it.
func (s *Service) buildVectors(ctx context.Context) {
	for {
		s.mu.RLock()
		list := make([]*sourceVectors, 0, len(s.vec.sources))
		for _, sv := range s.vec.sources {
			list = append(list, sv)
		}
		wake := s.vec.wake
		s.mu.RUnlock()
		busy := false
		for _, sv := range list {
			for sv.buildStep() {
				busy = true
				if ctx.Err() != nil {
					return
				}
			}
		}
		if busy {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
	}
}

// buildStep adds up to insertBatch pending vectors to the graph, first
// rebuilding it from scratch when too many of its nodes are deleted. It
// reports whether there was anything to do.
func (sv *sourceVectors) buildStep() bool {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if sv.needsRebuild() {
		g := sv.graph
		for key, n := range sv.node {
			sv.pendingPos[key] = len(sv.pending)
			sv.pending = append(sv.pending, pendingVector{key, g.Vector(n)})
		}
		sv.graph, sv.keys, sv.node = nil, nil, map[uint64]int32{}
	}
	if len(sv.pending) == 0 || (sv.graph == nil && len(sv.pending) < graphMin) {
		return false
	}
	if sv.graph == nil {
		sv.graph = hnsw.New(len(sv.pending[0].vec), graphParams)
	}
	for range min(insertBatch, len(sv.pending)) {
		last := len(sv.pending) - 1
		p := sv.pending[last]
		sv.pending = sv.pending[:last]
		delete(sv.pendingPos, p.key)
		n := sv.graph.Add(p.vec)
		sv.keys = append(sv.keys, p.key)
		sv.node[p.key] = n
	}
	return true
}
