package htmldoc

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// languageAncestors is how many ancestors of a <pre> are searched for a
// language class, enough for <div class="highlight-python"><div
// class="highlight"><pre> and for a line-number table inside a wrapper.
const languageAncestors = 6

// languagePrefixes start the class names that carry a code language, as
// written by Prism and highlight.js (language-), Google Prettify (lang-),
// GitHub (highlight-source-) and Sphinx (highlight-).
var languagePrefixes = []string{"language-", "lang-", "highlight-source-", "highlight-"}

// noLanguage are language names that mean "no highlighting".
var noLanguage = map[string]bool{"none": true, "default": true, "nohighlight": true, "plaintext": true}

// codeBlock renders <pre> as a fenced code block with its language. The
// fence is one backtick longer than the longest backtick run in the code,
// and never shorter than three, so the code cannot close it.
func codeBlock(pre *html.Node) string {
	code := trimBlankLines(preformattedText(pre))
	if strings.TrimSpace(code) == "" {
		return ""
	}
	fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
	return fence + codeLanguage(pre) + "\n" + code + "\n" + fence
}

// preformattedText returns the text of pre as shown, with <br> as line
// breaks and line-number gutters left out.
func preformattedText(pre *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
			case c.Type != html.ElementNode:
			case c.DataAtom == atom.Br:
				b.WriteString("\n")
			case isLineNumbers(c):
			default:
				walk(c)
			}
		}
	}
	walk(pre)
	return strings.ReplaceAll(b.String(), "\u00a0", " ")
}

// isLineNumbers reports whether n is a line-number gutter of a syntax
// highlighter (Pygments, Prism, highlight.js, Hexo).
func isLineNumbers(n *html.Node) bool {
	for _, c := range classes(n) {
		switch c {
		case "linenos", "lineno", "linenodiv", "line-numbers-rows", "gutter", "hljs-ln-numbers", "line-number", "line-numbers":
			return true
		}
	}
	return false
}

// trimBlankLines removes leading and trailing lines that hold only white
// space, keeping the indentation of the first code line.
func trimBlankLines(code string) string {
	lines := strings.Split(code, "\n")
	start, end := 0, len(lines)
	for start < end && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	for end > start && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	return strings.Join(lines[start:end], "\n")
}

// codeLanguage returns the language of the code in pre, found on its
// <code> child, on pre itself or on a close ancestor, or "".
func codeLanguage(pre *html.Node) string {
	var candidates []*html.Node
	if code := findFirst(pre, func(n *html.Node) bool { return n.DataAtom == atom.Code }); code != nil {
		candidates = append(candidates, code)
	}
	candidates = append(candidates, pre)
	p := pre.Parent
	for i := 0; i < languageAncestors && p != nil; i++ {
		candidates = append(candidates, p)
		p = p.Parent
	}
	for _, n := range candidates {
		if lang := languageOf(n); lang != "" {
			return lang
		}
	}
	return ""
}

// languageOf returns the language named by a data-lang attribute or a
// class of n, or "".
func languageOf(n *html.Node) string {
	for _, key := range []string{"data-lang", "data-language"} {
		if lang := cleanLanguage(attr(n, key)); lang != "" {
			return lang
		}
	}
	names := classes(n)
	for _, name := range names {
		lower := strings.ToLower(name)
		for _, prefix := range languagePrefixes {
			if strings.HasPrefix(lower, prefix) {
				if lang := cleanLanguage(lower[len(prefix):]); lang != "" {
					return lang
				}
				break
			}
		}
	}
	// Pandoc writes <pre class="sourceCode python">.
	if hasClass(n, "sourceCode") {
		for _, name := range names {
			if name != "sourceCode" && name != "numberSource" {
				return cleanLanguage(name)
			}
		}
	}
	if hasClass(n, "mermaid") {
		return "mermaid"
	}
	return ""
}

// cleanLanguage returns the leading run of characters that can appear in a
// fence info string language, in lower case, or "" for no-highlight names.
func cleanLanguage(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	end := strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("_+#.-", r))
	})
	if end >= 0 {
		s = s[:end]
	}
	if noLanguage[s] {
		return ""
	}
	return s
}

// soleCodeWithBreaks returns the <code> element when it is the only content
// of a paragraph and contains <br>, as in older manuals that write
// <p><code>line one<br>line two</code></p> for examples, or nil.
func soleCodeWithBreaks(nodes []*html.Node) *html.Node {
	var code *html.Node
	for _, n := range nodes {
		switch {
		case n.Type == html.TextNode && strings.TrimFunc(n.Data, isSpace) == "":
		case n.Type == html.CommentNode:
		case code == nil && isElement(n, atom.Code):
			code = n
		default:
			return nil
		}
	}
	if code == nil || findFirst(code, func(n *html.Node) bool { return n.DataAtom == atom.Br }) == nil {
		return nil
	}
	return code
}

// brokenCodeBlock renders a <code> element whose lines are separated by
// <br> as a fenced code block. Its white space is not preformatted, so each
// line is collapsed as a browser shows it.
func brokenCodeBlock(code *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				writeCollapsed(&b, c.Data)
			case isElement(c, atom.Br):
				b.WriteString("\n")
			case c.Type == html.ElementNode:
				walk(c)
			}
		}
	}
	walk(code)
	lines := strings.Split(b.String(), "\n")
	for i, line := range lines {
		lines[i] = strings.TrimSpace(line)
	}
	text := trimBlankLines(strings.Join(lines, "\n"))
	if text == "" {
		return ""
	}
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return fence + codeLanguage(code) + "\n" + text + "\n" + fence
}
