package code

import "strings"

// decl is the kind and name of a declaration found in a statement header.
type decl struct {
	kind      string
	name      string
	container bool // members are cut out as their own pieces
	// transparent marks a namespace or extern "C" block: its members are
	// found but not qualified by its name, and it gets no piece of its own.
	transparent bool
}

// maxHeaderBytes bounds the header text that is classified. A statement with
// a longer header is not treated as a declaration.
const maxHeaderBytes = 4000

// typeKeywords lists, per language, the keywords that open a type or
// container declaration and the Kind each one yields.
var typeKeywords = map[string]map[string]string{
	"c":          {"struct": KindStruct, "union": KindType, "enum": KindEnum},
	"cpp":        {"class": KindClass, "struct": KindStruct, "union": KindType, "enum": KindEnum, "namespace": ""},
	"csharp":     {"class": KindClass, "struct": KindStruct, "interface": KindInterface, "enum": KindEnum, "record": KindClass, "namespace": ""},
	"java":       {"class": KindClass, "interface": KindInterface, "enum": KindEnum, "record": KindClass},
	"javascript": {"class": KindClass},
	"typescript": {"class": KindClass, "interface": KindInterface, "enum": KindEnum, "namespace": "", "module": ""},
	"kotlin":     {"class": KindClass, "interface": KindInterface, "object": KindClass, "enum": KindEnum},
	"swift":      {"class": KindClass, "struct": KindStruct, "enum": KindEnum, "protocol": KindInterface, "extension": KindExtension, "actor": KindClass},
	"rust":       {"struct": KindStruct, "enum": KindEnum, "union": KindType, "trait": KindTrait, "impl": KindImpl, "mod": KindModule},
	"php":        {"class": KindClass, "interface": KindInterface, "trait": KindTrait, "enum": KindEnum, "namespace": ""},
	"scala":      {"class": KindClass, "object": KindClass, "trait": KindTrait, "enum": KindEnum},
	"dart":       {"class": KindClass, "enum": KindEnum, "extension": KindExtension, "mixin": KindClass},
}

// classify reads a tokenized statement header and reports what it declares.
// hasBody is whether a brace block follows the header, and inType whether the
// statement sits directly inside a class-like container.
func (f *braceFile) classify(toks []headerToken, hasBody, inType bool) (decl, bool) {
	if f.lang == "c" || f.lang == "cpp" {
		// extern "C" { ... } (the string is masked to "0")
		if hasBody && len(toks) > 0 && toks[0].text == "extern" && (len(toks) == 1 || len(toks) == 2 && toks[1].text == "0") {
			return decl{transparent: true, container: true}, true
		}
	}
	i, exportDefault := skipPrefix(f.lang, toks)
	if i >= len(toks) {
		return decl{}, false
	}
	if f.syn.bindings {
		if d, ok := binding(toks, i, inType); ok {
			return d, true
		}
	}
	if f.syn.typeAliases && toks[i].text == "type" && isName(toks, i+1) {
		j := skipAngle(toks, i+2)
		if isText(toks, j, "=") {
			return decl{kind: KindType, name: toks[i+1].text}, true
		}
	}
	if hasBody {
		if d, ok := f.typeDecl(toks, i, exportDefault); ok {
			return d, true
		}
	}
	if d, ok := f.funcDecl(toks, i, exportDefault, hasBody, inType); ok {
		return d, true
	}
	if f.syn.cLike {
		return f.cFunction(toks, i, hasBody, inType)
	}
	return decl{}, false
}

func functionKind(inType bool) string {
	if inType {
		return KindMethod
	}
	return KindFunction
}

// typeDecl recognises class, struct, interface, enum, trait, impl,
// namespace and module declarations, and Rust's macro_rules!.
func (f *braceFile) typeDecl(toks []headerToken, i int, exportDefault bool) (decl, bool) {
	w := toks[i].text
	if f.lang == "rust" && w == "macro_rules" && isText(toks, i+1, "!") && isName(toks, i+2) {
		return decl{kind: KindMacro, name: toks[i+2].text}, true
	}
	kind, ok := typeKeywords[f.lang][w]
	if !ok {
		return decl{}, false
	}

	j := i + 1
	switch {
	case w == "enum" && (isText(toks, j, "class") || isText(toks, j, "struct")):
		j++ // C++ and Kotlin enum class
	case w == "impl":
		return decl{kind: KindImpl, name: implType(toks, j), container: true}, true
	}
	if (f.lang == "c" || f.lang == "cpp") && w != "namespace" && looksLikeFunction(toks, j) {
		return decl{}, false // struct point *make_point(void) { ... }
	}

	name := f.declName(toks, j)
	d := decl{kind: kind, name: name}
	switch kind {
	case KindInterface, KindTrait, KindType:
	case "":
		d.container, d.transparent = true, true
		d.name = ""
	default:
		d.container = true
	}

	switch {
	case name != "" || d.transparent:
	case w == "object":
		d.name = "Companion" // Kotlin `companion object { ... }`
	case exportDefault:
		d.name = "default"
	case f.lang != "c" && f.lang != "cpp":
		return decl{}, false // the caller names C structs from the declarator after the body
	}
	return d, true
}

// declName reads the declared name at j: a word, possibly qualified with "::"
// or ".", after any C++ [[attributes]] or macro calls such as
// __declspec(dllexport). In C++ a leading all-caps export macro without
// parentheses (class FOO_API Foo) is skipped too.
func (f *braceFile) declName(toks []headerToken, j int) string {
	for {
		switch {
		case isText(toks, j, "["):
			j = skipSquare(toks, j)
			continue
		case isWord(toks, j) && isText(toks, j+1, "()") && isWord(toks, j+2):
			j += 2
			continue
		}
		break
	}
	if !isName(toks, j) || nameStopWords[toks[j].text] {
		return ""
	}
	if f.lang == "cpp" && isMacroName(toks[j].text) && isName(toks, j+1) && !nameStopWords[toks[j+1].text] {
		j++
	}
	parts := []string{toks[j].text}
	for (isText(toks, j+1, "::") || isText(toks, j+1, ".")) && isName(toks, j+2) {
		parts = append(parts, toks[j+2].text)
		j += 2
	}
	return strings.Join(parts, ".")
}

// nameStopWords follow a type keyword where an anonymous type has no name.
var nameStopWords = map[string]bool{
	"extends": true, "implements": true, "where": true, "final": true, "with": true,
}

// isMacroName reports whether a word is written like a C macro: upper-case
// letters, digits and underscores, at least two bytes long.
func isMacroName(w string) bool {
	if len(w) < 2 {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// looksLikeFunction reports whether a word directly followed by a parameter
// list appears from j on.
func looksLikeFunction(toks []headerToken, j int) bool {
	for k := j; k+1 < len(toks); k++ {
		if toks[k].word && toks[k+1].text == "()" {
			return true
		}
	}
	return false
}

// implType returns the type an impl block is for: "Wrapper" for
// `impl<T> fmt::Display for Wrapper<T>`, "Stack" for `impl<T> Stack<T>`.
func implType(toks []headerToken, j int) string {
	j = skipAngle(toks, j)
	for k := j; k < len(toks); k++ {
		if toks[k].text == "for" {
			j = k + 1
			break
		}
		if toks[k].text == "<" {
			k = skipAngle(toks, k) - 1
		}
	}
	name := ""
	for k := j; k < len(toks); k++ {
		t := toks[k]
		switch {
		case t.text == "&" || t.text == "dyn" || t.text == "mut" || t.text == "'":
		case t.text == "::":
		case t.word && t.text != "where":
			name = t.text
		default:
			return name
		}
	}
	return name
}
