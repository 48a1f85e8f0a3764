package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/app"
	"github.com/gndhq/gnd/config"
	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

func openAPISource(srv *gndtest.Server, url string) string {
	return srv.CreateSource(map[string]any{"name": "spec", "source_type": "docs", "docs_format": "openapi", "url": url})
}

func TestMissingSpecFailsAfterRetries(t *testing.T) {
	for _, backend := range gndtest.Backends() {
		t.Run(backend, func(t *testing.T) {
			fx := gndtest.NewFixture(t, "")
			srv := gndtest.Start(t, gndtest.Options{Backend: backend})
			url := fx.URL + "/missing/openapi.json"
			job := srv.SyncAndWait(openAPISource(srv, url))

			if job["status"] != "failed" || job["stage"] != "fetch" {
				t.Fatalf("job ended %v at stage %v, want failed at fetch", job["status"], job["stage"])
			}
			if job["error_message"] != "Failed to fetch URL: 404 Not Found" {
				t.Errorf("error_message = %q", job["error_message"])
			}
			if got := job["retry_count"].(float64); got != 3 {
				t.Errorf("retry_count = %v, want the default max_retries 3", got)
			}
			if hits := fx.Hits("/missing/openapi.json"); hits != 4 {
				t.Errorf("spec was requested %d times, want 4 (one attempt and 3 retries)", hits)
			}
			details, _ := job["error_details"].(map[string]any)
			if details["url"] != url || details["status_code"] != 404.0 || details["stage"] != "fetch" || details["retryable"] != true {
				t.Errorf("error_details = %v", details)
			}
			if job["stage_details"] != nil {
				t.Errorf("failed job keeps stage_details %v, want null", job["stage_details"])
			}
			if job["completed_at"] == nil {
				t.Error("failed job has no completed_at")
			}
			src := srv.MustDo(200, "GET", "/sources/"+job["source_id"].(string), nil)
			if src["status"] != "error" || src["last_error"] != "Failed to fetch URL: 404 Not Found" {
				t.Errorf("source status %v, last_error %v", src["status"], src["last_error"])
			}
		})
	}
}

func TestInvalidSpecFailsAtOnceWithPosition(t *testing.T) {
	fx := gndtest.NewFixture(t, "")
	srv := gndtest.Start(t, gndtest.Options{})
	cases := map[string]string{
		"/broken.json": "{\n  \"openapi\": \"3.0.0\",\n  \"info\": {\"title\": \"x\",\n}",
		"/broken.yaml": "openapi: 3.0.0\ninfo:\n  title: x\n\tversion: 1\n",
	}
	for path, body := range cases {
		t.Run(path, func(t *testing.T) {
			fx.Set(path, []byte(body))
			job := srv.SyncAndWait(openAPISource(srv, fx.URL+path))
			if job["status"] != "failed" || job["stage"] != "parse" {
				t.Fatalf("job ended %v at %v, want failed at parse", job["status"], job["stage"])
			}
			msg, _ := job["error_message"].(string)
			if !strings.Contains(msg, "line") {
				t.Errorf("error_message %q does not give the parse position", msg)
			}
			if job["retry_count"].(float64) != 0 {
				t.Errorf("an invalid spec was retried %v times; it cannot succeed on retry", job["retry_count"])
			}
			details, _ := job["error_details"].(map[string]any)
			if details["retryable"] != false || details["line"] == nil {
				t.Errorf("error_details = %v, want retryable false and a line", details)
			}
		})
	}
}

func TestSyncConflictAndCancelRules(t *testing.T) {
	for _, backend := range gndtest.Backends() {
		t.Run(backend, func(t *testing.T) {
			fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
			srv := gndtest.Start(t, gndtest.Options{Backend: backend, Configure: func(c *config.Config) { c.Workers = 0 }})
			id := openAPISource(srv, fx.URL+"/oai-uspto/uspto.yaml")
			jobID := srv.Sync(id)

			// A second sync while the first is pending conflicts and names it.
			status, body := srv.Do("POST", "/sources/"+id+"/sync", nil)
			if status != http.StatusConflict || body["job_id"] != jobID || !strings.Contains(body["error"].(string), jobID) {
				t.Errorf("second sync: status %d body %v, want 409 naming job %s", status, body, jobID)
			}

			// Cancelling the pending job takes effect in the response.
			job := srv.MustDo(200, "POST", "/jobs/"+jobID+"/cancel", nil)
			if job["status"] != "cancelled" || job["completed_at"] == nil {
				t.Errorf("cancel response %v, want cancelled with completed_at", job)
			}
			status, body = srv.Do("POST", "/jobs/"+jobID+"/cancel", nil)
			want := "Job " + jobID + " is already cancelled and cannot be cancelled"
			if status != http.StatusConflict || body["error"] != want {
				t.Errorf("second cancel: %d %v, want 409 %q", status, body, want)
			}
			status, body = srv.Do("GET", "/jobs/00000000-0000-0000-0000-000000000000", nil)
			if status != 404 || body["error"] != "Job 00000000-0000-0000-0000-000000000000 not found" {
				t.Errorf("unknown job: %d %v", status, body)
			}
			// After the cancel a new sync is accepted.
			srv.Sync(id)
		})
	}
}

// stageGate blocks a job at one stage until its context is cancelled and
// records when the worker saw the cancellation.
type stageGate struct {
	stage   gnd.Stage
	mu      sync.Mutex
	reached chan struct{}
	stopped time.Time
	armed   bool
}

func (g *stageGate) hook(ctx context.Context, job *gnd.Job, stage gnd.Stage) error {
	g.mu.Lock()
	armed := g.armed && stage == g.stage
	g.mu.Unlock()
	if !armed {
		return nil
	}
	close(g.reached)
	<-ctx.Done()
	g.mu.Lock()
	g.stopped = time.Now()
	g.mu.Unlock()
	return ctx.Err()
}

func TestCancelRunningJobAtEachStageLeavesIndexUnchanged(t *testing.T) {
	for _, backend := range gndtest.Backends() {
		for _, stage := range []gnd.Stage{gnd.StageFetch, gnd.StageParse, gnd.StageChunk, gnd.StageEmbed, gnd.StageIndex, gnd.StageFinalize} {
			t.Run(backend+"/"+string(stage), func(t *testing.T) {
				gate := &stageGate{stage: stage, reached: make(chan struct{})}
				srv := gndtest.Start(t, gndtest.Options{Backend: backend, Setup: func(a *app.App) { a.Runner.Hooks.BeforeStage = gate.hook }})
				fx := gndtest.NewFixture(t, "")
				spec := goAdminSpec(t)
				fx.Set("/spec.json", mustJSON(t, spec))
				id := openAPISource(srv, fx.URL+"/spec.json")
				if job := srv.SyncAndWait(id); job["status"] != "completed" {
					t.Fatalf("first sync: %v %v", job["status"], job["error_message"])
				}
				before := chunkSnapshot(t, srv, id)

				// Change the spec so a finished re-sync would change the index.
				changeSpec(spec)
				fx.Set("/spec.json", mustJSON(t, spec))
				gate.mu.Lock()
				gate.armed = true
				gate.mu.Unlock()
				jobID := srv.Sync(id)
				select {
				case <-gate.reached:
				case <-time.After(30 * time.Second):
					t.Fatalf("job never reached stage %s", stage)
				}
				cancelledAt := time.Now()
				job := srv.MustDo(200, "POST", "/jobs/"+jobID+"/cancel", nil)
				if job["status"] != "cancelled" {
					t.Fatalf("cancel response status %v", job["status"])
				}
				final, _ := srv.WaitJob(jobID, 5*time.Second)
				deadline := time.Now().Add(2 * time.Second)
				for {
					gate.mu.Lock()
					stopped := gate.stopped
					gate.mu.Unlock()
					if !stopped.IsZero() {
						if d := stopped.Sub(cancelledAt); d > time.Second {
							t.Errorf("worker noticed the cancel after %s, want within 1s", d)
						}
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("worker did not stop within 2s of the cancel")
					}
					time.Sleep(10 * time.Millisecond)
				}
				time.Sleep(300 * time.Millisecond) // let any stray write land
				if final["status"] != "cancelled" {
					t.Errorf("job status %v after cancel, want cancelled", final["status"])
				}
				after := srv.MustDo(200, "GET", "/jobs/"+jobID, nil)
				if after["status"] != "cancelled" {
					t.Errorf("job flipped to %v after the cancel", after["status"])
				}
				if got := chunkSnapshot(t, srv, id); got != before {
					t.Errorf("chunks changed by a cancelled job")
				}
			})
		}
	}
}

// chunkSnapshot returns the source's chunk ids and hashes as one string.
func chunkSnapshot(t *testing.T, srv *gndtest.Server, sourceID string) string {
	t.Helper()
	chunks, err := srv.App.DB.Chunks(context.Background(), sourceID)
	gndtest.Must(t, err, "read chunks")
	var b strings.Builder
	for _, c := range chunks {
		b.WriteString(c.ID + " " + c.Key + " " + c.ContentHash + "\n")
	}
	return b.String()
}

func goAdminSpec(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(testcorpus.Path(t, "openapi", "go-admin", "admin_swagger.json"))
	gndtest.Must(t, err, "read go-admin spec")
	var spec map[string]any
	gndtest.Must(t, json.Unmarshal(data, &spec), "decode go-admin spec")
	return spec
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	gndtest.Must(t, err, "encode JSON")
	return data
}

// changeSpec adds one operation, edits one summary and removes one
// operation of the go-admin spec.
func changeSpec(spec map[string]any) {
	paths := spec["paths"].(map[string]any)
	paths["/api/v1/added-by-test"] = map[string]any{"get": map[string]any{
		"summary": "Operation added by the test", "operationId": "addedByTest",
		"responses": map[string]any{"200": map[string]any{"description": "OK"}}}}
	login := paths["/api/v1/sys-login-log"].(map[string]any)["get"].(map[string]any)
	login["summary"] = "Login log list, edited by the test"
	delete(paths["/api/v1/sys-login-log"].(map[string]any), "delete")
}

func TestResyncCountsExactChanges(t *testing.T) {
	for _, backend := range gndtest.Backends() {
		t.Run(backend, func(t *testing.T) {
			srv := gndtest.Start(t, gndtest.Options{Backend: backend})
			fx := gndtest.NewFixture(t, "")
			spec := goAdminSpec(t)
			fx.Set("/spec.json", mustJSON(t, spec))
			id := openAPISource(srv, fx.URL+"/spec.json")
			first := srv.SyncAndWait(id)
			if first["status"] != "completed" || first["chunks_created"].(float64) != 76 {
				t.Fatalf("first sync: %v created %v", first["status"], first["chunks_created"])
			}
			before := chunkSnapshot(t, srv, id)

			// Unchanged spec: nothing created, updated or deleted.
			again := srv.SyncAndWait(id)
			assertCounts(t, "unchanged re-sync", again, 0, 0, 0)
			if got := chunkSnapshot(t, srv, id); got != before {
				t.Error("an unchanged re-sync rewrote chunks")
			}
			if src := srv.MustDo(200, "GET", "/sources/"+id, nil); src["chunk_count"].(float64) != 76 || src["file_count"].(float64) != 76 {
				t.Errorf("after unchanged re-sync chunk_count %v file_count %v, want 76", src["chunk_count"], src["file_count"])
			}

			// One operation added, one edited, one removed.
			changeSpec(spec)
			fx.Set("/spec.json", mustJSON(t, spec))
			changed := srv.SyncAndWait(id)
			assertCounts(t, "changed re-sync", changed, 1, 1, 1)

			resp := srv.Search(map[string]any{"query": "Operation added by the test", "source_ids": []string{id}})
			if r := gndtest.Results(resp); len(r) == 0 || gndtest.Citation(r[0])["symbol"] != "addedByTest" {
				t.Errorf("the added operation is not the first result: %v", r)
			}
		})
	}
}

func assertCounts(t *testing.T, what string, job map[string]any, created, updated, deleted float64) {
	t.Helper()
	if job["status"] != "completed" {
		t.Fatalf("%s: status %v: %v", what, job["status"], job["error_message"])
	}
	if job["chunks_created"] != created || job["chunks_updated"] != updated || job["chunks_deleted"] != deleted {
		t.Errorf("%s: created/updated/deleted = %v/%v/%v, want %v/%v/%v", what,
			job["chunks_created"], job["chunks_updated"], job["chunks_deleted"], created, updated, deleted)
	}
}

func TestResyncSeesChangedReferencedFile(t *testing.T) {
	src := testcorpus.Path(t, "openapi", "oai-petstore-separate")
	fx := gndtest.NewFixture(t, "")
	for _, name := range []string{"spec/swagger.json", "spec/Pet.json", "spec/NewPet.json", "spec/parameters.json", "common/Error.json"} {
		data, err := os.ReadFile(src + "/" + name)
		gndtest.Must(t, err, "read "+name)
		fx.Set("/"+name, data)
	}
	srv := gndtest.Start(t, gndtest.Options{})
	id := openAPISource(srv, fx.URL+"/spec/swagger.json")
	if job := srv.SyncAndWait(id); job["status"] != "completed" || job["chunks_created"] != 4.0 {
		t.Fatalf("first sync: %v, created %v", job["status"], job["chunks_created"])
	}
	assertCounts(t, "unchanged re-sync", srv.SyncAndWait(id), 0, 0, 0)

	// Only a referenced file changes: the operations that use it are updated.
	pet, err := os.ReadFile(src + "/spec/Pet.json")
	gndtest.Must(t, err, "read Pet.json")
	fx.Set("/spec/Pet.json", []byte(strings.Replace(string(pet), `"properties": {`, `"properties": {"nickname": {"type": "string"},`, 1)))
	job := srv.SyncAndWait(id)
	if job["status"] != "completed" || job["chunks_updated"].(float64) == 0 {
		t.Errorf("after Pet.json changed: status %v, updated %v, want the operations using Pet updated", job["status"], job["chunks_updated"])
	}
}

func TestRedirectLoopFailsWithoutRetries(t *testing.T) {
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(loop.Close)
	srv := gndtest.Start(t, gndtest.Options{})
	job := srv.SyncAndWait(openAPISource(srv, loop.URL+"/spec.json"))
	details, _ := job["error_details"].(map[string]any)
	if job["status"] != "failed" || job["retry_count"] != 0.0 || details["retryable"] != false ||
		!strings.Contains(job["error_message"].(string), "redirects") {
		t.Errorf("redirect loop: status %v, retries %v, message %v, details %v; want an immediate failure naming the redirects",
			job["status"], job["retry_count"], job["error_message"], details)
	}
}
