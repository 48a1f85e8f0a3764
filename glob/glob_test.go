package glob

import (
	"errors"
	"path"
	"strings"
	"testing"
)

func TestPatternMatch(t *testing.T) {
	cases := []struct {
		pattern string
		path    string
		want    bool
	}{
		// Literal paths.
		{"README.md", "README.md", true},
		{"README.md", "readme.md", false},
		{"docs/intro.md", "docs/intro.md", true},
		{"docs/intro.md", "x/docs/intro.md", false},

		// * and ? stay inside one segment.
		{"docs/*.md", "docs/a.md", true},
		{"docs/*.md", "docs/x/a.md", false},
		{"docs/*", "docs/x/a.md", false},
		{"*.go", "main.go", true},
		{"a*b", "ab", true},
		{"a*b", "a/b", false},
		{"?.txt", "a.txt", true},
		{"?.txt", "ab.txt", false},
		{"?.txt", "é.txt", true},
		{"a?b", "a/b", false},
		{"*", ".hidden", true},
		{"*.md", ".md", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"***.go", "x.go", true},

		// ** matches any number of directories, including none.
		{"docs/**/*.md", "docs/a.md", true},
		{"docs/**/*.md", "docs/x/a.md", true},
		{"docs/**/*.md", "docs/x/y/a.md", true},
		{"docs/**/*.md", "docs/x/y/a.txt", false},
		{"docs/**/*.md", "other/docs/a.md", false},
		{"**/test/*.go", "test/a.go", true},
		{"**/test/*.go", "a/b/test/c.go", true},
		{"**/test/*.go", "a/b/test/d/c.go", false},
		{"a/**/b/**/c", "a/b/c", true},
		{"a/**/b/**/c", "a/x/b/y/z/c", true},
		{"a/**/b/**/c", "a/x/y/c", false},
		{"**", "any/path/at/all.txt", true},
		{"docs/**", "docs/a.md", true},
		{"docs/**", "docs/x/y/z", true},
		{"docs/**", "docs", false},
		{"docs/**", "docsx/a", false},
		{"a**b", "a/x/b", false},
		{"a**b", "axxb", true},

		// A pattern without '/' matches the base name at any depth.
		{"*.md", "a/b/c.md", true},
		{"*.md", "a/b/c.md.txt", false},
		{"Makefile", "src/lib/Makefile", true},
		{"[Mm]akefile", "makefile", true},

		// A leading '/' anchors at the root.
		{"/Makefile", "Makefile", true},
		{"/Makefile", "src/Makefile", false},
		{"/*.md", "a.md", true},
		{"/*.md", "docs/a.md", false},

		// Character classes.
		{"file[0-9].txt", "file7.txt", true},
		{"file[0-9].txt", "filex.txt", false},
		{"[abc].go", "b.go", true},
		{"[abc].go", "d.go", false},
		{"[!x].go", "y.go", true},
		{"[!x].go", "x.go", false},
		{"[^x].go", "x.go", false},
		{"[]x].go", "].go", true},
		{"[a-]", "-", true},
		{"[!a-z]", "Q", true},
		{"[!a-z]", "q", false},
		{"[à-ü]", "é", true},

		// Escapes.
		{`\*.md`, "*.md", true},
		{`\*.md`, "a.md", false},
		{`a\?`, "a?", true},
		{`\!important`, "!important", true},
		{`[\]]`, "]", true},

		// A trailing '/' matches a directory and everything under it.
		{"vendor/", "vendor/x/y.go", true},
		{"vendor/", "a/vendor/b.go", true},
		{"vendor/", "vendor/", true},
		{"vendor/", "vendor", false},
		{"vendor/", "vendors/x.go", false},
		{"vendor/", "src/vendor.go", false},
		{"/vendor/", "a/vendor/b.go", false},
		{"/vendor/", "vendor/b.go", true},
		{"a/vendor/", "a/vendor/b.go", true},
		{"a/vendor/", "x/a/vendor/b.go", false},
		{"build*/", "build-out/x.o", true},
		{"**/node_modules/", "web/node_modules/react/index.js", true},

		// Path forms.
		{"docs/*.md", "/docs/a.md", true},
		{"docs/*.md", "docs//a.md", true},
		{"docs", "docs/", true},
		{"docs", "docs/a.md", false},
		{"*", "", false},
		{"**", "", false},
	}
	for _, c := range cases {
		p, err := Compile(c.pattern)
		if err != nil {
			t.Errorf("Compile(%q) error: %v", c.pattern, err)
			continue
		}
		if got := p.Match(c.path); got != c.want {
			t.Errorf("Compile(%q).Match(%q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		pattern string
		reason  string // a fragment the error must contain
	}{
		{"", "empty pattern"},
		{"[abc", "unclosed '['"},
		{"docs/[a-", "unclosed '['"},
		{"a[/]b", "unclosed '['"},
		{"[z-a]", "reversed"},
		{`abc\`, "escapes nothing"},
		{`[a\`, "inside a character class"},
		{"../secret", `".."`},
		{"docs/../x", `".."`},
		{"./docs", `"."`},
		{"/", "no name left"},
		{"//", "no name left"},
		{"!vendor/", "negation"},
	}
	for _, c := range cases {
		p, err := Compile(c.pattern)
		if err == nil {
			t.Errorf("Compile(%q) = %v, want an error", c.pattern, p)
			continue
		}
		var gerr *Error
		if !errors.As(err, &gerr) || gerr.Pattern != c.pattern {
			t.Errorf("Compile(%q) error %v is not an *Error naming the pattern", c.pattern, err)
		}
		if !strings.Contains(err.Error(), c.reason) {
			t.Errorf("Compile(%q) error %q does not mention %q", c.pattern, err, c.reason)
		}
	}
}

func TestPatternString(t *testing.T) {
	p := MustCompile("docs/**/*.md")
	if got := p.String(); got != "docs/**/*.md" {
		t.Errorf("String() = %q, want the pattern as given", got)
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustCompile of an invalid pattern did not panic")
		}
	}()
	MustCompile("[")
}

func TestFilter(t *testing.T) {
	f, err := NewFilter([]string{"docs/**/*.md", "*.go"}, []string{"vendor/", "*_test.go"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string
		want bool
	}{
		{"docs/a.md", true},
		{"docs/x/y.md", true},
		{"main.go", true},
		{"pkg/x/x.go", true},
		{"pkg/x/x_test.go", false},
		{"vendor/a/a.go", false},
		{"docs/vendor/a.md", false},
		{"README.md", false},
		{"docs/img.png", false},
	}
	for _, c := range cases {
		if got := f.Match(c.path); got != c.want {
			t.Errorf("Filter.Match(%q) = %v, want %v", c.path, got, c.want)
		}
	}
}

func TestFilterEmptyIncludeMeansEverything(t *testing.T) {
	f, err := NewFilter(nil, []string{"*.lock"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match("src/a/b.c") {
		t.Error("empty include list rejected src/a/b.c, want it kept")
	}
	if f.Match("yarn.lock") {
		t.Error("exclude *.lock kept yarn.lock, want it dropped")
	}
}

func TestFilterNilPassesEverything(t *testing.T) {
	var f *Filter
	if !f.Match("anything") {
		t.Error("nil Filter rejected a path, want every path kept")
	}
}

func TestNewFilterErrorNamesList(t *testing.T) {
	_, err := NewFilter([]string{"*.md"}, []string{"ok/", "[bad"})
	if err == nil {
		t.Fatal("NewFilter with an invalid exclude pattern returned no error")
	}
	for _, fragment := range []string{"exclude list", `"[bad"`, "unclosed '['"} {
		if !strings.Contains(err.Error(), fragment) {
			t.Errorf("error %q does not mention %s", err, fragment)
		}
	}
	_, err = NewFilter([]string{""}, nil)
	if err == nil || !strings.Contains(err.Error(), "include list") {
		t.Errorf("NewFilter with an empty include pattern: error %v, want one naming the include list", err)
	}
}

// TestMatchAgreesWithPathMatch compares anchored patterns made of letters,
// '*', '?' and '/' with the standard library's path.Match, which has the
// same meaning for them.
func TestMatchAgreesWithPathMatch(t *testing.T) {
	patterns := []string{"a/*", "a/?", "*/b", "a*/b*", "?/?/c", "a/*/c", "*b*/c"}
	paths := []string{"a/b", "a/bb", "ab/bc", "x/b", "a/b/c", "a/bb/c", "b/c", "ab/c", "xb/c"}
	for _, pat := range patterns {
		p := MustCompile(pat)
		for _, name := range paths {
			want, err := path.Match(pat, name)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Match(name); got != want {
				t.Errorf("Compile(%q).Match(%q) = %v, path.Match = %v", pat, name, got, want)
			}
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	p := MustCompile("docs/**/[a-z]*.md")
	allocs := testing.AllocsPerRun(100, func() {
		p.Match("docs/guide/deep/nested/intro.md")
	})
	if allocs != 0 {
		t.Errorf("Match allocated %v times per call, want 0", allocs)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"", "*", "**", "a/**/b", "[a-z]", "[!", `\`, "/", "vendor/", "[]]", "a[^b]c?", "é*/[à-ü]"} {
		f.Add(s, "a/b/c.md")
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		p, err := Compile(pattern)
		if err != nil {
			if p != nil {
				t.Errorf("Compile(%q) returned both a pattern and an error", pattern)
			}
			return
		}
		p.Match(name)
		p.Match(name + "/")
		if !strings.ContainsAny(pattern, `*?[\`) && !strings.HasSuffix(pattern, "/") && strings.Contains(strings.Trim(pattern, "/"), "/") {
			// A literal anchored pattern matches itself.
			clean := strings.Trim(pattern, "/")
			if !p.Match(clean) && validLiteral(clean) {
				t.Errorf("literal pattern %q does not match %q", pattern, clean)
			}
		}
	})
}

// validLiteral reports whether a literal path has no empty, "." or ".."
// segments, so Compile keeps it as is.
func validLiteral(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

func BenchmarkFilterMatch(b *testing.B) {
	f, err := NewFilter([]string{"docs/**/*.md", "src/**/*.go", "*.rst"}, []string{"vendor/", "node_modules/", "*_test.go"})
	if err != nil {
		b.Fatal(err)
	}
	paths := []string{
		"docs/guide/intro.md", "src/pkg/server/handler.go", "src/pkg/server/handler_test.go",
		"web/node_modules/react/index.js", "README.rst", "a/b/c/d/e/f/g.txt",
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f.Match(paths[i%len(paths)])
	}
}
