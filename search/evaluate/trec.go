package evaluate

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadQrels parses TREC relevance judgements: one judgement per line as
// "topic iteration document grade", separated by spaces or tabs. The
// iteration column is ignored and blank lines are skipped. A document judged
// twice for a topic keeps the last grade. The error names the line number of
// the first malformed line.
func ReadQrels(r io.Reader) (Qrels, error) {
	qrels := make(Qrels)
	scanner := bufio.NewScanner(r)
	for line := 1; scanner.Scan(); line++ {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 4 {
			return nil, fmt.Errorf("qrels line %d: want 4 fields (topic iteration document grade), got %d", line, len(fields))
		}
		grade, err := strconv.Atoi(fields[3])
		if err != nil {
			return nil, fmt.Errorf("qrels line %d: invalid grade %q: %w", line, fields[3], err)
		}
		topic, doc := fields[0], fields[2]
		if qrels[topic] == nil {
			qrels[topic] = make(Judgements)
		}
		qrels[topic][doc] = grade
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read qrels: %w", err)
	}
	return qrels, nil
}

// Topic is a numbered query.
type Topic struct {
	ID    string
	Query string // text with surrounding white space trimmed
}

// ReadTopics parses topics in the SGML form used by the CACM and similar
// collections: records "<DOC> <DOCNO> id </DOCNO> query text </DOC>", tags
// in upper or lower case. Topics are returned in file order. The error names
// the record that lacks a closing tag or an ID.
func ReadTopics(r io.Reader) ([]Topic, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read topics: %w", err)
	}
	text := string(data)
	upper := asciiUpper(text)
	var topics []Topic
	for pos := 0; ; {
		start := strings.Index(upper[pos:], "<DOC>")
		if start < 0 {
			return topics, nil
		}
		start += pos + len("<DOC>")
		end := strings.Index(upper[start:], "</DOC>")
		if end < 0 {
			return nil, fmt.Errorf("topic record %d: missing </DOC>", len(topics)+1)
		}
		end += start
		topic, err := parseTopic(text[start:end], upper[start:end])
		if err != nil {
			return nil, fmt.Errorf("topic record %d: %w", len(topics)+1, err)
		}
		topics = append(topics, topic)
		pos = end + len("</DOC>")
	}
}

// parseTopic parses the body of one <DOC> record. upper is body in upper
// case, used to find the tags.
func parseTopic(body, upper string) (Topic, error) {
	open := strings.Index(upper, "<DOCNO>")
	closing := strings.Index(upper, "</DOCNO>")
	if open < 0 || closing < open {
		return Topic{}, fmt.Errorf("missing <DOCNO> … </DOCNO>")
	}
	id := strings.TrimSpace(body[open+len("<DOCNO>") : closing])
	if id == "" {
		return Topic{}, fmt.Errorf("empty <DOCNO>")
	}
	query := body[:open] + " " + body[closing+len("</DOCNO>"):]
	return Topic{ID: id, Query: strings.TrimSpace(query)}, nil
}

// asciiUpper returns s with ASCII letters in upper case. Unlike
// strings.ToUpper it keeps every byte offset, so indexes found in the result
// are valid in s.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}
