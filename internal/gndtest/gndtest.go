// Package gndtest starts real gnd processes for end-to-end tests: an App on a
// loopback listener over a fresh SQLite or PostgreSQL database, with fixture
// HTTP servers on loopback and helpers to drive the REST API.
package gndtest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gndhq/gnd/app"
	"github.com/gndhq/gnd/config"
)

// PostgresEnv names the environment variable with an admin URL of a
// PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres). When
// set, tests run on PostgreSQL too; each test gets its own database.
const PostgresEnv = "GND_TEST_POSTGRES_URL"

// Backends returns the storage backends to test: "sqlite" always, and
// "postgres" when PostgresEnv is set.
func Backends() []string {
	if os.Getenv(PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// DatabaseURL returns "" for sqlite, or the URL of a new, empty PostgreSQL
// database that is dropped when the test ends.
func DatabaseURL(tb testing.TB, backend string) string {
	tb.Helper()
	if backend != "postgres" {
		return ""
	}
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		tb.Skip(PostgresEnv + " is not set")
	}
	name := "gnd_test_" + strings.ReplaceAll(uuid.NewString()[:13], "-", "")
	db, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatalf("open postgres admin connection: %v", err)
	}
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		db.Close()
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		db.Close()
	})
	return replaceDatabase(admin, name)
}

func replaceDatabase(url, name string) string {
	q := ""
	if i := strings.IndexByte(url, '?'); i >= 0 {
		url, q = url[:i], url[i:]
	}
	if i := strings.LastIndexByte(url, '/'); i > len("postgres://") {
		url = url[:i]
	}
	return url + "/" + name + q
}

// Options adjust the server a test starts.
type Options struct {
	Backend string // "sqlite" (default) or "postgres"
	// DataDir and DatabaseURL reuse an existing database (for restarts).
	DataDir     string
	DatabaseURL string
	// Configure changes the config after the test defaults are applied.
	Configure func(*config.Config)
	// Setup changes the assembled app before it serves (e.g. test hooks).
	Setup func(*app.App)
}

// Server is a running gnd process inside the test.
type Server struct {
	URL         string
	Key         string
	App         *app.App
	DataDir     string
	DatabaseURL string
	t           testing.TB
	stop        context.CancelFunc
	done        chan struct{}
	stopOnce    sync.Once
}

// TestConfig returns the configuration tests use: loopback fixtures allowed,
// fast polling, short leases and millisecond backoff.
func TestConfig(dataDir, databaseURL string) *config.Config {
	cfg, err := config.Load("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		panic(err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = dataDir
	cfg.DatabaseURL = databaseURL
	cfg.AllowPrivateNetworks = true
	cfg.Workers = 2
	cfg.PollInterval = 50 * time.Millisecond
	cfg.JobLease = 5 * time.Second
	cfg.RetryBackoff = 10 * time.Millisecond
	cfg.RetryBackoffMax = 50 * time.Millisecond
	cfg.RateLimit = 0
	cfg.SearchRefresh = 200 * time.Millisecond
	cfg.APIKey = "gnd_test" + strings.Repeat("k", 40)
	return cfg
}

// Start starts a server and stops it when the test ends.
func Start(tb testing.TB, opt Options) *Server {
	tb.Helper()
	dataDir, dbURL := opt.DataDir, opt.DatabaseURL
	if dataDir == "" {
		dataDir = tb.TempDir()
	}
	if dbURL == "" && opt.Backend == "postgres" {
		dbURL = DatabaseURL(tb, "postgres")
	}
	cfg := TestConfig(dataDir, dbURL)
	if opt.Configure != nil {
		opt.Configure(cfg)
	}
	log := slog.New(slog.NewTextHandler(testWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(context.Background(), cfg, log)
	if err != nil {
		tb.Fatalf("start gnd: %v", err)
	}
	if opt.Setup != nil {
		opt.Setup(a)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{URL: "http://" + ln.Addr().String(), Key: cfg.APIKey, App: a, DataDir: dataDir, DatabaseURL: dbURL,
		t: tb, stop: cancel, done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(s.done)
		if err := a.Serve(ctx, ln, func(string) { close(ready) }); err != nil {
			tb.Errorf("serve: %v", err)
		}
	}()
	<-ready
	tb.Cleanup(s.Stop)
	return s
}

// Stop shuts the server down gracefully and closes its database.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		s.stop()
		<-s.done
		s.App.Close()
	})
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Do sends a request with the server's key and returns the status and the
// decoded JSON body (nil when empty).
func (s *Server) Do(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	status, raw := s.DoRaw(method, path, body, nil)
	if len(bytes.TrimSpace(raw)) == 0 {
		return status, nil
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		s.t.Fatalf("%s %s: response is not a JSON object: %v: %s", method, path, err, raw)
	}
	return status, out
}

// DoRaw sends a request and returns the status and raw body. body may be
// nil, a string (sent as is) or any value (sent as JSON). headers replace
// the default Authorization header when they set one.
func (s *Server) DoRaw(method, path string, body any, headers map[string]string) (int, []byte) {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			s.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatalf("build request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, data
}

// MustDo is Do that fails the test unless the status is want.
func (s *Server) MustDo(want int, method, path string, body any) map[string]any {
	s.t.Helper()
	status, out := s.Do(method, path, body)
	if status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %v", method, path, status, want, out)
	}
	return out
}

// CreateSource creates a source and returns its id.
func (s *Server) CreateSource(body map[string]any) string {
	s.t.Helper()
	out := s.MustDo(http.StatusCreated, "POST", "/sources", body)
	return out["id"].(string)
}

// Sync starts a sync and returns the job id.
func (s *Server) Sync(sourceID string) string {
	s.t.Helper()
	out := s.MustDo(http.StatusAccepted, "POST", "/sources/"+sourceID+"/sync", nil)
	return out["job_id"].(string)
}

// Observation is one poll of a job.
type Observation struct {
	Status  string
	Stage   string
	Percent int
}

// WaitJob polls a job until it is completed, failed or cancelled, and returns
// the final job and every distinct state observed on the way.
func (s *Server) WaitJob(jobID string, timeout time.Duration) (map[string]any, []Observation) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var seen []Observation
	for {
		job := s.MustDo(http.StatusOK, "GET", "/jobs/"+jobID, nil)
		o := Observation{Status: job["status"].(string), Stage: job["stage"].(string), Percent: int(job["progress_percent"].(float64))}
		if len(seen) == 0 || seen[len(seen)-1] != o {
			seen = append(seen, o)
		}
		switch o.Status {
		case "completed", "failed", "cancelled":
			return job, seen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("job %s did not finish within %s; last state %+v, error %v", jobID, timeout, o, job["error_message"])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// SyncAndWait syncs a source and waits for the job to end.
func (s *Server) SyncAndWait(sourceID string) map[string]any {
	s.t.Helper()
	job, _ := s.WaitJob(s.Sync(sourceID), 60*time.Second)
	return job
}

// AddSynced creates a source from body, syncs it and fails the test unless
// the job completes. It returns the source id.
func (s *Server) AddSynced(body map[string]any) string {
	s.t.Helper()
	id := s.CreateSource(body)
	if job := s.SyncAndWait(id); job["status"] != "completed" {
		s.t.Fatalf("sync of %v: %v %v", body["name"], job["status"], job["error_message"])
	}
	return id
}

// Search runs POST /search and returns the response.
func (s *Server) Search(body map[string]any) map[string]any {
	s.t.Helper()
	return s.MustDo(http.StatusOK, "POST", "/search", body)
}

// Results returns the results array of a search response.
func Results(resp map[string]any) []map[string]any {
	list, _ := resp["results"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, r := range list {
		out = append(out, r.(map[string]any))
	}
	return out
}

// Citation returns the citation of a result.
func Citation(result map[string]any) map[string]any {
	c, _ := result["citation"].(map[string]any)
	return c
}

// Must fails the test on err.
func Must(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// Sprint formats for messages.
func Sprint(v any) string { return fmt.Sprint(v) }
