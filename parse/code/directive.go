package code

import (
	"bytes"
	"strings"
)

// directive masks a C, C++ or C# preprocessor line at i, including lines
// joined to it by a trailing backslash. The text of `#if 0` blocks is masked
// up to the matching #else or #endif. An #else or #elif branch is read like
// any code when the branch before it has balanced braces. Otherwise the
// remaining branches are masked up to the #endif, so that braces stay
// balanced.
func (l *lexer) directive(i int) int {
	end := l.logicalLineEnd(i)
	name, arg := directiveName(l.src[i+1 : end])
	l.mask(i, end)
	switch name {
	case "if", "ifdef", "ifndef":
		if name == "if" && (arg == "0" || strings.HasPrefix(arg, "0 ") || strings.HasPrefix(arg, "0/")) {
			stop, atElse := l.skipBranch(end, true)
			if atElse {
				l.branches = append(l.branches, stop)
			}
			return stop
		}
		l.branches = append(l.branches, end)
	case "else", "elif", "elifdef", "elifndef":
		if n := len(l.branches); n > 0 {
			if braceBalance(l.code[l.branches[n-1]:i]) == 0 {
				l.branches[n-1] = end
				return end
			}
			l.branches = l.branches[:n-1]
			stop, _ := l.skipBranch(end, false)
			return stop
		}
	case "endif":
		if n := len(l.branches); n > 0 {
			l.branches = l.branches[:n-1]
		}
	}
	return end
}

// braceBalance returns the number of '{' minus the number of '}' in code.
func braceBalance(code []byte) int {
	return bytes.Count(code, []byte("{")) - bytes.Count(code, []byte("}"))
}

// logicalLineEnd returns the index of the line break that ends the line at i,
// following backslash-newline continuations.
func (l *lexer) logicalLineEnd(i int) int {
	for {
		j := bytes.IndexByte(l.src[i:], '\n')
		if j < 0 {
			return len(l.src)
		}
		end := i + j
		k := end - 1
		if k >= 0 && l.src[k] == '\r' {
			k--
		}
		if k < 0 || l.src[k] != '\\' {
			return end
		}
		i = end + 1
	}
}

// directiveName splits the text after '#' into the directive name and its
// trimmed argument.
func directiveName(b []byte) (string, string) {
	t := strings.TrimLeft(string(b), " \t")
	n := 0
	for n < len(t) && isIdentByte(t[n]) {
		n++
	}
	return t[:n], strings.TrimSpace(t[n:])
}

// skipBranch masks the lines from i up to the #endif that closes the current
// conditional, or, with stopAtElse, up to an #else or #elif at the same level
// if one comes first. It returns the index of the line break after the
// directive it stopped at and whether that directive was #else or #elif.
func (l *lexer) skipBranch(i int, stopAtElse bool) (int, bool) {
	depth := 0
	pos := i
	for pos < len(l.src) {
		end := l.logicalLineEnd(pos)
		line := bytes.TrimLeft(l.src[pos:end], " \t\n\r")
		if len(line) > 0 && line[0] == '#' {
			name, _ := directiveName(line[1:])
			switch name {
			case "if", "ifdef", "ifndef":
				depth++
			case "endif":
				if depth == 0 {
					l.mask(i, end)
					return end, false
				}
				depth--
			case "else", "elif", "elifdef", "elifndef":
				if depth == 0 && stopAtElse {
					l.mask(i, end)
					return end, true
				}
			}
		}
		if end >= len(l.src) {
			break
		}
		pos = end + 1
	}
	l.mask(i, len(l.src))
	return len(l.src), false
}
