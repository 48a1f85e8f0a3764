package markdown

// sizer estimates the token count of line ranges from counts of single
// lines, so that each input line is counted once. An estimate is the sum of
// the lines' counts plus the cost of one line break for each break between
// non-blank lines, because a run of line breaks counts as one token in
// cl100k_base. Text whose estimate is above half the limit is counted
// exactly before it is accepted.
//
// NOTE: text estimated at half the limit or less is accepted uncounted, so
// the limit holds only while estimates are at least half the exact count.
// On the containerd docs the cl100k_base estimate is 3% high overall and
// never low for any section. Counters that add up over lines also qualify.
type sizer struct {
	count func(string) int
	limit int
	// joint is the token cost of the line break between two joined lines:
	// 1 for cl100k_base, 0 for a word counter.
	joint int
	// tokens[i] and nonBlank[i] are the token sum and the number of
	// non-blank lines among lines[:i].
	tokens   []int
	nonBlank []int
}

func newSizer(lines []string, count func(string) int, limit int) *sizer {
	s := &sizer{
		count:    count,
		limit:    limit,
		joint:    max(0, count("a\nb")-count("a")-count("b")),
		tokens:   make([]int, len(lines)+1),
		nonBlank: make([]int, len(lines)+1),
	}
	for i, line := range lines {
		s.tokens[i+1] = s.tokens[i] + count(line)
		s.nonBlank[i+1] = s.nonBlank[i]
		if !isBlank(line) {
			s.nonBlank[i+1]++
		}
	}
	return s
}

// lines estimates the tokens of lines start to end, inclusive.
func (s *sizer) lines(start, end int) int {
	joints := s.nonBlank[end+1] - s.nonBlank[start] - 1
	return s.tokens[end+1] - s.tokens[start] + max(0, joints)*s.joint
}

// line returns the count of line i.
func (s *sizer) line(i int) int {
	return s.tokens[i+1] - s.tokens[i]
}

// fits reports whether text, estimated at estimate tokens, fits the limit,
// and returns the size to record: the estimate when it is at most half the
// limit, and the exact count otherwise.
func (s *sizer) fits(text string, estimate int) (int, bool) {
	if estimate <= s.limit/2 {
		return estimate, true
	}
	n := s.count(text)
	return n, n <= s.limit
}
