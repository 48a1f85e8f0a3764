// Package hnsw is an in-memory hierarchical navigable small world (HNSW)
// graph over unit-length float32 vectors. It finds the approximate top k by
// inner product, which is cosine similarity for unit vectors, visiting a
// small part of the graph.
//
// Walks through the graph compare int8 codes of the vectors, which take a
// quarter of the memory per node and are summed by an AVX2 kernel where the
// CPU has one. The candidates a search ends with are ranked again by their
// float32 vectors, so the similarities it returns are exact.
//
// A Graph is not safe for concurrent use while it is being changed; any
// number of Search calls may run at once between changes.
package hnsw

import (
	"math"
	"math/rand/v2"
	"sync"
)

// Params shape a graph. Zero fields take the defaults.
type Params struct {
	// M is the number of links a node keeps on each upper level, and level
	// 0 keeps 2×M. Default 16.
	M int
	// EfConstruction is the size of the candidate list when a node is
	// inserted. Default 128.
	EfConstruction int
	// Seed makes the level draws, and so the graph, reproducible.
	Seed uint64
}

// Graph holds the vectors and their links. Nodes are numbered from 0 in the
// order they were added.
type Graph struct {
	dim    int
	m, m0  int
	efCons int
	ml     float64
	rng    *rand.Rand

	vecs []float32 // node i at vecs[i*dim : (i+1)*dim]
	// codes contains each node's int8 code, padded to pdim. scales contains
	// the factor that turns a code back into the vector.
	pdim   int
	codes  []int8
	scales []float32
	// base holds each node's level-0 links: a count, then m0 slots.
	base []int32
	// upper holds each node's links above level 0: for level l ≥ 1 a count
	// then m slots at offset (l-1)*(m+1). Nil for nodes on level 0 only.
	upper   [][]int32
	deleted []bool
	dead    int

	entry    int32
	topLevel int

	visits sync.Pool // *visitSet
}

// New returns an empty graph for vectors of dim dimensions.
func New(dim int, p Params) *Graph {
	if p.M <= 0 {
		p.M = 16
	}
	if p.EfConstruction <= 0 {
		p.EfConstruction = 128
	}
	return &Graph{
		dim: dim, pdim: paddedDim(dim), m: p.M, m0: 2 * p.M, efCons: max(p.EfConstruction, p.M),
		ml:    1 / math.Log(float64(p.M)),
		rng:   rand.New(rand.NewPCG(p.Seed, 0x9e3779b97f4a7c15)),
		entry: -1,
	}
}

// Len is the number of nodes, deleted ones included.
func (g *Graph) Len() int { return len(g.deleted) }

// Deleted is the number of nodes marked deleted.
func (g *Graph) Deleted() int { return g.dead }

// Live reports whether node n exists and is not deleted.
func (g *Graph) Live(n int32) bool { return n >= 0 && int(n) < len(g.deleted) && !g.deleted[n] }

// Vector returns node n's vector. The caller must not change it.
func (g *Graph) Vector(n int32) []float32 {
	return g.vecs[int(n)*g.dim : (int(n)+1)*g.dim : (int(n)+1)*g.dim]
}

// Delete marks node n deleted: it keeps guiding searches through the graph
// but is never returned. Rebuild the graph when many nodes are deleted.
func (g *Graph) Delete(n int32) {
	if int(n) < len(g.deleted) && !g.deleted[n] {
		g.deleted[n] = true
		g.dead++
	}
}

// Add inserts v, which must have the graph's dimension and unit length, and
// returns its node number.
func (g *Graph) Add(v []float32) int32 {
	if len(v) != g.dim {
		panic("hnsw: vector dimension does not match the graph")
	}
	n := int32(len(g.deleted))
	level := int(math.Floor(-math.Log(1-g.rng.Float64()) * g.ml))
	level = min(level, 32)
	g.vecs = append(g.vecs, v...)
	g.codes = append(g.codes, make([]int8, g.pdim)...)
	g.scales = append(g.scales, quantize(v, g.code(n)))
	g.base = append(g.base, make([]int32, g.m0+1)...)
	var up []int32
	if level > 0 {
		up = make([]int32, level*(g.m+1))
	}
	g.upper = append(g.upper, up)
	g.deleted = append(g.deleted, false)
	if g.entry < 0 {
		g.entry, g.topLevel = n, level
		return n
	}

	q := query{g.code(n), g.scales[n]}
	vs := g.visitSet()
	defer g.visits.Put(vs)
	ep := candidate{g.entry, g.sim(q, g.entry)}
	for l := g.topLevel; l > level; l-- {
		ep = g.greedy(q, ep, l)
	}
	entries := []candidate{ep}
	for l := min(level, g.topLevel); l >= 0; l-- {
		found := g.searchLayer(q, entries, g.efCons, l, vs)
		limit := g.m
		if l == 0 {
			limit = g.m0
		}
		chosen := g.selectNeighbors(found, g.m)
		g.setLinks(n, l, chosen)
		for _, c := range chosen {
			g.link(c.node, n, c.sim, l, limit)
		}
		entries = found
	}
	if level > g.topLevel {
		g.entry, g.topLevel = n, level
	}
	return n
}

// links returns node n's link list on level l: the count slot and the slots.
func (g *Graph) links(n int32, l int) []int32 {
	if l == 0 {
		off := int(n) * (g.m0 + 1)
		return g.base[off : off+g.m0+1 : off+g.m0+1]
	}
	off := (l - 1) * (g.m + 1)
	return g.upper[n][off : off+g.m+1 : off+g.m+1]
}

func (g *Graph) setLinks(n int32, l int, to []candidate) {
	ls := g.links(n, l)
	ls[0] = int32(len(to))
	for i, c := range to {
		ls[1+i] = c.node
	}
}

// link adds a link from node a to node b (similarity sim) on level l,
// pruning a's list with the selection heuristic when it is full.
func (g *Graph) link(a, b int32, sim float32, l, limit int) {
	ls := g.links(a, l)
	cnt := int(ls[0])
	if cnt < limit {
		ls[1+cnt] = b
		ls[0]++
		return
	}
	qa := query{g.code(a), g.scales[a]}
	cands := make([]candidate, 0, cnt+1)
	cands = append(cands, candidate{b, sim})
	for _, x := range ls[1 : 1+cnt] {
		cands = append(cands, candidate{x, g.sim(qa, x)})
	}
	sortBySimDesc(cands)
	g.setLinks(a, l, g.selectNeighbors(cands, limit))
}

// selectNeighbors picks up to m of cands (sorted best first) with the
// heuristic that keeps a candidate only when it is closer to the target
// than to every candidate already selected, so links spread in all directions.
// Slots left free are filled with the best skipped candidates.
func (g *Graph) selectNeighbors(cands []candidate, m int) []candidate {
	if len(cands) <= m {
		return cands
	}
	selected := make([]candidate, 0, m)
	var skipped []candidate
	for _, c := range cands {
		if len(selected) == m {
			break
		}
		qc := query{g.code(c.node), g.scales[c.node]}
		good := true
		for _, k := range selected {
			if g.sim(qc, k.node) > c.sim {
				good = false
				break
			}
		}
		if good {
			selected = append(selected, c)
		} else {
			skipped = append(skipped, c)
		}
	}
	for _, c := range skipped {
		if len(selected) == m {
			break
		}
		selected = append(selected, c)
	}
	return selected
}

// greedy walks level l from ep towards q, one best neighbour at a time.
func (g *Graph) greedy(q query, ep candidate, l int) candidate {
	for changed := true; changed; {
		changed = false
		ls := g.links(ep.node, l)
		for _, x := range ls[1 : 1+ls[0]] {
			if s := g.sim(q, x); s > ep.sim {
				ep, changed = candidate{x, s}, true
			}
		}
	}
	return ep
}

// Result is one node found by Search.
type Result struct {
	Node int32
	Sim  float32
}

// Search returns up to k live nodes most similar to q, best first. ef (at
// least k) is the size of the candidate list on level 0: larger is slower
// and closer to exact. accept, when not nil, filters the nodes returned.
func (g *Graph) Search(q []float32, k, ef int, accept func(int32) bool) []Result {
	if g.entry < 0 || len(q) != g.dim || k <= 0 {
		return nil
	}
	ef = max(ef, k)
	qq := query{make([]int8, g.pdim), 0}
	qq.scale = quantize(q, qq.code)
	ep := candidate{g.entry, g.sim(qq, g.entry)}
	for l := g.topLevel; l > 0; l-- {
		ep = g.greedy(qq, ep, l)
	}
	vs := g.visitSet()
	defer g.visits.Put(vs)
	found := g.searchLayerFiltered(qq, []candidate{ep}, ef, vs, accept)
	// Rerank the best candidates by their float32 vectors. The int8
	// similarities are within about 0.01 of the exact ones, so the true top
	// k are expected among the first 2k (at least 32) by int8 similarity.
	// BenchmarkVectorGraph in package search measures the resulting recall.
	found = found[:min(len(found), max(2*k, 32))]
	for i := range found {
		found[i].sim = Dot(q, g.Vector(found[i].node))
	}
	sortBySimDesc(found)
	out := make([]Result, 0, min(k, len(found)))
	for _, c := range found[:min(k, len(found))] {
		out = append(out, Result{c.node, c.sim})
	}
	return out
}

// query is a vector as the walks compare it: its int8 code and scale.
type query struct {
	code  []int8
	scale float32
}

// code returns node n's int8 code.
func (g *Graph) code(n int32) []int8 {
	return g.codes[int(n)*g.pdim : (int(n)+1)*g.pdim : (int(n)+1)*g.pdim]
}

// sim is the similarity of q and node n computed from their codes.
func (g *Graph) sim(q query, n int32) float32 {
	return q.scale * g.scales[n] * float32(dot8(q.code, g.code(n)))
}
