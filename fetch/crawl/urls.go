package crawl

import (
	"net/url"
	"path"
	"strings"
)

// Normalize returns the canonical form of an http(s) URL: scheme and host
// lower-cased, default ports and the fragment dropped, dot segments
// resolved, and a trailing "index.html" or "index.htm" removed so that the
// folder URL remains. A trailing slash is kept, because relative links on the
// page resolve against it; Key folds it away for de-duplication. It returns
// "" for URLs that are not http(s).
func Normalize(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if (u.Scheme == "http" && strings.HasSuffix(u.Host, ":80")) || (u.Scheme == "https" && strings.HasSuffix(u.Host, ":443")) {
		u.Host = u.Host[:strings.LastIndexByte(u.Host, ':')]
	}
	u.Fragment, u.RawFragment, u.User = "", "", nil
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	clean := path.Clean(p)
	for _, idx := range []string{"/index.html", "/index.htm"} {
		if strings.HasSuffix(clean, idx) {
			clean = strings.TrimSuffix(clean, idx) + "/"
		}
	}
	if clean == "" || clean == "." {
		clean = "/"
	}
	if strings.HasSuffix(p, "/") && !strings.HasSuffix(clean, "/") {
		clean += "/"
	}
	u.RawPath = ""
	if unescaped, err := url.PathUnescape(clean); err == nil {
		u.Path = unescaped
		u.RawPath = clean
	}
	out := u.Scheme + "://" + u.Host + clean
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}

// Key returns the de-duplication key of a normalised URL: the URL without a
// trailing slash, so "/guide" and "/guide/" are one page.
func Key(normalized string) string {
	u, err := url.Parse(normalized)
	if err != nil || u.Path == "/" || u.Path == "" {
		return normalized
	}
	if u.RawQuery == "" {
		return strings.TrimSuffix(normalized, "/")
	}
	return strings.Replace(normalized, "/?", "?", 1)
}

// Scope is the part of a site a crawl may visit: one scheme and host, and
// URL paths under a prefix.
type Scope struct {
	Scheme, Host string
	Prefix       string // always ends in "/"
}

// NewScope anchors a scope at a start URL: its host and the folder of its
// path ("/docs/guide/" for "/docs/guide/" and for "/docs/guide/intro.html").
func NewScope(start string) (Scope, error) {
	u, err := url.Parse(start)
	if err != nil {
		return Scope{}, err
	}
	prefix := u.EscapedPath()
	if prefix == "" {
		prefix = "/"
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix = prefix[:strings.LastIndexByte(prefix, '/')+1]
	}
	if prefix = path.Clean(prefix); prefix != "/" {
		prefix += "/"
	}
	n := Normalize(start)
	nu, _ := url.Parse(n)
	host := strings.ToLower(u.Host)
	if nu != nil {
		host = nu.Host
	}
	return Scope{Scheme: strings.ToLower(u.Scheme), Host: host, Prefix: prefix}, nil
}

// Contains reports whether a normalised URL is inside the scope: same
// scheme and host, path under the prefix. The prefix folder itself is inside
// even without its trailing slash.
func (s Scope) Contains(normalized string) bool {
	u, err := url.Parse(normalized)
	if err != nil || u.Host != s.Host || (s.Scheme != "" && u.Scheme != s.Scheme) {
		return false
	}
	p := u.EscapedPath()
	return strings.HasPrefix(p+"/", s.Prefix) || strings.HasPrefix(p, s.Prefix)
}

// RelativePath returns the URL path without its leading slash, the form
// include and exclude patterns match. A folder URL names its index page, so
// "guide/" becomes "guide/index.html" and "guide/**" or "*.html" match it.
func RelativePath(normalized string) string {
	u, err := url.Parse(normalized)
	if err != nil {
		return ""
	}
	p := strings.TrimPrefix(u.Path, "/")
	if p == "" || strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	return p
}

// skippedExtensions are file types a docs crawl never fetches as pages.
var skippedExtensions = map[string]bool{
	".css": true, ".js": true, ".mjs": true, ".map": true, ".json": true, ".xml": true,
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".webp": true, ".ico": true, ".bmp": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true,
	".pdf": true, ".zip": true, ".gz": true, ".tgz": true, ".tar": true, ".bz2": true, ".xz": true, ".7z": true,
	".mp3": true, ".mp4": true, ".webm": true, ".ogg": true, ".wav": true, ".avi": true, ".mov": true,
	".exe": true, ".dmg": true, ".deb": true, ".rpm": true, ".whl": true, ".jar": true, ".wasm": true,
}

// IsAsset reports whether the URL's path names a file type that is not a page.
func IsAsset(normalized string) bool {
	u, err := url.Parse(normalized)
	if err != nil {
		return true
	}
	return skippedExtensions[strings.ToLower(path.Ext(u.Path))]
}
