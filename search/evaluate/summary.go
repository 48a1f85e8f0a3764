package evaluate

// MAPDepth is the number of ranks average precision looks at in Summarize,
// trec_eval's default.
const MAPDepth = 1000

// Measure scores one topic's ranking against its judgements.
type Measure func(ranked []string, judged Judgements) float64

// Mean returns the mean of measure over the topics of qrels that have at
// least one relevant document, and the number of such topics. A topic that
// run lacks scores 0, as with trec_eval -c. Topics of run that qrels lacks
// are ignored. Mean returns 0, 0 when no topic has a relevant document.
func Mean(run Run, qrels Qrels, measure Measure) (mean float64, topics int) {
	sum := 0.0
	for topic, judged := range qrels {
		if judged.relevantCount() == 0 {
			continue
		}
		topics++
		sum += measure(run[topic], judged)
	}
	if topics == 0 {
		return 0, 0
	}
	return sum / float64(topics), topics
}

// Summary holds the mean of each measure over the judged topics.
type Summary struct {
	Topics     int     // topics with at least one relevant document
	MAP        float64 // mean average precision over the first MAPDepth ranks
	P10        float64 // mean precision at 10
	P30        float64 // mean precision at 30
	NDCG10     float64 // mean nDCG at 10
	Recall1000 float64 // mean fraction of relevant documents in the first 1000 ranks
}

// Summarize scores run against qrels with the measures of Summary, averaged
// as Mean does.
func Summarize(run Run, qrels Qrels) Summary {
	var s Summary
	s.MAP, s.Topics = Mean(run, qrels, func(r []string, j Judgements) float64 { return AveragePrecision(r, j, MAPDepth) })
	s.P10, _ = Mean(run, qrels, func(r []string, j Judgements) float64 { return PrecisionAt(r, j, 10) })
	s.P30, _ = Mean(run, qrels, func(r []string, j Judgements) float64 { return PrecisionAt(r, j, 30) })
	s.NDCG10, _ = Mean(run, qrels, func(r []string, j Judgements) float64 { return NDCGAt(r, j, 10) })
	s.Recall1000, _ = Mean(run, qrels, func(r []string, j Judgements) float64 { return RecallAt(r, j, 1000) })
	return s
}

// RecallAt returns the fraction of relevant documents found in the first k
// ranks (all ranks when k ≤ 0), or 0 when no document is relevant.
func RecallAt(ranked []string, judged Judgements, k int) float64 {
	relevant := judged.relevantCount()
	if relevant == 0 {
		return 0
	}
	found := make(map[string]bool)
	for _, id := range truncate(ranked, k) {
		if judged[id] > 0 {
			found[id] = true
		}
	}
	return float64(len(found)) / float64(relevant)
}
