package code

// modifiers are words that may precede a declaration in any brace language.
// `const` is one too, except in JavaScript and TypeScript where it starts a
// binding.
var modifiers = map[string]bool{
	"public": true, "private": true, "protected": true, "internal": true, "static": true,
	"final": true, "abstract": true, "async": true, "export": true, "default": true,
	"declare": true, "readonly": true, "sealed": true, "override": true, "virtual": true,
	"extern": true, "inline": true, "unsafe": true, "partial": true, "synchronized": true,
	"native": true, "strictfp": true, "transient": true, "volatile": true, "explicit": true,
	"friend": true, "constexpr": true, "consteval": true, "constinit": true, "mutable": true,
	"open": true, "accessor": true, "const": true,
}

// langModifiers are modifiers of one language only, where they could be
// ordinary names elsewhere.
var langModifiers = map[string]map[string]bool{
	"kotlin": {
		"data": true, "inner": true, "value": true, "annotation": true, "lateinit": true,
		"suspend": true, "tailrec": true, "operator": true, "infix": true, "crossinline": true,
		"noinline": true, "reified": true, "actual": true, "expect": true, "external": true,
		"companion": true,
	},
	"swift": {
		"mutating": true, "nonmutating": true, "convenience": true, "required": true,
		"fileprivate": true, "dynamic": true, "lazy": true, "weak": true, "unowned": true,
		"indirect": true, "nonisolated": true, "isolated": true,
	},
	"rust":  {"pub": true},
	"scala": {"case": true, "implicit": true, "lazy": true},
}

func isModifier(lang, w string) bool {
	if (lang == "javascript" || lang == "typescript") && w == "const" {
		return false
	}
	return modifiers[w] || langModifiers[lang][w]
}

// skipPrefix returns the index of the first token after the annotations,
// attributes, template clauses and modifiers that open a header, and whether
// `export default` was among them.
func skipPrefix(lang string, toks []headerToken) (int, bool) {
	i := 0
	exported, exportDefault := false, false
	for i < len(toks) {
		t := toks[i]
		switch {
		case t.text == "@" && isWord(toks, i+1): // @Override, @Component({...}), @a.b.C
			i += 2
			for isText(toks, i, ".") && isWord(toks, i+1) {
				i += 2
			}
			if isText(toks, i, "()") {
				i++
			}
		case t.text == "#" && (isText(toks, i+1, "[") || isText(toks, i+1, "!") && isText(toks, i+2, "[")):
			if toks[i+1].text == "!" {
				i++
			}
			i = skipSquare(toks, i+1) // #[derive(Debug)], #![allow(x)], PHP #[Attr]
		case t.text == "[" && (lang == "csharp" || lang == "cpp"):
			i = skipSquare(toks, i) // [Serializable], [[nodiscard]]
		case t.word && t.text == "template" && isText(toks, i+1, "<"):
			i = skipAngle(toks, i+1)
		case t.word && t.text == "pub" && lang == "rust" && isText(toks, i+1, "()"):
			i += 2 // pub(crate)
		case t.word && t.text == "typedef":
			i++
		case t.word && t.text == "fun" && lang == "kotlin" && isText(toks, i+1, "interface"):
			i++
		case t.word && t.text == "class" && lang == "swift" && isSwiftMember(toks, i+1):
			i++ // class func, class var: a type member, not a class
		case t.word && (lang == "c" || lang == "cpp") && isMacroLike(t.text) && isText(toks, i+1, "()") && isWord(toks, i+2):
			i += 2 // __attribute__((x)), __declspec(dllexport), EXPORT(x)
		case t.word && (lang == "c" || lang == "cpp") && isMacroName(t.text) && isWord(toks, i+1):
			i++ // EXPORT_API void f(), BEGIN_NAMESPACE_MACRO namespace x
		case t.word && isModifier(lang, t.text) && modifierFollows(toks, i+1):
			if t.text == "export" {
				exported = true
			}
			if t.text == "default" && exported {
				exportDefault = true
			}
			i++
		default:
			return i, exportDefault
		}
	}
	return i, exportDefault
}

// isMacroLike reports whether a word called with parentheses in front of a
// declaration reads as a compiler attribute or macro rather than a function.
func isMacroLike(w string) bool {
	return len(w) > 2 && w[0] == '_' && w[1] == '_' || isMacroName(w)
}

// modifierFollows reports whether the token at i can follow a modifier. A
// parameter list, '=', ':' or '<' right after it means the word is a name
// (a method called `static()` or a field called `default`), not a modifier.
func modifierFollows(toks []headerToken, i int) bool {
	if i >= len(toks) {
		return false
	}
	t := toks[i]
	return t.word || t.text == "@" || t.text == "*" || t.text == "#" || t.text == "[" || t.text == "~" || t.text == "&"
}

// isSwiftMember reports whether the token at i declares a Swift member that
// `class` can modify.
func isSwiftMember(toks []headerToken, i int) bool {
	if !isWord(toks, i) {
		return false
	}
	switch toks[i].text {
	case "func", "var", "let", "subscript", "init":
		return true
	}
	return false
}
