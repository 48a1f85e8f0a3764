package app_test

import (
	"net/http"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

type keyTransport struct{ key string }

func (k keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+k.key)
	return http.DefaultTransport.RoundTrip(r)
}

func TestMCPToolsOverStreamableHTTP(t *testing.T) {
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	srv := gndtest.Start(t, gndtest.Options{})
	srv.AddSynced(map[string]any{"name": "museum", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/redocly-museum/openapi.yaml"})

	// Connect an MCP client with the server's key.
	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	transport := &sdk.StreamableClientTransport{Endpoint: srv.URL + "/mcp", HTTPClient: &http.Client{Transport: keyTransport{srv.Key}}, MaxRetries: -1}
	session, err := client.Connect(t.Context(), transport, nil)
	gndtest.Must(t, err, "connect MCP client")
	defer session.Close()

	tools, err := session.ListTools(t.Context(), nil)
	gndtest.Must(t, err, "list tools")
	names := map[string]bool{}
	for _, tool := range tools.Tools {
		names[tool.Name] = true
	}
	for _, want := range []string{"search", "list_sources", "get_source", "sync_source", "get_job", "list_jobs"} {
		if !names[want] {
			t.Errorf("tool %q is missing; have %v", want, names)
		}
	}

	res, err := session.CallTool(t.Context(), &sdk.CallToolParams{Name: "search", Arguments: map[string]any{"query": "buy museum tickets", "top_k": 3}})
	gndtest.Must(t, err, "call search")
	text := res.Content[0].(*sdk.TextContent).Text
	if res.IsError || !strings.Contains(text, `"citation"`) || !strings.Contains(text, "buyMuseumTickets") {
		t.Errorf("search tool returned error=%v: %.300s", res.IsError, text)
	}

	// API errors come back as tool errors with the API's message.
	res, err = session.CallTool(t.Context(), &sdk.CallToolParams{Name: "search", Arguments: map[string]any{"query": "x", "top_k": 99}})
	gndtest.Must(t, err, "call search with a bad top_k")
	if !res.IsError || !strings.Contains(res.Content[0].(*sdk.TextContent).Text, "top_k") {
		t.Errorf("bad top_k: want a tool error naming top_k, got %+v", res.Content)
	}

	// Without a key the endpoint refuses.
	resp, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{}`))
	gndtest.Must(t, err, "post without key")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/mcp without a key: status %d, want 401", resp.StatusCode)
	}
}
