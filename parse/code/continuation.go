package code

import "strings"

// continuationStarts are the bytes that, at the start of the next line,
// continue a statement across a line break: method chains, operators, an
// opening brace on its own line (Allman style) and closing brackets.
const continuationStarts = ".?:)]{|&=,+*/%"

// continuationEnds are the bytes that, at the end of a line, leave a
// statement open.
const continuationEnds = "=,.+-*/%&|^!:([{<"

// continuationWords continue a statement when they start the next line.
var continuationWords = map[string]bool{
	"else": true, "catch": true, "finally": true, "extends": true, "implements": true,
	"where": true, "throws": true,
}

// wordAt returns the identifier that starts at i in the masked code.
func (f *braceFile) wordAt(i, hi int) string {
	j := i
	for j < hi && isIdentByte(f.code[j]) {
		j++
	}
	return string(f.code[i:j])
}

// endsAfterBlock reports whether a statement ends at the '}' at closeAt:
// nothing but white space follows on its line, and the next code neither
// starts with a continuation byte nor with else, catch or finally.
func (f *braceFile) endsAfterBlock(closeAt, hi int) bool {
	k := closeAt + 1
	for k < hi && f.code[k] != '\n' && isSpace(f.code[k]) {
		k++
	}
	if k < hi && f.code[k] != '\n' {
		return false
	}
	n := f.skipSpace(k, hi)
	if n >= hi {
		return true
	}
	if strings.IndexByte(".,;)]?:=+-*/%&|^<>", f.code[n]) >= 0 {
		return false
	}
	switch f.wordAt(n, hi) {
	case "else", "catch", "finally":
		return false
	}
	return true
}

// asiBreak reports whether the line break at nl ends the statement that
// started at start, in a language where line breaks can end statements.
func (f *braceFile) asiBreak(start, nl, hi int) bool {
	p := nl - 1
	for p >= start && isSpace(f.code[p]) && (f.code[p] != '\n' || f.breaks[p]) {
		p-- // line breaks inside a multi-line string belong to the string's line
	}
	if p < start || f.code[p] == '\n' {
		return false // no code on this line: a comment or blank line inside the statement
	}
	if f.continuesAfter(p) {
		return false
	}
	if annotationOnly(string(f.code[start : p+1])) {
		return false // @Component({...}) above a class
	}
	n := f.skipSpace(nl, hi)
	if n >= hi {
		return true
	}
	if strings.IndexByte(continuationStarts, f.code[n]) >= 0 {
		return false
	}
	if f.code[n] == '-' && n+1 < hi && f.code[n+1] == '>' {
		return false
	}
	return !continuationWords[f.wordAt(n, hi)]
}

// continuesAfter reports whether the code byte at p, the last on its line,
// leaves the statement open. Doubled ++, -- and !! end an expression instead,
// and '>' continues only as part of => or ->.
func (f *braceFile) continuesAfter(p int) bool {
	c := f.code[p]
	prev := byte(0)
	if p > 0 {
		prev = f.code[p-1]
	}
	switch {
	case c == '>':
		return prev == '=' || prev == '-'
	case (c == '+' || c == '-' || c == '!') && prev == c:
		return false
	}
	return strings.IndexByte(continuationEnds, c) >= 0
}

// annotationOnly reports whether a statement so far holds only annotations
// or decorators such as `@Test` or `@Component({...})`, which belong to the
// declaration on the next line.
func annotationOnly(line string) bool {
	t := strings.TrimSpace(line)
	if t == "" || t[0] != '@' {
		return false
	}
	for t != "" {
		if t[0] != '@' {
			return false
		}
		i := 1
		for i < len(t) && (isIdentByte(t[i]) || t[i] == '.') {
			i++
		}
		if i == 1 {
			return false
		}
		t = strings.TrimSpace(t[i:])
		if t != "" && t[0] == '(' {
			depth := 0
			j := 0
			for ; j < len(t); j++ {
				if t[j] == '(' {
					depth++
				} else if t[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j >= len(t) {
				return false
			}
			t = strings.TrimSpace(t[j+1:])
		}
	}
	return true
}
