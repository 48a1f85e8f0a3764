package crawl

import (
	"bufio"
	"bytes"
	"strings"
)

// Robots holds the rules of a robots.txt that apply to one user agent.
type Robots struct {
	rules    []robotsRule
	Sitemaps []string
}

type robotsRule struct {
	allow   bool
	pattern string
}

// ParseRobots reads a robots.txt and keeps the group for agent (matched as a
// case-insensitive substring of the product token), or else the "*" group.
// Allow and Disallow use the longest matching pattern, with "*" wildcards and
// a "$" end anchor; on a tie Allow wins.
func ParseRobots(data []byte, agent string) *Robots {
	agent = strings.ToLower(agent)
	type group struct {
		agents []string
		rules  []robotsRule
	}
	var groups []*group
	var cur *group
	lastWasAgent := false
	r := &Robots{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		switch key {
		case "user-agent":
			if cur == nil || !lastWasAgent {
				cur = &group{}
				groups = append(groups, cur)
			}
			cur.agents = append(cur.agents, strings.ToLower(value))
			lastWasAgent = true
			continue
		case "allow", "disallow":
			if cur != nil && value != "" {
				cur.rules = append(cur.rules, robotsRule{allow: key == "allow", pattern: value})
			}
		case "sitemap":
			r.Sitemaps = append(r.Sitemaps, value)
		}
		lastWasAgent = false
	}
	var star *group
	matched := false
	for _, g := range groups {
		for _, a := range g.agents {
			if a == "*" {
				if star == nil {
					star = g
				}
				continue
			}
			if a != "" && strings.Contains(agent, a) {
				matched = true
				r.rules = append(r.rules, g.rules...)
			}
		}
	}
	// A group naming this agent replaces the "*" group, even when it is empty.
	if !matched && star != nil {
		r.rules = star.rules
	}
	return r
}

// Allowed reports whether the path (with query) may be fetched.
func (r *Robots) Allowed(pathAndQuery string) bool {
	if r == nil {
		return true
	}
	best, allowed := -1, true
	for _, rule := range r.rules {
		if !robotsMatch(rule.pattern, pathAndQuery) {
			continue
		}
		n := len(rule.pattern)
		if n > best || (n == best && rule.allow) {
			best, allowed = n, rule.allow
		}
	}
	return allowed
}

// robotsMatch matches a robots.txt path pattern with "*" and a final "$".
func robotsMatch(pattern, p string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	pattern = strings.TrimSuffix(pattern, "$")
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(p, parts[0]) {
		return false
	}
	pos := len(parts[0])
	for _, part := range parts[1:] {
		i := strings.Index(p[pos:], part)
		if i < 0 {
			return false
		}
		pos += i + len(part)
	}
	if anchored {
		if len(parts) == 1 {
			return pos == len(p)
		}
		return strings.HasSuffix(p, parts[len(parts)-1])
	}
	return true
}
