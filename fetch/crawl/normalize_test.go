package crawl

import "testing"

// These tests only parse URL strings, so nothing is fetched.

func TestNormalizeCanonicalForm(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
	}{
		{"default http port dropped", "http://docs.test:80/guide", "http://docs.test/guide"},
		{"default https port dropped", "https://docs.test:443/guide", "https://docs.test/guide"},
		{"other port kept", "http://docs.test:8080/guide", "http://docs.test:8080/guide"},
		{"https port kept on http", "http://docs.test:443/guide", "http://docs.test:443/guide"},
		{"fragment dropped", "http://docs.test/guide#install", "http://docs.test/guide"},
		{"query kept", "http://docs.test/search?q=x#top", "http://docs.test/search?q=x"},
		{"index.html removed", "http://docs.test/guide/index.html", "http://docs.test/guide/"},
		{"index.htm removed", "http://docs.test/guide/index.htm", "http://docs.test/guide/"},
		{"root index.html", "http://docs.test/index.html", "http://docs.test/"},
		{"dot segments resolved", "http://docs.test/a/./b/../c", "http://docs.test/a/c"},
		{"dot segments above root", "http://docs.test/../../x", "http://docs.test/x"},
		{"dot segment folder keeps slash", "http://docs.test/a/b/../", "http://docs.test/a/"},
		{"scheme and host lower-cased", "HTTP://Docs.TEST/Guide", "http://docs.test/Guide"},
		{"path case kept", "http://docs.test/API/Users", "http://docs.test/API/Users"},
		{"trailing slash kept", "http://docs.test/guide/", "http://docs.test/guide/"},
		{"empty path becomes root", "http://docs.test", "http://docs.test/"},
		{"user info dropped", "http://user:pass@docs.test/a", "http://docs.test/a"},
		{"escaped path kept", "http://docs.test/a%20b", "http://docs.test/a%20b"},
		{"surrounding space trimmed", "  http://docs.test/a  ", "http://docs.test/a"},
		{"IPv6 host", "http://[::1]:80/a", "http://[::1]/a"},
		{"ftp is not http", "ftp://docs.test/a", ""},
		{"mailto is not http", "mailto:team@docs.test", ""},
		{"javascript is not http", "javascript:void(0)", ""},
		{"relative URL", "/guide/intro", ""},
		{"no host", "http:///guide", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Normalize(c.in); got != c.want {
				t.Errorf("Normalize(%q) = %q, expected %q", c.in, got, c.want)
			}
		})
	}
}

func TestNormalizeIsIdempotent(t *testing.T) {
	for _, in := range []string{
		"http://docs.test/guide/", "http://docs.test/a%20b", "http://docs.test/search?q=a+b",
		"https://docs.test:8443/x/index.html", "http://docs.test",
	} {
		once := Normalize(in)
		if twice := Normalize(once); twice != once {
			t.Errorf("Normalize(Normalize(%q)) = %q, expected %q", in, twice, once)
		}
	}
}

func TestKeyFoldsTrailingSlash(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"http://docs.test/guide/", "http://docs.test/guide"},
		{"http://docs.test/guide", "http://docs.test/guide"},
		{"http://docs.test/", "http://docs.test/"},
		{"http://docs.test/guide/?v=2", "http://docs.test/guide?v=2"},
		{"http://docs.test/guide?v=2", "http://docs.test/guide?v=2"},
	} {
		if got := Key(c.in); got != c.want {
			t.Errorf("Key(%q) = %q, expected %q", c.in, got, c.want)
		}
	}
	pairs := [][2]string{
		{"http://docs.test/guide/index.html", "http://docs.test/guide"},
		{"http://DOCS.test:80/guide/#top", "http://docs.test/guide"},
		{"http://docs.test/a/../guide/", "http://docs.test/guide/index.htm"},
	}
	for _, p := range pairs {
		if a, b := Key(Normalize(p[0])), Key(Normalize(p[1])); a != b {
			t.Errorf("%q and %q have keys %q and %q, expected one page", p[0], p[1], a, b)
		}
	}
}

func TestNewScopePrefix(t *testing.T) {
	for _, c := range []struct {
		name, start, host, prefix string
	}{
		{"folder", "http://docs.test/docs/guide/", "docs.test", "/docs/guide/"},
		{"page in folder", "http://docs.test/docs/guide/intro.html", "docs.test", "/docs/guide/"},
		{"folder without slash is a page", "http://docs.test/docs/guide", "docs.test", "/docs/"},
		{"site root", "http://docs.test", "docs.test", "/"},
		{"root slash", "http://docs.test/", "docs.test", "/"},
		{"default port dropped", "https://Docs.Test:443/docs/", "docs.test", "/docs/"},
		{"other port kept", "http://127.0.0.1:8080/docs/", "127.0.0.1:8080", "/docs/"},
		{"query ignored", "http://docs.test/docs/page?lang=en", "docs.test", "/docs/"},
		{"dot segments resolved", "http://docs.test/old/../docs/", "docs.test", "/docs/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := NewScope(c.start)
			if err != nil {
				t.Fatalf("NewScope(%q): %v", c.start, err)
			}
			if s.Host != c.host {
				t.Errorf("NewScope(%q).Host = %q, expected %q", c.start, s.Host, c.host)
			}
			if s.Prefix != c.prefix {
				t.Errorf("NewScope(%q).Prefix = %q, expected %q", c.start, s.Prefix, c.prefix)
			}
		})
	}
}

func TestScopeContains(t *testing.T) {
	scope, err := NewScope("http://docs.test/docs/guide/intro.html")
	if err != nil {
		t.Fatalf("NewScope: %v", err)
	}
	for _, c := range []struct {
		url string
		in  bool
	}{
		{"http://docs.test/docs/guide/", true},
		{"http://docs.test/docs/guide", true},
		{"http://docs.test/docs/guide/intro.html", true},
		{"http://docs.test/docs/guide/deep/page", true},
		{"http://docs.test/docs/guidebook", false},
		{"http://docs.test/docs/other/", false},
		{"http://docs.test/docs/", false},
		{"http://docs.test/", false},
		{"http://other.test/docs/guide/", false},
		{"http://docs.test:8080/docs/guide/", false},
		{"https://docs.test/docs/guide/page", false},
	} {
		if got := scope.Contains(c.url); got != c.in {
			t.Errorf("scope %s%s contains %q = %v, expected %v", scope.Host, scope.Prefix, c.url, got, c.in)
		}
	}
}

func TestRelativePathAndAssets(t *testing.T) {
	for _, c := range []struct {
		url, want string
	}{
		{"http://docs.test/docs/a%20b/c", "docs/a b/c"},
		{"http://docs.test/docs/guide/", "docs/guide/index.html"},
		{"http://docs.test/", "index.html"},
		{"http://docs.test/docs/page.html?x=1", "docs/page.html"},
	} {
		if got := RelativePath(c.url); got != c.want {
			t.Errorf("RelativePath(%q) = %q, expected %q", c.url, got, c.want)
		}
	}
	for _, c := range []struct {
		url   string
		asset bool
	}{
		{"http://docs.test/style.css", true},
		{"http://docs.test/logo.PNG", true},
		{"http://docs.test/manual.pdf", true},
		{"http://docs.test/openapi.json", true},
		{"http://docs.test/guide/", false},
		{"http://docs.test/guide.html", false},
		{"http://docs.test/v1.2/guide", false},
	} {
		if got := IsAsset(c.url); got != c.asset {
			t.Errorf("IsAsset(%q) = %v, expected %v", c.url, got, c.asset)
		}
	}
}
