package hnsw

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// clustered returns n unit vectors of dim dimensions drawn around 200
// random centres.
func clustered(n, dim int, seed uint64) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	centres := make([][]float32, 200)
	for i := range centres {
		centres[i] = randomUnit(rng, dim)
	}
	out := make([][]float32, n)
	for i := range out {
		c := centres[rng.IntN(len(centres))]
		v := make([]float32, dim)
		for j := range v {
			v[j] = c[j] + float32(rng.NormFloat64())*0.08
		}
		normalize(v)
		out[i] = v
	}
	return out
}

func randomUnit(rng *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for j := range v {
		v[j] = float32(rng.NormFloat64())
	}
	normalize(v)
	return v
}

func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	n := float32(math.Sqrt(s))
	for i := range v {
		v[i] /= n
	}
}

// exact returns the k best nodes of vs for q by brute force, skipping
// nodes skip refuses.
func exact(vs [][]float32, q []float32, k int, skip func(int32) bool) []int32 {
	type hit struct {
		n int32
		s float32
	}
	var all []hit
	for i, v := range vs {
		if skip != nil && skip(int32(i)) {
			continue
		}
		all = append(all, hit{int32(i), Dot(q, v)})
	}
	slices.SortFunc(all, func(a, b hit) int {
		if a.s > b.s {
			return -1
		}
		if a.s < b.s {
			return 1
		}
		return 0
	})
	out := make([]int32, 0, k)
	for _, h := range all[:min(k, len(all))] {
		out = append(out, h.n)
	}
	return out
}

// recall is the share of want found in got.
func recall(got []Result, want []int32) float64 {
	in := map[int32]bool{}
	for _, r := range got {
		in[r.Node] = true
	}
	hit := 0
	for _, n := range want {
		if in[n] {
			hit++
		}
	}
	return float64(hit) / float64(len(want))
}

func build(vs [][]float32) *Graph {
	g := New(len(vs[0]), Params{Seed: 1})
	for i, v := range vs {
		if n := g.Add(v); n != int32(i) {
			panic("node numbers are not sequential")
		}
	}
	return g
}

func TestSearchRecallAgainstExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		vecs [][]float32
	}{
		{"clustered", clustered(5000, 64, 1)},
		{"uniform", func() [][]float32 {
			rng := rand.New(rand.NewPCG(3, 4))
			out := make([][]float32, 3000)
			for i := range out {
				out[i] = randomUnit(rng, 32)
			}
			return out
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := build(tc.vecs)
			rng := rand.New(rand.NewPCG(9, 9))
			total := 0.0
			const queries = 100
			for range queries {
				q := tc.vecs[rng.IntN(len(tc.vecs))]
				q = slices.Clone(q)
				q[0] += 0.05
				normalize(q)
				got := g.Search(q, 40, 128, nil)
				if len(got) != 40 {
					t.Fatalf("got %d results, want 40", len(got))
				}
				for i := 1; i < len(got); i++ {
					if got[i].Sim > got[i-1].Sim {
						t.Fatalf("results not best first at %d: %v > %v", i, got[i].Sim, got[i-1].Sim)
					}
				}
				total += recall(got, exact(tc.vecs, q, 40, nil))
			}
			t.Logf("recall@40 %.4f", total/queries)
			if r := total / queries; r < 0.98 {
				t.Fatalf("recall@40 = %.4f, want at least 0.98", r)
			}
		})
	}
}

func TestDeletedAndRefusedNodesAreNeverReturned(t *testing.T) {
	vs := clustered(2000, 32, 5)
	g := build(vs)
	for n := int32(0); n < 2000; n += 3 {
		g.Delete(n)
	}
	g.Delete(0) // deleting twice counts once
	if g.Deleted() != 667 {
		t.Fatalf("Deleted() = %d, want 667", g.Deleted())
	}
	odd := func(n int32) bool { return n%2 == 1 }
	skip := func(n int32) bool { return n%3 == 0 || !odd(n) }
	total := 0.0
	for i := range 50 {
		q := vs[i*37]
		got := g.Search(q, 20, 100, odd)
		for _, r := range got {
			if skip(r.Node) {
				t.Fatalf("node %d returned although deleted or refused", r.Node)
			}
		}
		total += recall(got, exact(vs, q, 20, skip))
	}
	if r := total / 50; r < 0.95 {
		t.Fatalf("filtered recall@20 = %.4f, want at least 0.95", r)
	}
}

func TestEmptyAndMismatchedQueries(t *testing.T) {
	g := New(8, Params{})
	if got := g.Search(make([]float32, 8), 5, 10, nil); got != nil {
		t.Fatalf("empty graph returned %v", got)
	}
	v := []float32{1, 0, 0, 0, 0, 0, 0, 0}
	g.Add(v)
	if got := g.Search([]float32{1, 0}, 5, 10, nil); got != nil {
		t.Fatalf("query of the wrong dimension returned %v", got)
	}
	if got := g.Search(v, 0, 10, nil); got != nil {
		t.Fatalf("k=0 returned %v", got)
	}
	got := g.Search(v, 5, 1, nil)
	if len(got) != 1 || got[0].Node != 0 || got[0].Sim < 0.999 {
		t.Fatalf("single node graph returned %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("adding a vector of the wrong dimension did not panic")
		}
	}()
	g.Add([]float32{1})
}
