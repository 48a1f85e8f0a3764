package lexical

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxTermBytes is the longest term that analysis emits. Longer tokens, such as
// base64 blobs or minified code, are dropped rather than truncated, so that a
// truncated prefix never matches unrelated text.
const maxTermBytes = 100

// Terms splits text into index terms. Both documents and queries go through
// this analysis:
//
//   - Text is NFKC-normalised (which also folds full-width and half-width
//     forms) and lower-cased rune by rune. Invalid UTF-8 bytes separate words.
//   - A compound such as getUserById, HTTPServer, snake_case, kebab-case,
//     os.path.join, foo::bar, a/b/c, 38.101, v1.2.3 or C++ yields one term per
//     part (camel-case humps, pieces between connectors), followed by the whole
//     compound in lower case with its connectors kept (getuserbyid, foo::bar).
//     A version such as v1.2.3 also yields 1.2.3.
//   - Apostrophes between letters are removed, after a possessive 's is
//     dropped (don't → dont, user's → user).
//   - A plain word is dropped when it is an English stop word. Other words are
//     emitted, and those of ASCII letters are first stemmed by the Snowball
//     English stemmer. Compound parts are stemmed the same way but never
//     dropped.
//   - Runs of scripts written without spaces (Han, Hiragana, Katakana, Hangul,
//     Thai, Lao, Khmer, Myanmar) yield overlapping character bigrams, or the
//     single character when the run is one character long.
//   - Terms longer than 100 bytes are dropped.
//
// Terms returns nil when text contains no terms. The terms may share memory
// with text.
func Terms(text string) []string {
	var terms []string
	a := getAnalyzer()
	defer putAnalyzer(a)
	a.analyze(text, func(term string) {
		terms = append(terms, term)
	})
	return terms
}

// QueryTerms splits a user query into terms with the same analysis as Terms,
// so query terms match document terms. It accepts any input, including
// punctuation only, invalid UTF-8 and very long questions, and returns nil
// when the query contains no terms.
func QueryTerms(query string) []string {
	return Terms(query)
}

// runeClass sorts runes for the scanner.
type runeClass uint8

const (
	classOther  runeClass = iota // punctuation, spaces, symbols
	classWord                    // letters, digits and marks of space-separated scripts
	classBigram                  // characters of scripts written without spaces
)

// asciiClass is the class of each ASCII byte.
var asciiClass = func() (table [utf8.RuneSelf]runeClass) {
	for b := range table {
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' {
			table[b] = classWord
		}
	}
	return table
}()

// classify returns the class of r.
func classify(r rune) runeClass {
	if r < utf8.RuneSelf {
		return asciiClass[r]
	}
	if isUnspacedScript(r) {
		return classBigram
	}
	if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) {
		return classWord
	}
	return classOther
}

// isUnspacedScript reports whether r belongs to a script that is written
// without spaces between words, where bigrams stand in for words.
//
// NOTE: Thai, Lao, Khmer and Myanmar get the same character bigrams as CJK,
// with combining vowel signs counted as characters. Retrieval quality for
// them has not been measured.
func isUnspacedScript(r rune) bool {
	switch r {
	case 0x3005, 0x3006, 0x3007, 0x30FC: // 々 〆 〇 ー are script Common but occur inside Japanese words
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// normalize returns text in NFKC form. Already-normal text, which includes all
// ASCII, is returned without copying.
func normalize(text string) string {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			if norm.NFKC.IsNormalString(text) {
				return text
			}
			return norm.NFKC.String(text)
		}
	}
	return text
}

// analyzer holds the scratch space and word cache of one analysis at a
// time. Analyzers are recycled through analyzerPool.
type analyzer struct {
	c     compound
	words map[string]wordTerm // lower-case word → its term
}

var analyzerPool = sync.Pool{New: func() any {
	return &analyzer{words: make(map[string]wordTerm)}
}}

func getAnalyzer() *analyzer  { return analyzerPool.Get().(*analyzer) }
func putAnalyzer(a *analyzer) { analyzerPool.Put(a) }

// analyze emits the terms of text in order. The strings passed to emit are
// immutable but may share memory with text, so a caller that keeps one for
// long should copy it.
func (a *analyzer) analyze(text string, emit func(term string)) {
	text = normalize(text)
	for i := 0; i < len(text); {
		b := text[i]
		if b < utf8.RuneSelf {
			if asciiClass[b] == classWord {
				i = a.c.scan(text, i)
				a.emitCompound(emit)
			} else {
				i++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch classify(r) {
		case classWord:
			i = a.c.scan(text, i)
			a.emitCompound(emit)
		case classBigram:
			i = emitBigrams(text, i, emit)
		default:
			i += size
		}
	}
}

// emitBigrams emits the overlapping bigrams of the run of unspaced-script
// characters that starts at text[start], or the single character when the run
// has length one, and returns the end of the run.
func emitBigrams(text string, start int, emit func(string)) int {
	prev := start // start of the previous character
	i := start
	_, size := utf8.DecodeRuneInString(text[i:])
	i += size
	count := 1
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if classify(r) != classBigram {
			break
		}
		emit(text[prev : i+size])
		prev = i
		i += size
		count++
	}
	if count == 1 {
		emit(text[start:i])
	}
	return i
}
