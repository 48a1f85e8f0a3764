package openapi

import (
	"net/http"
	"strconv"
	"strings"
)

// renderOperation returns the Markdown description of one operation.
//
// NOTE: examples, security requirements, servers, links and callbacks are
// not rendered, although the schema hash covers examples and links.
func renderOperation(r *resolver, src opSource, op *Operation, params []param) string {
	var b strings.Builder
	w := &schemaWriter{r: r, b: &b, listed: map[refTarget]bool{}}
	writeHeader(&b, op)
	w.parameters(params, src.format == FormatSwagger20)
	if src.format == FormatSwagger20 {
		w.swaggerBody(src, params)
	} else {
		w.requestBody(src.op.get("requestBody"))
	}
	w.responses(src)
	return b.String()
}

// writeHeader writes the title, the operation id and tags, the summary and
// the description.
func writeHeader(b *strings.Builder, op *Operation) {
	b.WriteString("# " + op.Key + "\n")
	var meta []string
	if op.OperationID != "" {
		meta = append(meta, "Operation ID: `"+op.OperationID+"`")
	}
	if len(op.Tags) > 0 {
		meta = append(meta, "Tags: "+strings.Join(op.Tags, ", "))
	}
	if len(meta) > 0 {
		b.WriteString("\n" + strings.Join(meta, " · ") + "\n")
	}
	if op.Deprecated {
		b.WriteString("\n**Deprecated.**\n")
	}
	if op.Summary != "" {
		b.WriteString("\n**Summary:** " + oneLine(op.Summary) + "\n")
	}
	if op.Description != "" {
		b.WriteString("\n" + op.Description + "\n")
	}
}

// parameters writes the parameter table. Swagger 2.0 body parameters are
// left out because they are shown as the request body.
func (w *schemaWriter) parameters(params []param, swagger bool) {
	var rows []string
	for _, p := range params {
		if p.n == nil {
			rows = append(rows, "| `"+tableCell(refOf(p.raw))+"` (unresolved reference) |  |  |  |  |")
			continue
		}
		if swagger && p.in == "body" {
			continue
		}
		name := "`" + tableCell(p.name) + "`"
		if p.n.boolean("deprecated") {
			name += " (deprecated)"
		}
		required := "no"
		if p.n.boolean("required") {
			required = "yes"
		}
		cells := []string{name, tableCell(p.in), required, tableCell(w.paramType(p.n, swagger)),
			tableCell(schemaDescription(p.raw, p.n))}
		rows = append(rows, "| "+strings.Join(cells, " | ")+" |")
	}
	if len(rows) == 0 {
		return
	}
	w.b.WriteString("\n## Parameters\n\n| Name | In | Required | Type | Description |\n| --- | --- | --- | --- | --- |\n")
	for _, row := range rows {
		w.b.WriteString(row + "\n")
	}
}

// paramType labels the type of a parameter. Swagger 2.0 parameters carry
// their type themselves. OpenAPI 3 ones have a schema or a content map.
func (w *schemaWriter) paramType(p *node, swagger bool) string {
	if swagger {
		return w.label(p, 1, true)
	}
	if s := p.get("schema"); s != nil {
		return w.label(s, 1, true)
	}
	if content := p.get("content"); content.isObject() && len(content.keys) > 0 {
		return w.label(content.vals[0].get("schema"), 1, true) + " as " + content.keys[0]
	}
	return "any"
}

// swaggerBody writes the Swagger 2.0 body parameter as the request body.
func (w *schemaWriter) swaggerBody(src opSource, params []param) {
	for _, p := range params {
		if p.n == nil || p.in != "body" {
			continue
		}
		w.b.WriteString("\n## Request body")
		if types := src.mediaTypes("consumes"); len(types) > 0 {
			w.b.WriteString(" (" + strings.Join(types, ", ") + ")")
		}
		w.b.WriteString("\n")
		w.bodyIntro(p.n.boolean("required"), schemaDescription(p.raw, p.n))
		w.schemaSection("Schema: ", p.n.get("schema"))
		return
	}
}

// requestBody writes an OpenAPI 3 request body.
func (w *schemaWriter) requestBody(raw *node) {
	if raw == nil {
		return
	}
	v := w.r.deref(raw)
	if v.n == nil {
		w.b.WriteString("\n## Request body\n\n`" + v.ref + "` (unresolved reference)\n")
		return
	}
	groups := w.contentGroups(v.n.get("content"))
	w.b.WriteString("\n## Request body")
	if len(groups) == 1 {
		w.b.WriteString(" (" + strings.Join(groups[0].types, ", ") + ")")
	}
	w.b.WriteString("\n")
	w.bodyIntro(v.n.boolean("required"), schemaDescription(raw, v.n))
	if len(groups) == 1 {
		w.schemaSection("Schema: ", groups[0].schema)
		return
	}
	for _, g := range groups {
		w.b.WriteString("\n### " + strings.Join(g.types, ", ") + "\n")
		w.schemaSection("Schema: ", g.schema)
	}
}

func (w *schemaWriter) bodyIntro(required bool, description string) {
	var parts []string
	if required {
		parts = append(parts, "Required.")
	}
	if d := strings.TrimSpace(description); d != "" {
		parts = append(parts, d)
	}
	if len(parts) > 0 {
		w.b.WriteString("\n" + strings.Join(parts, " ") + "\n")
	}
}

// schemaSection writes prefix and the type label of s, then its fields.
// Nothing is written when s is nil.
func (w *schemaWriter) schemaSection(prefix string, s *node) {
	if s == nil {
		return
	}
	text := prefix + w.label(s, 1, true)
	if w.expansionNote(s) != "" {
		text += ", fields listed above"
	}
	w.b.WriteString("\n" + text + "\n")
	w.schemaBlock(s)
}

// contentGroup is a set of media types that share one schema.
type contentGroup struct {
	types  []string
	schema *node
}

// contentGroups groups the media types of a content map by their resolved
// schema, keeping document order.
func (w *schemaWriter) contentGroups(content *node) []contentGroup {
	if !content.isObject() {
		return nil
	}
	var groups []contentGroup
	seen := map[*node]int{}
	for i, mt := range content.keys {
		schema := content.vals[i].get("schema")
		key := w.r.deref(schema).n
		if key == nil {
			key = schema
		}
		if j, ok := seen[key]; ok && key != nil {
			groups[j].types = append(groups[j].types, mt)
			continue
		}
		seen[key] = len(groups)
		groups = append(groups, contentGroup{types: []string{mt}, schema: schema})
	}
	return groups
}

// responses writes every response of the operation in document order.
func (w *schemaWriter) responses(src opSource) {
	resp := src.op.get("responses")
	if !resp.isObject() || len(resp.keys) == 0 {
		return
	}
	w.b.WriteString("\n## Responses\n")
	for i, code := range resp.keys {
		if strings.HasPrefix(code, "x-") {
			continue
		}
		w.b.WriteString("\n### " + statusLine(code) + "\n")
		v := w.r.deref(resp.vals[i])
		if v.n == nil {
			w.b.WriteString("\n`" + v.ref + "` (unresolved reference)\n")
			continue
		}
		if d := strings.TrimSpace(schemaDescription(resp.vals[i], v.n)); d != "" {
			w.b.WriteString("\n" + d + "\n")
		}
		w.headers(v.n.get("headers"), src.format == FormatSwagger20)
		if src.format == FormatSwagger20 {
			prefix := "Schema: "
			if types := src.mediaTypes("produces"); len(types) > 0 {
				prefix = "Content (" + strings.Join(types, ", ") + "): "
			}
			w.schemaSection(prefix, v.n.get("schema"))
			continue
		}
		for _, g := range w.contentGroups(v.n.get("content")) {
			if g.schema == nil {
				w.b.WriteString("\nContent (" + strings.Join(g.types, ", ") + ")\n")
				continue
			}
			w.schemaSection("Content ("+strings.Join(g.types, ", ")+"): ", g.schema)
		}
	}
}

// headers writes the response headers as a list.
func (w *schemaWriter) headers(headers *node, swagger bool) {
	if !headers.isObject() || len(headers.keys) == 0 {
		return
	}
	w.b.WriteString("\nHeaders:\n\n")
	for i, name := range headers.keys {
		v := w.r.deref(headers.vals[i])
		if v.n == nil {
			w.b.WriteString("- `" + name + "`: `" + v.ref + "` (unresolved reference)\n")
			continue
		}
		text := "- `" + name + "` (" + w.paramType(v.n, swagger) + ")"
		if d := schemaDescription(headers.vals[i], v.n); d != "" {
			text += ": " + truncate(oneLine(d), maxDescriptionRunes)
		}
		w.b.WriteString(text + "\n")
	}
}

// statusLine returns a response key with its reason phrase, e.g. "404 Not Found".
func statusLine(code string) string {
	if n, err := strconv.Atoi(code); err == nil {
		if text := http.StatusText(n); text != "" {
			return code + " " + text
		}
	}
	return code
}
