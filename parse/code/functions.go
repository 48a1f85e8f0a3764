package code

import (
	"slices"
	"strings"
)

// controlWords start statements or expressions that look like a call
// followed by a block but declare nothing: `if (x) {`, `for (...) {`.
var controlWords = map[string]bool{
	"if": true, "for": true, "foreach": true, "while": true, "switch": true, "catch": true,
	"with": true, "using": true, "lock": true, "fixed": true, "synchronized": true,
	"return": true, "new": true, "throw": true, "else": true, "do": true, "try": true,
	"case": true, "goto": true, "sizeof": true, "typeof": true, "delete": true, "await": true,
	"yield": true, "elif": true, "when": true, "match": true, "loop": true, "unless": true,
	"until": true, "checked": true, "unchecked": true, "defer": true, "guard": true,
	"repeat": true, "static_assert": true, "assert": true, "super": true, "this": true,
}

// suffixWords may follow a parameter list before a function body.
var suffixWords = map[string]bool{
	"const": true, "noexcept": true, "override": true, "final": true, "volatile": true,
	"throws": true, "where": true, "mutable": true, "requires": true, "try": true,
	"async": true, "sync": true,
}

// ctorWords declare initializers without a function keyword.
var ctorWords = map[string][]string{
	"swift":  {"init", "deinit", "subscript"},
	"kotlin": {"constructor"},
}

// funcDecl recognises functions declared with a keyword (function, fn, fun,
// func, def) and Swift and Kotlin initializers. Kotlin extension functions
// keep their receiver: `fun String.shout()` is named "String.shout". Without
// a body, only an expression body after '=' makes a function
// (`fun twice(x: Int) = 2 * x`), and a bare signature is not one.
func (f *braceFile) funcDecl(toks []headerToken, i int, exportDefault, hasBody, inType bool) (decl, bool) {
	w := toks[i].text
	if slices.Contains(ctorWords[f.lang], w) {
		j := i + 1
		if isText(toks, j, "?") || isText(toks, j, "!") {
			j++
		}
		j = skipAngle(toks, j)
		if hasBody && (w == "deinit" && j == len(toks) || isText(toks, j, "()")) {
			return decl{kind: functionKind(inType), name: w}, true
		}
		return decl{}, false
	}
	if !slices.Contains(f.syn.funcKeywords, w) {
		return decl{}, false
	}

	j := i + 1
	for isText(toks, j, "*") || isText(toks, j, "&") {
		j++ // function* generators, PHP function &refReturn()
	}
	j = skipAngle(toks, j) // fun <T> name()
	parts, j := namePath(toks, j)
	if !isText(toks, j, "()") && !(f.lang == "scala" && len(parts) > 0 && (j == len(toks) || isText(toks, j, ":") || isText(toks, j, "="))) {
		return decl{}, false // Scala alone has parameterless methods: def size: Int = n
	}
	if !hasBody && !slices.ContainsFunc(toks[j:], func(t headerToken) bool { return t.text == "=" }) {
		return decl{}, false
	}

	name := strings.Join(parts, ".")
	if name == "" {
		if !exportDefault {
			return decl{}, false
		}
		name = "default"
	}
	return decl{kind: functionKind(inType), name: name}, true
}

// namePath reads a dotted name from j on, skipping type arguments and the
// '?' of a nullable receiver (`fun Foo?.bar()`), and returns its parts and
// the index after it.
func namePath(toks []headerToken, j int) ([]string, int) {
	var parts []string
	for j < len(toks) {
		switch {
		case isName(toks, j):
			parts = append(parts, toks[j].text)
			j = skipAngle(toks, j+1)
		case isText(toks, j, ".") || isText(toks, j, "::") || isText(toks, j, "?"):
			j++
		default:
			return parts, j
		}
	}
	return parts, j
}

// binding recognises JavaScript and TypeScript functions bound to a name:
// `const f = (a) => ...`, `let g = async function () {...}`, class fields
// `handle = () => {...}`, and assignments such as
// `Foo.prototype.bar = function () {...}` (named "Foo.bar").
func binding(toks []headerToken, i int, inType bool) (decl, bool) {
	j := i
	declared := false
	if w := toks[j].text; w == "const" || w == "let" || w == "var" {
		declared = true
		j++
	}
	if !isName(toks, j) {
		return decl{}, false
	}

	parts := []string{toks[j].text}
	for j++; isText(toks, j, ".") && isName(toks, j+1); j += 2 {
		parts = append(parts, toks[j+1].text)
	}
	if isText(toks, j, "?") || isText(toks, j, "!") {
		j++
	}
	if isText(toks, j, ":") {
		j = skipTypeAnnotation(toks, j+1)
	}
	if !isText(toks, j, "=") || !functionValue(toks, j+1) {
		return decl{}, false
	}

	name, method := bindingName(parts)
	switch {
	case inType && !declared && len(parts) == 1:
		return decl{kind: KindMethod, name: name}, true
	case method:
		return decl{kind: KindMethod, name: name}, true
	}
	return decl{kind: KindFunction, name: name}, true
}

// skipTypeAnnotation returns the index of the '=' that ends a TypeScript type
// annotation starting at j, or len(toks).
func skipTypeAnnotation(toks []headerToken, j int) int {
	depth := 0
	for ; j < len(toks); j++ {
		switch toks[j].text {
		case "<":
			depth++
		case ">":
			depth--
		case "=":
			if depth <= 0 {
				return j
			}
		}
	}
	return j
}

// functionValue reports whether the expression at j is a function: the
// keyword function, or an arrow function with or without async, type
// parameters and a return type annotation.
func functionValue(toks []headerToken, j int) bool {
	if isText(toks, j, "async") {
		j++
	}
	if isText(toks, j, "function") {
		return true
	}
	j = skipAngle(toks, j)
	if !isText(toks, j, "()") && !isName(toks, j) {
		return false
	}
	j++
	if isText(toks, j, ":") {
		for j < len(toks) && toks[j].text != "=>" {
			j++
		}
	}
	return isText(toks, j, "=>")
}

// bindingName turns an assignment target into a symbol: it drops
// `module.exports.` and `exports.` and folds `X.prototype.y` into `X.y`,
// which it reports as a method.
func bindingName(parts []string) (string, bool) {
	switch {
	case len(parts) > 2 && parts[0] == "module" && parts[1] == "exports":
		parts = parts[2:]
	case len(parts) > 1 && parts[0] == "exports":
		parts = parts[1:]
	}
	method := false
	if k := slices.Index(parts, "prototype"); k > 0 && k < len(parts)-1 {
		parts = slices.Delete(slices.Clone(parts), k, k+1)
		method = true
	}
	return strings.Join(parts, "."), method
}
