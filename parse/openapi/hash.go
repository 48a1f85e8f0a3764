package openapi

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// mapFields are fields whose value maps user-chosen names to objects. Inside
// them a key such as "x-request-id" is a name, not an extension.
var mapFields = map[string]bool{
	"properties": true, "patternProperties": true, "definitions": true, "$defs": true,
	"dependentSchemas": true, "headers": true, "content": true, "encoding": true,
	"examples": true, "links": true, "callbacks": true, "mapping": true, "variables": true,
}

// literalFields hold example or constant data, where "$ref" and "x-" keys
// are plain data.
var literalFields = map[string]bool{"example": true, "default": true, "enum": true, "const": true, "value": true}

// canonEntry is the canonical JSON of one $ref target and the targets it
// refers to.
type canonEntry struct {
	json []byte
	deps []hop
}

// canonWriter writes canonical JSON: object keys sorted by byte order,
// numbers in one spelling, "x-" extension fields left out, and every $ref
// replaced by the id of its target (see refTarget.id).
type canonWriter struct {
	r    *resolver
	buf  []byte
	deps []hop
}

func (w *canonWriter) value(n *node, isMap, literal bool) {
	switch n.kind {
	case kindNull:
		w.buf = append(w.buf, "null"...)
	case kindBool:
		w.buf = append(w.buf, n.text...)
	case kindNumber:
		w.buf = append(w.buf, canonicalNumber(n.text)...)
	case kindString:
		w.buf = appendJSONString(w.buf, n.text)
	case kindArray:
		w.buf = append(w.buf, '[')
		for i, it := range n.items {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.value(it, false, literal)
		}
		w.buf = append(w.buf, ']')
	case kindObject:
		w.object(n, isMap, literal)
	}
}

func (w *canonWriter) object(n *node, isMap, literal bool) {
	fields := !isMap && !literal
	order := make([]int, 0, len(n.keys))
	for i, k := range n.keys {
		if fields && strings.HasPrefix(k, "x-") {
			continue
		}
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(n.keys[a], n.keys[b]) })
	w.buf = append(w.buf, '{')
	for j, i := range order {
		if j > 0 {
			w.buf = append(w.buf, ',')
		}
		k, v := n.keys[i], n.vals[i]
		w.buf = appendJSONString(w.buf, k)
		w.buf = append(w.buf, ':')
		if fields && k == "$ref" && v.kind == kindString {
			w.ref(n, v.text)
			continue
		}
		w.value(v, fields && mapFields[k], literal || (fields && literalFields[k]))
	}
	w.buf = append(w.buf, '}')
}

// ref writes the id of the target of ref, found in the object n, and records
// the target so that its content joins the hash.
func (w *canonWriter) ref(n *node, ref string) {
	h := w.r.resolve(n.doc, ref)
	if h.n == nil {
		w.buf = appendJSONString(w.buf, "unresolved "+ref)
		return
	}
	w.buf = appendJSONString(w.buf, h.target.id())
	w.deps = append(w.deps, h)
}

// canonTarget returns the canonical JSON of a $ref target, computed once.
func (r *resolver) canonTarget(h hop) *canonEntry {
	if e, ok := r.canon[h.target]; ok {
		return e
	}
	w := &canonWriter{r: r}
	w.value(h.n, false, false)
	e := &canonEntry{json: w.buf, deps: w.deps}
	r.canon[h.target] = e
	return e
}

// schemaHash returns the hex SHA-256 of the canonical JSON object
//
//	{"consumes":..., "parameters":[...], "produces":..., "refs":{id: target},
//	 "requestBody":..., "responses":...}
//
// "consumes" and "produces" appear for Swagger 2.0 only. Parameters are
// sorted by location and name, so their order in the document does not
// matter. "refs" holds every $ref target reachable from the other parts,
// each once under its id, which is how cycles end.
func schemaHash(r *resolver, src opSource, params []param) string {
	parts := map[string][]byte{}
	w := &canonWriter{r: r}
	sorted := slices.Clone(params)
	slices.SortStableFunc(sorted, func(a, b param) int {
		return cmp.Or(strings.Compare(a.in, b.in), strings.Compare(a.name, b.name))
	})
	w.buf = append(w.buf, '[')
	for i, p := range sorted {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.value(p.raw, false, false)
	}
	w.buf = append(w.buf, ']')
	parts["parameters"] = w.takeBuf()

	if src.format == FormatSwagger20 {
		for _, field := range []string{"consumes", "produces"} {
			w.buf = append(w.buf, '[')
			for i, s := range src.mediaTypes(field) {
				if i > 0 {
					w.buf = append(w.buf, ',')
				}
				w.buf = appendJSONString(w.buf, s)
			}
			w.buf = append(w.buf, ']')
			parts[field] = w.takeBuf()
		}
	} else {
		parts["requestBody"] = w.part(src.op.get("requestBody"))
	}

	parts["responses"] = w.part(src.op.get("responses"))
	return hashParts(parts, r.refClosure(w.deps))
}

// part writes n, or null when it is missing, and returns the bytes.
func (w *canonWriter) part(n *node) []byte {
	if n == nil {
		w.buf = append(w.buf, "null"...)
	} else {
		w.value(n, false, false)
	}
	return w.takeBuf()
}

func (w *canonWriter) takeBuf() []byte {
	b := w.buf
	w.buf = nil
	return b
}

// refClosure returns every target reachable from deps, sorted by id.
func (r *resolver) refClosure(deps []hop) []refEntry {
	seen := map[refTarget]bool{}
	var out []refEntry
	queue := slices.Clone(deps)
	for len(queue) > 0 {
		h := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if seen[h.target] {
			continue
		}
		seen[h.target] = true
		e := r.canonTarget(h)
		out = append(out, refEntry{id: h.target.id(), entry: e})
		queue = append(queue, e.deps...)
	}
	slices.SortFunc(out, func(a, b refEntry) int { return strings.Compare(a.id, b.id) })
	return out
}

// refEntry is one member of the "refs" object of a schema hash.
type refEntry struct {
	id    string
	entry *canonEntry
}

// hashParts hashes the parts and the "refs" object as one JSON object with
// sorted keys, streaming the memoized target JSON instead of copying it.
func hashParts(parts map[string][]byte, refs []refEntry) string {
	names := make([]string, 0, len(parts)+1)
	for k := range parts {
		names = append(names, k)
	}
	names = append(names, "refs")
	slices.Sort(names)
	h := sha256.New()
	h.Write([]byte{'{'})
	for i, k := range names {
		if i > 0 {
			h.Write([]byte{','})
		}
		h.Write(appendJSONString(nil, k))
		h.Write([]byte{':'})
		if k != "refs" {
			h.Write(parts[k])
			continue
		}
		h.Write([]byte{'{'})
		for j, ref := range refs {
			if j > 0 {
				h.Write([]byte{','})
			}
			h.Write(appendJSONString(nil, ref.id))
			h.Write([]byte{':'})
			h.Write(ref.entry.json)
		}
		h.Write([]byte{'}'})
	}
	h.Write([]byte{'}'})
	return hex.EncodeToString(h.Sum(nil))
}

// appendJSONString appends s as a JSON string literal. Non-ASCII text is
// kept as UTF-8.
func appendJSONString(buf []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
