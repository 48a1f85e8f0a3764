package pdftext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

const softHyphen = '\u00ad'

// ligatures maps the Unicode ligature characters that fonts often map glyphs to onto
// the letters they stand for, so that "ﬁle" can be found by searching "file".
var ligatures = map[rune]string{
	'\ufb00': "ff", '\ufb01': "fi", '\ufb02': "fl", '\ufb03': "ffi",
	'\ufb04': "ffl", '\ufb05': "st", '\ufb06': "st",
}

// cleanLine returns s as valid UTF-8 without control, zero-width or private-use
// characters, with ligatures spelled out and runs of white space collapsed to one
// space. Soft hyphens are kept for joinHyphens to find.
func cleanLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if lig, ok := ligatures[r]; ok {
			writeSpace(&b, &space)
			b.WriteString(lig)
			continue
		}
		switch {
		case r == utf8.RuneError, r == '\u200b', r == '\u200c', r == '\u200d', r == '\u2060', r == '\ufeff':
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r):
			continue
		}
		writeSpace(&b, &space)
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// writeSpace writes one pending space unless the builder is still empty, so that
// lines never start or end with white space.
func writeSpace(b *strings.Builder, pending *bool) {
	if *pending && b.Len() > 0 {
		b.WriteByte(' ')
	}
	*pending = false
}

// joinHyphens joins a word broken over two lines of the same paragraph. A line that
// ends in a soft hyphen is always joined. A line that ends in a hyphen is joined only
// when at least two lower-case letters come before it and the next line starts with
// a lower-case letter, which keeps "x-" and "ISO-" line ends as they are.
// NOTE: a compound word such as "well-known" that was broken after its own hyphen
// loses the hyphen, because the text alone does not tell the two cases apart.
func joinHyphens(lines []string) []string {
	for i := 0; i+1 < len(lines); i++ {
		cur, next := lines[i], lines[i+1]
		if cur == "" || next == "" || !breaksWord(cur, next) {
			continue
		}
		word, rest, _ := strings.Cut(next, " ")
		_, size := utf8.DecodeLastRuneInString(cur)
		lines[i] = cur[:len(cur)-size] + word
		lines[i+1] = rest
	}
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, string(softHyphen), "")
	}
	return removeEmptyRuns(lines)
}

func breaksWord(cur, next string) bool {
	last, size := utf8.DecodeLastRuneInString(cur)
	first, _ := utf8.DecodeRuneInString(next)
	if last == softHyphen {
		return unicode.IsLetter(first)
	}
	if last != '-' && last != '\u2010' || !unicode.IsLower(first) {
		return false
	}
	letters := 0
	for _, r := range cur[:len(cur)-size] {
		if unicode.IsLower(r) {
			letters++
		} else {
			letters = 0
		}
	}
	return letters >= 2
}

// removeEmptyRuns drops empty lines at the end and runs of empty lines, keeping single
// empty strings that mark paragraph breaks.
func removeEmptyRuns(lines []string) []string {
	out := lines[:0]
	for _, l := range lines {
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// runningKey returns the form of a line that stays the same on every page where it is
// a running header or footer: lower case, with each run of digits replaced by '#'.
func runningKey(s string) string {
	var b strings.Builder
	inNumber := false
	for _, r := range s {
		if unicode.IsDigit(r) {
			if !inNumber {
				b.WriteByte('#')
			}
			inNumber = true
			continue
		}
		inNumber = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// removeRunningLines drops the first or last line of a page when, with numbers
// ignored, the same line starts (or ends) at least a fifth of the document's pages and
// at least three of them. Page headers, footers and page numbers are removed that way,
// and so are variants of a frequent header with words added at its start or end, such
// as "12 Manual CONTENTS" next to "14 Manual".
func removeRunningLines(pages [][]string) {
	threshold := max(3, len(pages)/5)
	top, bottom := map[string]int{}, map[string]int{}
	for _, lines := range pages {
		if len(lines) > 0 {
			top[runningKey(lines[0])]++
			bottom[runningKey(lines[len(lines)-1])]++
		}
	}
	topKeys, bottomKeys := frequentKeys(top, threshold), frequentKeys(bottom, threshold)
	for i, lines := range pages {
		if len(lines) > 0 && isRunning(runningKey(lines[0]), topKeys) {
			lines = lines[1:]
		}
		if len(lines) > 0 && isRunning(runningKey(lines[len(lines)-1]), bottomKeys) {
			lines = lines[:len(lines)-1]
		}
		pages[i] = removeEmptyRuns(trimLeadingBreaks(lines))
	}
}

func frequentKeys(counts map[string]int, threshold int) []string {
	var keys []string
	for k, n := range counts {
		if n >= threshold {
			keys = append(keys, k)
		}
	}
	return keys
}

// isRunning reports whether key is a frequent key, or extends one that has at least
// four letters (so that a bare page number does not match every line that starts
// with a number).
func isRunning(key string, frequent []string) bool {
	for _, f := range frequent {
		if key == f {
			return true
		}
		if letterCount(f) >= 4 && (strings.HasPrefix(key, f+" ") || strings.HasSuffix(key, " "+f)) {
			return true
		}
	}
	return false
}

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

func trimLeadingBreaks(lines []string) []string {
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	return lines
}
