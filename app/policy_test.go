package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

// policyServer syncs the same small site as an HTML source and the
// museum spec, so one query finds chunks of two source kinds.
func policyServer(t *testing.T) (*gndtest.Server, string, string) {
	fx := gndtest.NewFixture(t, "")
	fx.Set("/docs/index.html", []byte(`<html><head><title>Tickets</title></head><body><main><h1>Tickets</h1>
		<p>Buy museum tickets for special events at the front desk or online.</p></main></body></html>`))
	spec := `openapi: 3.1.0
info: {title: Tickets, version: "1.0"}
paths:
  /tickets:
    post:
      operationId: buyTickets
      summary: Buy museum tickets for special events
      responses: {"200": {description: OK}}
`
	fx.Set("/spec.yaml", []byte(spec))
	srv := gndtest.Start(t, gndtest.Options{})
	html := srv.CreateSource(map[string]any{"name": "site", "source_type": "docs", "url": fx.URL + "/docs/"})
	api := srv.CreateSource(map[string]any{"name": "spec", "source_type": "docs", "docs_format": "openapi", "url": fx.URL + "/spec.yaml"})
	for _, id := range []string{html, api} {
		if job := srv.SyncAndWait(id); job["status"] != "completed" {
			t.Fatalf("sync %s: %v %v", id, job["status"], job["error_message"])
		}
	}
	return srv, html, api
}

func TestPolicyPriorityOrdersSources(t *testing.T) {
	srv, html, api := policyServer(t)
	cases := []struct {
		name       string
		priorities map[string]any
		first      string
	}{
		{"openapi preferred", map[string]any{"docs_openapi": 2.0, "docs_html": 0.5}, api},
		{"html preferred", map[string]any{"docs_openapi": 0.5, "docs_html": 2.0}, html},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv.MustDo(200, "PUT", "/policy", map[string]any{"source_priorities": c.priorities})
			r := gndtest.Results(srv.Search(map[string]any{"query": "buy museum tickets special events"}))
			if len(r) < 2 {
				t.Fatalf("got %d results, want one from each source", len(r))
			}
			if got := gndtest.Citation(r[0])["source_id"]; got != c.first {
				t.Errorf("first result from source %v, want %v", got, c.first)
			}
			if r[0]["score"].(float64) < r[1]["score"].(float64) {
				t.Errorf("results are not in score order: %v then %v", r[0]["score"], r[1]["score"])
			}
		})
	}
}

func TestPolicyStalenessAndRefusal(t *testing.T) {
	srv, html, api := policyServer(t)
	srv.MustDo(200, "POST", "/policy/reset", nil)
	old := time.Now().Add(-40 * 24 * time.Hour)
	gndtest.Must(t, srv.App.DB.SetSourceSyncTime(t.Context(), html, old), "age the source")

	// The old source is stale, marked and warned about.
	resp := srv.Search(map[string]any{"query": "buy museum tickets"})
	summary := resp["staleness_summary"].(map[string]any)
	if summary["stale_sources"] != 1.0 || summary["fresh_sources"] != 1.0 || summary["staleness_budget_days"] != 30.0 {
		t.Errorf("staleness_summary %v, want 1 stale and 1 fresh with a 30-day budget", summary)
	}
	if names := summary["stale_source_names"].([]any); len(names) != 1 || names[0] != "site" {
		t.Errorf("stale_source_names %v, want [site]", names)
	}
	staleSeen := false
	for _, r := range gndtest.Results(resp) {
		if gndtest.Citation(r)["source_id"] == html {
			staleSeen = true
			if r["is_stale"] != true || r["freshness_days"].(float64) < 39.9 {
				t.Errorf("result of the old source: is_stale %v, freshness_days %v", r["is_stale"], r["freshness_days"])
			}
		}
	}
	if !staleSeen {
		t.Error("include_stale defaults to true, but the stale source has no result")
	}
	if !anyWarning(resp, "stale") {
		t.Errorf("no staleness warning in %v", resp["warnings"])
	}

	// include_stale=false drops it.
	resp = srv.MustDo(200, "GET", "/search?query=buy+museum+tickets&include_stale=false", nil)
	for _, r := range gndtest.Results(resp) {
		if gndtest.Citation(r)["source_id"] == html {
			t.Error("include_stale=false still returned the stale source")
		}
	}
	if resp["sources_searched"] != 1.0 {
		t.Errorf("sources_searched %v, want 1", resp["sources_searched"])
	}

	// Unmet thresholds with enforce_refusal: no results, insufficient, a warning naming the threshold.
	srv.MustDo(200, "PUT", "/policy", map[string]any{"enforce_refusal": true, "min_evidence_count": 5})
	resp = srv.Search(map[string]any{"query": "buy museum tickets", "source_ids": []string{api}})
	if len(gndtest.Results(resp)) != 0 || resp["evidence_quality"].(map[string]any)["confidence"] != "insufficient" {
		t.Errorf("refusal: %d results, confidence %v", len(gndtest.Results(resp)), resp["evidence_quality"])
	}
	if !anyWarning(resp, "min_evidence_count") {
		t.Errorf("refusal warning does not name min_evidence_count: %v", resp["warnings"])
	}
	srv.MustDo(200, "PUT", "/policy", map[string]any{"min_evidence_count": 1, "min_evidence_score": 0.99})
	resp = srv.Search(map[string]any{"query": "zebra quantum", "source_ids": []string{api}})
	if !anyWarning(resp, "min_evidence_score") || resp["evidence_quality"].(map[string]any)["confidence"] != "insufficient" {
		t.Errorf("score threshold: warnings %v, evidence %v", resp["warnings"], resp["evidence_quality"])
	}
}

func anyWarning(resp map[string]any, part string) bool {
	for _, w := range resp["warnings"].([]any) {
		if strings.Contains(w.(string), part) {
			return true
		}
	}
	return false
}

func TestTokenBudgetNeverExceededNorCut(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{})
	corpus := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	id := srv.CreateSource(map[string]any{"name": "discord", "source_type": "docs", "docs_format": "openapi", "url": corpus.URL + "/discord/openapi.json"})
	if job := srv.SyncAndWait(id); job["status"] != "completed" {
		t.Fatalf("sync: %v", job["error_message"])
	}
	chunks, err := srv.App.DB.Chunks(t.Context(), id)
	gndtest.Must(t, err, "read chunks")
	content := map[string]string{}
	for _, c := range chunks {
		content[c.ID] = c.Content
	}
	for _, budget := range []int{300, 1000, 2500, 4000, 32000} {
		resp := srv.Search(map[string]any{"query": "guild channel message", "max_tokens": budget, "top_k": 50})
		total := 0
		for _, r := range gndtest.Results(resp) {
			total += int(r["token_count"].(float64))
			if r["content"] != content[gndtest.Citation(r)["chunk_id"].(string)] {
				t.Errorf("budget %d: a result's content differs from its chunk: it was cut", budget)
			}
		}
		if total > budget || int(resp["total_tokens"].(float64)) != total {
			t.Errorf("budget %d: results hold %d tokens, total_tokens %v", budget, total, resp["total_tokens"])
		}
	}
}

func TestConflictsBetweenOpenAPISources(t *testing.T) {
	spec := func(kind string) []byte {
		return []byte(`openapi: 3.0.0
info: {title: Pets, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      summary: Fetch one pet by its id
      parameters:
        - {name: id, in: path, required: true, schema: {type: ` + kind + `}}
      responses: {"200": {description: OK}}
`)
	}
	fx := gndtest.NewFixture(t, "")
	fx.Set("/a.yaml", spec("string"))
	fx.Set("/b.yaml", spec("integer"))
	fx.Set("/c.yaml", spec("string"))
	srv := gndtest.Start(t, gndtest.Options{})
	ids := map[string]string{}
	for _, name := range []string{"a", "b", "c"} {
		ids[name] = srv.CreateSource(map[string]any{"name": "pets-" + name, "source_type": "docs", "docs_format": "openapi", "url": fx.URL + "/" + name + ".yaml"})
		if job := srv.SyncAndWait(ids[name]); job["status"] != "completed" {
			t.Fatalf("sync %s: %v", name, job["error_message"])
		}
	}

	// Different schemas: one conflict naming both sources and both hashes.
	resp := srv.Search(map[string]any{"query": "fetch one pet", "source_ids": []string{ids["a"], ids["b"]}})
	conflicts := resp["conflicts"].([]any)
	if len(conflicts) != 1 {
		t.Fatalf("got %d conflicts, want 1: %v", len(conflicts), conflicts)
	}
	c := conflicts[0].(map[string]any)
	hashes := c["schema_hashes"].([]any)
	if c["endpoint_key"] != "GET /pets/{id}" || len(c["sources"].([]any)) != 2 || len(hashes) != 2 || hashes[0] == hashes[1] {
		t.Errorf("conflict %v, want GET /pets/{id} with two sources and two different hashes", c)
	}
	if resp["evidence_quality"].(map[string]any)["has_conflicts"] != true {
		t.Error("evidence_quality.has_conflicts is false")
	}

	// Identical schemas: no conflict.
	resp = srv.Search(map[string]any{"query": "fetch one pet", "source_ids": []string{ids["a"], ids["c"]}})
	if n := len(resp["conflicts"].([]any)); n != 0 {
		t.Errorf("identical schemas produced %d conflicts", n)
	}
}
