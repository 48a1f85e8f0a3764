package app_test

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

// BenchmarkSyncOpenAPI measures the wall time of a full first sync of the
// two largest corpus specs served from loopback: fetch, parse, chunk, index
// and commit, observed through the Jobs API.
//
//	go test ./app -run '^$' -bench BenchmarkSyncOpenAPI -benchtime 5x
func BenchmarkSyncOpenAPI(b *testing.B) {
	for _, spec := range []struct{ name, path string }{
		{"discord", "/discord/openapi.json"},
		{"openai", "/openai/openapi.yaml"},
	} {
		b.Run(spec.name, func(b *testing.B) {
			fx := gndtest.NewFixture(b, testcorpus.Path(b, "openapi"))
			srv := gndtest.Start(b, gndtest.Options{})
			b.ResetTimer()
			for b.Loop() {
				id := srv.CreateSource(map[string]any{"name": spec.name, "source_type": "docs", "docs_format": "openapi",
					"url": fx.URL + spec.path})
				job, _ := srv.WaitJob(srv.Sync(id), 2*time.Minute)
				if job["status"] != "completed" {
					b.Fatalf("sync %s: %v %v", spec.name, job["status"], job["error_message"])
				}
			}
		})
	}
}

// BenchmarkSyncHTML measures a full first sync of the 48-page pymdown site
// from loopback through its sitemap, reporting pages per second and the peak
// Go heap seen while it ran.
//
//	go test ./app -run '^$' -bench BenchmarkSyncHTML -benchtime 5x
func BenchmarkSyncHTML(b *testing.B) {
	fx, pages := pymdownFixture(b)
	srv := gndtest.Start(b, gndtest.Options{})
	peak := trackPeakHeap(b)
	b.ResetTimer()
	for b.Loop() {
		id := srv.CreateSource(map[string]any{"name": "pymdown", "source_type": "docs", "url": fx.URL + "/", "use_sitemap": true})
		job, _ := srv.WaitJob(srv.Sync(id), 2*time.Minute)
		if job["status"] != "completed" {
			b.Fatalf("sync: %v %v", job["status"], job["error_message"])
		}
	}
	b.ReportMetric(float64(len(pages)*b.N)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
}

// trackPeakHeap samples the heap in use every 20ms until the benchmark ends
// and returns a function that reads the highest value seen.
func trackPeakHeap(b *testing.B) func() uint64 {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse)
			mu.Unlock()
		}
	}()
	b.Cleanup(func() { close(done) })
	return func() uint64 {
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}
