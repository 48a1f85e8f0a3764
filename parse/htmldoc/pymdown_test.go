package htmldoc

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pymdownSiteURL is where the pymdown-extensions site is published. The
// sitemap in the corpus lists its pages under this prefix.
const pymdownSiteURL = "https://facelessuser.github.io/pymdown-extensions/"

// pymdownPage is one HTML file of the pymdown-extensions MkDocs site.
type pymdownPage struct {
	rel  string // path below the site root, such as "extensions/tabbed/index.html"
	url  string
	body []byte
}

func pymdownPages(tb testing.TB) []pymdownPage {
	tb.Helper()
	root := testcorpus.Path(tb, "html", "pymdown-extensions-site")
	var pages []pymdownPage
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		pages = append(pages, pymdownPage{
			rel:  rel,
			url:  pymdownSiteURL + strings.TrimSuffix(rel, "index.html"),
			body: body,
		})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return pages
}

// pymdownExtracted caches extractPymdown, which several tests share.
var pymdownExtracted map[string]*Page

// extractPymdown decodes and extracts every page, failing on any error.
// Tests must not modify the pages it returns.
func extractPymdown(t *testing.T) map[string]*Page {
	t.Helper()
	if pymdownExtracted != nil {
		return pymdownExtracted
	}
	out := map[string]*Page{}
	for _, p := range pymdownPages(t) {
		text, _, err := Decode(p.body, "text/html")
		if err != nil {
			t.Fatalf("Decode(%s): %v", p.rel, err)
		}
		page, err := Extract(p.url, text)
		if err != nil {
			t.Fatalf("Extract(%s): %v", p.rel, err)
		}
		out[p.rel] = page
	}
	pymdownExtracted = out
	return out
}

func TestPymdownSiteHas49Pages(t *testing.T) {
	if n := len(pymdownPages(t)); n != 49 {
		t.Fatalf("found %d HTML pages, want 48 content pages plus 404.html", n)
	}
}

// pymdownChrome are texts from the header, banner, sidebars and footer of
// every page of the site. None belongs in the main content.
var pymdownChrome = []string{
	"Skip to content",
	"Sponsorship",
	"is now available!",
	"Initializing search",
	"Table of contents",
	"Back to top",
	"Made with",
	"Material for MkDocs",
	"Copyright ©",
	"Last update",
}

func TestPymdownChromeRemoved(t *testing.T) {
	pages := extractPymdown(t)
	present := map[string]int{}
	for _, p := range pymdownPages(t) {
		md := pages[p.rel].Markdown
		text := documentText(t, p.body)
		article := articleText(t, p.body)
		for _, chrome := range pymdownChrome {
			if !strings.Contains(text, chrome) {
				continue
			}
			present[chrome]++
			// The license page quotes a copyright line in its content, so
			// the markdown may hold a string as often as the article does.
			if got, allowed := strings.Count(md, chrome), strings.Count(article, chrome); got > allowed {
				t.Errorf("%s: markdown contains page furniture %q %d times, the article %d times", p.rel, chrome, got, allowed)
			}
		}
	}
	for _, chrome := range pymdownChrome {
		if present[chrome] < 47 {
			t.Errorf("%q is in the page furniture of %d pages, want at least 47, so the check is weaker than it looks", chrome, present[chrome])
		}
	}
}

// articleText returns the text of the MkDocs article element of a page.
func articleText(t *testing.T, body []byte) string {
	t.Helper()
	var b strings.Builder
	for _, n := range contentElements(t, body, func(*html.Node) bool { return true }) {
		b.WriteString(textContent(n) + " ")
	}
	return collapseSpace(b.String())
}

// documentText returns the text of an HTML page, with the title attributes
// of elements included because MkDocs puts "Last update" in one.
func documentText(t *testing.T, body []byte) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, n := range findAll(doc, func(n *html.Node) bool { return hasAttr(n, "title") }) {
		b.WriteString(attr(n, "title") + "\n")
	}
	return collapseSpace(textContent(doc)) + "\n" + b.String()
}

// navLabels returns the link texts of the site navigation of a page.
func navLabels(t *testing.T, body []byte) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	nav := findFirst(doc, func(n *html.Node) bool { return n.DataAtom == atom.Nav && hasClass(n, "md-nav--primary") })
	if nav == nil {
		t.Fatal("page has no primary navigation")
	}
	var labels []string
	for _, a := range findAll(nav, func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		if label := collapseSpace(textContent(a)); label != "" {
			labels = append(labels, label)
		}
	}
	return labels
}

var listMarker = regexp.MustCompile(`^\s*([-*+]|\d+[.)])\s+`)

func TestPymdownNavigationRemoved(t *testing.T) {
	pages := extractPymdown(t)
	for _, p := range pymdownPages(t) {
		labels := navLabels(t, p.body)
		if len(labels) < 40 {
			t.Fatalf("%s: navigation has %d labels, want the full site list of at least 40", p.rel, len(labels))
		}
		lines := strings.Split(pages[p.rel].Markdown, "\n")
		for i := range lines {
			lines[i] = strings.TrimSpace(listMarker.ReplaceAllString(lines[i], ""))
		}
		// Three navigation labels in a row on consecutive lines are a
		// rendered navigation list.
		for l := 0; l+2 < len(labels); l++ {
			for i := 0; i+2 < len(lines); i++ {
				if lines[i] == labels[l] && lines[i+1] == labels[l+1] && lines[i+2] == labels[l+2] {
					t.Errorf("%s: markdown line %d starts the navigation list %q, %q, %q", p.rel, i+1, labels[l], labels[l+1], labels[l+2])
				}
			}
		}
	}
}

// contentElements returns the elements below the MkDocs article that match.
func contentElements(t *testing.T, body []byte, match func(*html.Node) bool) []*html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	article := findFirst(doc, func(n *html.Node) bool { return hasClass(n, "md-content__inner") })
	if article == nil {
		t.Fatal("page has no md-content__inner article")
	}
	return findAll(article, match)
}

// isDataTable reports whether n is a table that holds data, not a
// highlighter's line-number table.
func isDataTable(n *html.Node) bool {
	return n.DataAtom == atom.Table && codeTablePre(n) == nil
}

var tableDelimiterRow = regexp.MustCompile(`^\s*\|( *:?-{3,}:? *\|)+\s*$`)

func TestPymdownTablesSurvive(t *testing.T) {
	pages := extractPymdown(t)
	pagesWithTables := 0
	for _, p := range pymdownPages(t) {
		want := len(contentElements(t, p.body, isDataTable))
		if want > 0 {
			pagesWithTables++
		}
		tables := markdownTables(pages[p.rel].Markdown)
		if len(tables) != want {
			t.Errorf("%s: markdown has %d tables, HTML content has %d", p.rel, len(tables), want)
		}
		for _, table := range tables {
			header := cellCount(table[0])
			for i, row := range table {
				if got := cellCount(row); got != header {
					t.Errorf("%s: table row %d has %d cells, header has %d: %q", p.rel, i+1, got, header, row)
				}
			}
		}
	}
	if pagesWithTables < 30 {
		t.Errorf("%d pages have tables, want the 30 or more the site is known for", pagesWithTables)
	}
}

// markdownTables returns the lines of every GFM table outside code blocks.
func markdownTables(md string) [][]string {
	var tables [][]string
	lines := strings.Split(md, "\n")
	fences := fenceLines(lines)
	for i := 1; i < len(lines); i++ {
		if fences[i] || !tableDelimiterRow.MatchString(lines[i]) {
			continue
		}
		table := []string{lines[i-1], lines[i]}
		for j := i + 1; j < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[j]), "|"); j++ {
			table = append(table, lines[j])
		}
		tables = append(tables, table)
	}
	return tables
}

// cellCount counts the cells of a table row by its unescaped pipes.
func cellCount(row string) int {
	row = strings.ReplaceAll(strings.TrimSpace(row), `\|`, "")
	return strings.Count(row, "|") - 1
}

func TestPymdownCodeBlocksSurvive(t *testing.T) {
	pages := extractPymdown(t)
	for _, p := range pymdownPages(t) {
		pres := contentElements(t, p.body, func(n *html.Node) bool {
			return n.DataAtom == atom.Pre && strings.TrimSpace(textContent(n)) != ""
		})
		md := pages[p.rel].Markdown
		blocks, err := fencedBlocks(md)
		if err != nil {
			t.Errorf("%s: %v", p.rel, err)
			continue
		}
		if len(blocks) != len(pres) {
			t.Errorf("%s: markdown has %d fenced code blocks, HTML content has %d <pre>", p.rel, len(blocks), len(pres))
		}
	}
}

func TestPymdownMarkdownIsTidy(t *testing.T) {
	pages := extractPymdown(t)
	for rel, page := range pages {
		checkTidy(t, rel, page.Markdown)
		if strings.Contains(page.Markdown, "¶") {
			t.Errorf("%s: markdown contains a heading anchor ¶", rel)
		}
	}
}

func TestPymdownMetadata(t *testing.T) {
	pages := extractPymdown(t)
	for _, p := range pymdownPages(t) {
		page := pages[p.rel]
		if !strings.HasSuffix(page.Title, "PyMdown Extensions Documentation") {
			t.Errorf("%s: title = %q, want the site title suffix", p.rel, page.Title)
		}
		if page.Lang != "en" {
			t.Errorf("%s: lang = %q, want en", p.rel, page.Lang)
		}
		if p.rel != "404.html" && page.Canonical != p.url {
			t.Errorf("%s: canonical = %q, want %q", p.rel, page.Canonical, p.url)
		}
		checkLinks(t, p.rel, page.Links)
		// Every page links to every other page through the navigation.
		for _, want := range []string{pymdownSiteURL + "extensions/arithmatex/", pymdownSiteURL + "about/license/"} {
			if !containsString(page.Links, want) {
				t.Errorf("%s: links lack navigation target %s", p.rel, want)
			}
		}
	}
}

// checkLinks checks that links are absolute http(s), have no fragment and
// appear once each.
func checkLinks(t *testing.T, name string, links []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, link := range links {
		if !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") {
			t.Errorf("%s: link %q is not absolute http(s)", name, link)
		}
		if strings.Contains(link, "#") {
			t.Errorf("%s: link %q keeps its fragment", name, link)
		}
		if seen[link] {
			t.Errorf("%s: link %q appears twice", name, link)
		}
		seen[link] = true
	}
}

func containsString(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

func BenchmarkExtractPymdown(b *testing.B) {
	pages := pymdownPages(b)
	texts := make([]string, len(pages))
	total := 0
	for i, p := range pages {
		texts[i] = string(p.body)
		total += len(p.body)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for b.Loop() {
		for i, p := range pages {
			if _, err := Extract(p.url, texts[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(pages)*b.N)/b.Elapsed().Seconds(), "pages/s")
}
