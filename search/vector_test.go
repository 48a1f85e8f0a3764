package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gndhq/gnd"
)

func unitVector(rng *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	var s float64
	for i := range v {
		v[i] = float32(rng.NormFloat64())
		s += float64(v[i]) * float64(v[i])
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(s))
	}
	return v
}

// settle runs the background builder until nothing is pending.
func settle(t *testing.T, s *Service) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.buildVectors(ctx) }()
	deadline := time.Now().Add(time.Minute)
	for s.VectorBacklog() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("builder left %d vectors pending", s.VectorBacklog())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

// checkAgainstExact compares graph search with the exact scan for queries
// taken near stored vectors and returns the mean recall@10.
func checkAgainstExact(t *testing.T, s *Service, queries [][]float32, sources map[string]bool) float64 {
	t.Helper()
	total := 0.0
	for _, q := range queries {
		exact := s.vec.search(q, sources, 10, true)
		got := s.vec.search(q, sources, 10, false)
		in := map[string]bool{}
		for _, h := range got {
			in[h.id] = true
		}
		hit := 0
		for _, h := range exact {
			if in[h.id] {
				hit++
			}
		}
		total += float64(hit) / float64(len(exact))
	}
	return total / float64(len(queries))
}

func TestVectorIndexFollowsPutsAndRemoves(t *testing.T) {
	s := NewService(nil, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	const dim, n = 24, 6000
	vecs := map[string][]float32{}
	s.mu.Lock()
	for i := range n {
		id := fmt.Sprintf("c%d", i)
		vecs[id] = unitVector(rng, dim)
		if !s.vec.put(id, "src-a", vecs[id]) {
			t.Fatalf("put %s refused", id)
		}
	}
	if s.vec.put("odd", "src-a", make([]float32, dim+1)) {
		t.Fatal("a vector of another dimension was accepted")
	}
	s.mu.Unlock()
	all := map[string]bool{"src-a": true}

	// Before the builder runs, every vector is pending and found exactly.
	q := vecs["c7"]
	if got := s.vec.search(q, all, 1, false); len(got) != 1 || got[0].id != "c7" {
		t.Fatalf("pending search for c7 returned %v", got)
	}
	settle(t, s)
	sv := s.vec.sources["src-a"]
	if sv.graph == nil || sv.graph.Len() != n || len(sv.pending) != 0 {
		t.Fatalf("after building: graph %v, pending %d", sv.graph != nil, len(sv.pending))
	}
	var queries [][]float32
	for i := range 100 {
		queries = append(queries, vecs[fmt.Sprintf("c%d", i*29)])
	}
	if r := checkAgainstExact(t, s, queries, all); r < 0.98 {
		t.Fatalf("recall@10 after building = %.3f, want at least 0.98", r)
	}

	// Remove a third: removed chunks are never returned, and once more than
	// a quarter of the graph is deleted the builder rebuilds it.
	s.mu.Lock()
	for i := 0; i < n; i += 3 {
		s.vec.remove(fmt.Sprintf("c%d", i))
	}
	s.mu.Unlock()
	for _, q := range queries {
		for _, h := range s.vec.search(q, all, 10, false) {
			var i int
			fmt.Sscanf(h.id, "c%d", &i)
			if i%3 == 0 {
				t.Fatalf("removed chunk %s returned", h.id)
			}
		}
	}
	settle(t, s)
	sv = s.vec.sources["src-a"]
	if sv.graph.Deleted() != 0 || sv.graph.Len() != n-n/3 {
		t.Fatalf("after rebuild: %d nodes, %d deleted; want %d and 0", sv.graph.Len(), sv.graph.Deleted(), n-n/3)
	}
	if got := s.vec.len(); got != n-n/3 {
		t.Fatalf("index holds %d chunks, want %d", got, n-n/3)
	}

	// Putting the vectors the chunks already have changes nothing, as when
	// a source is reloaded after another process committed to it.
	s.mu.Lock()
	for i := 1; i < n; i += 3 {
		s.vec.put(fmt.Sprintf("c%d", i), "src-a", vecs[fmt.Sprintf("c%d", i)])
	}
	s.mu.Unlock()
	if sv.graph.Deleted() != 0 || len(sv.pending) != 0 {
		t.Fatalf("re-putting unchanged vectors left %d deleted nodes and %d pending", sv.graph.Deleted(), len(sv.pending))
	}

	// A replaced vector moves: the chunk is found by its new vector.
	fresh := unitVector(rng, dim)
	s.mu.Lock()
	s.vec.put("c1", "src-a", fresh)
	s.mu.Unlock()
	if got := s.vec.search(fresh, all, 1, false); len(got) != 1 || got[0].id != "c1" || got[0].score < 0.999 {
		t.Fatalf("search for the replaced vector returned %v", got)
	}
}

func TestVectorIndexSharesIdenticalVectors(t *testing.T) {
	s := NewService(nil, nil)
	rng := rand.New(rand.NewPCG(3, 4))
	v := unitVector(rng, 8)
	other := unitVector(rng, 8)
	s.mu.Lock()
	s.vec.put("a", "src", v)
	s.vec.put("b", "src", append([]float32(nil), v...))
	s.vec.put("c", "src", other)
	s.mu.Unlock()
	sv := s.vec.sources["src"]
	if len(sv.pending) != 2 || len(sv.members) != 2 {
		t.Fatalf("three chunks with two distinct vectors stored %d vectors", len(sv.pending))
	}
	got := s.vec.search(v, map[string]bool{"src": true}, 3, false)
	if len(got) != 3 || got[0].score != got[1].score || got[0].id != "a" || got[1].id != "b" {
		t.Fatalf("identical vectors not returned as equals: %v", got)
	}
	s.mu.Lock()
	s.vec.remove("a")
	s.mu.Unlock()
	got = s.vec.search(v, map[string]bool{"src": true}, 3, false)
	if len(got) != 2 || got[0].id != "b" {
		t.Fatalf("after removing one duplicate: %v", got)
	}
}

func TestVectorIndexSeparatesSources(t *testing.T) {
	s := NewService(nil, nil)
	rng := rand.New(rand.NewPCG(5, 6))
	s.mu.Lock()
	for i := range 2500 {
		s.vec.put(fmt.Sprintf("a%d", i), "src-a", unitVector(rng, 16))
		if i < 100 {
			s.vec.put(fmt.Sprintf("b%d", i), "src-b", unitVector(rng, 16))
		}
	}
	s.mu.Unlock()
	settle(t, s)

	if s.vec.sources["src-a"].graph == nil {
		t.Fatal("a source above the graph threshold got no graph")
	}
	if s.vec.sources["src-b"].graph != nil {
		t.Fatal("a source below the graph threshold got a graph")
	}

	for range 20 {
		q := unitVector(rng, 16)
		for _, h := range s.vec.search(q, map[string]bool{"src-b": true}, 10, false) {
			if h.id[0] != 'b' {
				t.Fatalf("search of src-b returned %s", h.id)
			}
		}
		both := s.vec.search(q, map[string]bool{"src-a": true, "src-b": true}, 10, true)
		if len(both) != 10 {
			t.Fatalf("search of both sources returned %d hits", len(both))
		}
	}

	s.mu.Lock()
	for i := range 2500 {
		s.vec.remove(fmt.Sprintf("a%d", i))
	}
	s.vec.dropSource("src-a")
	s.mu.Unlock()
	if got := s.vec.search(unitVector(rng, 16), map[string]bool{"src-a": true}, 10, false); len(got) != 0 {
		t.Fatalf("dropped source returned %v", got)
	}
}

func TestVectorIndexUnderConcurrentChanges(t *testing.T) {
	s := NewService(nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	builderDone := make(chan struct{})
	go func() { defer close(builderDone); s.buildVectors(ctx) }()
	defer func() { cancel(); <-builderDone }()

	rng := rand.New(rand.NewPCG(7, 8))
	const dim, n = 16, 5000
	vecs := make([][]float32, n)
	for i := range vecs {
		vecs[i] = unitVector(rng, dim)
	}
	all := map[string]bool{"src": true}
	stop := make(chan struct{})
	searched := make(chan int)
	go func() {
		count := 0
		defer func() { searched <- count }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			s.mu.RLock()
			hits := s.vec.search(vecs[count%n], all, 10, false)
			s.mu.RUnlock()
			for i := 1; i < len(hits); i++ {
				if hits[i].score > hits[i-1].score {
					t.Errorf("hits out of order: %v", hits)
					return
				}
			}
			count++
		}
	}()
	for start := 0; start < n; start += 250 {
		s.mu.Lock()
		for i := start; i < start+250; i++ {
			s.vec.put(fmt.Sprintf("c%d", i), "src", vecs[i])
		}
		for i := start; i < start+250; i += 10 {
			s.vec.remove(fmt.Sprintf("c%d", i))
		}
		s.mu.Unlock()
	}
	close(stop)
	if <-searched == 0 {
		t.Fatal("no search ran while the index changed")
	}
	settle(t, s)
	// Every live chunk is found first by its own vector.
	for i := 1; i < n; i += 37 {
		if i%10 == 0 {
			continue
		}
		s.mu.RLock()
		hits := s.vec.search(vecs[i], all, 1, false)
		s.mu.RUnlock()
		if want := fmt.Sprintf("c%d", i); len(hits) != 1 || hits[0].id != want {
			t.Fatalf("search by the vector of %s returned %v", want, hits)
		}
	}
}

func TestRankDropsCandidatesWithoutEvidence(t *testing.T) {
	s := NewService(nil, nil)
	s.SetEmbedder(nil, Fusion{})
	src := &gnd.Source{ID: "src", Name: "docs", SourceType: "docs"}
	s.mu.Lock()
	for id, text := range map[string]string{"match": "rotate the signing key", "opposite": "backups run nightly"} {
		c := &gnd.Chunk{ID: id, SourceID: "src", Content: text, Path: id + ".md"}
		s.putChunk(c)
		s.lex.Upsert(lexDoc(c))
	}
	// "opposite" points away from the query: its cosine is negative.
	s.vec.put("match", "src", []float32{1, 0})
	s.vec.put("opposite", "src", []float32{-1, 0})
	s.mu.Unlock()

	cands := s.rank("signing key", []float32{1, 0}, 10, []string{"src"}, map[string]*gnd.Source{"src": src}, gnd.DefaultPolicy(), &Response{})
	if len(cands) != 1 || cands[0].chunk.ID != "match" {
		var ids []string
		for _, c := range cands {
			ids = append(ids, fmt.Sprintf("%s %.3f", c.chunk.ID, c.score))
		}
		t.Fatalf("ranked %v, want only the chunk with evidence", ids)
	}
}

func TestSearchDoesNotWaitForDeletedSource(t *testing.T) {
	s := NewService(nil, nil)
	s.mu.Lock()
	s.versions["gone"] = 3
	s.mu.Unlock()
	s.DropSource("gone")

	// A search that listed the source at version 4 before it was deleted.
	start := time.Now()
	if err := s.catchUp(context.Background(), map[string]int64{"gone": 4}, []string{"gone"}); err != nil {
		t.Fatalf("catch up: %v", err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("catching up with a deleted source took %s", took)
	}
}

func TestRankScoresEveryCandidateByBothLegs(t *testing.T) {
	s := NewService(nil, nil)
	s.SetEmbedder(nil, Fusion{})
	src := &gnd.Source{ID: "src", Name: "docs", SourceType: "docs"}
	s.mu.Lock()
	for id, text := range map[string]string{"a": "signing key signing key rotation", "b": "the signing process", "c": "unrelated"} {
		c := &gnd.Chunk{ID: id, SourceID: "src", Content: text, Path: id + ".md"}
		s.putChunk(c)
		s.lex.Upsert(lexDoc(c))
	}
	s.vec.put("a", "src", []float32{0.8, 0.6})
	s.vec.put("b", "src", []float32{1, 0})
	s.vec.put("c", "src", []float32{0, 1})
	s.mu.Unlock()

	// With one candidate per leg, the text leg finds a and the vector leg b.
	cands := s.rank("signing key", []float32{1, 0}, 1, []string{"src"}, map[string]*gnd.Source{"src": src}, gnd.DefaultPolicy(), &Response{})
	scores := map[string]candidate{}
	for _, c := range cands {
		scores[c.chunk.ID] = c
	}
	if a, ok := scores["a"]; !ok || a.vector < 0.79 || a.vector > 0.81 {
		t.Errorf("chunk a found by the text leg has vector score %v, want its cosine 0.8", a.vector)
	}
	if b, ok := scores["b"]; !ok || b.text <= 0 || b.text >= 1 {
		t.Errorf("chunk b found by the vector leg has text score %v, want its BM25 share", b.text)
	}
}
