package code

// quoteStyle is the meaning of a single quote in a brace language.
type quoteStyle int

const (
	quoteNone   quoteStyle = iota // nothing: the quote is an ordinary character
	quoteString                   // a string literal
	quoteChar                     // a character literal, except C++ digit separators (1'000)
	quoteRust                     // a character literal ('a', '\n') or a lifetime ('a)
)

// backtickStyle is the meaning of a backtick in a brace language.
type backtickStyle int

const (
	backtickNone     backtickStyle = iota
	backtickTemplate               // a JavaScript template literal that may span lines and nest ${...}
	backtickIdent                  // a quoted identifier on one line (Kotlin, Swift, Scala)
)

// syntax describes the lexical and declaration rules of one brace language.
type syntax struct {
	single        quoteStyle
	backtick      backtickStyle
	interpolation string // "${" or `\(`: code nested in double-quoted strings
	singleInterp  bool   // single-quoted strings nest interpolations too (Dart)
	tripleQuotes  bool   // """text blocks""" (and ''' when single quotes are strings)
	multilineStr  bool   // ordinary string literals may contain line breaks
	nestedComment bool   // /* /* */ */ nests
	hashComment   bool   // '#' starts a line comment unless '[' follows (PHP)
	directives    bool   // '#' at the start of a line is a preprocessor directive
	rustRaw       bool   // r"..." and r#"..."#
	cppRaw        bool   // R"delim(...)delim"
	csVerbatim    bool   // @"..." with "" as an escaped quote
	swiftRaw      bool   // #"..."#
	regex         bool   // /.../ regular expression literals
	php           bool   // text outside <?php ... ?> is inline HTML
	asi           bool   // a line break can end a statement
	accessLabels  bool   // C++ "public:" lines end a statement
	cLike         bool   // functions are declared as `type name(params)` without a keyword
	funcKeywords  []string
	typeAliases   bool // TypeScript `type Name = ...`
	bindings      bool // JavaScript `const f = () => ...` and `x.y = function ...`
	swiftInit     bool // Swift init, deinit and subscript declarations
}

var cSyntax = &syntax{single: quoteChar, directives: true, cLike: true}

var jsSyntax = &syntax{single: quoteString, backtick: backtickTemplate, regex: true, asi: true,
	cLike: true, funcKeywords: []string{"function"}, bindings: true}

var tsSyntax = &syntax{single: quoteString, backtick: backtickTemplate, regex: true, asi: true,
	cLike: true, funcKeywords: []string{"function"}, bindings: true, typeAliases: true}

// braceSyntaxes maps a language name from Language to its rules.
var braceSyntaxes = map[string]*syntax{
	"c":          cSyntax,
	"cpp":        {single: quoteChar, directives: true, cppRaw: true, accessLabels: true, cLike: true},
	"csharp":     {single: quoteChar, directives: true, csVerbatim: true, tripleQuotes: true, cLike: true},
	"java":       {single: quoteChar, tripleQuotes: true, cLike: true},
	"javascript": jsSyntax,
	"typescript": tsSyntax,
	"kotlin": {single: quoteChar, backtick: backtickIdent, interpolation: "${", tripleQuotes: true,
		nestedComment: true, asi: true, funcKeywords: []string{"fun"}},
	"swift": {backtick: backtickIdent, interpolation: `\(`, tripleQuotes: true, nestedComment: true,
		swiftRaw: true, asi: true, funcKeywords: []string{"func"}, swiftInit: true},
	"rust": {single: quoteRust, rustRaw: true, nestedComment: true, multilineStr: true,
		funcKeywords: []string{"fn"}},
	"php": {single: quoteString, hashComment: true, php: true, multilineStr: true,
		funcKeywords: []string{"function"}},
	"scala": {single: quoteChar, backtick: backtickIdent, interpolation: "${", tripleQuotes: true,
		nestedComment: true, asi: true, funcKeywords: []string{"def"}},
	"dart": {single: quoteString, interpolation: "${", singleInterp: true, tripleQuotes: true,
		nestedComment: true, cLike: true},
}
