package lexical

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTermsRules(t *testing.T) {
	tests := []struct {
		rule, text string
		want       []string
	}{
		{"camelCase splits and keeps the identifier", "getUserById", []string{"get", "user", "by", "id", "getuserbyid"}},
		{"PascalCase acronym splits before the last capital", "HTTPServer", []string{"http", "server", "httpserver"}},
		{"digit before a capital splits", "base64Encode", []string{"base64", "encod", "base64encode"}},
		{"single lower-case letter stays with an acronym", "IPv6", []string{"ipv6"}},
		{"plural acronym is one word", "JSONs", []string{"json"}},
		{"snake_case", "max_retry_count", []string{"max", "retri", "count", "max_retry_count"}},
		{"kebab-case option with leading dashes", "--error-on-warnings", []string{"error", "on", "warn", "error-on-warnings"}},
		{"hyphenated prose", "multi-agent", []string{"multi", "agent", "multi-agent"}},
		{"dotted name", "os.path.join", []string{"os", "path", "join", "os.path.join"}},
		{"double colon", "foo::bar", []string{"foo", "bar", "foo::bar"}},
		{"triple colon is not a connector", "x:::y", []string{"x", "y"}},
		{"slash path", "/usr/local/bin", []string{"usr", "local", "bin", "usr/local/bin"}},
		{"dotted number", "38.101", []string{"38", "101", "38.101"}},
		{"version also yields its bare number", "v1.2.3", []string{"v1", "2", "3", "v1.2.3", "1.2.3"}},
		{"trailing sentence dot is dropped", "see v2.", []string{"see", "v2"}},
		{"C++ keeps its suffix", "C++", []string{"c", "c++"}},
		{"C# keeps its suffix", "C#", []string{"c", "c#"}},
		{"hash before a word is not a suffix", "issue#12", []string{"issu", "12"}},
		{"lower-case and stem", "Running Connections", []string{"run", "connect"}},
		{"stop words are dropped", "the cat and the hat", []string{"cat", "hat"}},
		{"contraction becomes a stop word", "don't", nil},
		{"possessive is dropped", "user's", []string{"user"}},
		{"apostrophe inside a name", "O'Reilly", []string{"oreilli"}},
		{"typographic apostrophe", "user\u2019s", []string{"user"}},
		{"full-width letters fold", "ＡＰＩ ＫＥＹ", []string{"api", "key"}},
		{"non-ASCII letters lower-case without stemming", "Straße ÉCOLE", []string{"straße", "école"}},
		{"Korean makes bigrams", "가상호스트를", []string{"가상", "상호", "호스", "스트", "트를"}},
		{"Chinese makes bigrams", "获取用户", []string{"获取", "取用", "用户"}},
		{"single Han character stays", "获", []string{"获"}},
		{"Han next to Latin splits into runs", "获取User列表", []string{"获取", "user", "列表"}},
		{"half-width katakana folds before bigrams", "ｶﾀｶﾅ", []string{"カタ", "タカ", "カナ"}},
		{"Japanese long vowel mark stays in the run", "サーバー", []string{"サー", "ーバ", "バー"}},
		{"invalid UTF-8 separates words", "\xffabc\xfedef", []string{"abc", "def"}},
		{"punctuation only", "(!?) -- ::", nil},
		{"empty", "", nil},
		{"over-long token is dropped", strings.Repeat("x", maxTermBytes+1) + " ok", []string{"ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got := Terms(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestQueryTermsMatchTerms(t *testing.T) {
	for _, text := range []string{"getUserById", "How do I run containerd?", "가상호스트", "v1.2.3"} {
		if got, want := QueryTerms(text), Terms(text); !slices.Equal(got, want) {
			t.Errorf("QueryTerms(%q) = %q, differs from Terms = %q", text, got, want)
		}
	}
}

func TestQueryTermsAwkwardInput(t *testing.T) {
	question := strings.TrimSpace(strings.Repeat("how would I configure the containerd snapshotter so that images pull faster ", 12)) + "?"
	tests := []struct {
		name, query string
		wantTerms   bool
	}{
		{"empty", "", false},
		{"open parenthesis", "(", false},
		{"punctuation only", "?!.,;:-_/\\\"'`~", false},
		{"contraction", "don't", false},
		{"hyphenated", "multi-agent", true},
		{"question of 150 words", question, true},
		{"invalid UTF-8", "\xc3\x28\xa0\xa1", false},
		{"lone combining mark", "\u0301", true},
		{"NUL bytes", "a\x00b", true},
		{"emoji", "🚀🔥", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terms := QueryTerms(tt.query)
			if got := len(terms) > 0; got != tt.wantTerms {
				t.Errorf("QueryTerms(%.40q) = %q, want terms: %v", tt.query, terms, tt.wantTerms)
			}
		})
	}
}

func TestTermsLongQuestionKeepsContentWords(t *testing.T) {
	words := strings.Fields(strings.Repeat("which snapshotter does containerd use for overlay images by default ", 15))
	if len(words) != 150 {
		t.Fatalf("test question has %d words, want 150", len(words))
	}
	terms := QueryTerms(strings.Join(words, " "))
	for _, want := range []string{"snapshott", "containerd", "overlay", "imag", "default"} {
		if !slices.Contains(terms, want) {
			t.Errorf("terms of the 150-word question lack %q", want)
		}
	}
	if slices.Contains(terms, "which") || slices.Contains(terms, "for") {
		t.Errorf("terms of the 150-word question keep stop words: %q", terms)
	}
}

func FuzzTerms(f *testing.F) {
	for _, seed := range []string{"getUserById", "v1.2.3", "C++", "가상호스트를", "\xff", "a'", "'s", "x::", "::y", "a-", "ｶ", "İ", "ǅungla"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		terms := Terms(text)
		for _, term := range terms {
			if term == "" {
				t.Fatalf("Terms(%q) contains an empty term: %q", text, terms)
			}
			if len(term) > maxTermBytes {
				t.Fatalf("Terms(%q) contains a term of %d bytes, limit %d", text, len(term), maxTermBytes)
			}
			if !utf8.ValidString(term) {
				t.Fatalf("Terms(%q) contains invalid UTF-8 %q", text, term)
			}
		}
		if again := QueryTerms(text); !slices.Equal(again, terms) {
			t.Fatalf("QueryTerms(%q) = %q, Terms = %q", text, again, terms)
		}
	})
}
