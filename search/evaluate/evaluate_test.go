package evaluate

import (
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestAveragePrecision(t *testing.T) {
	relevant := Judgements{"d1": 1, "d3": 1, "d5": 1, "d9": 0}
	tests := []struct {
		name   string
		ranked []string
		depth  int
		want   float64
	}{
		{"two of three relevant found", []string{"d1", "d2", "d3", "d4"}, 0, (1.0 + 2.0/3) / 3},
		{"depth cuts the ranking", []string{"d1", "d2", "d3", "d4"}, 2, 1.0 / 3},
		{"all relevant at the top", []string{"d1", "d3", "d5"}, 1000, 1},
		{"grade zero is not relevant", []string{"d9"}, 0, 0},
		{"repeated document counts once", []string{"d1", "d1", "d3"}, 0, (1.0 + 2.0/3) / 3},
		{"empty ranking", nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AveragePrecision(tt.ranked, relevant, tt.depth); !near(got, tt.want) {
				t.Errorf("AveragePrecision(%v, depth %d) = %.6f, want %.6f", tt.ranked, tt.depth, got, tt.want)
			}
		})
	}
	if got := AveragePrecision([]string{"d1"}, Judgements{"d1": 0}, 0); got != 0 {
		t.Errorf("AveragePrecision with no relevant document = %v, want 0", got)
	}
}

func TestPrecisionAt(t *testing.T) {
	judged := Judgements{"d1": 1, "d3": 2}
	tests := []struct {
		name   string
		ranked []string
		k      int
		want   float64
	}{
		{"short ranking counts missing ranks as misses", []string{"d1", "d2", "d3"}, 5, 0.4},
		{"cut at k", []string{"d1", "d2", "d3"}, 2, 0.5},
		{"zero k", []string{"d1"}, 0, 0},
		{"repeated document counts once", []string{"d1", "d1"}, 2, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PrecisionAt(tt.ranked, judged, tt.k); !near(got, tt.want) {
				t.Errorf("PrecisionAt(%v, %d) = %.6f, want %.6f", tt.ranked, tt.k, got, tt.want)
			}
		})
	}
}

func TestNDCGAt(t *testing.T) {
	judged := Judgements{"a": 2, "b": 1, "c": 0}
	ideal := 2 + 1/math.Log2(3)
	tests := []struct {
		name   string
		ranked []string
		k      int
		want   float64
	}{
		{"ideal order", []string{"a", "b"}, 10, 1},
		{"graded gains with a miss", []string{"b", "x", "a"}, 3, (1 + 2/math.Log2(4)) / ideal},
		{"cut before the best document", []string{"b", "x", "a"}, 2, 1 / ideal},
		{"nothing relevant retrieved", []string{"c", "x"}, 10, 0},
		{"zero k", []string{"a"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NDCGAt(tt.ranked, judged, tt.k); !near(got, tt.want) {
				t.Errorf("NDCGAt(%v, %d) = %.6f, want %.6f", tt.ranked, tt.k, got, tt.want)
			}
		})
	}
}

func TestRecallAt(t *testing.T) {
	judged := Judgements{"a": 1, "b": 1, "c": 1, "d": 1}
	if got := RecallAt([]string{"a", "x", "b"}, judged, 2); !near(got, 0.25) {
		t.Errorf("RecallAt(k=2) = %v, want 0.25", got)
	}
	if got := RecallAt([]string{"a", "x", "b", "a"}, judged, 0); !near(got, 0.5) {
		t.Errorf("RecallAt(all ranks) = %v, want 0.5", got)
	}
}

func TestMeanSkipsUnjudgedTopicsAndCountsMissingRuns(t *testing.T) {
	qrels := Qrels{
		"1": {"a": 1},
		"2": {"b": 1},
		"3": {"c": 0}, // no relevant document: not averaged
	}
	run := Run{
		"1":  {"a"},
		"3":  {"c"},
		"99": {"z"}, // not judged: ignored
	}
	mean, topics := Mean(run, qrels, func(r []string, j Judgements) float64 { return PrecisionAt(r, j, 1) })
	if topics != 2 {
		t.Errorf("Mean averaged over %d topics, want 2", topics)
	}
	if !near(mean, 0.5) {
		t.Errorf("Mean = %v, want 0.5 (topic 1 scores 1, topic 2 is missing from the run and scores 0)", mean)
	}
	if mean, topics := Mean(run, Qrels{}, nil); mean != 0 || topics != 0 {
		t.Errorf("Mean over empty qrels = %v, %d, want 0, 0", mean, topics)
	}
}

func TestSummarize(t *testing.T) {
	qrels := Qrels{"1": {"a": 1, "b": 1}}
	run := Run{"1": {"a", "x", "b"}}
	s := Summarize(run, qrels)
	if s.Topics != 1 {
		t.Errorf("Topics = %d, want 1", s.Topics)
	}
	if want := (1 + 2.0/3) / 2; !near(s.MAP, want) {
		t.Errorf("MAP = %v, want %v", s.MAP, want)
	}
	if !near(s.P10, 0.2) {
		t.Errorf("P10 = %v, want 0.2", s.P10)
	}
	if !near(s.P30, 2.0/30) {
		t.Errorf("P30 = %v, want 2/30", s.P30)
	}
	if want := (1 + 1/math.Log2(4)) / (1 + 1/math.Log2(3)); !near(s.NDCG10, want) {
		t.Errorf("NDCG10 = %v, want %v", s.NDCG10, want)
	}
	if !near(s.Recall1000, 1) {
		t.Errorf("Recall1000 = %v, want 1", s.Recall1000)
	}
}

func TestReadQrels(t *testing.T) {
	input := "1 0 CACM-1410 1\n1\t0\tCACM-1572\t1\n\n2 Q0 CACM-0001 0\n2 Q0 CACM-0002 3\n"
	qrels, err := ReadQrels(strings.NewReader(input))
	if err != nil {
		t.Fatalf("ReadQrels: %v", err)
	}
	if len(qrels) != 2 {
		t.Errorf("read %d topics, want 2", len(qrels))
	}
	if got := qrels["1"]["CACM-1572"]; got != 1 {
		t.Errorf("grade of topic 1, CACM-1572 = %d, want 1 (tab-separated line)", got)
	}
	if got := qrels["2"]["CACM-0002"]; got != 3 {
		t.Errorf("grade of topic 2, CACM-0002 = %d, want 3", got)
	}
	if got, ok := qrels["2"]["CACM-0001"]; !ok || got != 0 {
		t.Errorf("topic 2, CACM-0001 = %d (present %v), want a grade of 0", got, ok)
	}
}

func TestReadQrelsRejectsMalformedLines(t *testing.T) {
	tests := []struct{ name, input, wantErr string }{
		{"too few fields", "1 0 CACM-1\n", "line 1"},
		{"grade not a number", "1 0 CACM-1 1\n1 0 CACM-2 yes\n", "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadQrels(strings.NewReader(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ReadQrels error = %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
}

func TestReadTopics(t *testing.T) {
	input := `<DOC>
<DOCNO> 1 </DOCNO>

 What articles exist which deal with TSS (Time Sharing System)?

</DOC>
<doc><docno>2</docno>Intermediate languages; TCOLL</doc>
`
	topics, err := ReadTopics(strings.NewReader(input))
	if err != nil {
		t.Fatalf("ReadTopics: %v", err)
	}
	want := []Topic{
		{ID: "1", Query: "What articles exist which deal with TSS (Time Sharing System)?"},
		{ID: "2", Query: "Intermediate languages; TCOLL"},
	}
	if len(topics) != len(want) {
		t.Fatalf("read %d topics, want %d: %+v", len(topics), len(want), topics)
	}
	for i := range want {
		if topics[i] != want[i] {
			t.Errorf("topic %d = %+v, want %+v", i, topics[i], want[i])
		}
	}
}

func TestReadTopicsRejectsBrokenRecords(t *testing.T) {
	tests := []struct{ name, input string }{
		{"missing </DOC>", "<DOC><DOCNO>1</DOCNO> text"},
		{"missing DOCNO", "<DOC> text </DOC>"},
		{"empty DOCNO", "<DOC><DOCNO> </DOCNO> text </DOC>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadTopics(strings.NewReader(tt.input)); err == nil {
				t.Errorf("ReadTopics(%q) succeeded, want an error", tt.input)
			}
		})
	}
}

func TestReadTopicsKeepsOffsetsWithNonASCII(t *testing.T) {
	// ı (dotless i) is two bytes in UTF-8 but upper-cases to the one-byte I,
	// which would shift offsets found in an upper-cased copy.
	input := "<DOC><DOCNO>7</DOCNO>ıııı café</DOC>"
	topics, err := ReadTopics(strings.NewReader(input))
	if err != nil {
		t.Fatalf("ReadTopics: %v", err)
	}
	if len(topics) != 1 || topics[0].Query != "ıııı café" {
		t.Errorf("ReadTopics = %+v, want one topic with query %q", topics, "ıııı café")
	}
}
