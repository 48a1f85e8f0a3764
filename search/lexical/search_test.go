package lexical

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// exhaustive scores documents independently of the index with the formula
// in the package documentation, statistics taken over all its documents.
type exhaustive struct {
	docs     []Doc
	lengths  []int
	postings map[string]map[int]int // term → document position → term frequency
	total    int
}

func newExhaustive(docs []Doc) *exhaustive {
	e := &exhaustive{docs: docs, postings: make(map[string]map[int]int)}
	for i, d := range docs {
		terms := Terms(d.Text)
		for _, term := range terms {
			if e.postings[term] == nil {
				e.postings[term] = make(map[int]int)
			}
			e.postings[term][i]++
		}
		e.lengths = append(e.lengths, len(terms))
		e.total += len(terms)
	}
	return e
}

// search returns the top k documents for query, best first, ties by ID.
func (e *exhaustive) search(p Params, query string, k int, groups []string) []Hit {
	n := float64(len(e.docs))
	avg := max(float64(e.total)/n, 1)
	queryCount := make(map[string]int)
	for _, term := range QueryTerms(query) {
		queryCount[term]++
	}
	scores := make(map[int]float64)
	for term, qtf := range queryCount {
		df := float64(len(e.postings[term]))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for i, count := range e.postings[term] {
			tf := float64(count)
			scores[i] += float64(qtf) * idf * (p.K1 + 1) * tf / (tf + p.K1*(1-p.B+p.B*float64(e.lengths[i])/avg))
		}
	}
	var hits []Hit
	for i, score := range scores {
		if len(groups) == 0 || slices.Contains(groups, e.docs[i].Group) {
			hits = append(hits, Hit{ID: e.docs[i].ID, Score: score})
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	return hits[:min(k, len(hits))]
}

// compareHits reports the first difference between got and want, allowing
// documents whose scores tie within rounding to swap places.
func compareHits(got, want []Hit) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d hits, want %d", len(got), len(want))
	}
	const tolerance = 1e-9
	for i := range want {
		if math.Abs(got[i].Score-want[i].Score) > tolerance*max(1, math.Abs(want[i].Score)) {
			return fmt.Sprintf("rank %d: %s scores %.12f, want %s with %.12f", i+1, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
		}
	}
	return ""
}

// TestSearchMatchesExhaustiveScoring checks the pruned search against
// exhaustive scoring on 12,000 documents, enough for three scoring windows,
// so that pruning between windows takes effect.
func TestSearchMatchesExhaustiveScoring(t *testing.T) {
	docs := syntheticDocs(textFragments(t), 12_000, 7)
	topics, _ := cacmTopics(t)
	queries := slices.Clone(benchQueries)
	for _, topic := range topics {
		queries = append(queries, topic.Query)
	}
	reference := newExhaustive(docs)
	params := []Params{DefaultParams(), {K1: 1.2, B: 0.75}, {K1: 2, B: 1}, {K1: 0.5, B: 0}}
	cases := []SearchOptions{
		{K: 1},
		{K: 10},
		{K: 100},
		{K: 10, Groups: []string{"group-003"}},
		{K: 100, Groups: []string{"group-000", "group-050"}},
	}
	for _, p := range params {
		ix := New(p)
		ix.Upsert(docs...)
		for _, opt := range cases {
			name := fmt.Sprintf("k1=%g b=%g K=%d groups=%v", p.K1, p.B, opt.K, opt.Groups)
			t.Run(name, func(t *testing.T) {
				for _, query := range queries {
					got := ix.Search(query, opt)
					want := reference.search(p, query, opt.K, opt.Groups)
					if diff := compareHits(got, want); diff != "" {
						t.Fatalf("query %.60q: %s", query, diff)
					}
				}
			})
		}
	}
}

func TestCompactionKeepsResults(t *testing.T) {
	docs := cacmDocs(t)[:1200]
	ix := New(Params{})
	ix.Upsert(docs...)
	var kept []Doc
	var deleted []string
	for i, d := range docs {
		if i%3 == 0 {
			deleted = append(deleted, d.ID)
		} else {
			kept = append(kept, d)
		}
	}
	ix.Delete(deleted...)

	if n := ix.Len(); n != len(kept) {
		t.Fatalf("Len() = %d, want %d", n, len(kept))
	}
	if ix.deadCount != 0 {
		t.Errorf("deleting a third of the documents left %d tombstones, want compaction to remove them", ix.deadCount)
	}
	topics, _ := cacmTopics(t)
	reference := newExhaustive(kept)
	for _, topic := range topics {
		got := ix.Search(topic.Query, SearchOptions{K: 20})
		want := reference.search(ix.Params(), topic.Query, 20, nil)
		if diff := compareHits(got, want); diff != "" {
			t.Fatalf("topic %s after compaction: %s", topic.ID, diff)
		}
	}
}

func TestTombstonesAreSkipped(t *testing.T) {
	ix := New(Params{})
	for i := range 100 {
		ix.Upsert(Doc{ID: fmt.Sprintf("%03d", i), Text: strings.Repeat("needle ", 1+i%7) + "hay"})
	}
	ix.Delete("006", "013", "020") // the highest term frequency; too few to compact
	if ix.deadCount != 3 {
		t.Fatalf("deadCount = %d, want 3 tombstones before compaction", ix.deadCount)
	}
	for _, h := range ix.Search("needle", SearchOptions{K: 100}) {
		if h.ID == "006" || h.ID == "013" || h.ID == "020" {
			t.Errorf("Search returned deleted document %s", h.ID)
		}
	}
	if got := len(ix.Search("needle", SearchOptions{K: 100})); got != 97 {
		t.Errorf("Search(needle) returned %d hits, want 97", got)
	}
}

func TestScoreMatchesSearch(t *testing.T) {
	ix := New(Params{})
	ix.Upsert(
		Doc{ID: "a", Group: "g", Text: "parse the config file and parse flags"},
		Doc{ID: "b", Group: "g", Text: "config loader reads the file"},
		Doc{ID: "c", Group: "g", Text: "unrelated words only"},
		Doc{ID: "d", Group: "h", Text: "flags and config in another group"},
	)
	query := "parse config flags"
	hits := ix.Search(query, SearchOptions{K: 10})
	want := map[string]float64{}
	var ids []string
	for _, h := range hits {
		want[h.ID] = h.Score
		ids = append(ids, h.ID)
	}
	got := ix.Score(query, append(ids, "c", "missing"))
	if len(got) != len(want) {
		t.Fatalf("Score returned %v, want the scores of %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("Score of %s = %v, Search gave %v", id, got[id], w)
		}
	}
	if len(ix.Score("", ids)) != 0 || len(ix.Score(query, nil)) != 0 {
		t.Error("an empty query or id list scored documents")
	}
}
