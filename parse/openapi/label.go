package openapi

import (
	"strings"
	"unicode/utf8"
)

const (
	// maxLabelLevel is how deep a type label looks into array items,
	// variants and allOf members before it shows only a name.
	maxLabelLevel = 3
	maxEnumValues = 20
	maxVariants   = 10
	// maxDescriptionRunes is the length at which property and parameter
	// descriptions are cut. Operation and response descriptions are kept whole.
	maxDescriptionRunes = 400
)

// label returns a one-line type description of a schema, such as
// "array of object `Pet`" or "string (date-time) or null, max length 20".
// Constraints and defaults are shown only when detailed is true, which
// callers use for the outermost label. Enum values are always shown.
func (w *schemaWriter) label(s *node, level int, detailed bool) string {
	v := w.r.deref(s)
	if v.n == nil {
		if v.ref != "" {
			return "`" + v.ref + "` (unresolved reference)"
		}
		return "any"
	}
	if containsAny(w.labelStack, v.targets) {
		// The schema refers to itself, so name it instead of describing it again.
		return "`" + v.name() + "`"
	}
	w.labelStack = append(w.labelStack, v.targets...)
	defer func() { w.labelStack = w.labelStack[:len(w.labelStack)-len(v.targets)] }()
	return w.labelOf(v.n, v.name(), level, detailed)
}

func (w *schemaWriter) labelOf(n *node, name string, level int, detailed bool) string {
	if level > maxLabelLevel {
		if name != "" {
			return "`" + name + "`"
		}
		return "…"
	}
	if n.kind == kindBool {
		if n.text == "true" {
			return "any"
		}
		return "nothing (false schema)"
	}
	if !n.isObject() {
		return "any"
	}
	details := n
	var base string
	if inner := nullableVariant(n); inner != nil {
		v := w.r.deref(inner)
		if v.n == nil || !v.n.isObject() {
			return w.label(inner, level, detailed) + " or null"
		}
		details = v.n
		base = w.baseType(v.n, v.name(), level) + " or null"
	} else {
		base = w.baseType(n, name, level)
		if n.boolean("nullable") || hasNullType(n) {
			base += " or null"
		}
	}
	var b strings.Builder
	b.WriteString(base)
	if values := enumValues(details); len(values) > 0 {
		b.WriteString(", enum: ")
		b.WriteString(literalList(values, maxEnumValues))
	}
	if detailed {
		writeConstraints(&b, details)
		if def := n.get("default"); def != nil {
			b.WriteString(", default: ")
			b.WriteString(literal(def))
		}
	}
	return b.String()
}

// enumValues returns the values of "enum", or the constants of a oneOf or
// anyOf whose members all are {"const": ...} (a common way to document each
// enum value).
func enumValues(n *node) []*node {
	if enum := n.get("enum"); enum != nil && enum.kind == kindArray {
		return enum.items
	}
	if list := constVariants(n); list != nil {
		values := make([]*node, len(list))
		for i, m := range list {
			values[i] = m.get("const")
		}
		return values
	}
	return nil
}

// constVariants returns the members of n's oneOf or anyOf when every member
// is an inline object with a "const" and no properties, or nil otherwise.
func constVariants(n *node) []*node {
	for _, key := range []string{"oneOf", "anyOf"} {
		list := n.get(key)
		if list == nil || list.kind != kindArray || len(list.items) == 0 {
			continue
		}
		for _, m := range list.items {
			if !m.isObject() || m.get("const") == nil || m.get("properties") != nil {
				return nil
			}
		}
		return list.items
	}
	return nil
}

// baseType describes the type of a schema object without its constraints.
func (w *schemaWriter) baseType(n *node, name string, level int) string {
	if c := n.get("const"); c != nil {
		return "constant " + literal(c)
	}
	types := schemaTypes(n)
	if len(types) > 1 {
		labels := make([]string, len(types))
		for i, t := range types {
			labels[i] = w.typeName(n, t, name, level)
		}
		return strings.Join(labels, " or ")
	}
	if len(types) == 1 {
		return w.typeName(n, types[0], name, level)
	}
	switch {
	case n.get("properties") != nil || n.get("additionalProperties") != nil:
		return w.typeName(n, "object", name, level)
	case n.get("items") != nil:
		return w.typeName(n, "array", name, level)
	case constVariants(n) != nil:
		return withName("value", name)
	case n.get("oneOf") != nil:
		return namedContainer(w.composite(n.get("oneOf"), "one of: ", " | ", level), name)
	case n.get("anyOf") != nil:
		return namedContainer(w.composite(n.get("anyOf"), "any of: ", " | ", level), name)
	case n.get("allOf") != nil:
		all := n.get("allOf")
		if all.kind == kindArray && len(all.items) == 1 {
			return w.label(all.items[0], level+1, false)
		}
		return namedContainer(w.composite(all, "all of: ", " & ", level), name)
	case n.get("enum") != nil:
		return withName("value", name)
	}
	return withName("any", name)
}

// typeName describes one JSON Schema type of n.
func (w *schemaWriter) typeName(n *node, t, name string, level int) string {
	switch t {
	case "array":
		items := n.get("items")
		if items == nil {
			return withName("array", name)
		}
		return namedContainer("array of "+paren(w.label(items, level+1, false)), name)
	case "object":
		add := n.get("additionalProperties")
		if n.get("properties") == nil && add.isObject() {
			return namedContainer("map of string to "+paren(w.label(add, level+1, false)), name)
		}
		return withName("object", name)
	}
	if f := n.str("format"); f != "" {
		t += " (" + f + ")"
	}
	return withName(t, name)
}

// paren wraps a nested label in parentheses when it has several parts, so
// that "array of (string or null)" differs from "array of string, or null".
func paren(label string) string {
	if strings.Contains(label, ", ") || strings.Contains(label, " or ") || strings.Contains(label, ": ") {
		return "(" + label + ")"
	}
	return label
}

// composite joins the labels of the members of a oneOf, anyOf or allOf list.
func (w *schemaWriter) composite(list *node, prefix, sep string, level int) string {
	if list.kind != kindArray || len(list.items) == 0 {
		return "any"
	}
	parts := make([]string, 0, min(len(list.items), maxVariants)+1)
	for i, m := range list.items {
		if i == maxVariants {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, paren(w.label(m, level+1, false)))
	}
	return prefix + strings.Join(parts, sep)
}

func withName(text, name string) string {
	if name == "" {
		return text
	}
	return text + " `" + name + "`"
}

// namedContainer puts the name of an array or map schema in front, so that
// it is not read as the name of the item type.
func namedContainer(text, name string) string {
	if name == "" {
		return text
	}
	return "`" + name + "` (" + text + ")"
}

// schemaTypes returns the "type" of a schema as a list without "null".
func schemaTypes(n *node) []string {
	t := n.get("type")
	if t == nil {
		return nil
	}
	if t.kind == kindString {
		if t.text == "null" {
			return []string{"null"}
		}
		return []string{t.text}
	}
	var out []string
	for _, it := range t.items {
		if it.kind == kindString && it.text != "null" {
			out = append(out, it.text)
		}
	}
	if len(out) == 0 && len(t.items) > 0 {
		return []string{"null"}
	}
	return out
}

// hasNullType reports whether a "type" array lists "null" next to another type.
func hasNullType(n *node) bool {
	t := n.get("type")
	if t == nil || t.kind != kindArray || len(t.items) < 2 {
		return false
	}
	for _, it := range t.items {
		if it.text == "null" {
			return true
		}
	}
	return false
}

// nullableVariant returns the one member of a oneOf or anyOf whose other
// members all are {"type": "null"}, or nil when n is not of that form.
func nullableVariant(n *node) *node {
	for _, key := range []string{"oneOf", "anyOf"} {
		list := n.get(key)
		if list == nil || list.kind != kindArray || len(list.items) < 2 {
			continue
		}
		var other *node
		for _, m := range list.items {
			if m.isObject() && m.str("type") == "null" && len(m.keys) <= 2 {
				continue
			}
			if other != nil {
				return nil
			}
			other = m
		}
		return other
	}
	return nil
}

// writeConstraints appends length, range and pattern constraints.
func writeConstraints(b *strings.Builder, n *node) {
	for _, c := range [...]struct{ field, text string }{
		{"minimum", "minimum"}, {"exclusiveMinimum", "exclusive minimum"},
		{"maximum", "maximum"}, {"exclusiveMaximum", "exclusive maximum"},
		{"minLength", "min length"}, {"maxLength", "max length"},
		{"minItems", "min items"}, {"maxItems", "max items"},
	} {
		if v := n.get(c.field); v != nil && v.kind == kindNumber {
			b.WriteString(", " + c.text + " " + v.text)
		}
	}
	if p := n.str("pattern"); p != "" {
		b.WriteString(", pattern `" + truncate(p, 80) + "`")
	}
}

// literal formats a JSON value for inline display.
func literal(n *node) string {
	switch n.kind {
	case kindNull:
		return "`null`"
	case kindString:
		if n.text == "" {
			return "`\"\"`"
		}
		return "`" + truncate(oneLine(n.text), 80) + "`"
	case kindNumber, kindBool:
		return "`" + n.text + "`"
	}
	return "`" + truncate(string(appendCompact(nil, n)), 80) + "`"
}

func literalList(items []*node, limit int) string {
	parts := make([]string, 0, min(len(items), limit)+1)
	for i, it := range items {
		if i == limit {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, literal(it))
	}
	return strings.Join(parts, ", ")
}

// appendCompact writes n as compact JSON in document key order.
func appendCompact(buf []byte, n *node) []byte {
	switch n.kind {
	case kindArray:
		buf = append(buf, '[')
		for i, it := range n.items {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendCompact(buf, it)
		}
		return append(buf, ']')
	case kindObject:
		buf = append(buf, '{')
		for i, k := range n.keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			buf = appendCompact(buf, n.vals[i])
		}
		return append(buf, '}')
	case kindString:
		return appendJSONString(buf, n.text)
	case kindNull:
		return append(buf, "null"...)
	}
	return append(buf, n.text...)
}

// oneLine collapses all runs of white space, line breaks included, to one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most limit runes, ending it with "…" when cut.
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == limit-1 {
			break
		}
		count++
	}
	return strings.TrimRight(s[:i], " ") + "…"
}

// tableCell prepares text for a Markdown table cell.
func tableCell(s string) string {
	return strings.ReplaceAll(truncate(oneLine(s), maxDescriptionRunes), "|", `\|`)
}
