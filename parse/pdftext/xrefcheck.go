package pdftext

import (
	"bytes"
	"fmt"
)

// maxDigits is the longest number checkObjectCounts reads; longer ones count as too large.
const maxDigits = 15

// checkObjectCounts rejects a file whose cross-reference data declares more objects
// than a file of its size can hold. The reader library allocates a table entry for
// every declared object number up front, so one forged number could otherwise make it
// allocate gigabytes and end the process. It checks /Size entries, the /Index arrays of
// cross-reference streams and the subsection headers of cross-reference tables.
func checkObjectCounts(data []byte) error {
	limit := int64(len(data))/4 + 10_000
	tooMany := func(n int64) error {
		return fmt.Errorf("%w: the cross-reference data declares object number %d, more than a file of %d bytes can hold", ErrMalformed, n, len(data))
	}
	for _, at := range keywordOffsets(data, "/Size") {
		if n, _, ok := readInt(data, at); ok && n > limit {
			return tooMany(n)
		}
	}
	for _, at := range keywordOffsets(data, "/Index") {
		i := skipSpace(data, at)
		if i >= len(data) || data[i] != '[' {
			continue
		}
		for i++; ; {
			start, next, ok := readInt(data, i)
			if !ok {
				break
			}
			count, next, ok := readInt(data, next)
			if !ok {
				break
			}
			if start+count > limit {
				return tooMany(start + count)
			}
			i = next
		}
	}
	for _, at := range keywordOffsets(data, "xref") {
		if at >= len("startxref") && bytes.HasSuffix(data[:at-len("xref")], []byte("start")) {
			continue
		}
		if n := largestTableObject(data, at); n > limit {
			return tooMany(n)
		}
	}
	return nil
}

// largestTableObject reads the subsection headers of the cross-reference table that
// starts at i and returns the largest object number they declare.
func largestTableObject(data []byte, i int) int64 {
	var largest int64
	for {
		start, next, ok := readInt(data, i)
		if !ok {
			return largest
		}
		count, next, ok := readInt(data, next)
		if !ok {
			return largest
		}
		largest = max(largest, start+count)
		i = next
		// Each entry is an offset, a generation number and a keyword (n or f).
		for j := int64(0); j < count && i < len(data); j++ {
			for k := 0; k < 3 && i < len(data); k++ {
				i = skipToken(data, skipSpace(data, i))
			}
		}
	}
}

// keywordOffsets returns the offset just after each occurrence of word in data.
func keywordOffsets(data []byte, word string) []int {
	var offsets []int
	key := []byte(word)
	for i := 0; ; {
		j := bytes.Index(data[i:], key)
		if j < 0 {
			return offsets
		}
		i += j + len(key)
		offsets = append(offsets, i)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

func skipToken(data []byte, i int) int {
	for i < len(data) && !isSpace(data[i]) {
		i++
	}
	return i
}

// readInt reads a non-negative integer after optional white space. Integers longer
// than maxDigits read as a value above any limit.
func readInt(data []byte, i int) (int64, int, bool) {
	i = skipSpace(data, i)
	start := i
	var n int64
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		if i-start < maxDigits {
			n = n*10 + int64(data[i]-'0')
		}
		i++
	}
	if i == start {
		return 0, i, false
	}
	if i-start > maxDigits {
		n = 1 << 62
	}
	return n, i, true
}
