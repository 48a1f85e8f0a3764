package gndtest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fixture is a loopback HTTP server for test content. Files come from an
// in-memory map (which a test may change between syncs) or from a folder.
// Responses carry an ETag and honour If-None-Match, like a static host.
type Fixture struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte // URL path → body
	status   map[string]int    // URL path → forced status
	delay    map[string]time.Duration
	dir      string
	requests atomic.Int64
	hits     map[string]int
}

// NewFixture starts a fixture server serving dir (may be "") and stops it
// when the test ends.
func NewFixture(tb testing.TB, dir string) *Fixture {
	f := &Fixture{files: map[string][]byte{}, status: map[string]int{}, delay: map[string]time.Duration{}, dir: dir, hits: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

// Set serves body at path until changed.
func (f *Fixture) Set(path string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[path] = body
}

// SetStatus makes requests for path fail with status (0 clears it).
func (f *Fixture) SetStatus(path string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if status == 0 {
		delete(f.status, path)
		return
	}
	f.status[path] = status
}

// SetDelay delays responses for path.
func (f *Fixture) SetDelay(path string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay[path] = d
}

// Hits returns how many requests path received.
func (f *Fixture) Hits(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

func (f *Fixture) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.mu.Lock()
	f.hits[r.URL.Path]++
	status, forced := f.status[r.URL.Path]
	body, ok := f.files[r.URL.Path]
	if !ok && strings.HasSuffix(r.URL.Path, "/") {
		body, ok = f.files[r.URL.Path+"index.html"]
	}
	delay := f.delay[r.URL.Path]
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if forced {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if !ok && f.dir != "" {
		// Like a static host, a folder serves its index.html.
		name := filepath.Join(f.dir, filepath.FromSlash(filepath.Clean("/"+r.URL.Path)))
		if info, err := os.Stat(name); err == nil && info.IsDir() {
			name = filepath.Join(name, "index.html")
		}
		if data, err := os.ReadFile(name); err == nil {
			body, ok = data, true
		}
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if strings.Contains(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	switch {
	case strings.HasSuffix(r.URL.Path, ".json"):
		w.Header().Set("Content-Type", "application/json")
	case strings.HasSuffix(r.URL.Path, ".yaml"), strings.HasSuffix(r.URL.Path, ".yml"):
		w.Header().Set("Content-Type", "application/yaml")
	case strings.HasSuffix(r.URL.Path, ".xml"):
		w.Header().Set("Content-Type", "application/xml")
	case strings.HasSuffix(r.URL.Path, "/"), strings.HasSuffix(r.URL.Path, ".html"):
		// No charset: the page declares its own, as with many static hosts.
		w.Header().Set("Content-Type", "text/html")
	}
	w.Write(body)
}
