package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/search"
)

// vectorLegCost is what measureVectorLeg reports.
type vectorLegCost struct {
	scanMS, graphMS float64 // mean time per query, single-threaded
	// Mean recall@40 of the graph search against the exact scan, for short
	// keyword queries and for passages like the stored chunks.
	keywordRecall, passageRecall float64
}

// measureVectorLeg times the vector leg's exact scan and graph search over
// 200 short keyword queries: the benchmark queries and the opening words of
// CACM abstracts. It measures recall@40 of the graph search against the
// scan for those and for 100 passages made like the stored chunks.
func measureVectorLeg(b testing.TB, s *search.Service, dim int, groups []string) vectorLegCost {
	texts := cacmTexts(b)
	queries := append([]string(nil), benchQueries...)
	for i, t := range texts {
		if i%16 == 0 && len(queries) < 200 {
			words := strings.Fields(t)
			queries = append(queries, strings.Join(words[:min(12, len(words))], " "))
		}
	}
	run := func(vecs [][]float32, exact bool) (float64, [][]float32) {
		out := make([][]float32, len(vecs))
		start := time.Now()
		for i, v := range vecs {
			out[i] = search.VectorLeg(s, v, 40, groups, exact)
		}
		return float64(time.Since(start).Microseconds()) / float64(len(vecs)) / 1000, out
	}
	meanRecall := func(found, exact [][]float32) float64 {
		sum := 0.0
		for i := range found {
			sum += recallAt(found[i], exact[i])
		}
		return sum / float64(len(found))
	}
	var c vectorLegCost
	keywords := make([][]float32, len(queries))
	for i, q := range queries {
		keywords[i] = hashVector(q, dim)
	}
	var exact, found [][]float32
	c.scanMS, exact = run(keywords, true)
	c.graphMS, found = run(keywords, false)
	c.keywordRecall = meanRecall(found, exact)

	rng := rand.New(rand.NewPCG(5, 6))
	passages := make([][]float32, 100)
	for i := range passages {
		passages[i] = hashVector(chunkText(texts, rng), dim)
	}
	_, exact = run(passages, true)
	_, found = run(passages, false)
	c.passageRecall = meanRecall(found, exact)
	return c
}

// recallAt is the share of the exact top k matched by the found results. A
// result counts when its similarity is at least the k-th exact one (less
// 1e-6 for rounding), so chunks tied at the boundary are interchangeable.
func recallAt(found, exact []float32) float64 {
	if len(exact) == 0 {
		return 1
	}
	kth := exact[len(exact)-1] - 1e-6
	hit := 0
	for _, s := range found {
		if s >= kth {
			hit++
		}
	}
	return float64(min(hit, len(exact))) / float64(len(exact))
}

// BenchmarkVectorGraph measures how the size of the graph search's
// candidate list trades time for recall against the exact scan, on 100,000
// chunks of real text with 384-dimension vectors. It also reports how long
// the background builder takes to put every vector into the graph.
//
//	go test ./search -run '^$' -bench BenchmarkVectorGraph -benchtime 1x -timeout 30m
func BenchmarkVectorGraph(b *testing.B) {
	const dim = 384
	srv := gndtest.Start(b, gndtest.Options{})
	srv.App.Search.SetEmbedder(hashEmbedder{dim}, search.Fusion{})
	id := seed(b, srv, 100000, dim)
	gndtest.Must(b, srv.App.Search.Refresh(context.Background()), "load index")
	start := time.Now()
	for srv.App.Search.VectorBacklog() > 0 {
		time.Sleep(50 * time.Millisecond)
	}
	build := time.Since(start).Seconds()
	for _, ef := range []int{64, 128, 256, 384, 512} {
		b.Run(fmt.Sprintf("ef-%d", ef), func(b *testing.B) {
			defer search.SetEfSearch(ef)()
			var c vectorLegCost
			for b.Loop() {
				c = measureVectorLeg(b, srv.App.Search, dim, []string{id})
			}
			b.ReportMetric(c.graphMS, "graph-ms")
			b.ReportMetric(c.scanMS, "vector-scan-ms")
			b.ReportMetric(c.keywordRecall, "keyword-recall@40")
			b.ReportMetric(c.passageRecall, "passage-recall@40")
			b.ReportMetric(build, "graph-build-s")
		})
	}
}
