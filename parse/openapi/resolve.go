package openapi

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
)

const (
	// maxExternalDocs is the maximum number of documents loaded through the
	// Loader for one spec. Refs into further documents become placeholders.
	maxExternalDocs = 100
	// maxRefHops is the maximum length of a chain of $refs that point at
	// other $refs before the chain is reported as unresolved.
	maxRefHops = 32
)

// document is one parsed file: the spec itself or a document that an
// external $ref loaded.
type document struct {
	url  string   // absolute URL without fragment, or "" for a spec given without URL
	base *url.URL // parsed url, nil when url is empty or invalid
	root *node
	// id names the document in schema hashes: "" for the spec itself,
	// otherwise its URL relative to the spec URL, so that the hash does not
	// depend on where the files are served from.
	id string
}

// label names the document in warnings.
func (d *document) label() string {
	if d.url == "" {
		return "the spec"
	}
	return d.url
}

// refTarget identifies the value that a $ref points at.
type refTarget struct {
	doc *document
	ptr string // decoded JSON pointer, "" for the whole document
}

// id returns the identity of the target used in schema hashes.
func (t refTarget) id() string { return t.doc.id + "#" + t.ptr }

// name returns a short display name: the last pointer token, or the file
// name without extension for a whole-document ref.
func (t refTarget) name() string {
	if t.ptr != "" {
		i := strings.LastIndexByte(t.ptr, '/')
		return unescapeToken(t.ptr[i+1:])
	}
	base := path.Base(t.doc.url)
	return strings.TrimSuffix(base, path.Ext(base))
}

// refKey caches the resolution of one $ref string inside one document.
type refKey struct {
	doc *document
	ref string
}

// hop is the result of resolving one $ref without following further refs.
type hop struct {
	n      *node // nil when the ref could not be resolved
	target refTarget
}

// resolver resolves $refs across the spec and the documents it loads. It
// is used by one goroutine at a time.
type resolver struct {
	ctx      context.Context
	load     Loader
	root     *document
	docs     map[string]*document // loaded documents by URL; nil marks a failed load
	external int
	hops     map[refKey]hop
	canon    map[refTarget]*canonEntry // canonical JSON of targets, for schema hashes
	// err is the first Loader or context error. Parse returns it once the
	// current operation is finished, so callers can retry transient failures.
	err      error
	warnings []string
	warned   map[string]bool
}

func newResolver(ctx context.Context, load Loader, root *document) *resolver {
	r := &resolver{
		ctx:    ctx,
		load:   load,
		root:   root,
		docs:   map[string]*document{},
		hops:   map[refKey]hop{},
		canon:  map[refTarget]*canonEntry{},
		warned: map[string]bool{},
	}
	if root.url != "" {
		r.docs[root.url] = root
	}
	return r
}

// warn records a warning once.
func (r *resolver) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !r.warned[msg] {
		r.warned[msg] = true
		r.warnings = append(r.warnings, msg)
	}
}

// refOf returns the $ref string of n, or "" when n is not a reference object.
func refOf(n *node) string {
	if n == nil || n.kind != kindObject {
		return ""
	}
	return n.str("$ref")
}

// resolvedRef is a value reached by following $refs.
type resolvedRef struct {
	n       *node       // the final value; nil when a ref in the chain is unresolved
	targets []refTarget // every target passed, first to last
	ref     string      // the first $ref text, "" when the start was no reference
}

// name returns the display name of the first target, or "".
func (v resolvedRef) name() string {
	if len(v.targets) == 0 {
		return ""
	}
	return v.targets[0].name()
}

// deref follows $refs from n until it reaches a value that is not a
// reference. A missing pointer, a chain longer than maxRefHops or a chain
// that loops yields a resolvedRef with a nil node.
func (r *resolver) deref(n *node) resolvedRef {
	ref := refOf(n)
	if ref == "" {
		return resolvedRef{n: n}
	}
	out := resolvedRef{ref: ref}
	cur := n
	for range maxRefHops {
		ref = refOf(cur)
		if ref == "" {
			out.n = cur
			return out
		}
		h := r.resolve(cur.doc, ref)
		if h.n == nil {
			return out
		}
		for _, t := range out.targets {
			if t == h.target {
				r.warn("$ref %q in %s: chain of references loops", out.ref, n.doc.label())
				return out
			}
		}
		out.targets = append(out.targets, h.target)
		cur = h.n
	}
	r.warn("$ref %q in %s: more than %d references in a chain", out.ref, n.doc.label(), maxRefHops)
	return out
}

// resolve resolves one $ref found in doc, loading an external document when
// needed. Failures are recorded as warnings, or in r.err for Loader errors.
func (r *resolver) resolve(doc *document, ref string) hop {
	key := refKey{doc: doc, ref: ref}
	if h, ok := r.hops[key]; ok {
		return h
	}
	h := r.resolveUncached(doc, ref)
	r.hops[key] = h
	return h
}

func (r *resolver) resolveUncached(doc *document, ref string) hop {
	target, frag, ok := r.targetDocument(doc, ref)
	if !ok {
		return hop{}
	}
	n, reason := lookupPointer(target.root, frag)
	if n == nil {
		r.warn("unresolved $ref %q in %s: %s", ref, doc.label(), reason)
		return hop{}
	}
	return hop{n: n, target: refTarget{doc: target, ptr: frag}}
}

// targetDocument finds or loads the document that ref points into and
// returns it with the decoded fragment.
func (r *resolver) targetDocument(doc *document, ref string) (*document, string, bool) {
	if strings.HasPrefix(ref, "#") {
		frag := ref[1:]
		if dec, err := url.PathUnescape(frag); err == nil {
			frag = dec
		}
		return doc, frag, true
	}
	u, err := url.Parse(ref)
	if err != nil {
		r.warn("unresolved $ref %q in %s: invalid URL: %v", ref, doc.label(), err)
		return nil, "", false
	}

	if doc.base != nil {
		u = doc.base.ResolveReference(u)
	}
	if !u.IsAbs() {
		r.warn("unresolved $ref %q in %s: a relative reference needs the URL of the document that contains it", ref, doc.label())
		return nil, "", false
	}

	frag := u.Fragment
	u.Fragment, u.RawFragment = "", ""
	loc := u.String()
	if loc == doc.url {
		return doc, frag, true
	}
	target := r.document(loc, ref, doc)
	if target == nil {
		return nil, "", false
	}
	return target, frag, true
}

// document returns the parsed document at loc, loading it on first use.
func (r *resolver) document(loc, ref string, from *document) *document {
	if d, ok := r.docs[loc]; ok {
		return d
	}
	switch {
	case r.load == nil:
		r.warn("unresolved $ref %q in %s: no Loader was given for external documents", ref, from.label())
		return nil
	case r.external >= maxExternalDocs:
		r.warn("unresolved $ref %q in %s: more than %d external documents", ref, from.label(), maxExternalDocs)
		return nil
	}
	scheme := strings.ToLower(strings.SplitN(loc, ":", 2)[0])
	if scheme != "http" && scheme != "https" && scheme != "file" {
		r.warn("unresolved $ref %q in %s: unsupported URL scheme %q", ref, from.label(), scheme)
		return nil
	}

	r.external++
	r.docs[loc] = nil
	if err := r.ctx.Err(); err != nil {
		r.fail(fmt.Errorf("load $ref %q: %w", ref, err))
		return nil
	}
	data, err := r.load(r.ctx, loc)
	if err != nil {
		r.fail(fmt.Errorf("load $ref %q from %s: %w", ref, loc, err))
		return nil
	}

	d := newDocument(loc, r.root)
	root, err := decode(data, d)
	if err != nil {
		r.warn("unresolved $ref %q in %s: %s: %v", ref, from.label(), loc, err)
		return nil
	}
	d.root = root
	r.docs[loc] = d
	return d
}

func (r *resolver) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// newDocument creates a document for loc. When root is not nil, the new
// document's id is loc relative to root's URL.
func newDocument(loc string, root *document) *document {
	d := &document{url: loc}
	if u, err := url.Parse(loc); err == nil && u.IsAbs() {
		d.base = u
	}
	if root != nil {
		d.id = relativeID(root.base, d.base, loc)
	}
	return d
}

// relativeID returns target's URL relative to the directory of base when both
// share scheme and host, and the full URL otherwise.
func relativeID(base, target *url.URL, loc string) string {
	if base == nil || target == nil || base.Scheme != target.Scheme || base.Host != target.Host {
		return loc
	}
	from := strings.Split(path.Dir(base.Path), "/")
	to := strings.Split(target.Path, "/")
	common := 0
	for common < len(from) && common < len(to)-1 && from[common] == to[common] {
		common++
	}
	parts := make([]string, 0, len(from)-common+len(to)-common)
	for range len(from) - common {
		parts = append(parts, "..")
	}
	parts = append(parts, to[common:]...)
	return strings.Join(parts, "/")
}

// lookupPointer evaluates a decoded JSON pointer (RFC 6901) against root. On
// failure it returns nil and the reason.
func lookupPointer(root *node, ptr string) (*node, string) {
	if ptr == "" {
		return root, ""
	}
	if ptr[0] != '/' {
		return nil, fmt.Sprintf("fragment %q is not a JSON pointer", ptr)
	}
	n := root
	for rest := ptr[1:]; ; {
		tok, next, more := strings.Cut(rest, "/")
		tok = unescapeToken(tok)
		switch n.kind {
		case kindObject:
			n = n.get(tok)
		case kindArray:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.items) {
				n = nil
			} else {
				n = n.items[i]
			}
		default:
			n = nil
		}
		if n == nil {
			return nil, fmt.Sprintf("%q not found", tok)
		}
		if !more {
			return n, ""
		}
		rest = next
	}
}

// unescapeToken decodes ~1 to "/" and ~0 to "~" in one pointer token.
func unescapeToken(tok string) string {
	if !strings.Contains(tok, "~") {
		return tok
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}
