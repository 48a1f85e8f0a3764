package app_test

import (
	"strings"
	"testing"
)

func TestMultiHopSearchMergesNeighbours(t *testing.T) {
	repo := newGitRepo(t, "main")
	repo.write("store/client.go", goSource)
	repo.write("inventory.py", pySource)
	repo.commit("first")
	srv := startRepoServer(t)
	id := srv.CreateSource(map[string]any{"name": "demo", "source_type": "repo", "url": repo.dir})
	if job := srv.SyncAndWait(id); job["status"] != "completed" {
		t.Fatalf("sync: %v %v", job["status"], job["error_message"])
	}

	resp := srv.MustDo(200, "POST", "/search/rmh", map[string]any{"query": "Fetch", "source_ids": []string{id}, "top_k": 3})
	rmh := resp["rmh"].(map[string]any)
	if rmh["rounds_executed"] != 2.0 || rmh["secondary_search_ran"] != true || rmh["seed_result_count"].(float64) < 1 {
		t.Errorf("rmh %v, want 2 rounds with a secondary search and seed results", rmh)
	}
	if rmh["neighbors_added"].(float64) < 1 || rmh["merged_chunk_count"].(float64) < 1 {
		t.Errorf("rmh %v, want neighbours of client.go merged into the hit", rmh)
	}
	results := resp["results"].([]any)
	first := results[0].(map[string]any)
	content := first["content"].(string)
	cit := first["citation"].(map[string]any)
	if !strings.Contains(content, "func (c *Client) Fetch") || !strings.Contains(content, "func Connect") {
		t.Errorf("first result does not hold the hit and its neighbour:\n%s", content)
	}
	if cit["start_line"].(float64) > cit["end_line"].(float64) || cit["start_line"].(float64) != 1 {
		t.Errorf("merged citation lines %v-%v, want the merged range from line 1", cit["start_line"], cit["end_line"])
	}
	total := 0.0
	for _, r := range results {
		total += r.(map[string]any)["token_count"].(float64)
	}
	if total != resp["total_tokens"].(float64) || total > 4000 {
		t.Errorf("total_tokens %v, results hold %v", resp["total_tokens"], total)
	}

	// Without neighbours and a second round it is a plain search.
	plain := srv.MustDo(200, "POST", "/search/rmh", map[string]any{"query": "Fetch", "source_ids": []string{id},
		"expand_neighbors": false, "secondary_search": false})
	if r := plain["rmh"].(map[string]any); r["rounds_executed"] != 1.0 || r["neighbors_added"] != 0.0 {
		t.Errorf("plain rmh %v, want one round and no neighbours", r)
	}

	// A query at the size limit still gets its follow-up round: the added
	// terms are cut to fit.
	long := "Fetch " + strings.Repeat("client ", 584)
	long += strings.Repeat("x", 4096-len(long))
	full := srv.MustDo(200, "POST", "/search/rmh", map[string]any{"query": long, "source_ids": []string{id}})
	if r := full["rmh"].(map[string]any); r["rounds_executed"] != 2.0 {
		t.Errorf("rmh with a 4096-byte query: %v, want 2 rounds", r)
	}

	for field, value := range map[string]any{"max_rounds": 4, "neighbor_line_radius": 501} {
		status, body := srv.DoRaw("POST", "/search/rmh", map[string]any{"query": "Fetch", field: value}, nil)
		if status != 400 || !strings.Contains(string(body), field) {
			t.Errorf("%s %v: status %d %s, want 400 naming the field", field, value, status, body)
		}
	}
}
