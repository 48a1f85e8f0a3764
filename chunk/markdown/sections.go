package markdown

import "strings"

// rawSection is the line range of one heading's section before sizing.
type rawSection struct {
	path       []string
	start, end int
}

// sections returns the heading sections of d in order. The text before the
// first heading is a section with an empty path. Blank lines at either end
// of a section are left out, and sections with no text are dropped.
func (d *document) sections(title string) []rawSection {
	type openHeading struct {
		level int
		text  string
	}
	var out []rawSection
	add := func(path []string, start, end int) {
		start, end = d.trimBlank(start, end)
		if start <= end {
			out = append(out, rawSection{path: path, start: start, end: end})
		}
	}

	first := len(d.lines)
	if len(d.headings) > 0 {
		first = d.headings[0].start
	}
	add(nil, d.body, first-1)

	var stack []openHeading
	for k, h := range d.headings {
		for len(stack) > 0 && stack[len(stack)-1].level >= h.level {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, openHeading{level: h.level, text: h.text})
		end := len(d.lines) - 1
		if k+1 < len(d.headings) {
			end = d.headings[k+1].start - 1
		}
		var path []string
		for _, open := range stack {
			if open.text != "" {
				path = append(path, open.text)
			}
		}
		if len(path) > 0 && title != "" && strings.EqualFold(path[0], title) {
			path = path[1:]
		}
		add(path, h.start, end)
	}
	return out
}

// trimBlank narrows start..end to exclude blank lines at either end.
func (d *document) trimBlank(start, end int) (int, int) {
	for start <= end && isBlank(d.lines[start]) {
		start++
	}
	for end >= start && isBlank(d.lines[end]) {
		end--
	}
	return start, end
}

// join returns lines start to end, inclusive, joined by line feeds.
func (d *document) join(start, end int) string {
	return strings.Join(d.lines[start:end+1], "\n")
}

func isBlank(line string) bool {
	return strings.TrimSpace(line) == ""
}
