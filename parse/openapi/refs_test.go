package openapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gndhq/gnd/internal/testcorpus"
)

// countingLoader wraps a Loader and records how often each URL was requested.
type countingLoader struct {
	mu    sync.Mutex
	calls map[string]int
	next  Loader
}

func newCountingLoader(next Loader) *countingLoader {
	return &countingLoader{calls: map[string]int{}, next: next}
}

func (c *countingLoader) load(ctx context.Context, url string) ([]byte, error) {
	c.mu.Lock()
	c.calls[url]++
	c.mu.Unlock()
	return c.next(ctx, url)
}

// httpLoader fetches URLs with a client that has a timeout.
func httpLoader(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// servePetstore serves the petstore-separate folder from a loopback server.
func servePetstore(t *testing.T) *httptest.Server {
	t.Helper()
	dir := testcorpus.Path(t, "openapi", "oai-petstore-separate")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv
}

func TestRelativeRefsOverHTTP(t *testing.T) {
	srv := servePetstore(t)
	specURL := srv.URL + "/spec/swagger.json"
	body, err := httpLoader(context.Background(), specURL)
	if err != nil {
		t.Fatalf("fetch spec: %v", err)
	}
	loader := newCountingLoader(httpLoader)
	spec, err := Parse(context.Background(), specURL, body, loader.load)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(spec.Operations) != 4 {
		t.Errorf("got %d operations, want 4", len(spec.Operations))
	}
	if len(spec.Warnings) != 0 {
		t.Errorf("unexpected warnings: %q", spec.Warnings)
	}
	wantURLs := []string{
		srv.URL + "/common/Error.json",
		srv.URL + "/spec/NewPet.json",
		srv.URL + "/spec/Pet.json",
		srv.URL + "/spec/parameters.json",
	}
	var gotURLs []string
	for url, n := range loader.calls {
		gotURLs = append(gotURLs, url)
		if n != 1 {
			t.Errorf("%s was loaded %d times, want once", url, n)
		}
	}
	slices.Sort(gotURLs)
	if !slices.Equal(gotURLs, wantURLs) {
		t.Errorf("loaded %q, want %q", gotURLs, wantURLs)
	}

	list := operation(t, spec, "GET /pets")
	assertContains(t, list.Markdown, "| `tags` | query | no | array of string | tags to filter by |", "GET /pets Markdown")
	assertContains(t, list.Markdown, "| `limit` | query | no | integer (int32) | maximum number of results to return |", "GET /pets Markdown")
	assertContains(t, list.Markdown, "Content (application/json): array of object `Pet`\n\n- `id` (integer (int64), required)\n- `name` (string, required)\n- `tag` (string)\n", "GET /pets Markdown")
	assertContains(t, list.Markdown, "Content (application/json): object `Error`\n\n- `code` (integer (int32), required)\n- `message` (string, required)\n", "GET /pets Markdown")
	// NewPet.json refers to "Pet.json" relative to its own URL.
	add := operation(t, spec, "POST /pets")
	assertContains(t, add.Markdown, "Schema: object `NewPet`\n\n- `id` (integer (int64), required)\n- `name` (string, required)\n- `tag` (string)\n- `description` (integer (int64))\n", "POST /pets Markdown")

	// Document ids in the hash are relative to the spec URL, so serving
	// the same files from disk gives the same hashes.
	fromDisk := parseCorpus(t, "oai-petstore-separate", "spec", "swagger.json")
	for i, op := range spec.Operations {
		if op.SchemaHash != fromDisk.Operations[i].SchemaHash {
			t.Errorf("%s: SchemaHash over HTTP %s differs from file:// %s", op.Key, op.SchemaHash, fromDisk.Operations[i].SchemaHash)
		}
		if op.Markdown != fromDisk.Operations[i].Markdown {
			t.Errorf("%s: Markdown over HTTP differs from file://", op.Key)
		}
	}
}

func TestRelativeRefsFromFiles(t *testing.T) {
	path, body := corpusFile(t, "oai-petstore-separate", "spec", "swagger.json")
	loader := newCountingLoader(fileLoader)
	spec, err := Parse(context.Background(), fileURL(path), body, loader.load)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(loader.calls) != 4 {
		t.Errorf("loaded %d documents (%v), want 4", len(loader.calls), loader.calls)
	}
	for url := range loader.calls {
		if !strings.HasPrefix(url, "file:///") {
			t.Errorf("Loader got %q, want an absolute file:// URL", url)
		}
	}
	get := operation(t, spec, "GET /pets/{id}")
	assertContains(t, get.Markdown, "- `message` (string, required)", "GET /pets/{id} Markdown")
}

func TestLoaderErrorIsWrapped(t *testing.T) {
	path, body := corpusFile(t, "oai-petstore-separate", "spec", "swagger.json")
	errUnavailable := errors.New("503 Service Unavailable")
	loader := func(ctx context.Context, url string) ([]byte, error) {
		if strings.HasSuffix(url, "/common/Error.json") {
			return nil, errUnavailable
		}
		return fileLoader(ctx, url)
	}
	spec, err := Parse(context.Background(), fileURL(path), body, loader)
	if spec != nil {
		t.Errorf("got a Spec with %d operations despite a Loader error", len(spec.Operations))
	}
	if !errors.Is(err, errUnavailable) {
		t.Fatalf("got %v, want an error wrapping the Loader's", err)
	}
	if !strings.Contains(err.Error(), `"../common/Error.json"`) {
		t.Errorf("error %q does not name the $ref", err)
	}
}

func TestNilLoaderLeavesPlaceholders(t *testing.T) {
	path, body := corpusFile(t, "oai-petstore-separate", "spec", "swagger.json")
	spec, err := Parse(context.Background(), fileURL(path), body, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(spec.Operations) != 4 {
		t.Errorf("got %d operations, want 4", len(spec.Operations))
	}
	if len(spec.Warnings) != 5 {
		t.Errorf("got %d warnings, want one per external $ref (5): %q", len(spec.Warnings), spec.Warnings)
	}
	assertContains(t, operation(t, spec, "GET /pets").Markdown, "`Pet.json` (unresolved reference)", "GET /pets Markdown")
}

func TestMissingPointerBecomesWarning(t *testing.T) {
	docs := map[string]string{
		"http://127.0.0.1/api/common.yaml": "Thing:\n  type: object\n  properties:\n    id: {type: string}\n",
	}
	loader := func(_ context.Context, url string) ([]byte, error) {
		if d, ok := docs[url]; ok {
			return []byte(d), nil
		}
		return nil, fmt.Errorf("not found: %s", url)
	}
	spec := `openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /things:
    get:
      parameters:
        - $ref: '#/components/parameters/Missing'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'common.yaml#/Thing'}
        '404':
          description: gone
          content:
            application/json:
              schema: {$ref: 'common.yaml#/Nope'}
components: {}
`
	got, err := Parse(context.Background(), "http://127.0.0.1/api/openapi.yaml", []byte(spec), loader)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	op := operation(t, got, "GET /things")
	assertContains(t, op.Markdown, "| `#/components/parameters/Missing` (unresolved reference) |", "Markdown")
	assertContains(t, op.Markdown, "Content (application/json): `common.yaml#/Nope` (unresolved reference)", "Markdown")
	assertContains(t, op.Markdown, "Content (application/json): object `Thing`\n\n- `id` (string)\n", "Markdown")
	want := []string{
		`unresolved $ref "#/components/parameters/Missing" in http://127.0.0.1/api/openapi.yaml: "parameters" not found`,
		`unresolved $ref "common.yaml#/Nope" in http://127.0.0.1/api/openapi.yaml: "Nope" not found`,
	}
	if !slices.Equal(got.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", got.Warnings, want)
	}
}

func TestPointerEscapes(t *testing.T) {
	spec := mustParse(t, `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/a": {"get": {"responses": {
      "200": {"description": "slash", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/a~1b"}}}},
      "201": {"description": "tilde", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/c~0d"}}}},
      "202": {"description": "space", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/e%20f"}}}},
      "203": {"description": "index", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/list/allOf/1"}}}}
    }}}
  },
  "components": {"schemas": {
    "a/b": {"type": "object", "properties": {"slashField": {"type": "string"}}},
    "c~d": {"type": "object", "properties": {"tildeField": {"type": "string"}}},
    "e f": {"type": "object", "properties": {"spaceField": {"type": "string"}}},
    "list": {"allOf": [{"type": "object"}, {"type": "object", "properties": {"indexField": {"type": "integer"}}}]}
  }}
}`)
	if len(spec.Warnings) != 0 {
		t.Errorf("unexpected warnings: %q", spec.Warnings)
	}
	md := spec.Operations[0].Markdown
	for _, want := range []string{
		"object `a/b`\n\n- `slashField` (string)",
		"object `c~d`\n\n- `tildeField` (string)",
		"object `e f`\n\n- `spaceField` (string)",
		"object `1`\n\n- `indexField` (integer)",
	} {
		assertContains(t, md, want, "Markdown")
	}
}

func TestRefsOnEveryComponentKind(t *testing.T) {
	spec := mustParse(t, `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /items/{id}:
    $ref: '#/components/pathItems/Item'
components:
  pathItems:
    Item:
      parameters:
        - $ref: '#/components/parameters/Id'
      put:
        requestBody: {$ref: '#/components/requestBodies/ItemBody'}
        responses:
          '200': {$ref: '#/components/responses/ItemResponse'}
  parameters:
    Id: {name: id, in: path, required: true, schema: {type: string, format: uuid}, description: Item id}
  requestBodies:
    ItemBody:
      required: true
      description: The new item
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Item'}
  responses:
    ItemResponse:
      description: The stored item
      headers:
        X-Version: {$ref: '#/components/headers/Version'}
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Item'}
  headers:
    Version: {description: Item version, schema: {type: integer}}
  schemas:
    Item:
      type: object
      required: [name]
      properties:
        name: {type: string, description: Display name}
`)
	if len(spec.Warnings) != 0 {
		t.Errorf("unexpected warnings: %q", spec.Warnings)
	}
	op := operation(t, spec, "PUT /items/{id}")
	for _, want := range []string{
		"| `id` | path | yes | string (uuid) | Item id |",
		"## Request body (application/json)\n\nRequired. The new item\n\nSchema: object `Item`\n\n- `name` (string, required): Display name\n",
		"### 200 OK\n\nThe stored item\n\nHeaders:\n\n- `X-Version` (integer): Item version\n",
		"Content (application/json): object `Item`, fields listed above\n",
	} {
		assertContains(t, op.Markdown, want, "PUT Markdown")
	}
}

func TestRefChainLoopEnds(t *testing.T) {
	spec := mustParse(t, `openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /loop:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A'}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/A'}
`)
	if len(spec.Warnings) != 1 || !strings.Contains(spec.Warnings[0], "chain of references loops") {
		t.Errorf("Warnings = %q, want one about the loop", spec.Warnings)
	}
	assertContains(t, spec.Operations[0].Markdown, "`#/components/schemas/A` (unresolved reference)", "Markdown")
}

func TestExternalDocumentLimit(t *testing.T) {
	// Each document refers to the next one, 150 in a row.
	loader := newCountingLoader(func(_ context.Context, url string) ([]byte, error) {
		var n int
		if _, err := fmt.Sscanf(url, "http://127.0.0.1/doc%d.json", &n); err != nil {
			return nil, fmt.Errorf("unexpected URL %s", url)
		}
		return fmt.Appendf(nil, `{"type": "object", "properties": {"next": {"$ref": "doc%d.json"}}}`, n+1), nil
	})
	spec := `{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/": {"get": {
	  "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "doc1.json"}}}}}}}}}`
	got, err := Parse(context.Background(), "http://127.0.0.1/spec.json", []byte(spec), loader.load)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(loader.calls) != maxExternalDocs {
		t.Errorf("loaded %d documents, want the limit %d", len(loader.calls), maxExternalDocs)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "more than 100 external documents") {
		t.Errorf("Warnings = %q, want one about the document limit", got.Warnings)
	}
}

func TestRelativeRefWithoutSpecURL(t *testing.T) {
	called := false
	loader := func(context.Context, string) ([]byte, error) {
		called = true
		return nil, errors.New("must not be called")
	}
	spec, err := Parse(context.Background(), "", []byte(`{"swagger": "2.0", "info": {"title": "t", "version": "1"},
	  "paths": {"/p": {"get": {"responses": {"200": {"description": "ok", "schema": {"$ref": "Pet.json"}}}}}}}`), loader)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if called {
		t.Error("the Loader was called for a relative $ref without a base URL")
	}
	if len(spec.Warnings) != 1 || !strings.Contains(spec.Warnings[0], "needs the URL of the document") {
		t.Errorf("Warnings = %q, want one about the missing base URL", spec.Warnings)
	}
}

func TestUnsupportedRefScheme(t *testing.T) {
	loader := func(context.Context, string) ([]byte, error) {
		return nil, errors.New("must not be called")
	}
	spec, err := Parse(context.Background(), "http://127.0.0.1/spec.json", []byte(`{"swagger": "2.0", "info": {"title": "t", "version": "1"},
	  "paths": {"/p": {"get": {"responses": {"200": {"description": "ok", "schema": {"$ref": "ftp://127.0.0.1/Pet.json"}}}}}}}`), loader)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(spec.Warnings) != 1 || !strings.Contains(spec.Warnings[0], `unsupported URL scheme "ftp"`) {
		t.Errorf("Warnings = %q, want one about the ftp scheme", spec.Warnings)
	}
}
