package search_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/embed"
	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
	"github.com/gndhq/gnd/search"
	"github.com/gndhq/gnd/store"
)

// hashEmbedder is a fast deterministic query embedder for the benchmark: a
// hashed bag of words, so query and chunk vectors share dimensions.
type hashEmbedder struct{ dim int }

func (h hashEmbedder) Model() string { return fmt.Sprintf("bench-hash:%d", h.dim) }
func (h hashEmbedder) Dim() int      { return h.dim }
func (h hashEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = hashVector(t, h.dim)
	}
	return out, nil
}

func hashVector(text string, dim int) []float32 {
	v := make([]float32, dim)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		f := fnv.New32a()
		f.Write([]byte(w))
		v[f.Sum32()%uint32(dim)]++
	}
	v[0] += 0.01
	embed.Normalize(v)
	return v
}

// cacmTexts returns the CACM abstracts.
func cacmTexts(tb testing.TB) []string {
	f, err := os.Open(testcorpus.Path(tb, "bench", "cacm", "cacm.tar.gz"))
	gndtest.Must(tb, err, "open cacm")
	defer f.Close()
	gz, err := gzip.NewReader(f)
	gndtest.Must(tb, err, "gunzip cacm")
	var out []string
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		gndtest.Must(tb, err, "read cacm")
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, _ := io.ReadAll(tr)
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(string(b)), "<html><pre>"), "</pre></html>"))
	}
}

// chunkText joins CACM abstracts picked at random and keeps the first
// 1,000 bytes.
func chunkText(texts []string, rng *rand.Rand) string {
	var sb strings.Builder
	for sb.Len() < 1000 {
		sb.WriteString(texts[rng.IntN(len(texts))])
		sb.WriteString("\n")
	}
	return sb.String()[:1000]
}

// seed stores n chunks of about 1 KB of real text (CACM abstracts joined at
// random) in one source through a job's commit, with vectors of dim when dim > 0.
func seed(b testing.TB, srv *gndtest.Server, n, dim int) string {
	ctx := context.Background()
	texts := cacmTexts(b)
	rng := rand.New(rand.NewPCG(1, 2))
	id := srv.CreateSource(map[string]any{"name": "bench", "source_type": "docs", "url": "http://127.0.0.1:1/"})
	key, err := srv.App.DB.Authenticate(ctx, srv.Key)
	gndtest.Must(b, err, "authenticate")
	job, err := srv.App.DB.EnqueueSync(ctx, key.WorkspaceID, id, 0)
	gndtest.Must(b, err, "enqueue")
	claimed, err := srv.App.DB.Claim(ctx, "bench", time.Hour)
	if err != nil || claimed == nil || claimed.ID != job.ID {
		b.Fatalf("claim: %v %v", claimed, err)
	}
	var cs gnd.ChangeSet
	vectors := map[string][]float32{}
	for i := 0; i < n; i++ {
		content := chunkText(texts, rng)
		hash := fmt.Sprintf("bench-%d", i)
		cs.Create = append(cs.Create, gnd.Chunk{WorkspaceID: key.WorkspaceID, Key: hash, Path: fmt.Sprintf("http://127.0.0.1:1/doc%d", i),
			Symbol: fmt.Sprintf("doc %d", i), Language: "markdown", ChunkType: "docs", Content: content, ContentHash: hash,
			TextHash: gnd.TextHash(content), TokenCount: 250})
		if dim > 0 {
			vectors[gnd.TextHash(content)] = hashVector(content, dim)
		}
	}
	if dim > 0 {
		gndtest.Must(b, srv.App.DB.PutEmbeddings(ctx, hashEmbedder{dim}.Model(), vectors), "store vectors")
	}
	_, err = srv.App.DB.ApplyChanges(ctx, job.ID, "bench", id, cs, &store.Completion{FileCount: n, VersionRef: "bench"})
	gndtest.Must(b, err, "apply chunks")
	return id
}

var benchQueries = []string{
	"time sharing system operating system performance",
	"parallel algorithms for sorting on multiprocessors",
	"compiler optimization of loops and register allocation",
	"information retrieval evaluation of document indexing",
	"numerical methods for solving linear equations",
	"garbage collection in list processing languages",
	"computer networks and packet switching protocols",
	"database query languages and relational model",
}

// BenchmarkSearchLatency measures GET /search over HTTP on 100,000 chunks of
// real text with 16 concurrent clients, with the lexical default and with
// 384-dimension vectors, alongside the bare lexical query and the bare
// vector scan in the same run.
//
//	go test ./search -run '^$' -bench BenchmarkSearchLatency -benchtime 2000x -timeout 30m
func BenchmarkSearchLatency(b *testing.B) {
	for _, mode := range []struct {
		name string
		dim  int
	}{{"lexical", 0}, {"vectors-384", 384}} {
		if only := os.Getenv("GND_BENCH_MODE"); only != "" && only != mode.name {
			continue
		}
		b.Run(mode.name, func(b *testing.B) {
			srv := gndtest.Start(b, gndtest.Options{})
			if mode.dim > 0 {
				srv.App.Search.SetEmbedder(hashEmbedder{mode.dim}, search.Fusion{})
			}
			id := seed(b, srv, 100000, mode.dim)
			gndtest.Must(b, srv.App.Search.Refresh(context.Background()), "load index")
			groups := []string{id}

			// Wait for the background builder to put every vector into the graph.
			start := time.Now()
			for srv.App.Search.VectorBacklog() > 0 {
				time.Sleep(50 * time.Millisecond)
			}
			graphBuild := time.Since(start).Seconds()

			// The bare legs, single-threaded.
			start = time.Now()
			for i := 0; i < 200; i++ {
				search.LexicalLeg(srv.App.Search, benchQueries[i%len(benchQueries)], 40, groups)
			}
			lexicalLeg := float64(time.Since(start).Microseconds()) / 200 / 1000
			var vc vectorLegCost
			if mode.dim > 0 {
				vc = measureVectorLeg(b, srv.App.Search, mode.dim, groups)
			}

			// Full requests over HTTP from 16 clients.
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
			var mu sync.Mutex
			var lat []time.Duration
			work := make(chan int)
			var wg sync.WaitGroup
			if path := os.Getenv("GND_BENCH_CPUPROFILE"); path != "" {
				f, err := os.Create(path)
				gndtest.Must(b, err, "create profile")
				gndtest.Must(b, pprof.StartCPUProfile(f), "start profile")
				defer pprof.StopCPUProfile()
			}
			b.ResetTimer()
			for w := 0; w < 16; w++ {
				wg.Go(func() {
					for i := range work {
						q := benchQueries[i%len(benchQueries)]
						req, _ := http.NewRequest("GET", srv.URL+"/search?top_k=10&query="+url.QueryEscape(q), nil)
						req.Header.Set("Authorization", "Bearer "+srv.Key)
						t0 := time.Now()
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						d := time.Since(t0)
						if resp.StatusCode != 200 {
							b.Errorf("status %d", resp.StatusCode)
						}
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				})
			}
			for i := 0; i < b.N; i++ {
				work <- i
			}
			close(work)
			wg.Wait()
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(lexicalLeg, "lexical-leg-ms")
			if mode.dim > 0 {
				b.ReportMetric(vc.scanMS, "vector-scan-ms")
				b.ReportMetric(vc.graphMS, "graph-ms")
				b.ReportMetric(vc.keywordRecall, "keyword-recall@40")
				b.ReportMetric(vc.passageRecall, "passage-recall@40")
				b.ReportMetric(graphBuild, "graph-build-s")
			}
		})
	}
}
