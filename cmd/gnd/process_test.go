package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

const testKey = "gnd_process" + "0123456789abcdefghijklmnopqrstuvwxyz"

// buildBinary compiles gnd once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gnd")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build gnd: %v", err)
	}
	return bin
}

// process is a gnd serve child process.
type process struct {
	cmd *exec.Cmd
	url string
	out syncBuffer
}

// syncBuffer collects a child's stderr while the test may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startProcess(t *testing.T, bin string, env []string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, "serve", "--addr", "127.0.0.1:0")}
	p.cmd.Env = append(os.Environ(), env...)
	stdout, err := p.cmd.StdoutPipe()
	gndtest.Must(t, err, "stdout pipe")
	p.cmd.Stderr = &p.out
	gndtest.Must(t, p.cmd.Start(), "start gnd serve")
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	lines := bufio.NewScanner(stdout)
	deadline := time.After(30 * time.Second)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if addr, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
				found <- addr
			}
		}
	}()
	select {
	case p.url = <-found:
	case <-deadline:
		t.Fatalf("gnd serve did not print its address; stderr:\n%s", p.out.String())
	}
	return p
}

func (p *process) do(t *testing.T, method, path string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, p.url+path, nil)
	req.Header.Set("X-API-Key", testKey)
	resp, err := http.DefaultClient.Do(req)
	gndtest.Must(t, err, method+" "+path)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(data, &out)
	return out
}

func (p *process) post(t *testing.T, path, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", p.url+path, strings.NewReader(body))
	req.Header.Set("X-API-Key", testKey)
	resp, err := http.DefaultClient.Do(req)
	gndtest.Must(t, err, "POST "+path)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(data, &out)
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, data)
	}
	return out
}

// waitForJob waits until the job is completed or failed and returns it.
func (p *process) waitForJob(t *testing.T, description, jobID string, timeout time.Duration) map[string]any {
	t.Helper()
	var job map[string]any
	waitFor(t, description, timeout, func() bool {
		job = p.do(t, "GET", "/jobs/"+jobID)
		return job["status"] == "completed" || job["status"] == "failed"
	})
	return job
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestKilledServerJobIsTakenOverAfterLease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server process")
	}
	bin := buildBinary(t)
	for _, backend := range gndtest.Backends() {
		t.Run(backend, func(t *testing.T) {
			fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
			fx.SetDelay("/discord/openapi.json", 3*time.Second)
			env := []string{"GND_DATA_DIR=" + t.TempDir(), "GND_API_KEY=" + testKey, "GND_ALLOW_PRIVATE_NETWORKS=true",
				"GND_JOB_LEASE=2s", "GND_RETRY_BACKOFF=10ms", "GND_POLL_INTERVAL=50ms", "GND_LOG_FORMAT=text",
				"GND_DATABASE_URL=" + gndtest.DatabaseURL(t, backend)}
			p := startProcess(t, bin, env)
			src := p.post(t, "/sources", fmt.Sprintf(`{"name":"discord","source_type":"docs","docs_format":"openapi","url":%q,"sync":true}`,
				fx.URL+"/discord/openapi.json"))
			jobID := src["job_id"].(string)
			waitFor(t, "the job to run", 10*time.Second, func() bool { return p.do(t, "GET", "/jobs/"+jobID)["status"] == "running" })

			// Kill the process in the middle of the fetch.
			gndtest.Must(t, p.cmd.Process.Signal(syscall.SIGKILL), "kill gnd")
			p.cmd.Wait()
			fx.SetDelay("/discord/openapi.json", 0)

			// The restarted process takes the job over once the lease expires.
			restarted := time.Now()
			p2 := startProcess(t, bin, env)
			job := p2.waitForJob(t, "the job to complete", jobID, 30*time.Second)
			if job["status"] != "completed" {
				t.Fatalf("job ended %v: %v\nstderr:\n%s", job["status"], job["error_message"], p2.out.String())
			}
			t.Logf("taken over and completed %s after the restart", time.Since(restarted).Round(time.Millisecond))
			t.Logf("stderr of the restarted process:\n%s", p2.out.String())
			if job["retry_count"].(float64) != 1 {
				t.Errorf("retry_count %v, want 1: the lost worker counts as a failed attempt", job["retry_count"])
			}
			if job["chunks_created"].(float64) != 242 {
				t.Errorf("chunks_created %v, want 242", job["chunks_created"])
			}
			source := p2.do(t, "GET", "/sources/"+src["id"].(string))
			if source["chunk_count"].(float64) != 242 {
				t.Errorf("chunk_count %v, want 242: chunks were duplicated or lost", source["chunk_count"])
			}
			if running := p2.do(t, "GET", "/jobs?status=running"); running["total"].(float64) != 0 {
				t.Errorf("%v jobs still running", running["total"])
			}
		})
	}
}

func TestTerminatedServerReleasesJob(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and stops a server process")
	}
	bin := buildBinary(t)
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	fx.SetDelay("/openai/openapi.yaml", 5*time.Second)
	env := []string{"GND_DATA_DIR=" + t.TempDir(), "GND_API_KEY=" + testKey, "GND_ALLOW_PRIVATE_NETWORKS=true",
		"GND_JOB_LEASE=30s", "GND_POLL_INTERVAL=50ms"}
	p := startProcess(t, bin, env)
	src := p.post(t, "/sources", fmt.Sprintf(`{"name":"openai","source_type":"docs","docs_format":"openapi","url":%q,"sync":true}`,
		fx.URL+"/openai/openapi.yaml"))
	jobID := src["job_id"].(string)
	waitFor(t, "the job to run", 10*time.Second, func() bool { return p.do(t, "GET", "/jobs/"+jobID)["status"] == "running" })

	// SIGTERM stops gracefully and hands the job back without waiting for the lease.
	gndtest.Must(t, p.cmd.Process.Signal(syscall.SIGTERM), "terminate gnd")
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("gnd serve exited with %v after SIGTERM\nstderr:\n%s", err, p.out.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("gnd serve did not stop within 15s of SIGTERM")
	}
	fx.SetDelay("/openai/openapi.yaml", 0)
	p2 := startProcess(t, bin, env)
	job := p2.waitForJob(t, "the released job to complete", jobID, 20*time.Second)
	if job["status"] != "completed" || job["retry_count"].(float64) != 0 {
		t.Errorf("released job ended %v with retry_count %v, want completed with 0", job["status"], job["retry_count"])
	}
}

func TestWorkerProcessSyncsForAPIProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two processes")
	}
	hasPostgres := false
	for _, b := range gndtest.Backends() {
		hasPostgres = hasPostgres || b == "postgres"
	}
	if !hasPostgres {
		t.Skip("separate serve and worker processes share a PostgreSQL database; GND_TEST_POSTGRES_URL is not set")
	}
	bin := buildBinary(t)
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	env := []string{"GND_DATA_DIR=" + t.TempDir(), "GND_API_KEY=" + testKey, "GND_ALLOW_PRIVATE_NETWORKS=true",
		"GND_POLL_INTERVAL=50ms", "GND_SEARCH_REFRESH=200ms", "GND_LOG_FORMAT=text",
		"GND_DATABASE_URL=" + gndtest.DatabaseURL(t, "postgres")}
	api := startProcess(t, bin, append(env, "GND_WORKERS=0"))

	worker := &process{cmd: exec.Command(bin, "worker")}
	worker.cmd.Env = append(os.Environ(), env...)
	worker.cmd.Stderr = &worker.out
	stdout, err := worker.cmd.StdoutPipe()
	gndtest.Must(t, err, "stdout pipe")
	gndtest.Must(t, worker.cmd.Start(), "start gnd worker")
	t.Cleanup(func() {
		worker.cmd.Process.Signal(syscall.SIGTERM)
		worker.cmd.Wait()
	})
	started := make(chan bool, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if lines.Text() == "worker started" {
				started <- true
			}
		}
	}()
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatalf("gnd worker did not start; stderr:\n%s", worker.out.String())
	}

	src := api.post(t, "/sources", fmt.Sprintf(`{"name":"museum","source_type":"docs","docs_format":"openapi","url":%q,"sync":true}`,
		fx.URL+"/redocly-museum/openapi.yaml"))
	jobID := src["job_id"].(string)
	job := api.waitForJob(t, "the worker to complete the job", jobID, 30*time.Second)
	if job["status"] != "completed" {
		t.Fatalf("job ended %v: %v\nworker stderr:\n%s", job["status"], job["error_message"], worker.out.String())
	}
	results := api.do(t, "GET", "/search?query=museum+tickets")["results"]
	if list, _ := results.([]any); len(list) == 0 {
		t.Errorf("the API process found nothing after the worker's sync; response results %v", results)
	}
	if strings.Contains(worker.out.String(), "search index loaded") {
		t.Errorf("the worker loaded a search index it never serves; stderr:\n%s", worker.out.String())
	}
}
