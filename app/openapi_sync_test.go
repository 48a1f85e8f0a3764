package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
	"github.com/gndhq/gnd/parse/openapi"
)

// corpusSpecs are the real specs of the corpus with their operation counts
// (paths × methods plus webhooks) and info.version.
var corpusSpecs = []struct {
	name, path string
	operations int
}{
	{"discord", "discord/openapi.json", 242},
	{"openai", "openai/openapi.yaml", 122},
	{"go-admin-json", "go-admin/admin_swagger.json", 76},
	{"go-admin-yaml", "go-admin/admin_swagger.yaml", 76},
	{"kubernetes", "kubernetes-apiextensions-v1/v1.json", 13},
	{"petstore-separate", "oai-petstore-separate/spec/swagger.json", 4},
	{"uspto", "oai-uspto/uspto.yaml", 3},
	{"museum", "redocly-museum/openapi.yaml", 9},
	{"webhook-only", "oai-webhook-example/webhook-example.yaml", 1},
}

func TestOpenAPICorpusSyncs(t *testing.T) {
	for _, backend := range gndtest.Backends() {
		t.Run(backend, func(t *testing.T) {
			dir := testcorpus.Path(t, "openapi")
			fx := gndtest.NewFixture(t, dir)
			srv := gndtest.Start(t, gndtest.Options{Backend: backend})
			for _, spec := range corpusSpecs {
				t.Run(spec.name, func(t *testing.T) {
					checkSpecSync(t, srv, fx, dir, spec.path, spec.operations)
				})
			}
		})
	}
}

func checkSpecSync(t *testing.T, srv *gndtest.Server, fx *gndtest.Fixture, dir, path string, wantOps int) {
	url := fx.URL + "/" + path
	id := srv.CreateSource(map[string]any{"name": path, "source_type": "docs", "docs_format": "openapi", "url": url})
	job := srv.SyncAndWait(id)
	if job["status"] != "completed" {
		t.Fatalf("job status %v, error %v %v", job["status"], job["error_message"], job["error_details"])
	}
	if got := int(job["chunks_created"].(float64)); got != wantOps {
		t.Errorf("chunks_created = %d, want %d", got, wantOps)
	}
	if got := int(job["files_processed"].(float64)); got != wantOps {
		t.Errorf("files_processed = %d, want %d operations", got, wantOps)
	}
	src := srv.MustDo(200, "GET", "/sources/"+id, nil)
	if got := int(src["chunk_count"].(float64)); got != wantOps {
		t.Errorf("source chunk_count = %d, want %d", got, wantOps)
	}
	if got := int(src["file_count"].(float64)); got != wantOps {
		t.Errorf("source file_count = %d, want %d", got, wantOps)
	}

	// The version is info.version of the spec, read independently here.
	spec := parseLocal(t, filepath.Join(dir, path))
	if src["version_ref"] != spec.Version {
		t.Errorf("version_ref = %v, want info.version %q", src["version_ref"], spec.Version)
	}

	// A summary phrase finds its operation first, with a citation.
	op, ok := distinctiveOperation(spec)
	if !ok {
		return
	}
	resp := srv.Search(map[string]any{"query": op.Summary, "source_ids": []string{id}})
	results := gndtest.Results(resp)
	if len(results) == 0 {
		t.Fatalf("search %q returned no results", op.Summary)
	}
	cit := gndtest.Citation(results[0])
	wantSymbol := op.OperationID
	if wantSymbol == "" {
		wantSymbol = op.Key
	}
	if cit["symbol"] != wantSymbol {
		t.Errorf("search %q: first result symbol %v, want %q", op.Summary, cit["symbol"], wantSymbol)
	}
	if cit["path"] != url || cit["version_ref"] != spec.Version || cit["chunk_type"] != "openapi" || cit["source_id"] != id {
		t.Errorf("citation %v does not name the spec URL %s, version %s, chunk_type openapi and source %s", cit, url, spec.Version, id)
	}
}

func parseLocal(t *testing.T, path string) *openapi.Spec {
	t.Helper()
	body, err := os.ReadFile(path)
	gndtest.Must(t, err, "read spec")
	load := func(_ context.Context, ref string) ([]byte, error) {
		return os.ReadFile(strings.TrimPrefix(ref, "file://"))
	}
	spec, err := openapi.Parse(context.Background(), "file://"+path, body, load)
	gndtest.Must(t, err, "parse spec")
	return spec
}

// distinctiveOperation picks the operation with the longest summary that no
// other operation of the spec shares.
func distinctiveOperation(spec *openapi.Spec) (openapi.Operation, bool) {
	count := map[string]int{}
	for _, op := range spec.Operations {
		count[strings.ToLower(op.Summary)]++
	}
	var best openapi.Operation
	for _, op := range spec.Operations {
		if op.Summary == "" || count[strings.ToLower(op.Summary)] > 1 {
			continue
		}
		if len(op.Summary) > len(best.Summary) {
			best = op
		}
	}
	return best, best.Summary != ""
}

func TestOpenAPIStagesMoveForward(t *testing.T) {
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	srv := gndtest.Start(t, gndtest.Options{})
	id := srv.CreateSource(map[string]any{"name": "discord", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/discord/openapi.json"})
	job, seen := srv.WaitJob(srv.Sync(id), time.Minute)
	if job["status"] != "completed" {
		t.Fatalf("status %v: %v", job["status"], job["error_message"])
	}
	order := map[string]int{"queued": 0, "fetch": 1, "parse": 2, "chunk": 3, "embed": 4, "index": 5, "finalize": 6}
	for i := 1; i < len(seen); i++ {
		prev, cur := seen[i-1], seen[i]
		if order[cur.Stage] < order[prev.Stage] {
			t.Errorf("stage went back from %s to %s (observations %v)", prev.Stage, cur.Stage, seen)
		}
		if cur.Percent < prev.Percent {
			t.Errorf("progress went down from %d to %d (observations %v)", prev.Percent, cur.Percent, seen)
		}
	}
	if job["stage"] != "finalize" || job["progress_percent"].(float64) != 100 || job["progress_message"] != "Done" {
		t.Errorf("completed job shows %v/%v/%v, want finalize/100/Done", job["stage"], job["progress_percent"], job["progress_message"])
	}
	if job["completed_at"] == nil || job["started_at"] == nil {
		t.Errorf("completed job lacks started_at or completed_at: %v", job)
	}
	for _, field := range []string{"id", "source_id", "status", "stage", "progress_percent", "progress_message", "stage_details",
		"files_processed", "chunks_created", "chunks_updated", "chunks_deleted", "error_message", "error_details",
		"retry_count", "created_at", "started_at", "completed_at"} {
		if _, ok := job[field]; !ok {
			t.Errorf("job lacks field %q", field)
		}
	}
	t.Logf("observed %d distinct states: %s", len(seen), fmt.Sprint(seen))
}
