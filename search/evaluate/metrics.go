// Package evaluate scores ranked retrieval runs against relevance judgements
// with the measures trec_eval reports: mean average precision (MAP),
// precision at k and nDCG at k. It also reads TREC qrels and topic files.
package evaluate

import (
	"math"
	"slices"
)

// Judgements maps a document ID to its graded relevance for one topic. A
// grade above zero means relevant. Documents absent from the map are not
// relevant.
type Judgements map[string]int

// Qrels maps a topic ID to its judgements.
type Qrels map[string]Judgements

// Run maps a topic ID to the document IDs a system returned for it, best
// first.
type Run map[string][]string

// relevantCount returns the number of documents judged relevant.
func (j Judgements) relevantCount() int {
	n := 0
	for _, grade := range j {
		if grade > 0 {
			n++
		}
	}
	return n
}

// AveragePrecision returns the average precision of the first depth
// documents of ranked, or of all of them when depth ≤ 0. That is the mean,
// over every relevant document, of the precision at the rank where it was
// retrieved, and a relevant document never retrieved adds zero. It returns 0
// when no document is relevant. A document ID repeated in ranked counts only
// at its first rank.
func AveragePrecision(ranked []string, judged Judgements, depth int) float64 {
	relevant := judged.relevantCount()
	if relevant == 0 {
		return 0
	}
	seen := make(map[string]bool, len(ranked))
	hits, sum := 0, 0.0
	for i, id := range truncate(ranked, depth) {
		if seen[id] {
			continue
		}
		seen[id] = true
		if judged[id] > 0 {
			hits++
			sum += float64(hits) / float64(i+1)
		}
	}
	return sum / float64(relevant)
}

// PrecisionAt returns the fraction of the first k ranks that hold a relevant
// document. Ranks past the end of ranked count as not relevant, as in
// trec_eval. It returns 0 when k ≤ 0.
func PrecisionAt(ranked []string, judged Judgements, k int) float64 {
	if k <= 0 {
		return 0
	}
	seen := make(map[string]bool, k)
	hits := 0
	for _, id := range truncate(ranked, k) {
		if !seen[id] && judged[id] > 0 {
			hits++
		}
		seen[id] = true
	}
	return float64(hits) / float64(k)
}

// NDCGAt returns the normalised discounted cumulative gain of the first k
// ranks: the sum of grade/log2(rank+1) over relevant documents, divided by the
// same sum for the best possible ordering of the judged documents. Grades
// are used as gains, as trec_eval's ndcg_cut does. It returns 0 when k ≤ 0
// or no document is relevant.
func NDCGAt(ranked []string, judged Judgements, k int) float64 {
	if k <= 0 {
		return 0
	}
	var grades []int
	for _, grade := range judged {
		if grade > 0 {
			grades = append(grades, grade)
		}
	}
	if len(grades) == 0 {
		return 0
	}
	slices.SortFunc(grades, func(a, b int) int { return b - a })
	ideal := 0.0
	for i, grade := range truncate(grades, k) {
		ideal += float64(grade) / math.Log2(float64(i+2))
	}

	seen := make(map[string]bool, k)
	dcg := 0.0
	for i, id := range truncate(ranked, k) {
		if grade := judged[id]; grade > 0 && !seen[id] {
			dcg += float64(grade) / math.Log2(float64(i+2))
		}
		seen[id] = true
	}
	return dcg / ideal
}

// truncate returns the first n elements of s, or all of s when n ≤ 0 or
// n ≥ len(s).
func truncate[T any](s []T, n int) []T {
	if n <= 0 || n >= len(s) {
		return s
	}
	return s[:n]
}
