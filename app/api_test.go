package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gndhq/gnd/config"
	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

func TestMalformedRequestsGet400NamingTheField(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.Workers = 0 }})
	id := srv.CreateSource(map[string]any{"name": "spec", "source_type": "docs", "docs_format": "openapi", "url": "http://127.0.0.1:1/spec.json"})
	cases := []struct {
		name, method, path string
		body               any
		mention            string
	}{
		{"bad JSON", "POST", "/sources", `{"name": "x",`, "JSON"},
		{"not an object", "POST", "/sources", `[1, 2]`, "object"},
		{"unknown field", "POST", "/sources", map[string]any{"name": "x", "source_type": "docs", "url": "https://example.com", "colour": "red"}, "colour"},
		{"wrong type", "POST", "/sources", map[string]any{"name": "x", "source_type": "docs", "url": 42}, "url"},
		{"unknown source_type", "POST", "/sources", map[string]any{"name": "x", "source_type": "wiki", "url": "https://example.com"}, "source_type"},
		{"missing url", "POST", "/sources", map[string]any{"name": "x", "source_type": "docs"}, "url"},
		{"docs_format on repo", "POST", "/sources", map[string]any{"name": "x", "source_type": "repo", "url": "https://example.com/r.git", "docs_format": "html"}, "docs_format"},
		{"ftp url", "POST", "/sources", map[string]any{"name": "x", "source_type": "docs", "url": "ftp://example.com/spec"}, "url"},
		{"bad docs_format", "POST", "/sources", map[string]any{"name": "x", "source_type": "docs", "url": "https://example.com", "docs_format": "pdf"}, "docs_format"},
		{"missing name", "POST", "/sources", map[string]any{"source_type": "docs", "url": "https://example.com"}, "name"},
		{"limit 101", "GET", "/jobs?limit=101", nil, "limit"},
		{"limit 0", "GET", "/sources?limit=0", nil, "limit"},
		{"skip negative", "GET", "/jobs?skip=-1", nil, "skip"},
		{"limit text", "GET", "/jobs?limit=ten", nil, "limit"},
		{"job status", "GET", "/jobs?status=done", nil, "status"},
		{"source status", "GET", "/sources?status=done", nil, "status"},
		{"top_k 0", "GET", "/search?query=x&top_k=0", nil, "top_k"},
		{"top_k 51", "POST", "/search", map[string]any{"query": "x", "top_k": 51}, "top_k"},
		{"max_tokens 0", "POST", "/search", map[string]any{"query": "x", "max_tokens": 0}, "max_tokens"},
		{"max_tokens big", "GET", "/search?query=x&max_tokens=32001", nil, "max_tokens"},
		{"missing query GET", "GET", "/search", nil, "query"},
		{"missing query POST", "POST", "/search", map[string]any{"top_k": 3}, "query"},
		{"blank query", "POST", "/search", map[string]any{"query": "   "}, "query"},
		{"include_stale text", "GET", "/search?query=x&include_stale=maybe", nil, "include_stale"},
		{"unknown search field", "POST", "/search", map[string]any{"query": "x", "limit": 3}, "limit"},
		{"unknown source id", "POST", "/search", map[string]any{"query": "x", "source_ids": []string{"nope"}}, "source_ids"},
		{"empty source id", "POST", "/search", map[string]any{"query": "x", "source_ids": []string{""}}, "source_ids[0] is empty"},
		{"rmh fractional top_k", "POST", "/search/rmh", map[string]any{"query": "x", "top_k": 5.5}, `"top_k must be an integer`},
		{"max_retries", "POST", "/sources/" + id + "/sync", map[string]any{"max_retries": 11}, "max_retries"},
		{"patch source_type", "PATCH", "/sources/" + id, map[string]any{"source_type": "repo"}, "source_type"},
		{"patch bad url", "PATCH", "/sources/" + id, map[string]any{"url": "notaurl"}, "url"},
		{"policy unknown", "PUT", "/policy", map[string]any{"colour": 1}, "colour"},
		{"policy range", "PUT", "/policy", map[string]any{"min_evidence_score": 2}, "min_evidence_score"},
		{"bad glob", "POST", "/sources", map[string]any{"name": "x", "source_type": "docs", "url": "https://example.com", "include_patterns": []string{"[a-"}}, "include_patterns"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := srv.DoRaw(c.method, c.path, c.body, nil)
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", status, body)
			}
			if !strings.Contains(string(body), `"error"`) || !strings.Contains(string(body), c.mention) {
				t.Errorf("body %s does not name %q", body, c.mention)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.Workers = 0 }})
	cases := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"no key", map[string]string{"Authorization": ""}, 401},
		{"wrong key", map[string]string{"Authorization": "Bearer gnd_" + strings.Repeat("x", 40)}, 401},
		{"not a gnd key", map[string]string{"Authorization": "Bearer sk-123"}, 401},
		{"basic auth", map[string]string{"Authorization": "Basic Zm9vOmJhcg=="}, 401},
		{"bearer", nil, 200},
		{"x-api-key", map[string]string{"Authorization": "", "X-API-Key": srv.Key}, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := srv.DoRaw("GET", "/sources", nil, c.headers)
			if status != c.want {
				t.Fatalf("status %d, want %d: %s", status, c.want, body)
			}
			if c.want == 401 && !strings.Contains(string(body), `"error"`) {
				t.Errorf("401 body %s has no error field", body)
			}
		})
	}
	if status, _ := srv.DoRaw("GET", "/healthz", nil, map[string]string{"Authorization": ""}); status != 200 {
		t.Errorf("/healthz without a key: %d, want 200", status)
	}
}

func TestWorkspacesAreIsolated(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.Workers = 0 }})
	id := srv.CreateSource(map[string]any{"name": "spec", "source_type": "docs", "docs_format": "openapi", "url": "http://127.0.0.1:1/spec.json"})
	jobID := srv.Sync(id)

	// A key of another workspace finds none of it.
	ctx := t.Context()
	ws, err := srv.App.DB.CreateWorkspace(ctx, "other")
	gndtest.Must(t, err, "create workspace")
	otherKey := "gnd_other" + strings.Repeat("o", 40)
	_, err = srv.App.DB.CreateKey(ctx, ws.ID, "other", otherKey)
	gndtest.Must(t, err, "create key")
	headers := map[string]string{"Authorization": "Bearer " + otherKey}
	for _, path := range []string{"/sources/" + id, "/jobs/" + jobID} {
		if status, body := srv.DoRaw("GET", path, nil, headers); status != 404 {
			t.Errorf("GET %s with another workspace's key: %d %s, want 404", path, status, body)
		}
	}
	if status, body := srv.DoRaw("POST", "/jobs/"+jobID+"/cancel", nil, headers); status != 404 {
		t.Errorf("cancel with another workspace's key: %d %s, want 404", status, body)
	}
	if status, body := srv.DoRaw("GET", "/sources", nil, headers); status != 200 || !strings.Contains(string(body), `"total":0`) {
		t.Errorf("list with another workspace's key: %d %s, want an empty list", status, body)
	}
}

func TestPatchNullClearsVersionLabel(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.Workers = 0 }})
	id := srv.CreateSource(map[string]any{"name": "spec", "source_type": "docs", "docs_format": "openapi",
		"url": "http://127.0.0.1:1/spec.json", "doc_version_label": "v2"})
	if got := srv.MustDo(200, "PATCH", "/sources/"+id, map[string]any{"name": "renamed"}); got["doc_version_label"] != "v2" {
		t.Errorf("a PATCH without the label changed it to %v", got["doc_version_label"])
	}
	if got := srv.MustDo(200, "PATCH", "/sources/"+id, map[string]any{"doc_version_label": nil}); got["doc_version_label"] != nil {
		t.Errorf("a PATCH with null left the label %v", got["doc_version_label"])
	}
}

func TestWrongMethodGets405(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.Workers = 0 }})
	cases := []struct {
		method, path, allow string
	}{
		{"DELETE", "/sources", "GET, POST"},
		{"PUT", "/jobs/some-id", "GET"},
		{"GET", "/policy/reset", "POST"},
		{"PATCH", "/search", "GET, POST"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.URL+c.path, nil)
			gndtest.Must(t, err, "new request")
			req.Header.Set("Authorization", "Bearer "+srv.Key)
			resp, err := http.DefaultClient.Do(req)
			gndtest.Must(t, err, "send request")
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Fatalf("status %d, want 405: %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Allow"); got != c.allow {
				t.Errorf("Allow %q, want %q", got, c.allow)
			}
			if !strings.Contains(string(body), `"error"`) || !strings.Contains(string(body), c.method) {
				t.Errorf("body %s does not name the method in an error", body)
			}
		})
	}
	if status, _ := srv.DoRaw("GET", "/no-such-path", nil, nil); status != http.StatusNotFound {
		t.Errorf("unknown path: status %d, want 404", status)
	}
}

func TestMetricsReportIndexSize(t *testing.T) {
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	srv := gndtest.Start(t, gndtest.Options{})
	srv.AddSynced(map[string]any{"name": "museum", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/redocly-museum/openapi.yaml"})
	status, body := srv.DoRaw("GET", "/metrics", nil, map[string]string{"Authorization": ""})
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", status)
	}
	for _, line := range []string{"gnd_search_chunks 9", "gnd_search_vectors_pending 0"} {
		if !strings.Contains(string(body), "\n"+line+"\n") {
			t.Errorf("metrics lack the line %q", line)
		}
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.Workers = 0 }})
	status, body := srv.DoRaw("GET", "/openapi.json", nil, map[string]string{"Authorization": ""})
	if status != http.StatusOK {
		t.Fatalf("GET /openapi.json: status %d", status)
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	gndtest.Must(t, json.Unmarshal(body, &doc), "decode /openapi.json")
	routes := []string{
		"get /healthz", "get /readyz",
		"post /sources", "get /sources", "post /sources/upload", "get /sources/{id}", "patch /sources/{id}",
		"delete /sources/{id}", "post /sources/{id}/sync",
		"get /jobs", "get /jobs/{id}", "post /jobs/{id}/cancel",
		"get /search", "post /search", "post /search/rmh",
		"get /policy", "put /policy", "post /policy/reset",
		"post /keys", "get /keys", "delete /keys/{id}",
	}
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("/openapi.json does not describe %s", r)
		}
	}
}
