package app_test

import (
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gndhq/gnd/config"
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

// BenchmarkSyncOwnRepo measures a full first sync of this repository's own
// checkout (clone, chunk, index), reporting files and chunks per second and
// the peak Go heap seen while it ran.
//
//	go test ./app -run '^$' -bench BenchmarkSyncOwnRepo -benchtime 3x
func BenchmarkSyncOwnRepo(b *testing.B) {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		b.Skip("not inside a git checkout")
	}
	root := strings.TrimSpace(string(top))
	branch, err := exec.Command("git", "-C", root, "rev-parse", "--abbrev-ref", "HEAD").Output()
	gndtest.Must(b, err, "read branch")
	srv := gndtest.Start(b, gndtest.Options{Configure: func(c *config.Config) { c.AllowLocalSources = true }})
	peak := trackPeakHeap(b)
	files, chunks := 0, 0
	b.ResetTimer()
	for b.Loop() {
		id := srv.CreateSource(map[string]any{"name": "gnd", "source_type": "repo", "url": root, "branch": strings.TrimSpace(string(branch))})
		job, _ := srv.WaitJob(srv.Sync(id), 10*time.Minute)
		if job["status"] != "completed" {
			b.Fatalf("sync: %v %v", job["status"], job["error_message"])
		}
		files += int(job["files_processed"].(float64))
		chunks += int(job["chunks_created"].(float64))
	}
	b.ReportMetric(float64(files)/b.Elapsed().Seconds(), "files/s")
	b.ReportMetric(float64(chunks)/b.Elapsed().Seconds(), "chunks/s")
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
}
