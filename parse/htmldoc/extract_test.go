package htmldoc

import (
	"os"
	"strings"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
)

// extractMain wraps body in a page with a <main> element and returns the
// markdown of its main content.
func extractMain(t *testing.T, body string) string {
	t.Helper()
	page, err := Extract("https://docs.example.org/guide/page.html", "<!DOCTYPE html><html><head><title>T</title></head><body><main>"+body+"</main></body></html>")
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	checkTidy(t, "markdown", page.Markdown)
	return page.Markdown
}

func TestExtractMarkdownExact(t *testing.T) {
	cases := []struct {
		name string
		html string
		want string
	}{
		{"headings", "<h1>Top</h1><h3>Deep <code>x</code></h3><h2>Ends in C#</h2><h2>Sharp #</h2>",
			"# Top\n\n### Deep `x`\n\n## Ends in C#\n\n## Sharp \\#\n"},
		{"paragraph white space", "<p>  one\n   two <b> bold </b>three</p>", "one two **bold** three\n"},
		{"line break", "<p>first<br>second<br/>  third</p>", "first\nsecond\nthird\n"},
		{"emphasis kinds", "<p><em>a</em> <strong>b</strong> <del>c</del> <i></i>d</p>", "*a* **b** ~~c~~ d\n"},
		{"nested emphasis of one kind", "<p><b>bold <strong>still</strong></b> <em>x <i>y</i></em></p>", "**bold still** *x y*\n"},
		{"inline code with backticks", "<p><code>a`b</code> and <code>`x`</code></p>", "``a`b`` and `` `x` ``\n"},
		{"link keeps text only", `<p>See <a href="/x">the guide</a>.</p>`, "See the guide.\n"},
		{"image alt", `<p><img src="a.png" alt="A diagram"> <img src="b.png"></p>`, "A diagram\n"},
		{"kbd", "<p>Press <kbd><kbd>Ctrl</kbd>+<kbd>C</kbd></kbd>.</p>", "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>.\n"},
		{"nested lists", "<ul><li>a<ul><li>a1</li><li>a2<ol><li>x</li></ol></li></ul></li><li>b</li></ul>",
			"- a\n  - a1\n  - a2\n    1. x\n- b\n"},
		{"ordered start", `<ol start="9"><li>nine</li><li>ten</li><li>eleven<p>more</p></li></ol>`,
			"9. nine\n\n10. ten\n\n11. eleven\n\n    more\n"},
		{"task list", `<ul><li><input type="checkbox" checked disabled> done</li><li><input type="checkbox"> open</li></ul>`,
			"- [x] done\n- [ ] open\n"},
		{"blockquote", "<blockquote><p>one</p><p>two</p></blockquote>", "> one\n>\n> two\n"},
		{"details", "<details><summary>More</summary><p>Hidden text.</p></details>", "**More**\n\nHidden text.\n"},
		{"definition list", "<dl><dt>Term</dt><dd>First.</dd><dd><p>Second.</p><p>Para.</p></dd><dt>Next</dt><dd>Def.</dd></dl>",
			"Term\n:   First.\n:   Second.\n\n    Para.\n\nNext\n:   Def.\n"},
		{"escaped block starts", "<p># not a heading</p><p>- not a list</p><p>1. not a list</p><p>```</p><p>---</p>",
			"\\# not a heading\n\n\\- not a list\n\n1\\. not a list\n\n\\```\n\n\\---\n"},
		{"horizontal rule", "<p>a</p><hr><p>b</p>", "a\n\n* * *\n\nb\n"},
		{"inline wrapper around blocks", `<a href="/card"><div>Card title</div><p>Card text.</p></a>`, "Card title\n\nCard text.\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := extractMain(t, tc.html); got != tc.want {
				t.Errorf("markdown =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestExtractCodeBlocks(t *testing.T) {
	cases := []struct {
		name string
		html string
		want string
	}{
		{"language class on code", `<pre><code class="language-go">fmt.Println("hi")</code></pre>`,
			"```go\nfmt.Println(\"hi\")\n```\n"},
		{"lang class on pre", `<pre class="prettyprint lang-config">Listen 80</pre>`, "```config\nListen 80\n```\n"},
		{"sphinx highlight wrapper", `<div class="highlight-python notranslate"><div class="highlight"><pre><span></span><span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>
</pre></div></div>`, "```python\nx = 1\n```\n"},
		{"github wrapper", `<div class="highlight highlight-source-shell"><pre>ls -l</pre></div>`, "```shell\nls -l\n```\n"},
		{"pandoc source code", `<div class="sourceCode"><pre class="sourceCode rust"><code class="sourceCode rust">fn main() {}</code></pre></div>`, "```rust\nfn main() {}\n```\n"},
		{"data-lang", `<pre data-lang="TypeScript">let x = 1</pre>`, "```typescript\nlet x = 1\n```\n"},
		{"no highlight class", `<pre><code class="language-none">plain</code></pre>`, "```\nplain\n```\n"},
		{"backticks inside code", "<pre><code class=\"language-markdown\">```python\nprint(1)\n```\n````\n</code></pre>",
			"`````markdown\n```python\nprint(1)\n```\n````\n`````\n"},
		{"indentation and blank lines kept", "<pre>\n\n    indented\n\n\n    after two blanks\n\n</pre>", "```\n    indented\n\n\n    after two blanks\n```\n"},
		{"br inside pre", "<pre>a<br>b</pre>", "```\na\nb\n```\n"},
		{"code lines split by br", "<p><code>Listen 80<br />\n   Listen  8000</code></p>", "```\nListen 80\nListen 8000\n```\n"},
		{"pygments line-number table", `<div class="highlight"><table class="highlighttable"><tr><td class="linenos"><div class="linenodiv"><pre><span class="normal">1</span>
<span class="normal">2</span></pre></div></td><td class="code"><div><pre><span></span><code>first
second
</code></pre></div></td></tr></table></div>`, "```\nfirst\nsecond\n```\n"},
		{"inline line numbers", `<pre><code class="language-py"><span class="linenos">1</span>a = 1
<span class="linenos">2</span>b = 2</code></pre>`, "```py\na = 1\nb = 2\n```\n"},
		{"code in list item", "<ol><li><p>Run:</p><pre><code class=\"language-sh\">make\nmake test</code></pre></li></ol>",
			"1. Run:\n\n   ```sh\n   make\n   make test\n   ```\n"},
		{"code in quote in nested list", "<ul><li><ol><li><blockquote><pre>x\n\n\ny</pre></blockquote></li></ol></li></ul>",
			"- 1. > ```\n     > x\n     >\n     >\n     > y\n     > ```\n"},
		{"code in blockquote", "<blockquote><pre>x\n\ny</pre></blockquote>", "> ```\n> x\n>\n> y\n> ```\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := extractMain(t, tc.html); got != tc.want {
				t.Errorf("markdown =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestExtractTables(t *testing.T) {
	cases := []struct {
		name string
		html string
		want string
	}{
		{"header row and pipes", `<table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody><tr><td>a|b</td><td><code>x || y</code></td></tr></tbody></table>`,
			"| Name | Value |\n| --- | --- |\n| a\\|b | `x \\|\\| y` |\n"},
		{"cell newlines collapse", "<table><tr><th>A</th></tr><tr><td><p>one</p><p>two<br>three</p></td></tr></table>",
			"| A |\n| --- |\n| one two three |\n"},
		{"list in cell", "<table><tr><th>Modules</th><th>N</th></tr><tr><td><ul><li>core</li><li>mpm</li></ul></td><td>2</td></tr></table>",
			"| Modules | N |\n| --- | --- |\n| core; mpm | 2 |\n"},
		{"colspan and short rows", `<table><tr><th colspan="2">Wide</th><th>C</th></tr><tr><td>1</td></tr></table>`,
			"| Wide |  | C |\n| --- | --- | --- |\n| 1 |  |  |\n"},
		{"rowspan", `<table><tr><th>K</th><th>V</th></tr><tr><td rowspan="2">k</td><td>v1</td></tr><tr><td>v2</td></tr></table>`,
			"| K | V |\n| --- | --- |\n| k | v1 |\n|  | v2 |\n"},
		{"caption", `<table><caption>Limits</caption><tr><th>A</th></tr><tr><td>1</td></tr></table>`,
			"Limits\n\n| A |\n| --- |\n| 1 |\n"},
		{"layout table", `<table role="presentation"><tr><td><h2>Title</h2><p>Text.</p></td><td><p>Side.</p></td></tr></table>`,
			"## Title\n\nText.\n\nSide.\n"},
		{"single cell", `<table><tr><td><p>Only cell.</p></td></tr></table>`, "Only cell.\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := extractMain(t, tc.html); got != tc.want {
				t.Errorf("markdown =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestExtractDropsFurniture(t *testing.T) {
	page := `<!DOCTYPE html><html lang="en"><head><title>Guide</title><style>p{}</style></head><body>
<a class="skip-link" href="#main">Skip to content</a>
<div id="cookie-banner"><p>We use cookies to improve things.</p><button>Accept</button></div>
<header><a href="/">Site name</a><nav><a href="/a">Nav A</a></nav></header>
<div class="layout has-sidebar">
<div class="sidebar"><p>Sidebar text that is long enough to score, with commas, and more.</p></div>
<article>
<h1>Install guide<a class="headerlink" href="#install">¶</a></h1>
<nav class="toc"><a href="#step">Step</a></nav>
<p>Install the package, then run it. This sentence is the content.</p>
<form><input name="q"><button>Search</button></form>
<p><a href="https://github.com/x/edit/main/doc.md">Edit this page</a></p>
<script>var tracking = 1;</script><noscript>Enable JavaScript</noscript>
<div aria-hidden="true">hidden icon text</div>
<div style="display: none">invisible text</div>
<aside><p>Related reading list.</p></aside>
<footer><p>Article footer tags</p></footer>
</article>
</div>
<footer><p>© Example Corp</p></footer>
</body></html>`
	got, err := Extract("https://docs.example.org/install/", page)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	want := "# Install guide\n\nInstall the package, then run it. This sentence is the content.\n"
	if got.Markdown != want {
		t.Errorf("markdown =\n%s\nwant\n%s", got.Markdown, want)
	}
}

func TestExtractScorerFindsContent(t *testing.T) {
	page := `<html><body>
<div id="top-links"><a href="/1">One</a> | <a href="/2">Two</a> | <a href="/3">Three</a></div>
<div class="wrapper">
<div class="post">
<h1>Why scoring works</h1>
<p>Readers want the article text, and a page gives many hints about where it is, such as commas, long paragraphs and few links.</p>
<p>Each paragraph adds points to its parent, and the best parent wins, so the article body is found without a main element.</p>
<p>Short lines with <a href="/x">many</a> <a href="/y">links</a> lose points.</p>
</div>
<div class="links"><a href="/a">Link A text here</a><a href="/b">Link B text here</a></div>
</div>
</body></html>`
	got, err := Extract("https://blog.example.org/post", page)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	for _, want := range []string{"# Why scoring works", "Readers want the article text", "the best parent wins"} {
		if !strings.Contains(got.Markdown, want) {
			t.Errorf("markdown lacks %q:\n%s", want, got.Markdown)
		}
	}
	for _, unwanted := range []string{"One", "Link A"} {
		if strings.Contains(got.Markdown, unwanted) {
			t.Errorf("markdown contains navigation text %q:\n%s", unwanted, got.Markdown)
		}
	}
}

func TestExtractMetadata(t *testing.T) {
	page := `<html xml:lang="de"><head>
<base href="/docs/v2/">
<link rel="alternate canonical" href="page.html#top">
</head><body>
<h1>Fallback   title</h1>
<a href="a.html#one">a</a> <a href="a.html#two">a again</a>
<a href="https://Other.Example.com/x">other</a> <a href="mailto:x@example.org">mail</a>
<a href="javascript:void(0)">js</a> <a href="#local">local</a>
<a href=" b.html
">b</a> <a>no href</a> <a href="ftp://example.org/f">ftp</a>
</body></html>`
	got, err := Extract("https://example.org/docs/v1/start.html", page)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if got.Title != "Fallback title" {
		t.Errorf("Title = %q, want the first h1 when <title> is missing", got.Title)
	}
	if got.Lang != "de" {
		t.Errorf("Lang = %q, want de from xml:lang", got.Lang)
	}
	if want := "https://example.org/docs/v2/page.html"; got.Canonical != want {
		t.Errorf("Canonical = %q, want %q resolved against <base>", got.Canonical, want)
	}
	wantLinks := []string{
		"https://example.org/docs/v2/a.html",
		"https://other.example.com/x",
		"https://example.org/docs/v2/",
		"https://example.org/docs/v2/b.html",
	}
	if strings.Join(got.Links, "\n") != strings.Join(wantLinks, "\n") {
		t.Errorf("Links =\n%s\nwant\n%s", strings.Join(got.Links, "\n"), strings.Join(wantLinks, "\n"))
	}
}

func TestExtractInvalidURL(t *testing.T) {
	if _, err := Extract("http://[::1", "<p>x</p>"); err == nil {
		t.Error("Extract with an unparsable page URL returned no error")
	}
}

func TestExtractMalformedHTML(t *testing.T) {
	page, err := Extract("https://example.org/", "<main><p>one<div>two</p><ul><li>three<li>four</table></b></main><p>tail")
	if err != nil {
		t.Fatalf("Extract of malformed HTML returned error: %v", err)
	}
	want := "one\n\ntwo\n\n- three\n- four\n"
	if page.Markdown != want {
		t.Errorf("markdown =\n%s\nwant\n%s", page.Markdown, want)
	}
}

func TestExtractEmptyDocument(t *testing.T) {
	page, err := Extract("https://example.org/", "")
	if err != nil {
		t.Fatalf("Extract of an empty document: %v", err)
	}
	if page.Markdown != "" || page.Title != "" || len(page.Links) != 0 {
		t.Errorf("empty document gave %+v, want an empty page", page)
	}
}

func TestExtractHTTPDManual(t *testing.T) {
	for _, v := range httpdVariants {
		t.Run(v.file, func(t *testing.T) {
			body, err := os.ReadFile(testcorpus.Path(t, "html", "httpd-manual-bind-variants", v.file))
			if err != nil {
				t.Fatal(err)
			}
			text, _, err := Decode(body, "")
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			page, err := Extract("https://httpd.apache.org/docs/trunk/"+v.lang+"/bind.html", text)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			checkTidy(t, v.file, page.Markdown)
			if page.Lang != v.lang {
				t.Errorf("Lang = %q, want %q", page.Lang, v.lang)
			}
			if !strings.HasSuffix(page.Title, " 2.5") {
				t.Errorf("Title = %q, want the manual title with its version", page.Title)
			}
			if !strings.HasPrefix(page.Markdown, "# ") {
				t.Errorf("markdown does not start with the page heading:\n%.200s", page.Markdown)
			}
			if !strings.Contains(page.Markdown, v.phrase) {
				t.Errorf("markdown lacks %q", v.phrase)
			}
			blocks, err := fencedBlocks(page.Markdown)
			if err != nil {
				t.Fatal(err)
			}
			// Each <pre class="prettyprint lang-config"> becomes a config
			// block. Older translations write examples as <code> with <br>,
			// which become blocks without a language.
			config := 0
			for _, b := range blocks {
				if b.info == "config" {
					config++
				}
			}
			if want := strings.Count(text, `<pre class="prettyprint lang-config">`); config != want {
				t.Errorf("markdown has %d config code blocks, want one for each of the %d lang-config <pre>", config, want)
			}
			if len(blocks) < 3 {
				t.Errorf("markdown has %d code blocks, want the page's 3 or more examples", len(blocks))
			}
			for _, chrome := range []string{"Available Languages", "Apache Software Foundation", "Licensed under", "FAQ | Glossary"} {
				if strings.Contains(page.Markdown, chrome) {
					t.Errorf("markdown contains page furniture %q", chrome)
				}
			}
		})
	}
}

func FuzzExtract(f *testing.F) {
	seeds := []string{
		"<main><h1>T</h1><p>x</p></main>",
		"<pre><code class=language-go>```\n</code></pre>",
		"<table><tr><td colspan=3 rowspan=2>a|b</td></tr><tr><td>c</td></tr></table>",
		"<ul><li><ol><li><blockquote><pre>x</pre></blockquote></li></ol></li></ul>",
		"<dl><dt>a<dd><p>b<p>c</dl><details><summary>s</summary>d</details>",
		"<p># a<br>- b<br>1. c<br>```</p>",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, document string) {
		page, err := Extract("https://example.org/a/", document)
		if err != nil {
			t.Fatalf("Extract: %v", err)
		}
		if _, err := fencedBlocks(page.Markdown); err != nil {
			t.Fatalf("%v in\n%s", err, page.Markdown)
		}
		for _, link := range page.Links {
			if !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") {
				t.Fatalf("link %q is not absolute http(s)", link)
			}
		}
	})
}
