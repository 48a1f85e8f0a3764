// Package code cuts source files into the chunks a developer would cut by
// hand: one per function, method, type or class, with exact 1-based line
// ranges.
//
// Go files are parsed with go/parser. Python is read by indentation and
// logical lines, and Ruby by indentation and aligned `end` lines. The brace
// languages (C, C++, C#, Java, Kotlin, Swift, Rust, JavaScript, TypeScript,
// PHP, Scala, Dart) are read by matching braces once comments, string
// literals and character literals are masked out. These readers are
// heuristics, not parsers, so code they do not recognise lands in the
// file-level pieces instead of its own. Every other file type is cut at blank
// lines near the token limit.
//
// Code outside any definition (package clause, imports, constants, script
// statements) becomes pieces of Kind "file". Their Symbol is the package name
// for Go files and the file's base name (for example "utils.py") otherwise.
// Inside a container such as a class, the lines outside its methods (header,
// fields, docstring) become pieces that carry the container's own Symbol and
// Kind. Symbols are qualified with "." by the enclosing classes, impl blocks
// and modules, but not by packages or namespaces: a C++ method is "Shape.area"
// inside `namespace geo`.
package code

import (
	"fmt"
	"path"
	"unicode/utf8"

	"github.com/gndhq/gnd/tokens"
)

// DefaultMaxTokens is the token limit per piece used when Options.MaxTokens is 0.
const DefaultMaxTokens = 1000

// Kinds of pieces.
const (
	KindFunction  = "function"  // a function outside any type
	KindMethod    = "method"    // a function that belongs to a type, impl block or class
	KindType      = "type"      // a Go type spec other than struct or interface, a TypeScript type alias, a C union
	KindStruct    = "struct"    // a struct declaration
	KindInterface = "interface" // an interface or protocol
	KindClass     = "class"     // a class, record, object or actor
	KindEnum      = "enum"      // an enumeration
	KindTrait     = "trait"     // a Rust, Scala or PHP trait
	KindImpl      = "impl"      // a Rust impl block, named after the implementing type
	KindModule    = "module"    // a Ruby module or Rust mod block
	KindExtension = "extension" // a Swift extension
	KindMacro     = "macro"     // a Rust macro_rules! definition
	KindFile      = "file"      // file-level code outside any definition
)

// Options tunes Chunk.
type Options struct {
	// MaxTokens is the token limit per piece, and 0 means DefaultMaxTokens.
	// Parts of a cut symbol are sized by the sum of their lines' counts,
	// which can differ from the count of the joined text by a few tokens.
	// A single source line longer than the limit still becomes one piece.
	MaxTokens int
	// Count returns the token count of a string. Nil means tokens.Count.
	Count func(string) int
}

// Piece is one chunk of a source file.
type Piece struct {
	Symbol    string // qualified name: "Client.Do", "Parser.parse", "main", "UserService.getUser"
	Kind      string // one of the Kind constants
	StartLine int    // 1-based, inclusive, includes the doc comment, annotations and decorators
	EndLine   int    // 1-based, inclusive
	// Content is the source lines StartLine..EndLine joined by "\n", without
	// a final line break. For a part with Part > 1 that begins after the
	// symbol's signature lines, Content is those signature lines, a line
	// break, and then the part's own lines.
	Content string
	Part    int // 0 when not split, else 1..n for the parts of an oversize symbol or file region
}

// Chunk returns the pieces of one source file in line order, and no two
// pieces share a line. Blank lines, lines holding only closing punctuation,
// `end` or a preprocessor conditional, and the closing line of a namespace
// may belong to no piece. The language comes from Language(path), except that
// a C file (typically a .h header) with C++ declarations is read as C++.
//
// Chunk returns an error for a negative MaxTokens, and for an internal
// failure (a recovered panic, which is a bug). A Go file that does not parse
// is cut like unknown text.
func Chunk(path string, src []byte, opt Options) (pieces []Piece, err error) {
	if opt.MaxTokens < 0 {
		return nil, fmt.Errorf("chunk %s: invalid MaxTokens %d: use 0 for the default of %d or a positive limit",
			path, opt.MaxTokens, DefaultMaxTokens)
	}
	defer func() {
		if r := recover(); r != nil {
			pieces, err = nil, fmt.Errorf("chunk %s: internal error: %v", path, r)
		}
	}()

	c := newChunker(src, opt)
	if len(c.src.lines) == 0 {
		return nil, nil
	}
	lang := Language(path)
	if lang == "c" && looksLikeCpp(src) {
		lang = "cpp"
	}
	fileSymbol := baseName(path)
	var spans []span
	switch {
	case lang == "go":
		spans, fileSymbol = goSpans(path, c.src, fileSymbol)
	case lang == "python":
		spans = pythonSpans(c.src)
	case lang == "ruby":
		spans = rubySpans(c.src)
	case braceSyntaxes[lang] != nil:
		spans = braceSpans(lang, c.src)
	}
	spans = fillGaps(c.src, spans, 1, len(c.src.lines), fileSymbol, KindFile, header{}, false)
	return c.pieces(spans), nil
}

// baseName returns the last element of a slash- or backslash-separated path.
func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '\\' {
			p = p[i+1:]
			break
		}
	}
	return path.Base(p)
}

// chunker holds one file and the token counting state used to size pieces.
type chunker struct {
	src      *source
	max      int
	count    func(string) int
	byteFast bool  // count is tokens.Count, which never returns more tokens than bytes for valid UTF-8
	lineTok  []int // cached token count per line (index = line-1), -1 when not yet counted
}

func newChunker(src []byte, opt Options) *chunker {
	c := &chunker{src: newSource(src), max: opt.MaxTokens, count: opt.Count}
	if c.max == 0 {
		c.max = DefaultMaxTokens
	}
	if c.count == nil {
		c.count = tokens.Count
		c.byteFast = true
	}
	return c
}

// fits reports whether text is within the token limit.
func (c *chunker) fits(text string) bool {
	if c.byteFast && len(text) <= c.max && utf8.ValidString(text) {
		return true
	}
	return c.count(text) <= c.max
}

// lineTokens returns the token count of one line including its line break.
func (c *chunker) lineTokens(line int) int {
	if c.lineTok == nil {
		c.lineTok = make([]int, len(c.src.lines))
		for i := range c.lineTok {
			c.lineTok[i] = -1
		}
	}
	if n := c.lineTok[line-1]; n >= 0 {
		return n
	}
	n := c.count(c.src.lines[line-1] + "\n")
	c.lineTok[line-1] = n
	return n
}
