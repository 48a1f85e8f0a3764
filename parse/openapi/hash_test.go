package openapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// hashesByKey returns the schema hash of every operation by key.
func hashesByKey(spec *Spec) map[string]string {
	out := make(map[string]string, len(spec.Operations))
	for _, op := range spec.Operations {
		out[op.Key] = op.SchemaHash
	}
	return out
}

// reverseKeys reverses the key order of every object in the tree.
func reverseKeys(n *node) {
	for _, it := range n.items {
		reverseKeys(it)
	}
	for i, j := 0, len(n.keys)-1; i < j; i, j = i+1, j-1 {
		n.keys[i], n.keys[j] = n.keys[j], n.keys[i]
		n.vals[i], n.vals[j] = n.vals[j], n.vals[i]
	}
	n.index = nil
	for _, v := range n.vals {
		reverseKeys(v)
	}
}

func TestSchemaHashIgnoresKeyOrder(t *testing.T) {
	for _, file := range [][]string{{"discord", "openapi.json"}, {"kubernetes-apiextensions-v1", "v1.json"}, {"redocly-museum", "openapi.yaml"}} {
		path, body := corpusFile(t, file...)
		root, err := decode(body, &document{})
		if err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		reverseKeys(root)
		reordered := appendCompact(nil, root)
		if bytes.Equal(reordered, body) {
			t.Fatalf("%s: reordering changed nothing", path)
		}
		spec, err := Parse(context.Background(), fileURL(path), reordered, fileLoader)
		if err != nil {
			t.Fatalf("Parse reordered %s: %v", path, err)
		}
		want := hashesByKey(parseCorpus(t, file...))
		got := hashesByKey(spec)
		if len(got) != len(want) {
			t.Fatalf("%s: %d operations after reordering, want %d", path, len(got), len(want))
		}
		changed := 0
		for key, h := range want {
			if got[key] != h {
				changed++
			}
		}
		if changed > 0 {
			t.Errorf("%s: %d of %d schema hashes changed when only key order changed", path, changed, len(want))
		}
	}
}

func TestSchemaHashChangesWithParameterType(t *testing.T) {
	path, body := corpusFile(t, "oai-uspto", "uspto.yaml")
	old := "          example: \"v1\"\n          schema:\n            type: string\n"
	if bytes.Count(body, []byte(old)) != 1 {
		t.Fatalf("the version parameter snippet is not unique in %s", path)
	}
	changed := bytes.Replace(body, []byte(old), []byte("          example: \"v1\"\n          schema:\n            type: integer\n"), 1)
	before := hashesByKey(parseCorpus(t, "oai-uspto", "uspto.yaml"))
	spec, err := Parse(context.Background(), fileURL(path), changed, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	after := hashesByKey(spec)
	const target = "GET /{dataset}/{version}/fields"
	if before[target] == after[target] {
		t.Errorf("%s: hash did not change when the version parameter became an integer", target)
	}
	for key, h := range before {
		if key != target && after[key] != h {
			t.Errorf("%s: hash changed although its parameters did not", key)
		}
	}
}

func TestSchemaHashFollowsReferencedSchemas(t *testing.T) {
	path, body := corpusFile(t, "go-admin", "admin_swagger.json")
	// models.SysApi.handle is a string. Make it an integer.
	start := bytes.Index(body, []byte(`"models.SysApi": {`))
	field := bytes.Index(body[max(start, 0):], []byte("\"handle\": {\n                    \"type\": \"string\""))
	if start < 0 || field < 0 {
		t.Fatalf("models.SysApi.handle not found in %s", path)
	}
	at := start + field + len("\"handle\": {\n                    \"type\": \"")
	changed := append(append(append([]byte{}, body[:at]...), "integer"...), body[at+len("string"):]...)

	base := parseCorpus(t, "go-admin", "admin_swagger.json")
	spec, err := Parse(context.Background(), fileURL(path), changed, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	after := hashesByKey(spec)

	users := 0
	for _, op := range base.Operations {
		// Every operation that reaches models.SysApi lists it in its Markdown,
		// directly or as the type of a field.
		uses := strings.Contains(op.Markdown, "models.SysApi")
		switch {
		case uses && after[op.Key] == op.SchemaHash:
			t.Errorf("%s: hash did not change although it uses models.SysApi", op.Key)
		case !uses && after[op.Key] != op.SchemaHash:
			t.Errorf("%s: hash changed although it does not use models.SysApi", op.Key)
		}
		if uses {
			users++
		}
	}
	if users == 0 {
		t.Error("no operation uses models.SysApi, so the test checks nothing")
	}
}

func TestSchemaHashDetails(t *testing.T) {
	const base = `{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/p": {"get": {
	  "summary": "SUMMARY",
	  "parameters": [{"name": "q", "in": "query", "description": "DESC", "schema": {"type": "number", "maximum": MAX}}, PARAM2],
	  "responses": {"200": {"description": "ok" EXT}}}}}}`
	replacer := func(pairs ...string) string {
		defaults := map[string]string{"SUMMARY": "s", "DESC": "query", "MAX": "10", "PARAM2": `{"name": "r", "in": "header", "schema": {"type": "string"}}`, "EXT": ""}
		for i := 0; i+1 < len(pairs); i += 2 {
			defaults[pairs[i]] = pairs[i+1]
		}
		out := base
		for k, v := range defaults {
			out = strings.ReplaceAll(out, k, v)
		}
		return out
	}
	hash := func(doc string) string {
		spec := mustParse(t, doc)
		return spec.Operations[0].SchemaHash
	}
	original := hash(replacer())
	tests := []struct {
		name    string
		doc     string
		changes bool
	}{
		{"parameter description", replacer("DESC", "other text"), true},
		{"parameter maximum", replacer("MAX", "11"), true},
		{"number spelled 10.0", replacer("MAX", "10.0"), false},
		{"number spelled 1e1", replacer("MAX", "1e1"), false},
		{"summary only", replacer("SUMMARY", "another summary"), false},
		{"extension field", replacer("EXT", `, "x-internal": true`), false},
		{"parameter order", strings.Replace(replacer(), `"parameters": [{"name": "q", "in": "query", "description": "query", "schema": {"type": "number", "maximum": 10}}, {"name": "r", "in": "header", "schema": {"type": "string"}}]`,
			`"parameters": [{"name": "r", "in": "header", "schema": {"type": "string"}}, {"name": "q", "in": "query", "description": "query", "schema": {"type": "number", "maximum": 10}}]`, 1), false},
		{"header named x-", replacer("EXT", `, "headers": {"x-rate": {"schema": {"type": "integer"}}}`), true},
	}
	for _, tt := range tests {
		if got := hash(tt.doc); (got != original) != tt.changes {
			t.Errorf("%s: hash changed = %v, want %v", tt.name, got != original, tt.changes)
		}
	}
}

func TestSchemaHashWithRecursion(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /tree:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      properties:
        value: {type: VALUE}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        parent: {$ref: '#/components/schemas/Node'}
`
	a := mustParse(t, strings.Replace(doc, "VALUE", "string", 1)).Operations[0]
	b := mustParse(t, strings.Replace(doc, "VALUE", "integer", 1)).Operations[0]
	if a.SchemaHash == b.SchemaHash {
		t.Error("hash did not change when a field of a recursive schema changed type")
	}
	assertContains(t, a.Markdown, "- `children` (array of object `Node`, recursive)\n- `parent` (object `Node`, recursive)\n", "Markdown")
}

func TestSchemaHashCanonicalForm(t *testing.T) {
	// The canonical JSON that schemaHash documents, written out by hand for
	// the webhook example. Changing the form changes every stored hash.
	const canonical = `{"parameters":[],` +
		`"refs":{"#/components/schemas/Pet":{"properties":{"id":{"format":"int64","type":"integer"},"name":{"type":"string"},"tag":{"type":"string"}},"required":["id","name"]}},` +
		`"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Pet"}}},"description":"Information about a new pet in the system"},` +
		`"responses":{"200":{"description":"Return a 200 status to indicate that the data was received successfully"}}}`
	sum := sha256.Sum256([]byte(canonical))
	want := hex.EncodeToString(sum[:])
	got := parseCorpus(t, "oai-webhook-example", "webhook-example.yaml").Operations[0].SchemaHash
	if got != want {
		t.Errorf("SchemaHash = %s, want %s, the SHA-256 of %s", got, want, canonical)
	}
}
