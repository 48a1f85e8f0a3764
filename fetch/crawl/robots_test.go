package crawl

import (
	"reflect"
	"testing"
)

type robotsCheck struct {
	path    string
	allowed bool
}

func checkRobots(t *testing.T, r *Robots, checks []robotsCheck) {
	t.Helper()
	for _, c := range checks {
		if got := r.Allowed(c.path); got != c.allowed {
			t.Errorf("Allowed(%q) = %v, expected %v", c.path, got, c.allowed)
		}
	}
}

func TestRobotsAllowed(t *testing.T) {
	for _, c := range []struct {
		name   string
		file   string
		checks []robotsCheck
	}{
		{"empty file allows everything", "", []robotsCheck{{"/", true}, {"/docs/private", true}}},
		{"star group applies without a gnd group", "User-agent: *\nDisallow: /private/\n",
			[]robotsCheck{{"/private/x", false}, {"/public", true}}},
		{"gnd group wins over star", "User-agent: *\nDisallow: /\n\nUser-agent: gnd\nDisallow: /drafts/\n",
			[]robotsCheck{{"/docs/", true}, {"/drafts/x", false}}},
		{"agent names match case-insensitively", "User-agent: *\nDisallow: /\n\nUser-Agent: GND\nDisallow: /drafts/\n",
			[]robotsCheck{{"/docs/", true}, {"/drafts/x", false}}},
		{"other bots' groups are ignored", "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /tmp/\n",
			[]robotsCheck{{"/docs/", true}, {"/tmp/x", false}}},
		{"group with several agents", "User-agent: otherbot\nUser-agent: gnd\nDisallow: /shared/\n",
			[]robotsCheck{{"/shared/x", false}, {"/docs", true}}},
		{"longest match wins", "User-agent: *\nDisallow: /docs/\nAllow: /docs/public/\n",
			[]robotsCheck{{"/docs/public/page", true}, {"/docs/secret", false}, {"/docs/", false}}},
		{"longer disallow beats shorter allow", "User-agent: *\nAllow: /docs/\nDisallow: /docs/old/\n",
			[]robotsCheck{{"/docs/old/page", false}, {"/docs/new", true}}},
		{"allow wins a tie", "User-agent: *\nDisallow: /page\nAllow: /page\n",
			[]robotsCheck{{"/page", true}, {"/page/sub", true}}},
		{"wildcard in the middle", "User-agent: *\nDisallow: /*/private/\n",
			[]robotsCheck{{"/a/private/x", false}, {"/a/b/private/", false}, {"/private/", true}}},
		{"wildcard with end anchor", "User-agent: *\nDisallow: /*.pdf$\n",
			[]robotsCheck{{"/files/a.pdf", false}, {"/files/a.pdf?download=1", true}, {"/files/a.pdfx", true}}},
		{"end anchor without wildcard", "User-agent: *\nDisallow: /exact$\n",
			[]robotsCheck{{"/exact", false}, {"/exactly", true}, {"/exact/", true}}},
		{"query strings are matched", "User-agent: *\nDisallow: /*?print=\n",
			[]robotsCheck{{"/docs/a?print=1", false}, {"/docs/a", true}}},
		{"empty disallow allows everything", "User-agent: *\nDisallow:\n",
			[]robotsCheck{{"/", true}, {"/any/page", true}}},
		{"comments and key case are ignored", "# robots\nUSER-AGENT: * # everyone\nDISALLOW: /x # no\n",
			[]robotsCheck{{"/x/y", false}, {"/y", true}}},
		{"rules before any group are ignored", "Disallow: /\nUser-agent: *\nDisallow: /tmp/\n",
			[]robotsCheck{{"/docs", true}, {"/tmp/a", false}}},
		{"empty gnd group allows everything", "User-agent: gnd\nDisallow:\n\nUser-agent: *\nDisallow: /\n",
			[]robotsCheck{{"/", true}, {"/docs/page", true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkRobots(t, ParseRobots([]byte(c.file), "gnd"), c.checks)
		})
	}
}

func TestRobotsNilAllowsEverything(t *testing.T) {
	var r *Robots
	if !r.Allowed("/anything") {
		t.Errorf("a nil *Robots (no robots.txt) disallowed a path")
	}
}

func TestRobotsSitemapLines(t *testing.T) {
	file := "Sitemap: http://docs.test/sitemap.xml\nUser-agent: *\nDisallow: /tmp/\nsitemap: http://docs.test/docs/sitemap-2.xml.gz\n" +
		"\nUser-agent: otherbot\nSitemap:   http://docs.test/other.xml  \n"
	r := ParseRobots([]byte(file), "gnd")
	want := []string{"http://docs.test/sitemap.xml", "http://docs.test/docs/sitemap-2.xml.gz", "http://docs.test/other.xml"}
	if !reflect.DeepEqual(r.Sitemaps, want) {
		t.Errorf("Sitemaps = %q, expected every Sitemap line in order regardless of group: %q", r.Sitemaps, want)
	}
	if empty := ParseRobots(nil, "gnd"); len(empty.Sitemaps) != 0 {
		t.Errorf("an empty file lists sitemaps %q", empty.Sitemaps)
	}
}
