package app_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
	"github.com/gndhq/gnd/search/evaluate"
)

// BenchmarkCACMThroughProduct indexes the CACM collection through the
// product, as an HTML docs source whose 3,204 pages a loopback server serves
// with a sitemap, then ranks every CACM topic with the search service and
// scores the rankings (depth 1000) against the CACM judgements.
//
//	go test ./app -run '^$' -bench BenchmarkCACMThroughProduct -benchtime 1x
func BenchmarkCACMThroughProduct(b *testing.B) {
	fx := gndtest.NewFixture(b, "")
	var sitemap strings.Builder
	sitemap.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	docs := 0
	eachCACMDoc(b, func(name string, body []byte) {
		fx.Set("/cacm/"+name, body)
		fmt.Fprintf(&sitemap, "<url><loc>%s/cacm/%s</loc></url>", fx.URL, name)
		docs++
	})
	sitemap.WriteString("</urlset>")
	fx.Set("/cacm/sitemap.xml", []byte(sitemap.String()))
	topics, qrels := cacmTopics(b)

	for b.Loop() {
		srv := gndtest.Start(b, gndtest.Options{})
		start := time.Now()
		id := srv.CreateSource(map[string]any{"name": "cacm", "source_type": "docs", "url": fx.URL + "/cacm/", "use_sitemap": true,
			"settings": map[string]any{"max_pages": 5000}})
		job, _ := srv.WaitJob(srv.Sync(id), 30*time.Minute)
		if job["status"] != "completed" || int(job["files_processed"].(float64)) != docs {
			b.Fatalf("sync: %v, %v of %d pages, %v", job["status"], job["files_processed"], docs, job["error_message"])
		}
		b.ReportMetric(time.Since(start).Seconds(), "sync-s")

		run := evaluate.Run{}
		for _, topic := range topics {
			ranked, err := srv.App.Search.Rank(context.Background(), srv.App.DB, workspaceOf(b, srv), topic.Query, 1000)
			gndtest.Must(b, err, "rank")
			seen := map[string]bool{}
			for _, r := range ranked {
				doc := strings.TrimSuffix(path.Base(r.Path), ".html")
				if !seen[doc] {
					seen[doc] = true
					run[topic.ID] = append(run[topic.ID], doc)
				}
			}
		}
		if len(run) == 0 {
			b.Fatalf("no topic returned a ranking; first topic %+v", topics[0])
		}
		sum := evaluate.Summarize(run, qrels)
		b.ReportMetric(sum.MAP, "MAP")
		b.ReportMetric(sum.P30, "P@30")
		b.ReportMetric(sum.NDCG10, "nDCG@10")
		srv.Stop()
	}
}

func workspaceOf(tb testing.TB, srv *gndtest.Server) string {
	key, err := srv.App.DB.Authenticate(context.Background(), srv.Key)
	gndtest.Must(tb, err, "authenticate")
	return key.WorkspaceID
}

// eachCACMDoc calls fn with the file name and body of every CACM document.
func eachCACMDoc(tb testing.TB, fn func(name string, body []byte)) {
	f, err := os.Open(testcorpus.Path(tb, "bench", "cacm", "cacm.tar.gz"))
	gndtest.Must(tb, err, "open cacm.tar.gz")
	defer f.Close()
	gz, err := gzip.NewReader(f)
	gndtest.Must(tb, err, "gunzip cacm.tar.gz")
	archive := tar.NewReader(gz)
	for {
		header, err := archive.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		gndtest.Must(tb, err, "read cacm.tar.gz")
		name := path.Base(header.Name)
		if header.Typeflag != tar.TypeReg || !strings.HasSuffix(name, ".html") {
			continue
		}
		body, err := io.ReadAll(archive)
		gndtest.Must(tb, err, "read "+name)
		fn(name, body)
	}
}

func cacmTopics(tb testing.TB) ([]evaluate.Topic, evaluate.Qrels) {
	tf, err := os.Open(testcorpus.Path(tb, "bench", "cacm", "topics.cacm.txt"))
	gndtest.Must(tb, err, "open topics")
	defer tf.Close()
	topics, err := evaluate.ReadTopics(tf)
	gndtest.Must(tb, err, "read topics")
	qf, err := os.Open(testcorpus.Path(tb, "bench", "cacm", "qrels.cacm.txt"))
	gndtest.Must(tb, err, "open qrels")
	defer qf.Close()
	qrels, err := evaluate.ReadQrels(qf)
	gndtest.Must(tb, err, "read qrels")
	return topics, qrels
}
