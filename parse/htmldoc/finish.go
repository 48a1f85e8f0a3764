package htmldoc

import "strings"

// finish removes trailing white space from every line, collapses runs of
// blank lines outside code blocks into one and ends the text with a single
// line break. Blank lines inside code blocks are kept, because they are
// part of the code.
func finish(md string) string {
	var out []string
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimRight(line, " \t")
		if fence == "" && line == "" {
			if len(out) == 0 || out[len(out)-1] == "" {
				continue
			}
			out = append(out, line)
			continue
		}
		fence = nextFenceState(fence, line)
		out = append(out, line)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// nextFenceState returns the open backtick fence after line, given the
// fence open before it ("" for none). It reads only the fences that this
// package writes: a backtick run after indentation, quote markers and, on
// an opening line, list markers, closed by a bare run at least as long.
func nextFenceState(open, line string) string {
	if open == "" {
		body := strings.TrimLeft(line, " >")
		for {
			marker := orderedMarker.FindString(body)
			if marker == "" && (strings.HasPrefix(body, "- ") || strings.HasPrefix(body, ":   ")) {
				marker = body[:strings.IndexByte(body, ' ')+1]
			}
			if marker == "" {
				break
			}
			body = strings.TrimLeft(body[len(marker):], " >")
		}
		if run := backtickRun(body); len(run) >= 3 {
			return run
		}
		return ""
	}
	body := strings.TrimLeft(line, " >")
	run := backtickRun(body)
	if len(run) >= len(open) && strings.TrimSpace(body[len(run):]) == "" {
		return ""
	}
	return open
}

// backtickRun returns the run of backticks that s starts with.
func backtickRun(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, "`"))]
}
