// Package mcp exposes gnd to agents as Model Context Protocol tools: search
// with citations, sources and sync jobs. Every tool call becomes a request to
// the REST API with the caller's key, so authentication, workspaces, limits
// and errors are exactly the API's. The request runs in process for the /mcp
// endpoint of gnd serve, and over HTTP for gnd mcp on stdio.
package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Doer sends one API request and returns the response.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// HandlerDoer serves requests with an in-process handler, without a network.
type HandlerDoer struct{ Handler http.Handler }

// Do runs the request through the handler.
func (h HandlerDoer) Do(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	h.Handler.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// backend calls the REST API as one key.
type backend struct {
	doer Doer
	base string // e.g. "http://127.0.0.1:8080"; "http://gnd" in process
	key  string
}

// call sends a request and returns the JSON body, or an error carrying the
// API's message for 4xx and 5xx responses.
func (b *backend) call(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+b.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.doer.Do(req)
	if err != nil {
		return nil, fmt.Errorf("call gnd API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read gnd API response: %w", err)
	}
	if resp.StatusCode >= 400 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
		}
		return nil, fmt.Errorf("%s (HTTP %d)", e.Error, resp.StatusCode)
	}
	return data, nil
}

// SearchInput is the input of the search tool.
type SearchInput struct {
	Query        string   `json:"query" jsonschema:"the question or identifiers to look up"`
	SourceIDs    []string `json:"source_ids,omitempty" jsonschema:"only search these sources"`
	TopK         int      `json:"top_k,omitempty" jsonschema:"number of results, 1 to 50 (default 10)"`
	MaxTokens    int      `json:"max_tokens,omitempty" jsonschema:"token budget of all results, 1 to 32000 (default 4000)"`
	IncludeStale *bool    `json:"include_stale,omitempty" jsonschema:"include sources not synced within the staleness budget (default true)"`
}

// SourceIDInput names one source.
type SourceIDInput struct {
	ID string `json:"id" jsonschema:"the source id"`
}

// JobIDInput names one job.
type JobIDInput struct {
	ID string `json:"id" jsonschema:"the job id"`
}

// ListJobsInput filters the job list.
type ListJobsInput struct {
	SourceID string `json:"source_id,omitempty" jsonschema:"only jobs of this source"`
	Status   string `json:"status,omitempty" jsonschema:"pending, running, completed, failed or cancelled"`
}

// NoInput is the input of tools without parameters.
type NoInput struct{}

// NewServer returns an MCP server whose tools call the API through doer at
// base with key.
func NewServer(doer Doer, base, key, version string) *sdk.Server {
	b := &backend{doer: doer, base: strings.TrimRight(base, "/"), key: key}
	s := sdk.NewServer(&sdk.Implementation{Name: "gnd", Version: version}, nil)
	sdk.AddTool(s, &sdk.Tool{Name: "search", Description: "Search the indexed documentation, API specs, code and PDFs. " +
		"Returns chunks with citations (path, symbol, line range, version), freshness and an evidence rating."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in SearchInput) (*sdk.CallToolResult, any, error) {
			body := map[string]any{"query": in.Query}
			if len(in.SourceIDs) > 0 {
				body["source_ids"] = in.SourceIDs
			}
			if in.TopK != 0 {
				body["top_k"] = in.TopK
			}
			if in.MaxTokens != 0 {
				body["max_tokens"] = in.MaxTokens
			}
			if in.IncludeStale != nil {
				body["include_stale"] = *in.IncludeStale
			}
			return result(b.call(ctx, "POST", "/search", body))
		})
	sdk.AddTool(s, &sdk.Tool{Name: "list_sources", Description: "List the sources of the workspace with their sync status."},
		func(ctx context.Context, _ *sdk.CallToolRequest, _ NoInput) (*sdk.CallToolResult, any, error) {
			return result(b.call(ctx, "GET", "/sources?limit=100", nil))
		})
	sdk.AddTool(s, &sdk.Tool{Name: "get_source", Description: "Show one source."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in SourceIDInput) (*sdk.CallToolResult, any, error) {
			return result(b.call(ctx, "GET", "/sources/"+url.PathEscape(in.ID), nil))
		})
	sdk.AddTool(s, &sdk.Tool{Name: "sync_source", Description: "Start a sync job for a source; returns the job id."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in SourceIDInput) (*sdk.CallToolResult, any, error) {
			return result(b.call(ctx, "POST", "/sources/"+url.PathEscape(in.ID)+"/sync", nil))
		})
	sdk.AddTool(s, &sdk.Tool{Name: "get_job", Description: "Show a sync job: status, stage, progress, counts and errors."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in JobIDInput) (*sdk.CallToolResult, any, error) {
			return result(b.call(ctx, "GET", "/jobs/"+url.PathEscape(in.ID), nil))
		})
	sdk.AddTool(s, &sdk.Tool{Name: "list_jobs", Description: "List sync jobs, newest first."},
		func(ctx context.Context, _ *sdk.CallToolRequest, in ListJobsInput) (*sdk.CallToolResult, any, error) {
			q := url.Values{"limit": {"50"}}
			if in.SourceID != "" {
				q.Set("source_id", in.SourceID)
			}
			if in.Status != "" {
				q.Set("status", in.Status)
			}
			return result(b.call(ctx, "GET", "/jobs?"+q.Encode(), nil))
		})
	return s
}

// result turns an API response into a tool result: the JSON as text, or the
// API's error message marked as a tool error so the agent can correct itself.
func result(data json.RawMessage, err error) (*sdk.CallToolResult, any, error) {
	if err != nil {
		return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: err.Error()}}}, nil, nil
	}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(data)}}}, nil, nil
}

// HTTPHandler serves MCP over streamable HTTP. Each session's tools act with
// the key of its first request (Authorization: Bearer or X-API-Key). The
// tools call api, the REST handler, in process.
func HTTPHandler(api http.Handler, version string) http.Handler {
	h := sdk.NewStreamableHTTPHandler(func(r *http.Request) *sdk.Server {
		return NewServer(HandlerDoer{Handler: api}, "http://gnd", requestKey(r), version)
	}, nil)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requestKey(r) == "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error": "Missing API key: send \"Authorization: Bearer gnd_…\" or \"X-API-Key: gnd_…\""}`+"\n")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func requestKey(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, value, ok := strings.Cut(auth, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(value)
		}
		return ""
	}
	return r.Header.Get("X-API-Key")
}
