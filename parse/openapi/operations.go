package openapi

import (
	"strings"
)

// methodOrder is the order in which the methods of one path item become
// operations. It follows the field order of the OpenAPI Path Item Object.
var methodOrder = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// opSource is an operation found in the document, before rendering.
type opSource struct {
	method  string // upper case
	path    string // path template, or webhook name
	webhook bool
	item    *node // path item, resolved
	op      *node // operation object
	root    *node // top-level document, for Swagger consumes and produces
	format  string
}

// collectOperations lists the operations of the document: paths in document
// order, methods in methodOrder, then webhooks (OpenAPI 3.1 and later).
// Extension keys ("x-...") are skipped.
func collectOperations(r *resolver, root *node, format string) []opSource {
	var out []opSource
	if paths := root.get("paths"); paths.isObject() {
		for i, p := range paths.keys {
			if strings.HasPrefix(p, "x-") {
				continue
			}
			item := r.deref(paths.vals[i]).n
			out = appendMethods(out, item, opSource{path: p, root: root, format: format})
		}
	}
	if format == FormatSwagger20 || format == FormatOpenAPI30 {
		return out
	}
	if hooks := root.get("webhooks"); hooks.isObject() {
		for i, name := range hooks.keys {
			if strings.HasPrefix(name, "x-") {
				continue
			}
			item := r.deref(hooks.vals[i]).n
			out = appendMethods(out, item, opSource{path: name, webhook: true, root: root, format: format})
		}
	}
	return out
}

// appendMethods appends one opSource per operation of a path item.
func appendMethods(out []opSource, item *node, base opSource) []opSource {
	if !item.isObject() {
		return out
	}
	base.item = item
	for _, m := range methodOrder {
		if op := item.get(m); op.isObject() {
			src := base
			src.method, src.op = strings.ToUpper(m), op
			out = append(out, src)
		}
	}
	if base.format != FormatOpenAPI32 {
		return out
	}
	if op := item.get("query"); op.isObject() {
		src := base
		src.method, src.op = "QUERY", op
		out = append(out, src)
	}
	if extra := item.get("additionalOperations"); extra.isObject() {
		for i, m := range extra.keys {
			if op := extra.vals[i]; op.isObject() {
				src := base
				src.method, src.op = strings.ToUpper(m), op
				out = append(out, src)
			}
		}
	}
	return out
}

// key returns the endpoint key: "GET /pets/{id}" or "POST webhook:newPet".
func (s opSource) key() string {
	if s.webhook {
		return s.method + " webhook:" + s.path
	}
	return s.method + " " + s.path
}

// param is one parameter of an operation.
type param struct {
	raw  *node // as written, possibly a $ref
	n    *node // resolved; nil when the $ref is unresolved
	name string
	in   string
}

// mergeParams returns the path item's parameters that the operation does
// not override (same name and location), followed by the operation's own.
func mergeParams(r *resolver, item, op *node) []param {
	own := resolveParams(r, op.get("parameters"))
	overridden := make(map[[2]string]bool, len(own))
	for _, p := range own {
		if p.n != nil {
			overridden[[2]string{p.name, p.in}] = true
		}
	}
	var out []param
	for _, p := range resolveParams(r, item.get("parameters")) {
		if p.n == nil || !overridden[[2]string{p.name, p.in}] {
			out = append(out, p)
		}
	}
	return append(out, own...)
}

func resolveParams(r *resolver, list *node) []param {
	if list == nil || list.kind != kindArray {
		return nil
	}
	out := make([]param, 0, len(list.items))
	for _, raw := range list.items {
		n := r.deref(raw).n
		p := param{raw: raw, n: n}
		if n != nil {
			p.name, p.in = n.str("name"), n.str("in")
		}
		out = append(out, p)
	}
	return out
}

// mediaTypes returns the effective Swagger 2.0 "consumes" or "produces" list:
// the operation's own when present, else the document's.
func (s opSource) mediaTypes(field string) []string {
	list := s.op.get(field)
	if list == nil {
		list = s.root.get(field)
	}
	return stringList(list)
}

// stringList returns the string items of an array node.
func stringList(n *node) []string {
	if n == nil || n.kind != kindArray {
		return nil
	}
	out := make([]string, 0, len(n.items))
	for _, it := range n.items {
		if it.kind == kindString {
			out = append(out, it.text)
		}
	}
	return out
}

// buildOperation renders one operation and computes its schema hash.
func buildOperation(r *resolver, src opSource) Operation {
	op := Operation{
		Method:      src.method,
		Path:        src.path,
		Webhook:     src.webhook,
		Key:         src.key(),
		OperationID: src.op.get("operationId").scalarText(),
		Summary:     strings.TrimSpace(src.op.str("summary")),
		Description: strings.TrimSpace(src.op.str("description")),
		Tags:        stringList(src.op.get("tags")),
		Deprecated:  src.op.boolean("deprecated"),
	}
	params := mergeParams(r, src.item, src.op)
	op.Markdown = renderOperation(r, src, &op, params)
	op.SchemaHash = schemaHash(r, src, params)
	return op
}
