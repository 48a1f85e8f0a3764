package embed

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	fakeKey   = "sk-test-0123456789"
	fakeModel = "test-model"
)

// fakeFailure is a response the fake server sends instead of vectors.
type fakeFailure struct {
	status     int
	retryAfter string
	message    string
	dropConn   bool // close the connection without a response
}

// fakeOpenAI is an OpenAI-compatible embeddings server on 127.0.0.1 whose
// vectors are derived from a hash of each text.
type fakeOpenAI struct {
	t   *testing.T
	srv *httptest.Server

	mu          sync.Mutex
	dim         int
	failures    []fakeFailure // sent, in order, for the first requests
	reverse     bool          // list vectors in reverse order, with their index
	repeatIndex bool          // give every vector index 0
	constant    bool          // send one vector for every text
	nan         bool          // send NaN values, as Python servers do
	waitForPeer bool          // hold the first request until a second arrives
	block       bool          // hold every request until the client goes away
	requests    int
	batchSizes  []int
	inFlight    int
	maxInFlight int
	peer        chan struct{} // closed when two requests are in flight
	arrived     chan struct{} // receives a value for each request, if buffered
}

func newFakeOpenAI(t *testing.T, dim int) *fakeOpenAI {
	t.Helper()
	f := &fakeOpenAI{t: t, dim: dim, peer: make(chan struct{}), arrived: make(chan struct{}, 100)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client returns an embedder for the fake server whose retries do not
// sleep, and the list that records the delays it would have slept.
func (f *fakeOpenAI) client(cfg OpenAIConfig) (*OpenAI, *[]time.Duration) {
	f.t.Helper()
	if cfg.URL == "" {
		cfg.URL = f.srv.URL + "/v1"
	}
	if cfg.Model == "" {
		cfg.Model = fakeModel
	}
	if cfg.APIKey == "" {
		cfg.APIKey = fakeKey
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	o, err := NewOpenAI(cfg)
	if err != nil {
		f.t.Fatalf("NewOpenAI: %v", err)
	}
	var mu sync.Mutex
	delays := &[]time.Duration{}
	o.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*delays = append(*delays, d)
		mu.Unlock()
		return ctx.Err()
	}
	return o, delays
}

func (f *fakeOpenAI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		writeError(w, http.StatusNotFound, "no route for "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+fakeKey {
		writeError(w, http.StatusUnauthorized, "Incorrect API key provided: "+r.Header.Get("Authorization"))
		return
	}
	var req embeddingRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body")
		return
	}
	if req.Model != fakeModel {
		writeError(w, http.StatusNotFound, "model "+req.Model+" not found")
		return
	}

	failure, ok := f.begin(len(req.Input))
	defer f.end()
	f.arrived <- struct{}{}
	if ok {
		f.fail(w, failure)
		return
	}
	f.mu.Lock()
	wait, block := f.waitForPeer, f.block
	f.mu.Unlock()
	if block {
		<-r.Context().Done()
		return
	}
	if wait {
		select {
		case <-f.peer:
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}
	f.respond(w, req.Input)
}

// begin records a request and returns the failure to send for it, if any.
func (f *fakeOpenAI) begin(n int) (fakeFailure, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	f.batchSizes = append(f.batchSizes, n)
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	if f.inFlight == 2 {
		select {
		case <-f.peer:
		default:
			close(f.peer)
		}
	}
	if len(f.failures) > 0 {
		failure := f.failures[0]
		f.failures = f.failures[1:]
		return failure, true
	}
	return fakeFailure{}, false
}

func (f *fakeOpenAI) end() {
	f.mu.Lock()
	f.inFlight--
	f.mu.Unlock()
}

func (f *fakeOpenAI) fail(w http.ResponseWriter, failure fakeFailure) {
	if failure.dropConn {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			f.t.Errorf("hijack connection: %v", err)
			return
		}
		conn.Close()
		return
	}
	if failure.retryAfter != "" {
		w.Header().Set("Retry-After", failure.retryAfter)
	}
	writeError(w, failure.status, failure.message)
}

func (f *fakeOpenAI) respond(w http.ResponseWriter, texts []string) {
	f.mu.Lock()
	dim, reverse, repeat, constant, nan := f.dim, f.reverse, f.repeatIndex, f.constant, f.nan
	f.mu.Unlock()

	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]item, len(texts))
	for i, text := range texts {
		if constant {
			text = "constant"
		}
		data[i] = item{Object: "embedding", Index: i, Embedding: fakeVector(text, dim)}
		if repeat {
			data[i].Index = 0
		}
	}
	if reverse {
		slices.Reverse(data)
	}
	body, err := json.Marshal(map[string]any{"object": "list", "model": fakeModel, "data": data})
	if err != nil {
		f.t.Errorf("encode response: %v", err)
		return
	}
	if nan {
		body = []byte(strings.Replace(string(body), `"embedding":[`, `"embedding":[NaN,`, 1))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": message, "type": "invalid_request_error"}})
}

// fakeVector returns dim values in [-1, 1) seeded by a hash of text.
func fakeVector(text string, dim int) []float32 {
	h := fnv.New64a()
	h.Write([]byte(text))
	rng := rand.New(rand.NewPCG(h.Sum64(), 7))
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(rng.Float64()*2 - 1)
	}
	return v
}

// wantVector returns fakeVector scaled to unit length, as Embed returns it.
func wantVector(text string, dim int) []float32 {
	v := fakeVector(text, dim)
	Normalize(v)
	return v
}

func (f *fakeOpenAI) stats() (requests, maxInFlight int, sizes []int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, f.maxInFlight, slices.Clone(f.batchSizes)
}

func TestOpenAIEmbedReturnsVectorsInOrder(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 16)
	o, _ := f.client(OpenAIConfig{})
	texts := []string{"alpha", "beta", "alpha", "gamma"}

	vecs, err := o.Embed(context.Background(), texts)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}

	if len(vecs) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(vecs), len(texts))
	}
	for i, text := range texts {
		if !slices.Equal(vecs[i], wantVector(text, 16)) {
			t.Errorf("vector %d (%q) = %v, want %v", i, text, vecs[i], wantVector(text, 16))
		}
	}
	if !slices.Equal(vecs[0], vecs[2]) {
		t.Error("identical texts got different vectors")
	}
	if slices.Equal(vecs[0], vecs[1]) {
		t.Error("different texts got the same vector")
	}
	if norm := vectorNorm(vecs[3]); math.Abs(norm-1) > 1e-6 {
		t.Errorf("vector norm = %v, want 1", norm)
	}
	if got := o.Model(); got != "openai:test-model" {
		t.Errorf("Model() = %q, want openai:test-model", got)
	}
	if got := o.Dim(); got != 16 {
		t.Errorf("Dim() = %d after the first response, want 16", got)
	}
	if err := Check(texts, vecs, o.Dim()); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func vectorNorm(v []float32) float64 {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	return math.Sqrt(sum)
}

func TestOpenAIEmptyInputSendsNoRequest(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	o, _ := f.client(OpenAIConfig{})

	vecs, err := o.Embed(context.Background(), nil)

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if len(vecs) != 0 {
		t.Errorf("got %d vectors, want 0", len(vecs))
	}
	if requests, _, _ := f.stats(); requests != 0 {
		t.Errorf("sent %d requests, want 0", requests)
	}
	if o.Dim() != 0 {
		t.Errorf("Dim() = %d before any response, want 0", o.Dim())
	}
}

func TestOpenAIURLForms(t *testing.T) {
	t.Parallel()
	cases := []struct{ base, endpoint, display string }{
		{"http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/embeddings", "http://127.0.0.1:8080/v1/embeddings"},
		{"http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1/embeddings", "http://127.0.0.1:8080/v1/embeddings"},
		{"http://127.0.0.1:8080/v1/embeddings", "http://127.0.0.1:8080/v1/embeddings", "http://127.0.0.1:8080/v1/embeddings"},
		{"https://127.0.0.1/openai?api-version=1", "https://127.0.0.1/openai/embeddings?api-version=1", "https://127.0.0.1/openai/embeddings"},
		{"http://user:secret@127.0.0.1/v1", "http://user:secret@127.0.0.1/v1/embeddings", "http://127.0.0.1/v1/embeddings"},
	}
	for _, c := range cases {
		endpoint, display, err := embeddingsURL(c.base)
		if err != nil {
			t.Errorf("embeddingsURL(%q): %v", c.base, err)
			continue
		}
		if endpoint != c.endpoint {
			t.Errorf("embeddingsURL(%q) endpoint = %q, want %q", c.base, endpoint, c.endpoint)
		}
		if display != c.display {
			t.Errorf("embeddingsURL(%q) display = %q, want %q", c.base, display, c.display)
		}
	}
}

func TestNewOpenAIRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  OpenAIConfig
		want string
	}{
		{"missing URL", OpenAIConfig{Model: "m"}, "URL is missing"},
		{"relative URL", OpenAIConfig{URL: "127.0.0.1:8080/v1", Model: "m"}, "URL is invalid"},
		{"ftp URL", OpenAIConfig{URL: "ftp://127.0.0.1/v1", Model: "m"}, "URL is invalid"},
		{"missing model", OpenAIConfig{URL: "http://127.0.0.1/v1"}, "model name is missing"},
		{"negative dimension", OpenAIConfig{URL: "http://127.0.0.1/v1", Model: "m", Dim: -1}, "must not be negative"},
	}
	for _, c := range cases {
		_, err := NewOpenAI(c.cfg)
		if err == nil {
			t.Errorf("%s: NewOpenAI returned no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
	}
}

func TestOpenAIInvalidURLErrorHidesPassword(t *testing.T) {
	t.Parallel()
	_, err := NewOpenAI(OpenAIConfig{URL: "http://user:hunter2@[::1", Model: "m"})
	if err == nil {
		t.Fatal("NewOpenAI returned no error for an unparsable URL")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q contains the password from the URL", err)
	}
}
