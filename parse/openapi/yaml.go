package openapi

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxAliasNodes is the maximum number of nodes that YAML aliases may add by
// expansion. Aliased nodes are shared, not copied, but every later tree walk
// visits them once per alias, so a chain of aliases that doubles at each step
// ("billion laughs") would otherwise make hashing take exponential time.
const maxAliasNodes = 1_000_000

var yamlErrorPattern = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses the first document of a YAML stream into nodes.
func parseYAML(data []byte, doc *document) (*node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlSyntaxError(data, err)
	}
	if root.Kind == 0 || (root.Kind == yaml.DocumentNode && len(root.Content) == 0) {
		return nil, &SyntaxError{Line: 1, Column: 1, Msg: "empty document"}
	}
	c := &yamlConverter{doc: doc, done: map[*yaml.Node]converted{}, active: map[*yaml.Node]bool{}}
	n, _, err := c.convert(&root)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// yamlSyntaxError turns a yaml.v3 error, which names only the line, into a
// SyntaxError with an estimated column.
func yamlSyntaxError(data []byte, err error) error {
	m := yamlErrorPattern.FindStringSubmatch(err.Error())
	if m == nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return &SyntaxError{Line: 1, Column: 1, Msg: msg}
	}
	line, _ := strconv.Atoi(m[1])
	msg := m[2]
	if isParserError(msg) {
		// yaml.v3 adds 1 to the 0-based line of scanner errors only, so
		// parser errors arrive one line early.
		line++
	}
	lines := bytes.Split(data, []byte("\n"))
	if strings.Contains(msg, "tab character") {
		// yaml.v3 reports the line of the enclosing context, which can be
		// the line before the tab, so look for the tab from there on.
		for i := max(line-1, 0); i < len(lines) && i <= line+1; i++ {
			if col := bytes.IndexByte(lines[i], '\t'); col >= 0 {
				indent := lines[i][:col]
				if len(bytes.TrimLeft(indent, " ")) == 0 {
					return &SyntaxError{Line: i + 1, Column: col + 1, Msg: msg}
				}
			}
		}
	}
	col := 1
	if line >= 1 && line <= len(lines) {
		text := lines[line-1]
		col = len(text) - len(bytes.TrimLeft(text, " \t")) + 1
	}
	return &SyntaxError{Line: line, Column: col, Msg: msg}
}

// isParserError reports whether a yaml.v3 message comes from its parser
// rather than its scanner. The messages are those of parserc.go in
// go.yaml.in/yaml/v3 v3.0.6.
func isParserError(msg string) bool {
	for _, prefix := range []string{"did not find expected", "found duplicate %", "found incompatible", "found undefined tag handle"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

// converted is a finished conversion of an anchored YAML node.
type converted struct {
	n    *node
	size int
}

// yamlConverter turns a yaml.Node tree into nodes, sharing the conversion of
// anchored nodes between all their aliases.
type yamlConverter struct {
	doc        *document
	done       map[*yaml.Node]converted
	active     map[*yaml.Node]bool
	aliasNodes int
}

// convert returns the node for y and the number of nodes it spans when
// aliases are expanded.
func (c *yamlConverter) convert(y *yaml.Node) (*node, int, error) {
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: kindNull, doc: c.doc}, 1, nil
		}
		return c.convert(y.Content[0])
	case yaml.AliasNode:
		return c.alias(y)
	}
	if y.Anchor != "" {
		if done, ok := c.done[y]; ok {
			return done.n, done.size, nil
		}
		c.active[y] = true
		defer delete(c.active, y)
	}
	var n *node
	var size int
	var err error
	switch y.Kind {
	case yaml.MappingNode:
		n, size, err = c.mapping(y)
	case yaml.SequenceNode:
		n, size, err = c.sequence(y)
	default:
		n, size, err = c.scalar(y), 1, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if y.Anchor != "" {
		c.done[y] = converted{n: n, size: size}
	}
	return n, size, nil
}

func (c *yamlConverter) alias(y *yaml.Node) (*node, int, error) {
	target := y.Alias
	if target == nil {
		return nil, 0, &SyntaxError{Line: y.Line, Column: y.Column, Msg: fmt.Sprintf("unknown anchor %q", y.Value)}
	}
	if c.active[target] {
		return nil, 0, &SyntaxError{Line: y.Line, Column: y.Column,
			Msg: fmt.Sprintf("alias *%s refers to a node that contains it", y.Value)}
	}
	n, size, err := c.convert(target)
	if err != nil {
		return nil, 0, err
	}
	c.aliasNodes += size
	if c.aliasNodes > maxAliasNodes {
		return nil, 0, &SyntaxError{Line: y.Line, Column: y.Column,
			Msg: fmt.Sprintf("aliases expand to more than %d nodes", maxAliasNodes)}
	}
	return n, size, nil
}

func (c *yamlConverter) sequence(y *yaml.Node) (*node, int, error) {
	n := &node{kind: kindArray, doc: c.doc, items: make([]*node, 0, len(y.Content))}
	size := 1
	for _, item := range y.Content {
		v, s, err := c.convert(item)
		if err != nil {
			return nil, 0, err
		}
		n.items = append(n.items, v)
		size += s
	}
	return n, size, nil
}

// mapping converts a YAML mapping. Merge keys ("<<") add the keys of the
// merged mappings that the mapping does not set itself.
func (c *yamlConverter) mapping(y *yaml.Node) (*node, int, error) {
	n := &node{kind: kindObject, doc: c.doc}
	size := 1
	var merges []*yaml.Node
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, 0, &SyntaxError{Line: k.Line, Column: k.Column, Msg: "mapping key is not a scalar"}
		}
		val, s, err := c.convert(v)
		if err != nil {
			return nil, 0, err
		}
		n.set(k.Value, val)
		size += s
	}
	for _, m := range merges {
		s, err := c.merge(n, m)
		if err != nil {
			return nil, 0, err
		}
		size += s
	}
	return n, size, nil
}

// merge adds to n the keys of the mapping (or sequence of mappings) m that n
// does not have yet.
func (c *yamlConverter) merge(n *node, m *yaml.Node) (int, error) {
	sources := []*yaml.Node{m}
	if m.Kind == yaml.SequenceNode {
		sources = m.Content
	}
	size := 0
	for _, src := range sources {
		v, s, err := c.convert(src)
		if err != nil {
			return 0, err
		}
		if v.kind != kindObject {
			return 0, &SyntaxError{Line: src.Line, Column: src.Column, Msg: "merge key value is not a mapping"}
		}
		for i, k := range v.keys {
			if n.get(k) == nil {
				n.set(k, v.vals[i])
			}
		}
		size += s
	}
	return size, nil
}

// scalar converts a scalar by its resolved YAML tag. Numbers keep their
// decimal spelling, so "1.0" stays "1.0" for display. Timestamps, binary data
// and custom tags keep their text as strings.
func (c *yamlConverter) scalar(y *yaml.Node) *node {
	n := &node{kind: kindString, text: y.Value, doc: c.doc}
	switch y.ShortTag() {
	case "!!null":
		n.kind, n.text = kindNull, ""
	case "!!bool":
		var b bool
		if y.Decode(&b) == nil {
			n.kind, n.text = kindBool, strconv.FormatBool(b)
		}
	case "!!int":
		n.kind = kindNumber
		if _, err := strconv.ParseInt(y.Value, 10, 64); err != nil {
			// Spell 0x1F, 0o17 and 1_000 in decimal.
			var v any
			if y.Decode(&v) != nil {
				n.kind = kindString
			} else {
				n.text = fmt.Sprint(v)
			}
		}
	case "!!float":
		n.kind = kindNumber
		if _, err := strconv.ParseFloat(y.Value, 64); err != nil {
			var f float64
			if y.Decode(&f) != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				n.kind = kindString // .inf and .nan have no JSON number form
			} else {
				n.text = strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
	}
	return n
}
