package lexical

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSearch100k measures one search at a time over 100,000 documents
// of about 1 KB, cycling through natural-language queries of 5 to 10 words.
func BenchmarkSearch100k(b *testing.B) {
	ix, _ := index100k(b)
	b.ReportAllocs()
	cpu := startCPUMeter()
	searches := 0
	for i := 0; b.Loop(); i++ {
		ix.Search(benchQueries[i%len(benchQueries)], SearchOptions{K: 10})
		searches++
	}
	cpu.report(b, searches)
}

// cpuMeter measures the process CPU time spent over a benchmark, which,
// unlike wall time, hardly changes when other processes compete for the
// CPUs. It includes the garbage collector's share.
type cpuMeter struct {
	start time.Duration
	ok    bool
}

func startCPUMeter() cpuMeter {
	start, ok := processCPUTime()
	return cpuMeter{start, ok}
}

// report adds the CPU time per operation in microseconds to b's results.
func (m cpuMeter) report(b *testing.B, ops int) {
	end, ok := processCPUTime()
	if !m.ok || !ok || ops == 0 {
		return
	}
	b.ReportMetric(float64(end-m.start)/float64(time.Microsecond)/float64(ops), "cpu-µs/op")
}

// BenchmarkSearch100kParallel measures 16 goroutines searching the same
// index at once and reports the median and 99th-percentile latency of a
// single search. With every CPU busy, the median is about 16 times the
// CPU time of one search divided by the number of CPUs.
func BenchmarkSearch100kParallel(b *testing.B) {
	ix, _ := index100k(b)
	benchmarkParallelSearch(b, ix, SearchOptions{K: 10})
}

// BenchmarkSearch100kDuringUpsert is BenchmarkSearch100kParallel while
// another goroutine keeps upserting batches of 64 documents. It re-upserts
// the index's own documents, so the content stays the same while
// tombstones and compactions come and go.
func BenchmarkSearch100kDuringUpsert(b *testing.B) {
	ix, docs := index100k(b)
	stop := make(chan struct{})
	var writer sync.WaitGroup
	var upserted atomic.Int64
	writer.Go(func() {
		for lo := 0; ; lo = (lo + 64) % (len(docs) - 64) {
			select {
			case <-stop:
				return
			default:
			}
			ix.Upsert(docs[lo : lo+64]...)
			upserted.Add(64)
		}
	})
	benchmarkParallelSearch(b, ix, SearchOptions{K: 10})
	close(stop)
	writer.Wait()
	b.ReportMetric(float64(upserted.Load())/b.Elapsed().Seconds(), "upserts/s")
}

// BenchmarkSearch100kGroupFilter measures single searches restricted to one
// group (1% of the documents) and to ten groups (10%).
func BenchmarkSearch100kGroupFilter(b *testing.B) {
	ix, _ := index100k(b)
	for _, groups := range []int{1, 10} {
		opt := SearchOptions{K: 10}
		for g := range groups {
			opt.Groups = append(opt.Groups, fmt.Sprintf("group-%03d", g*7))
		}
		b.Run(fmt.Sprintf("groups=%d", groups), func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPUMeter()
			searches := 0
			for i := 0; b.Loop(); i++ {
				ix.Search(benchQueries[i%len(benchQueries)], opt)
				searches++
			}
			cpu.report(b, searches)
		})
	}
}

// benchmarkParallelSearch runs searches from 16 goroutines (or the next
// multiple of GOMAXPROCS) and reports latency percentiles in milliseconds.
func benchmarkParallelSearch(b *testing.B, ix *Index, opt SearchOptions) {
	const goroutines = 16
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((goroutines + procs - 1) / procs)

	var (
		mu        sync.Mutex
		latencies []time.Duration
		next      atomic.Int64
	)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPUMeter()
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		for pb.Next() {
			query := benchQueries[int(next.Add(1))%len(benchQueries)]
			start := time.Now()
			ix.Search(query, opt)
			local = append(local, time.Since(start))
		}
		mu.Lock()
		latencies = append(latencies, local...)
		mu.Unlock()
	})
	b.StopTimer()

	cpu.report(b, len(latencies))
	slices.Sort(latencies)
	if len(latencies) > 0 {
		b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ms")
		b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ms")
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkUpsert measures Upsert throughput in batches of 256 documents of
// about 1 KB into an index of 100,000 documents. IDs cycle through the
// existing ones, so every upsert replaces a document and compaction runs
// along the way.
func BenchmarkUpsert(b *testing.B) {
	docs := docs100k(b)
	ix := New(Params{})
	ix.Upsert(docs...)
	const batch = 256
	b.SetBytes(int64(batch * len(docs[0].Text)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	n := 0
	for i := 0; b.Loop(); i++ {
		lo := (i * batch) % (len(docs) - batch)
		ix.Upsert(docs[lo : lo+batch]...)
		n += batch
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "docs/s")
}

// BenchmarkBuild100k measures building an index of 100,000 documents from
// scratch and reports its heap size.
func BenchmarkBuild100k(b *testing.B) {
	docs := docs100k(b)
	var before, after runtime.MemStats
	builds := 0
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		ix := New(Params{})
		ix.Upsert(docs...)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-MiB")
		runtime.KeepAlive(ix)
		builds++
	}
	b.ReportMetric(float64(len(docs)*builds)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkTerms measures analysis throughput on 1 KB documents.
func BenchmarkTerms(b *testing.B) {
	docs := docs100k(b)
	b.SetBytes(int64(len(docs[0].Text)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Terms(docs[i%len(docs)].Text)
	}
}
