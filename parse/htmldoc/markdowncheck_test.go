package htmldoc

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The checks below read markdown the way CommonMark does for fences, with
// code that is independent of the package's own fence tracking.

var (
	// fenceOpen matches a fence run after optional quote, list and
	// definition markers, which only an opening line carries.
	fenceOpen = regexp.MustCompile("^((?:[ \t]*(?:>|[-+*][ \t]+|\\d{1,9}[.)][ \t]+|:[ \t]+))*)[ \t]*(`{3,}|~{3,})(.*)$")
	// fenceClose matches a bare fence run after optional quote markers.
	fenceClose = regexp.MustCompile("^((?:[ \t]*>)*)[ \t]*(`{3,}|~{3,})[ \t]*$")
)

// fenceMarker returns the fence run that opens a code block on line, or "".
func fenceMarker(line string) string {
	m := fenceOpen.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	if m[2][0] == '`' && strings.Contains(m[3], "`") {
		return ""
	}
	return m[2]
}

// closesFence reports whether line closes a block opened with marker.
func closesFence(line, marker string) bool {
	m := fenceClose.FindStringSubmatch(line)
	return m != nil && m[2][0] == marker[0] && len(m[2]) >= len(marker)
}

// fencedBlock is one fenced code block found in markdown.
type fencedBlock struct {
	info string
	body []string
}

// fencedBlocks returns every fenced code block, or an error when a fence
// is left open.
func fencedBlocks(md string) ([]fencedBlock, error) {
	var blocks []fencedBlock
	var open string
	var current fencedBlock
	for _, line := range strings.Split(md, "\n") {
		if open == "" {
			if marker := fenceMarker(line); marker != "" {
				open = marker
				current = fencedBlock{info: strings.TrimSpace(fenceOpen.FindStringSubmatch(line)[3])}
			}
			continue
		}
		if closesFence(line, open) {
			blocks = append(blocks, current)
			open = ""
			continue
		}
		current.body = append(current.body, line)
	}
	if open != "" {
		return blocks, fmt.Errorf("fence %q opened for code %q is never closed", open, current.info)
	}
	return blocks, nil
}

// fenceLines marks the lines that are fences or code inside fences.
func fenceLines(lines []string) []bool {
	inside := make([]bool, len(lines))
	open := ""
	for i, line := range lines {
		if open == "" {
			if open = fenceMarker(line); open != "" {
				inside[i] = true
			}
			continue
		}
		inside[i] = true
		if closesFence(line, open) {
			open = ""
		}
	}
	return inside
}

// checkTidy checks that md has no trailing spaces, no runs of blank lines
// outside code blocks, balanced fences and one final line break.
func checkTidy(t *testing.T, name, md string) {
	t.Helper()
	if md == "" {
		return
	}
	if !strings.HasSuffix(md, "\n") || strings.HasSuffix(md, "\n\n") {
		t.Errorf("%s: markdown does not end with exactly one line break", name)
	}
	if strings.HasPrefix(md, "\n") {
		t.Errorf("%s: markdown starts with a blank line", name)
	}
	lines := strings.Split(strings.TrimSuffix(md, "\n"), "\n")
	code := fenceLines(lines)
	for i, line := range lines {
		if strings.TrimRight(line, " \t") != line {
			t.Errorf("%s: line %d has trailing white space: %q", name, i+1, line)
		}
		if i > 0 && line == "" && lines[i-1] == "" && !code[i] {
			t.Errorf("%s: line %d repeats a blank line outside code", name, i+1)
		}
	}
	if _, err := fencedBlocks(md); err != nil {
		t.Errorf("%s: %v", name, err)
	}
}
