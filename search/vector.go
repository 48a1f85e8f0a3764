package search

import (
	"runtime"
	"sort"
	"sync"
)

// vectorIndex holds one unit-length vector per chunk in one contiguous slab
// and answers exact cosine top-k by a brute-force scan split across CPUs.
// Exact search has recall 1 by construction. It is not safe for concurrent
// use; Service guards it with its lock.
type vectorIndex struct {
	dim    int
	ids    []string // by slot; "" marks a free slot
	source []int32  // by slot: index into sources, -1 for a free slot
	data   []float32
	slot   map[string]int
	free   []int
	// sources numbers source ids, so a scan filters slots by an int.
	sources  map[string]int32
	sourceID []string
}

func newVectorIndex() *vectorIndex {
	return &vectorIndex{slot: map[string]int{}, sources: map[string]int32{}}
}

func (x *vectorIndex) sourceIndex(id string) int32 {
	if i, ok := x.sources[id]; ok {
		return i
	}
	i := int32(len(x.sourceID))
	x.sources[id] = i
	x.sourceID = append(x.sourceID, id)
	return i
}

// put stores v (already normalised) for a chunk. A vector of another
// dimension than the index's is ignored and reported false.
func (x *vectorIndex) put(id, sourceID string, v []float32) bool {
	if x.dim == 0 {
		x.dim = len(v)
	}
	if len(v) != x.dim || len(v) == 0 {
		return false
	}
	i, ok := x.slot[id]
	if !ok {
		if n := len(x.free); n > 0 {
			i, x.free = x.free[n-1], x.free[:n-1]
		} else {
			i = len(x.ids)
			x.ids = append(x.ids, "")
			x.source = append(x.source, -1)
			x.data = append(x.data, make([]float32, x.dim)...)
		}
		x.slot[id] = i
	}
	x.ids[i], x.source[i] = id, x.sourceIndex(sourceID)
	copy(x.data[i*x.dim:(i+1)*x.dim], v)
	return true
}

func (x *vectorIndex) remove(id string) {
	i, ok := x.slot[id]
	if !ok {
		return
	}
	delete(x.slot, id)
	x.ids[i], x.source[i] = "", -1
	x.free = append(x.free, i)
}

func (x *vectorIndex) len() int { return len(x.slot) }

type vectorHit struct {
	id    string
	score float32
}

// search returns the k chunks of the given sources most similar to q.
func (x *vectorIndex) search(q []float32, sources map[string]bool, k int) []vectorHit {
	if len(q) != x.dim || x.dim == 0 || k <= 0 {
		return nil
	}
	allowed := make([]bool, len(x.sourceID))
	for id := range sources {
		if i, ok := x.sources[id]; ok {
			allowed[i] = true
		}
	}
	workers := runtime.GOMAXPROCS(0)
	n := len(x.ids)
	per := (n + workers - 1) / max(workers, 1)
	parts := make([][]vectorHit, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*per, min((w+1)*per, n)
		if lo >= hi {
			continue
		}
		wg.Go(func() { parts[w] = x.scan(q, allowed, k, lo, hi) })
	}
	wg.Wait()
	var all []vectorHit
	for _, p := range parts {
		all = append(all, p...)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].id < all[j].id
	})
	return all[:min(k, len(all))]
}

// scan keeps the best k of slots lo..hi in a small min-heap.
func (x *vectorIndex) scan(q []float32, allowed []bool, k, lo, hi int) []vectorHit {
	h := make([]vectorHit, 0, k)
	dim := x.dim
	for i := lo; i < hi; i++ {
		src := x.source[i]
		if src < 0 || !allowed[src] {
			continue
		}
		s := dot(q, x.data[i*dim:(i+1)*dim])
		if len(h) < k {
			h = append(h, vectorHit{x.ids[i], s})
			up(h, len(h)-1)
			continue
		}
		if s > h[0].score {
			h[0] = vectorHit{x.ids[i], s}
			down(h, 0)
		}
	}
	return h
}

// dot is the inner product, unrolled by eight.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		aa, bb := a[i:i+8:i+8], b[i:i+8:i+8]
		s0 += aa[0] * bb[0]
		s1 += aa[1] * bb[1]
		s2 += aa[2] * bb[2]
		s3 += aa[3] * bb[3]
		s4 += aa[4] * bb[4]
		s5 += aa[5] * bb[5]
		s6 += aa[6] * bb[6]
		s7 += aa[7] * bb[7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7)
}

func up(h []vectorHit, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].score <= h[i].score {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func down(h []vectorHit, i int) {
	for {
		l, small := 2*i+1, i
		if l < len(h) && h[l].score < h[small].score {
			small = l
		}
		if r := l + 1; r < len(h) && h[r].score < h[small].score {
			small = r
		}
		if small == i {
			return
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
}
