// Package glob matches slash-separated relative paths against patterns in the
// style of .gitignore, for choosing which files of a repository or pages of a
// docs site to index.
//
// Paths are relative to a root: a repository root, or a URL path without its
// leading slash. Leading slashes in a path are ignored, empty segments
// ("a//b") count as one slash, and a path that ends in "/" names a directory.
// Matching is case-sensitive and works on UTF-8 runes.
//
// Pattern syntax:
//
//   - `*` matches any run of characters within one segment, `?` matches one
//     character, and neither crosses '/'. Both match a leading dot.
//   - `[abc]`, `[a-z]` and `[!x]` (or `[^x]`) match one character of a set.
//     A ']' right after the opening '[' or '[!' is part of the set.
//   - `\` makes the next character literal.
//   - A segment that is exactly `**` matches any number of segments,
//     including none: `docs/**/*.md` matches "docs/a.md" and "docs/x/y/a.md".
//     A trailing `/**` needs at least one segment: `docs/**` matches
//     everything under docs but not "docs" itself. `**` next to other
//     characters in a segment works like `*`.
//   - A pattern without '/' other than a trailing one matches the base name
//     at any depth: `*.md` matches "a/b/c.md". A pattern with a '/' in the
//     middle is anchored at the root. A leading '/' anchors a pattern too:
//     `/Makefile` matches only the root Makefile.
//   - A pattern ending in '/' matches a directory and everything under it,
//     like .gitignore: `vendor/` matches "vendor/x/y.go", "a/vendor/b.go" and
//     the directory path "vendor/", but not a file named "vendor".
//
// Compile rejects empty patterns, unclosed '[', reversed ranges and a
// trailing lone '\'. It also rejects "." and ".." segments, because a pattern
// cannot leave the root, and a leading '!', because .gitignore negation is
// not supported (use an exclude list instead).
package glob

import (
	"fmt"
	"strings"
)

// Pattern is a compiled glob pattern. It is safe for concurrent use.
type Pattern struct {
	text    string
	segs    []segment
	dirOnly bool // the pattern ended in '/'
}

// Error reports an invalid pattern.
type Error struct {
	Pattern string // the pattern as given
	Reason  string // what is wrong and how to fix it
}

func (e *Error) Error() string {
	return fmt.Sprintf("glob: invalid pattern %q: %s", e.Pattern, e.Reason)
}

// Compile parses a pattern. The error is an *Error that names the pattern
// and what is wrong with it.
func Compile(pattern string) (*Pattern, error) {
	fail := func(format string, args ...any) (*Pattern, error) {
		return nil, &Error{Pattern: pattern, Reason: fmt.Sprintf(format, args...)}
	}
	if pattern == "" {
		return fail("empty pattern")
	}
	if pattern[0] == '!' {
		return fail("negation with a leading '!' is not supported; put the pattern in the exclude list, or write `\\!` for a literal '!'")
	}

	body := pattern
	anchored := strings.HasPrefix(body, "/")
	body = strings.TrimLeft(body, "/")
	p := &Pattern{text: pattern}
	if trimmed := strings.TrimRight(body, "/"); trimmed != body && !strings.HasSuffix(trimmed, `\`) {
		p.dirOnly = true
		body = trimmed
	}

	var parts []string
	for _, part := range strings.Split(body, "/") {
		switch part {
		case "":
			continue
		case ".", "..":
			return fail("segment %q is not allowed: patterns match paths relative to the root, so remove it", part)
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return fail("no name left after removing slashes")
	}

	if !anchored && len(parts) == 1 && parts[0] != "**" {
		p.segs = append(p.segs, segment{any: true})
	}
	for i, part := range parts {
		if part == "**" {
			if i == len(parts)-1 && len(parts) > 1 {
				// A trailing /** needs at least one segment.
				p.segs = append(p.segs, segment{star: true})
			}
			p.segs = append(p.segs, segment{any: true})
			continue
		}
		seg, reason := compileSegment(part)
		if reason != "" {
			return fail("%s", reason)
		}
		p.segs = append(p.segs, seg)
	}
	return p, nil
}

// MustCompile is like Compile but panics on an invalid pattern. It is meant
// for patterns written in the source code.
func MustCompile(pattern string) *Pattern {
	p, err := Compile(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the pattern as given to Compile.
func (p *Pattern) String() string {
	return p.text
}

// maxStackSegments is how many path segments Match splits without allocating.
const maxStackSegments = 32

// Match reports whether path matches the pattern. An empty path matches
// nothing.
func (p *Pattern) Match(path string) bool {
	var buf [maxStackSegments]string
	return p.matchSplit(splitPath(path, buf[:0]), strings.HasSuffix(path, "/"))
}

// matchSplit matches a path already split into segments. isDir reports
// whether the path ended in '/'.
func (p *Pattern) matchSplit(segs []string, isDir bool) bool {
	if len(segs) == 0 {
		return false
	}
	if len(p.segs) == 2 && p.segs[0].any && !p.segs[1].any {
		// A base-name pattern such as `*.md` only looks at the last segment,
		// or for a directory pattern, at each directory's name.
		if !p.dirOnly {
			return p.segs[1].match(segs[len(segs)-1])
		}
		for k := 1; k <= dirPrefixes(segs, isDir); k++ {
			if p.segs[1].match(segs[k-1]) {
				return true
			}
		}
		return false
	}
	if !p.dirOnly {
		return matchSegments(p.segs, segs)
	}
	// A directory pattern matches when one of the path's directories does:
	// every proper prefix, and the whole path when it names a directory.
	for k := 1; k <= dirPrefixes(segs, isDir); k++ {
		if matchSegments(p.segs, segs[:k]) {
			return true
		}
	}
	return false
}

// dirPrefixes returns how many leading segments of a path name directories:
// all but the last, or all when the path ended in '/'.
func dirPrefixes(segs []string, isDir bool) int {
	if isDir {
		return len(segs)
	}
	return len(segs) - 1
}

// splitPath appends the non-empty segments of path to buf.
func splitPath(path string, buf []string) []string {
	for path != "" {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return append(buf, path)
		}
		if i > 0 {
			buf = append(buf, path[:i])
		}
		path = path[i+1:]
	}
	return buf
}

// matchSegments matches path segments against pattern segments, where an
// `any` segment matches zero or more path segments. On a mismatch it retries
// from the most recent `any` with one more segment consumed, which finds a
// match whenever one exists because every other segment matches exactly one
// path segment.
func matchSegments(pat []segment, segs []string) bool {
	pi, si := 0, 0
	anyAt, anyFrom := -1, 0
	for si < len(segs) {
		switch {
		case pi < len(pat) && pat[pi].any:
			anyAt, anyFrom = pi, si
			pi++
		case pi < len(pat) && pat[pi].match(segs[si]):
			pi++
			si++
		case anyAt >= 0:
			anyFrom++
			pi, si = anyAt+1, anyFrom
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi].any {
		pi++
	}
	return pi == len(pat)
}

// Filter decides which paths to keep with include and exclude patterns. It
// is safe for concurrent use.
type Filter struct {
	include []*Pattern
	exclude []*Pattern
}

// NewFilter compiles include and exclude lists. An empty include list means
// every path; exclude wins over include. The error names the list and the
// invalid pattern.
func NewFilter(include, exclude []string) (*Filter, error) {
	f := &Filter{}
	for _, list := range []struct {
		name     string
		patterns []string
		into     *[]*Pattern
	}{{"include", include, &f.include}, {"exclude", exclude, &f.exclude}} {
		for _, text := range list.patterns {
			p, err := Compile(text)
			if err != nil {
				return nil, fmt.Errorf("%s list: %w", list.name, err)
			}
			*list.into = append(*list.into, p)
		}
	}
	return f, nil
}

// Match reports whether path passes the filter: it matches an include
// pattern (or the include list is empty) and no exclude pattern. A nil
// Filter passes every path.
func (f *Filter) Match(path string) bool {
	if f == nil {
		return true
	}
	var buf [maxStackSegments]string
	segs := splitPath(path, buf[:0])
	isDir := strings.HasSuffix(path, "/")
	for _, p := range f.exclude {
		if p.matchSplit(segs, isDir) {
			return false
		}
	}
	if len(f.include) == 0 {
		return true
	}
	for _, p := range f.include {
		if p.matchSplit(segs, isDir) {
			return true
		}
	}
	return false
}
