package openapi

import (
	"strconv"
	"strings"
)

const (
	// maxSchemaDepth is the number of nested property levels listed under
	// one schema. Deeper objects show only their type label.
	maxSchemaDepth = 4
	// maxProperties is the number of properties listed per object.
	maxProperties = 40
	// maxSchemaLines is the number of list lines written for one schema.
	maxSchemaLines = 150
	// maxAllOfDepth bounds the nesting of allOf lists that are merged.
	maxAllOfDepth = 8
)

// schemaWriter writes schemas as nested Markdown lists, one line per property.
type schemaWriter struct {
	r *resolver
	b *strings.Builder
	// stack holds the $ref targets whose fields are being listed. A
	// property that leads back to one of them is shown by name only, which
	// is how recursive schemas end.
	stack []refTarget
	// listed holds the $ref targets whose fields were listed earlier in the
	// same operation. Later uses refer back to them instead of repeating.
	listed map[refTarget]bool
	// labelStack holds the $ref targets whose type label is being built.
	labelStack []refTarget
	lines      int
	truncated  bool
}

// schemaBlock writes the fields of schema s, if it has any, as a list that
// starts after a blank line. The line budget starts afresh for each block.
func (w *schemaWriter) schemaBlock(s *node) {
	w.lines, w.truncated = 0, false
	outer := w.b
	w.b = &strings.Builder{}
	w.children(s, 0, 1)
	if w.b.Len() > 0 {
		outer.WriteString("\n")
		outer.WriteString(w.b.String())
	}
	w.b = outer
}

// full reports whether the line budget is used up, writing a note the first time.
func (w *schemaWriter) full(indent int) bool {
	if w.lines < maxSchemaLines {
		return false
	}
	if !w.truncated {
		w.truncated = true
		w.line(indent, "… further fields not shown")
	}
	return true
}

func (w *schemaWriter) line(indent int, text string) {
	w.lines++
	for range indent {
		w.b.WriteString("  ")
	}
	w.b.WriteString("- ")
	w.b.WriteString(text)
	w.b.WriteByte('\n')
}

// onStack reports whether any of targets is being listed already.
func (w *schemaWriter) onStack(targets []refTarget) bool {
	return containsAny(w.stack, targets)
}

// wasListed reports whether the fields of any of targets were listed earlier.
func (w *schemaWriter) wasListed(targets []refTarget) bool {
	for _, t := range targets {
		if w.listed[t] {
			return true
		}
	}
	return false
}

// fieldOwner follows schema s through $refs, nullable wrappers, array items
// and map values to the schema whose properties or variants would be listed
// under s. It returns nil when there is nothing to list, and the $ref
// targets passed on the way.
func (w *schemaWriter) fieldOwner(s *node) (*node, []refTarget) {
	var targets []refTarget
	for range maxLabelLevel + 2 {
		v := w.r.deref(s)
		targets = append(targets, v.targets...)
		n := v.n
		if !n.isObject() {
			return nil, targets
		}
		switch {
		case nullableVariant(n) != nil:
			s = nullableVariant(n)
		case n.get("items") != nil && n.get("properties") == nil:
			s = n.get("items")
		case n.get("properties") != nil || n.get("allOf") != nil:
			return n, targets
		case constVariants(n) != nil:
			return nil, targets
		case n.get("oneOf") != nil || n.get("anyOf") != nil:
			return n, targets
		case n.get("additionalProperties").isObject():
			s = n.get("additionalProperties")
		default:
			return nil, targets
		}
	}
	return nil, targets
}

// expansionNote returns why the fields of s are not listed below its line:
// "recursive" when s leads back to a schema being listed, "fields listed
// above" when they were listed earlier in the operation, and "" otherwise.
func (w *schemaWriter) expansionNote(s *node) string {
	owner, targets := w.fieldOwner(s)
	switch {
	case owner == nil:
		return ""
	case w.onStack(targets):
		return "recursive"
	case w.wasListed(targets):
		return "fields listed above"
	}
	return ""
}

// children lists what is inside schema s: the properties of an object, the
// fields of array items or map values, or the variants of oneOf and anyOf.
func (w *schemaWriter) children(s *node, indent, depth int) {
	if depth > maxSchemaDepth || w.full(indent) {
		return
	}
	owner, targets := w.fieldOwner(s)
	if owner == nil || w.onStack(targets) || w.wasListed(targets) {
		return
	}
	for _, t := range targets {
		w.listed[t] = true
	}
	w.stack = append(w.stack, targets...)
	defer func() { w.stack = w.stack[:len(w.stack)-len(targets)] }()
	if owner.get("properties") != nil || owner.get("allOf") != nil {
		w.fields(owner, indent, depth)
	} else {
		w.variants(owner, indent, depth)
	}
}

// property is one entry of an object's properties.
type property struct {
	name   string
	schema *node
}

// objectShape is an object schema with its allOf members merged.
type objectShape struct {
	props    []property
	index    map[string]int
	required map[string]bool
	targets  []refTarget // $ref targets of merged allOf members
}

// collect merges the properties and required lists of n and its allOf
// members, in document order, members first. A later definition of a
// property replaces the schema of an earlier one and keeps its position.
func (o *objectShape) collect(r *resolver, n *node, level int) {
	if level > maxAllOfDepth {
		return
	}
	if all := n.get("allOf"); all != nil && all.kind == kindArray {
		for _, m := range all.items {
			v := r.deref(m)
			if v.n == nil || !v.n.isObject() || containsAny(o.targets, v.targets) {
				continue
			}
			o.targets = append(o.targets, v.targets...)
			o.collect(r, v.n, level+1)
		}
	}
	if props := n.get("properties"); props.isObject() {
		for i, name := range props.keys {
			if j, ok := o.index[name]; ok {
				o.props[j].schema = props.vals[i]
				continue
			}
			o.index[name] = len(o.props)
			o.props = append(o.props, property{name: name, schema: props.vals[i]})
		}
	}
	for _, req := range stringList(n.get("required")) {
		o.required[req] = true
	}
}

func containsAny(list, targets []refTarget) bool {
	for _, t := range targets {
		for _, l := range list {
			if l == t {
				return true
			}
		}
	}
	return false
}

// fields lists the properties of object schema n.
func (w *schemaWriter) fields(n *node, indent, depth int) {
	shape := &objectShape{index: map[string]int{}, required: map[string]bool{}}
	shape.collect(w.r, n, 0)
	w.stack = append(w.stack, shape.targets...)
	defer func() { w.stack = w.stack[:len(w.stack)-len(shape.targets)] }()
	for i, p := range shape.props {
		if w.full(indent) {
			return
		}
		if i == maxProperties {
			w.line(indent, "… "+strconv.Itoa(len(shape.props)-i)+" more properties not shown")
			break
		}
		w.property(p, shape.required[p.name], indent, depth)
	}
	if add := n.get("additionalProperties"); add.isObject() && len(shape.props) > 0 && !w.full(indent) {
		w.line(indent, "additional properties: "+w.label(add, 1, true))
	}
	if (n.get("oneOf") != nil || n.get("anyOf") != nil) && constVariants(n) == nil {
		w.variants(n, indent, depth)
	}
}

// property writes one property line and then what is inside the property.
func (w *schemaWriter) property(p property, required bool, indent, depth int) {
	v := w.r.deref(p.schema)
	var flags []string
	if required {
		flags = append(flags, "required")
	}
	if v.n.boolean("readOnly") {
		flags = append(flags, "read-only")
	}
	if v.n.boolean("writeOnly") {
		flags = append(flags, "write-only")
	}
	if v.n.boolean("deprecated") || p.schema.boolean("deprecated") {
		flags = append(flags, "deprecated")
	}
	if note := w.expansionNote(p.schema); note != "" && depth < maxSchemaDepth {
		flags = append(flags, note)
	}
	text := "`" + p.name + "` (" + w.label(p.schema, 1, true)
	if len(flags) > 0 {
		text += ", " + strings.Join(flags, ", ")
	}
	text += ")"
	if d := schemaDescription(p.schema, v.n); d != "" {
		text += ": " + truncate(oneLine(d), maxDescriptionRunes)
	}
	w.line(indent, text)
	w.children(p.schema, indent+1, depth+1)
}

// schemaDescription returns the description next to a $ref (allowed from
// OpenAPI 3.1), or else the description of the resolved schema.
func schemaDescription(raw, resolved *node) string {
	if d := raw.str("description"); d != "" {
		return d
	}
	return resolved.str("description")
}

// variants lists the members of a oneOf or anyOf with their fields.
func (w *schemaWriter) variants(n *node, indent, depth int) {
	key := "oneOf"
	list := n.get(key)
	if list == nil {
		key = "anyOf"
		list = n.get(key)
	}
	if list == nil || list.kind != kindArray {
		return
	}
	if d := n.get("discriminator"); d.isObject() && d.str("propertyName") != "" && !w.full(indent) {
		w.line(indent, "discriminator: `"+d.str("propertyName")+"`")
	}
	for i, m := range list.items {
		if w.full(indent) {
			return
		}
		if i == maxVariants {
			w.line(indent, "… "+strconv.Itoa(len(list.items)-i)+" more variants not shown")
			return
		}
		text := key + " option " + strconv.Itoa(i+1) + ": " + w.label(m, 1, true)
		if d := schemaDescription(m, w.r.deref(m).n); d != "" {
			text += ": " + truncate(oneLine(d), maxDescriptionRunes)
		}
		w.line(indent, text)
		w.children(m, indent+1, depth+1)
	}
}
