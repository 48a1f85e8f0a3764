package markdown

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The helpers below check sections against the input with code that is
// independent of the chunker's own scanning.

// fenceLine matches a line with a fence run after optional blockquote and
// list markers. Only an opening line may carry list markers, so closing
// lines are checked with fenceCloseLine.
var (
	fenceLine      = regexp.MustCompile("^((?:[ \t]*(?:>|[-+*][ \t]+|\\d{1,9}[.)][ \t]+))*)[ \t]*(`{3,}|~{3,})(.*)$")
	fenceCloseLine = regexp.MustCompile("^((?:[ \t]*>)*)[ \t]*(`{3,}|~{3,})[ \t]*$")
)

// checkFences returns an error when a fence in md is never closed. It reads
// fences the CommonMark way: an opening run of three or more backticks or
// tildes, closed by a bare run of the same character at least as long and
// indented at most three columns more. A fence-like line indented four or
// more columns that nothing closes is indented code, as in CommonMark
// outside list items.
func checkFences(md string) error {
	lines := strings.Split(md, "\n")
	open := ""
	openColumn, openLine := 0, 0
	for i, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		if open != "" {
			if closesRun(line, open, openColumn) {
				open = ""
			}
			continue
		}
		m := fenceLine.FindStringSubmatch(line)
		if m == nil || (m[2][0] == '`' && strings.Contains(m[3], "`")) {
			continue
		}
		column, inner := fenceColumns(line, m[2])
		if inner >= 4 && !closedLater(lines[i+1:], m[2], column) {
			continue
		}
		open, openColumn, openLine = m[2], column, i+1
	}
	if open != "" {
		return fmt.Errorf("fence %q opened on line %d is never closed", open, openLine)
	}
	return nil
}

// fenceColumns returns, for a line with the fence run marker, the width
// before the run after the last blockquote marker, with list markers
// counted as their width, and the white space right before the run.
func fenceColumns(line, marker string) (column, inner int) {
	before := line[:strings.Index(line, marker)]
	if i := strings.LastIndex(before, ">"); i >= 0 {
		before = before[i+1:]
	}
	before = strings.ReplaceAll(before, "\t", "    ")
	return len(before), len(before) - len(strings.TrimRight(before, " "))
}

// closesRun reports whether line closes a fence opened with run open at
// the given column.
func closesRun(line, open string, column int) bool {
	m := fenceCloseLine.FindStringSubmatch(line)
	if m == nil || m[2][0] != open[0] || len(m[2]) < len(open) {
		return false
	}
	closing, _ := fenceColumns(line, m[2])
	return closing <= column+3
}

func closedLater(lines []string, open string, column int) bool {
	for _, line := range lines {
		if closesRun(strings.TrimSuffix(line, "\r"), open, column) {
			return true
		}
	}
	return false
}

// isRepeatLine reports whether line may be added to a section that splits
// a code block or table: a fence line or a table row.
func isRepeatLine(line string) bool {
	return fenceLine.MatchString(line) || strings.Contains(line, "|")
}

// checkSections checks the invariants every result of Split must meet on
// input: non-empty content, balanced fences, sizes within the limit unless
// one line is too long, exact line ranges in order without overlap, every
// non-blank line covered, and no tiny section that could have merged.
func checkSections(t *testing.T, name, input string, sections []Section, opt Options) {
	t.Helper()
	opt = opt.withDefaults()
	lines := splitLines(input)
	covered := make([]bool, len(lines))
	extraBefore := make([]bool, len(sections))
	extraAfter := make([]bool, len(sections))
	prevEnd := 0
	for i, s := range sections {
		where := fmt.Sprintf("%s: section %d (lines %d-%d, %q)", name, i+1, s.StartLine, s.EndLine, s.Symbol)
		if strings.TrimSpace(s.Content) == "" {
			t.Errorf("%s: content is empty", where)
		}
		if err := checkFences(s.Content); err != nil {
			t.Errorf("%s: %v", where, err)
		}
		if s.StartLine < 1 || s.EndLine > len(lines) || s.StartLine > s.EndLine {
			t.Errorf("%s: line range outside the %d input lines", where, len(lines))
			continue
		}
		if s.StartLine <= prevEnd {
			t.Errorf("%s: starts at line %d, inside the previous section ending at %d", where, s.StartLine, prevEnd)
		}
		prevEnd = s.EndLine
		for l := s.StartLine; l <= s.EndLine; l++ {
			covered[l-1] = true
		}
		extraBefore[i], extraAfter[i] = checkContentLines(t, where, lines[s.StartLine-1:s.EndLine], s.Content)
		if n := opt.Count(s.Content); n > opt.MaxTokens && !singleLongLine(s.Content, opt) {
			t.Errorf("%s: %d tokens, over the limit of %d without a single over-long line", where, n, opt.MaxTokens)
		}
		if strings.Join(s.Headings, " > ") != s.Symbol {
			t.Errorf("%s: symbol %q is not the headings %q joined", where, s.Symbol, s.Headings)
		}
	}
	body := scan(input).body
	for l := body; l < len(lines); l++ {
		if !covered[l] && !isBlank(lines[l]) {
			t.Errorf("%s: line %d %q is in no section", name, l+1, lines[l])
		}
	}
	checkNoMergeableTiny(t, name, lines, sections, opt, extraBefore, extraAfter)
}

// checkContentLines checks that content is the input lines in range,
// allowing only repeated fence lines or table rows around them, and reports
// whether such lines were added before or after.
func checkContentLines(t *testing.T, where string, inRange []string, content string) (before, after bool) {
	t.Helper()
	expected := strings.Join(inRange, "\n")
	if content == expected {
		return false, false
	}
	i := strings.Index(content, expected)
	if i < 0 {
		t.Errorf("%s: content does not contain its input lines", where)
		return false, false
	}
	var added []string
	if head := strings.TrimSuffix(content[:i], "\n"); head != "" {
		before = true
		added = append(added, strings.Split(head, "\n")...)
	}
	if tail := strings.TrimPrefix(content[i+len(expected):], "\n"); tail != "" {
		after = true
		added = append(added, strings.Split(tail, "\n")...)
	}
	for _, extra := range added {
		if !isRepeatLine(extra) {
			t.Errorf("%s: content adds line %q that is neither a fence nor a table row", where, extra)
		}
	}
	return before, after
}

// singleLongLine reports whether content is one input line, which may not
// be split, with at most the fence lines or table header rows that a split
// block repeats around it.
func singleLongLine(content string, opt Options) bool {
	var withoutFences []string
	for _, line := range strings.Split(content, "\n") {
		if !fenceLine.MatchString(line) {
			withoutFences = append(withoutFences, line)
		}
	}
	if len(withoutFences) == 1 {
		return true
	}
	// A table row alone under its header and delimiter rows.
	return len(withoutFences) == 3 && tableDelimiter.MatchString(withoutFences[1]) &&
		strings.Contains(withoutFences[0], "|") && strings.Contains(withoutFences[2], "|")
}

// checkNoMergeableTiny checks that no section well below MinTokens could
// have been merged with a neighbour within MaxTokens. Split decides on
// MinTokens from estimates, so only sections under three quarters of it
// count as tiny here. Pieces of one split code block or table, which add
// lines at the cut, may not be merged and are skipped.
func checkNoMergeableTiny(t *testing.T, name string, lines []string, sections []Section, opt Options, extraBefore, extraAfter []bool) {
	t.Helper()
	if len(sections) < 2 || opt.MinTokens <= 0 {
		return
	}
	joined := func(a, b Section) int {
		text := a.Content + "\n"
		for _, gap := range lines[a.EndLine : b.StartLine-1] {
			text += gap + "\n"
		}
		return opt.Count(text + b.Content)
	}
	for i, s := range sections {
		n := opt.Count(s.Content)
		if 4*n >= 3*opt.MinTokens {
			continue
		}
		if i > 0 && !(extraAfter[i-1] && extraBefore[i]) && joined(sections[i-1], s) <= opt.MaxTokens {
			t.Errorf("%s: section %d (%q) has %d tokens and fits with the previous one", name, i+1, s.Symbol, n)
		}
		if i+1 < len(sections) && !(extraAfter[i] && extraBefore[i+1]) && joined(s, sections[i+1]) <= opt.MaxTokens {
			t.Errorf("%s: section %d (%q) has %d tokens and fits with the next one", name, i+1, s.Symbol, n)
		}
	}
}

// countWords is a token counter for tests that need sizes that are easy to
// predict: one token per white-space separated word.
func countWords(s string) int { return len(strings.Fields(s)) }
