package code

import "strings"

// prefixMarks are the punctuation marks allowed before a C-style function
// name: pointers, references, templates, arrays, nullable types, qualified
// type names, JavaScript generators and private names, and destructors.
var prefixMarks = map[string]bool{
	"*": true, "&": true, "&&": true, "::": true, "<": true, ">": true, ",": true,
	"[": true, "]": true, "?": true, "...": true, ".": true, "#": true, "~": true,
}

// cFunction recognises functions declared as `type name(params) suffix`, as
// in C, C++, Java, C#, Dart and JavaScript class bodies. It takes the first
// word followed by a parameter list whose prefix reads as a return type and
// whose suffix reads as qualifiers, so a macro line in front of a function
// (`DEFINE_X(a) int f(void)`) does not hide the function. Without a body,
// only a C# expression-bodied member (`int Count() => n;`) is a function.
func (f *braceFile) cFunction(toks []headerToken, i int, hasBody, inType bool) (decl, bool) {
	if !hasBody && f.lang != "csharp" {
		return decl{}, false
	}
	rest := toks[i:]
	for j := 0; j < len(rest); j++ {
		t := rest[j]
		if !t.word {
			if t.text == "=" || t.text == "=>" || t.text == ";" || t.text == "{}" {
				return decl{}, false
			}
			continue
		}
		name, params, ok := candidate(rest, j)
		if !ok {
			continue
		}
		if controlWords[t.text] {
			return decl{}, false
		}
		if j > 0 && (rest[j-1].text == "." || rest[j-1].text == "?." || rest[j-1].text == "->") {
			return decl{}, false // a method call such as a.b() { ... }
		}
		first := qualifiedStart(rest, j)
		if !validPrefix(rest[:first]) {
			return decl{}, false
		}
		if !hasBody {
			if !isText(rest, params+1, "=>") {
				return decl{}, false
			}
		} else if !validSuffix(rest[params+1:]) {
			continue
		}
		if first < j {
			name = qualifiedName(rest[first:j]) + name
		}
		if first == 0 && (f.lang == "c" || f.lang == "cpp") && isMacroName(name) {
			name += "(" + rest[params].inner + ")" // TEST(Suite, Name) { ... }
		}
		kind := functionKind(inType)
		if strings.Contains(name, ".") {
			kind = KindMethod
		}
		return decl{kind: kind, name: name}, true
	}
	return decl{}, false
}

// candidate reports whether the word at j names a function: it is followed,
// after optional type arguments, by a parameter list. C++ operators take
// their symbol into the name: "operator==", "operator()".
func candidate(toks []headerToken, j int) (name string, params int, ok bool) {
	if toks[j].text == "operator" {
		k := j + 1
		var sb strings.Builder
		sb.WriteString("operator")
		if isText(toks, k, "()") && isText(toks, k+1, "()") {
			return "operator()", k + 1, true
		}
		for k < len(toks) && toks[k].text != "()" {
			if toks[k].word {
				sb.WriteByte(' ')
			}
			sb.WriteString(toks[k].text)
			k++
		}
		return sb.String(), k, k < len(toks)
	}
	k := skipAngle(toks, j+1)
	if !isName(toks, j) || !isText(toks, k, "()") {
		return "", 0, false
	}
	return toks[j].text, k, true
}

// qualifiedStart walks back from the name at j over `Outer::` qualifiers and
// a destructor's '~', returning the index where the full name starts.
func qualifiedStart(toks []headerToken, j int) int {
	q := j
	if isText(toks, q-1, "~") {
		q--
	}
	for {
		switch {
		case isText(toks, q-1, "::") && isWord(toks, q-2):
			q -= 2
		case isText(toks, q-1, "::") && isText(toks, q-2, ">"):
			depth := 0
			k := q - 2
			for ; k >= 0; k-- {
				if toks[k].text == ">" {
					depth++
				} else if toks[k].text == "<" {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if !isWord(toks, k-1) {
				return q
			}
			q = k - 1
		default:
			return q
		}
	}
}

// qualifiedName renders the qualifier tokens before a name as "Outer.",
// dropping template arguments.
func qualifiedName(toks []headerToken) string {
	var sb strings.Builder
	depth := 0
	for _, t := range toks {
		switch {
		case t.text == "<":
			depth++
		case t.text == ">":
			depth--
		case depth > 0:
		case t.text == "::":
			sb.WriteByte('.')
		default:
			sb.WriteString(t.text)
		}
	}
	return sb.String()
}

func validPrefix(toks []headerToken) bool {
	for k, t := range toks {
		switch {
		case t.word:
			if controlWords[t.text] {
				return false
			}
		case t.text == "()":
			if k == 0 || !toks[k-1].word {
				return false
			}
		case !prefixMarks[t.text]:
			return false
		}
	}
	return true
}

func validSuffix(toks []headerToken) bool {
	if len(toks) == 0 {
		return true
	}
	switch t := toks[0]; {
	case t.word && !suffixWords[t.text] && !isMacroName(t.text): // NOEXCEPT_MACRO
		return false
	case !t.word && t.text != ":" && t.text != "->" && t.text != "&" && t.text != "&&" && t.text != "[" && t.text != "*":
		return false
	}
	for _, t := range toks {
		if t.text == "=" || t.text == ";" {
			return false
		}
	}
	return true
}
