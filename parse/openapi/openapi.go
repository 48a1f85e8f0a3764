// Package openapi turns one OpenAPI (3.0, 3.1, 3.2) or Swagger 2.0 document
// into one record per operation and per webhook. Each record carries a
// Markdown description of the endpoint, meant as a search chunk for coding
// agents, and a hash of its parameters, request body and responses that
// changes whenever the schema does.
//
// JSON and YAML are detected from the content, not from the URL. $refs are resolved inside the
// document, across relative files and to absolute URLs through a Loader.
// Parsing is deterministic: the same input gives the same output bytes.
package openapi

import (
	"context"
	"fmt"
	"net/url"
)

// Loader fetches a document referenced by an external $ref, given its
// absolute URL (http, https or file). The caller enforces which hosts are
// allowed. Parse calls it at most once per URL and for at most 100 URLs.
type Loader func(ctx context.Context, url string) ([]byte, error)

// Spec is a parsed API description.
type Spec struct {
	Format  string // FormatSwagger20, FormatOpenAPI30, FormatOpenAPI31 or FormatOpenAPI32
	Title   string // info.title
	Version string // info.version, as written
	// Operations lists paths in document order and, within a path, the
	// methods GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE (and for
	// 3.2 QUERY and additionalOperations), followed by webhooks.
	Operations []Operation
	// Warnings lists problems that did not stop parsing, such as $refs whose
	// target does not exist, each once, in the order they were found.
	Warnings []string
}

// Operation is one endpoint or webhook of a Spec.
type Operation struct {
	Method      string // upper case: GET, POST, ...
	Path        string // "/pets/{id}"; for a webhook, the webhook name
	Webhook     bool
	Key         string // "GET /pets/{id}"; for a webhook "POST webhook:newPet"
	OperationID string
	Summary     string
	Description string
	Tags        []string
	Deprecated  bool
	// Markdown describes the operation: heading, summary, description,
	// parameters, request body and responses with schemas shown to a
	// limited depth.
	Markdown string
	// SchemaHash is the hex SHA-256 of canonical JSON (sorted keys) of the
	// operation's parameters, request body and responses. Each $ref in them
	// is replaced by the id of its target, and a "refs" object maps every
	// reachable target id to its own canonical JSON, so a change in any
	// referenced schema changes the hash and cycles end. Key order, JSON
	// versus YAML, parameter order and x- extensions do not change it.
	SchemaHash string
}

// Parse parses body, the document found at specURL, and returns its
// operations. specURL is the base for relative $refs; it may be empty when
// the document has none. load fetches external documents and may be nil, in
// which case external $refs become placeholders listed in Spec.Warnings.
//
// Errors: *SyntaxError when body is neither JSON nor YAML, ErrNotOpenAPI or
// ErrUnsupportedVersion (wrapped) for other documents, and the Loader's or
// the context's error wrapped with the $ref that needed it. Parse keeps no
// state between calls, so concurrent calls are safe when load is.
func Parse(ctx context.Context, specURL string, body []byte, load Loader) (*Spec, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("parse spec: %w", err)
	}
	doc := newDocument(stripFragment(specURL), nil)
	root, err := decode(body, doc)
	if err != nil {
		return nil, err
	}
	doc.root = root

	format, err := detectFormat(root)
	if err != nil {
		return nil, err
	}
	info := root.get("info")
	spec := &Spec{
		Format:  format,
		Title:   info.get("title").scalarText(),
		Version: info.get("version").scalarText(),
	}

	r := newResolver(ctx, load, doc)
	sources := collectOperations(r, root, format)
	if r.err != nil {
		return nil, r.err
	}
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("parse spec: %w", err)
		}
		op := buildOperation(r, src)
		if r.err != nil {
			return nil, r.err
		}
		spec.Operations = append(spec.Operations, op)
	}
	spec.Warnings = r.warnings
	return spec, nil
}

// stripFragment removes a "#..." suffix from a URL.
func stripFragment(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Fragment == "" && u.RawFragment == "" {
		return loc
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
