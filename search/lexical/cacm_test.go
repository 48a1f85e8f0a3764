package lexical

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
	"github.com/gndhq/gnd/search/evaluate"
)

// cacmDocs returns the 3,204 CACM abstracts, unpacked in memory, with IDs
// such as CACM-0001 and the <html><pre> wrapper removed.
func cacmDocs(tb testing.TB) []Doc {
	tb.Helper()
	f, err := os.Open(testcorpus.Path(tb, "bench", "cacm", "cacm.tar.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("open cacm.tar.gz: %v", err)
	}
	var docs []Doc
	archive := tar.NewReader(gz)
	for {
		header, err := archive.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("read cacm.tar.gz: %v", err)
		}
		name := path.Base(header.Name)
		if header.Typeflag != tar.TypeReg || !strings.HasSuffix(name, ".html") {
			continue
		}
		body, err := io.ReadAll(archive)
		if err != nil {
			tb.Fatalf("read %s: %v", header.Name, err)
		}
		docs = append(docs, Doc{ID: strings.TrimSuffix(name, ".html"), Group: "cacm", Text: stripPre(string(body))})
	}
	return docs
}

// stripPre removes the <html><pre> … </pre></html> wrapper of a CACM file.
func stripPre(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(s, "<html>"))
	s = strings.TrimPrefix(s, "<pre>")
	s = strings.TrimSpace(strings.TrimSuffix(s, "</html>"))
	return strings.TrimSuffix(s, "</pre>")
}

// cacmTopics returns the 64 CACM queries and the judgements for 52 of them.
func cacmTopics(tb testing.TB) ([]evaluate.Topic, evaluate.Qrels) {
	tb.Helper()
	tf, err := os.Open(testcorpus.Path(tb, "bench", "cacm", "topics.cacm.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer tf.Close()
	topics, err := evaluate.ReadTopics(tf)
	if err != nil {
		tb.Fatal(err)
	}
	qf, err := os.Open(testcorpus.Path(tb, "bench", "cacm", "qrels.cacm.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer qf.Close()
	qrels, err := evaluate.ReadQrels(qf)
	if err != nil {
		tb.Fatal(err)
	}
	return topics, qrels
}

// cacmRun indexes CACM with p and returns the top 1000 documents per topic.
func cacmRun(tb testing.TB, p Params) evaluate.Run {
	tb.Helper()
	ix := New(p)
	ix.Upsert(cacmDocs(tb)...)
	topics, _ := cacmTopics(tb)
	run := make(evaluate.Run, len(topics))
	for _, topic := range topics {
		for _, hit := range ix.Search(topic.Query, SearchOptions{K: evaluate.MAPDepth}) {
			run[topic.ID] = append(run[topic.ID], hit.ID)
		}
	}
	return run
}

func TestCACMCollectionShape(t *testing.T) {
	docs := cacmDocs(t)
	topics, qrels := cacmTopics(t)
	if len(docs) != 3204 {
		t.Errorf("CACM has %d documents, want 3204", len(docs))
	}
	if len(topics) != 64 {
		t.Errorf("CACM has %d topics, want 64", len(topics))
	}
	if len(qrels) != 52 {
		t.Errorf("CACM qrels judge %d topics, want 52", len(qrels))
	}
	for _, d := range docs {
		if strings.Contains(d.Text, "<pre>") || strings.Contains(d.Text, "</html>") {
			t.Fatalf("document %s still contains its HTML wrapper", d.ID)
		}
	}
}

// TestCACMEffectiveness checks ranking quality against the published Lucene
// BM25 baseline on CACM (Anserini regression: MAP 0.3123, P@30 0.1942).
func TestCACMEffectiveness(t *testing.T) {
	_, qrels := cacmTopics(t)
	summary := evaluate.Summarize(cacmRun(t, DefaultParams()), qrels)
	t.Logf("CACM BM25 over %d judged topics: MAP %.4f  P@30 %.4f  nDCG@10 %.4f  (P@10 %.4f, recall@1000 %.4f)",
		summary.Topics, summary.MAP, summary.P30, summary.NDCG10, summary.P10, summary.Recall1000)
	if summary.Topics != 52 {
		t.Errorf("evaluated %d topics, want the 52 judged ones", summary.Topics)
	}
	if summary.MAP < 0.31 {
		t.Errorf("MAP = %.4f, want ≥ 0.31 (Lucene BM25 reaches 0.3123)", summary.MAP)
	}
}
