package lexical

import (
	"strings"

	"github.com/kljensen/snowball/english"
)

// stopwords are English function words dropped from documents and queries
// when they stand alone. They carry little meaning for ranking and have the
// longest posting lists, so dropping them keeps search fast. Contractions
// appear without the apostrophe because analysis removes it (don't → dont).
var stopwords = func() map[string]struct{} {
	words := strings.Fields(`
		a about above after again against all also am an and any are as at
		be because been before being below between both but by
		can could did do does doing dont down during each either
		few for from further had has have having he her here hers herself him
		himself his how i if im in into is isnt it its itself ive
		just me more most my myself neither no nor not of off on once only or
		other our ours ourselves out over own same she should so some such
		than that the their theirs them themselves then there these they this
		those through to too under until up very was we were what when where
		which while who whom why will with would you your yours yourself`)
	set := make(map[string]struct{}, len(words))
	for _, w := range words {
		set[w] = struct{}{}
	}
	return set
}()

// isStopword reports whether the lower-case word is a stop word.
func isStopword(word string) bool {
	_, ok := stopwords[word]
	return ok
}

// wordCacheLimit bounds an analyzer's word cache. A full cache is emptied
// and refilled with the words seen next.
const wordCacheLimit = 1 << 16

// wordTerm is the analysis of one lower-case word.
type wordTerm struct {
	term string // stem, or the word itself when it is not stemmed
	stop bool   // the word is a stop word
}

// word returns the term for raw, a part of a compound in its original case,
// and whether raw is a stop word. The term is "" when raw has no letters or
// digits left after removing apostrophes, or is longer than maxTermBytes.
// Results are cached per analyzer, because the stemmer allocates and is far
// slower than a map lookup.
func (a *analyzer) word(raw string) (string, bool) {
	var lower string
	if isLowerASCII(raw) {
		lower = raw
		if w, ok := a.words[lower]; ok {
			return w.term, w.stop
		}
	} else {
		b := a.c.lowerInto(raw)
		if w, ok := a.words[string(b)]; ok { // string(b) in a map index does not allocate
			return w.term, w.stop
		}
		lower = string(b)
	}
	if lower == "" || len(lower) > maxTermBytes {
		return "", false
	}
	key := strings.Clone(lower) // raw may be part of a long document
	w := wordTerm{term: stem(key), stop: isStopword(key)}
	if len(a.words) >= wordCacheLimit {
		clear(a.words)
	}
	a.words[key] = w
	return w.term, w.stop
}

// stem returns the Snowball English stem of a lower-case word. Words shorter
// than three bytes and words with anything other than ASCII letters are
// returned unchanged.
func stem(word string) string {
	if len(word) < 3 || !isASCIILetters(word) {
		return word
	}
	if s := english.Stem(word, true); s != "" {
		return s
	}
	return word
}

// isASCIILetters reports whether s consists of the letters a to z only.
func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
