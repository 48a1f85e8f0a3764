package app_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gndhq/gnd/app"
	"github.com/gndhq/gnd/config"
	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

// bagOfWords is a deterministic embedding: each word adds 1 to a dimension
// chosen by its hash, so texts that share words point the same way.
func bagOfWords(text string, dim int) []float64 {
	v := make([]float64, dim)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%uint32(dim)]++
	}
	v[0] += 0.01 // no all-zero vector for texts without words
	return v
}

// fakeOpenAI speaks the OpenAI embeddings protocol on loopback. constant
// makes it return the same vector for every text.
type fakeOpenAI struct {
	*httptest.Server
	texts    atomic.Int64
	constant atomic.Bool
	// failWith, when not 0, is the HTTP status of every response.
	failWith atomic.Int32
	// dim, when not 0, replaces the 64 dimensions of the vectors.
	dim atomic.Int32
}

// model configures a server to embed with the fake provider as model.
func (f *fakeOpenAI) model(name string) func(*config.Config) {
	return func(c *config.Config) {
		c.Embedder, c.EmbeddingURL, c.EmbeddingModel, c.EmbeddingAPIKey = "openai", f.URL+"/v1", name, "test-key"
	}
}

func newFakeOpenAI(t *testing.T) *fakeOpenAI {
	f := &fakeOpenAI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code := f.failWith.Load(); code != 0 {
			http.Error(w, `{"error": {"message": "provider is down"}}`, int(code))
			return
		}
		if r.URL.Path != "/v1/embeddings" || r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, `{"error": {"message": "bad path or key"}}`, http.StatusUnauthorized)
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.texts.Add(int64(len(req.Input)))
		type item struct {
			Index     int       `json:"index"`
			Embedding []float64 `json:"embedding"`
		}
		var data []item
		for i, text := range req.Input {
			if f.constant.Load() {
				text = "same"
			}
			dim := 64
			if d := f.dim.Load(); d != 0 {
				dim = int(d)
			}
			data = append(data, item{Index: i, Embedding: bagOfWords(text, dim)})
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": req.Model, "data": data})
	}))
	t.Cleanup(f.Close)
	return f
}

func TestVectorSearchWithOpenAIProtocol(t *testing.T) {
	fake := newFakeOpenAI(t)
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	dataDir := t.TempDir()
	withModel := func(model string) func(*config.Config) {
		return func(c *config.Config) {
			c.Embedder, c.EmbeddingURL, c.EmbeddingModel, c.EmbeddingAPIKey = "openai", fake.URL+"/v1", model, "test-key"
		}
	}
	srv := gndtest.Start(t, gndtest.Options{DataDir: dataDir, Configure: withModel("bow-1")})
	id := srv.CreateSource(map[string]any{"name": "museum", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/redocly-museum/openapi.yaml"})
	if job := srv.SyncAndWait(id); job["status"] != "completed" {
		t.Fatalf("sync: %v %v", job["status"], job["error_message"])
	}
	if got := fake.texts.Load(); got != 9 {
		t.Errorf("the provider embedded %d texts, want the 9 operations", got)
	}

	// Search uses both legs: no warning about the vector leg.
	resp := srv.Search(map[string]any{"query": "buy tickets for a museum event", "source_ids": []string{id}})
	for _, w := range resp["warnings"].([]any) {
		if strings.Contains(w.(string), "Vector search") {
			t.Errorf("unexpected warning %q", w)
		}
	}
	if r := gndtest.Results(resp); len(r) == 0 {
		t.Fatal("no results")
	}

	// An unchanged re-sync embeds nothing.
	before := fake.texts.Load()
	if job := srv.SyncAndWait(id); job["status"] != "completed" || fake.texts.Load() != before {
		t.Errorf("unchanged re-sync: status %v, embedded %d more texts, want 0", job["status"], fake.texts.Load()-before)
	}
	srv.Stop()

	// Another model re-embeds every chunk on the next sync, though the spec did not change.
	srv2 := gndtest.Start(t, gndtest.Options{DataDir: dataDir, Configure: withModel("bow-2")})
	missingWarning := func() string {
		resp := srv2.Search(map[string]any{"query": "buy tickets for a museum event", "source_ids": []string{id}})
		for _, w := range resp["warnings"].([]any) {
			if strings.Contains(w.(string), "no vector from model") {
				return w.(string)
			}
		}
		return ""
	}
	if w := missingWarning(); !strings.Contains(w, "9 of the searched chunks") || !strings.Contains(w, "bow-2") {
		t.Errorf("before the sync with the new model, the missing vectors warning is %q", w)
	}
	before = fake.texts.Load()
	if job := srv2.SyncAndWait(id); job["status"] != "completed" {
		t.Fatalf("sync with a new model: %v %v", job["status"], job["error_message"])
	}
	if got := fake.texts.Load() - before; got != 9 {
		t.Errorf("a new model embedded %d texts, want all 9 chunks again", got)
	}
	// The new vectors are searched at once, without a restart.
	if w := missingWarning(); w != "" {
		t.Errorf("after the sync with the new model: %q", w)
	}

	// A provider that returns one vector for every text fails the job at once.
	fake.constant.Store(true)
	bad := srv2.CreateSource(map[string]any{"name": "uspto", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/oai-uspto/uspto.yaml"})
	job := srv2.SyncAndWait(bad)
	if job["status"] != "failed" || job["stage"] != "embed" || job["retry_count"] != 0.0 ||
		!strings.Contains(job["error_message"].(string), "same vector") {
		t.Errorf("constant vectors: status %v at %v after %v retries: %v; want an immediate failure at embed",
			job["status"], job["stage"], job["retry_count"], job["error_message"])
	}
	// A sync that embeds a single text catches it too.
	lone := srv2.CreateSource(map[string]any{"name": "webhook", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/oai-webhook-example/webhook-example.yaml"})
	job = srv2.SyncAndWait(lone)
	if job["status"] != "failed" || job["stage"] != "embed" || !strings.Contains(fmt.Sprint(job["error_message"]), "same vector") {
		t.Errorf("constant vectors for one text: status %v at %v: %v; want a failure at embed",
			job["status"], job["stage"], job["error_message"])
	}
}

// writeStaticModel writes a model2vec-style model: a WordPiece tokenizer
// over vocab and a [len(vocab), dim] float32 matrix of bag-of-words rows.
func writeStaticModel(t *testing.T, dir string, vocab []string, dim int) {
	t.Helper()
	ids := map[string]int{}
	for i, w := range vocab {
		ids[w] = i
	}
	tok := map[string]any{
		"normalizer":    map[string]any{"type": "BertNormalizer", "lowercase": true},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"model": map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 100, "vocab": ids},
	}
	data, err := json.Marshal(tok)
	gndtest.Must(t, err, "encode tokenizer")
	gndtest.Must(t, os.WriteFile(filepath.Join(dir, "tokenizer.json"), data, 0o644), "write tokenizer")
	matrix := make([]byte, 0, len(vocab)*dim*4)
	for _, w := range vocab {
		for _, x := range bagOfWords(w, dim) {
			matrix = binary.LittleEndian.AppendUint32(matrix, math.Float32bits(float32(x)))
		}
	}
	header, err := json.Marshal(map[string]any{"embeddings": map[string]any{"dtype": "F32", "shape": []int{len(vocab), dim},
		"data_offsets": []int{0, len(matrix)}}})
	gndtest.Must(t, err, "encode header")
	file := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	file = append(append(file, header...), matrix...)
	gndtest.Must(t, os.WriteFile(filepath.Join(dir, "model.safetensors"), file, 0o644), "write model")
}

func TestVectorSearchWithStaticModel(t *testing.T) {
	modelDir := filepath.Join(t.TempDir(), "tiny-model")
	gndtest.Must(t, os.MkdirAll(modelDir, 0o755), "mkdir")
	vocab := []string{"[UNK]", "[PAD]", "museum", "ticket", "tickets", "event", "events", "special", "buy", "hours",
		"operating", "get", "list", "create", "update", "delete", "the", "a", "of", "for", "and", "to", "#", "/", "{", "}"}
	writeStaticModel(t, modelDir, vocab, 16)
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) {
		c.Embedder, c.EmbeddingModelPath = "static", modelDir
	}})
	id := srv.CreateSource(map[string]any{"name": "museum", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/redocly-museum/openapi.yaml"})
	if job := srv.SyncAndWait(id); job["status"] != "completed" {
		t.Fatalf("sync: %v %v", job["status"], job["error_message"])
	}
	resp := srv.Search(map[string]any{"query": "special events", "source_ids": []string{id}})
	for _, w := range resp["warnings"].([]any) {
		if strings.Contains(w.(string), "Vector search") {
			t.Errorf("unexpected warning %q", w)
		}
	}
	r := gndtest.Results(resp)
	if len(r) == 0 || !strings.Contains(strings.ToLower(gndtest.Citation(r[0])["symbol"].(string)), "event") {
		t.Errorf("search %q: first result %v, want an operation on special events", "special events", firstCitation(r))
	}
}

func TestDuplicateTextEmbeddedOnce(t *testing.T) {
	fake := newFakeOpenAI(t)
	repo := newGitRepo(t, "main")
	shared := "# Rotating keys\n\nRotate the signing key every ninety days and revoke the old one.\n"
	repo.write("docs/keys.md", shared)
	repo.write("docs/copy/keys.md", shared)
	repo.write("docs/other.md", "# Backups\n\nBackups run nightly and are kept for a month.\n")
	repo.commit("docs")

	dataDir := t.TempDir()
	withModel := func(model string) func(*config.Config) {
		return func(c *config.Config) {
			c.AllowLocalSources = true
			c.Embedder, c.EmbeddingURL, c.EmbeddingModel, c.EmbeddingAPIKey = "openai", fake.URL+"/v1", model, "test-key"
		}
	}
	srv := gndtest.Start(t, gndtest.Options{DataDir: dataDir, Configure: withModel("bow-1")})
	id := srv.CreateSource(map[string]any{"name": "docs", "source_type": "repo", "url": repo.dir, "branch": "main"})
	if job := srv.SyncAndWait(id); job["status"] != "completed" {
		t.Fatalf("sync: %v %v", job["status"], job["error_message"])
	}
	chunks, err := srv.App.DB.Chunks(t.Context(), id)
	gndtest.Must(t, err, "read chunks")
	texts := map[string]bool{}
	for _, c := range chunks {
		texts[c.Content] = true
	}
	if len(texts) >= len(chunks) {
		t.Fatalf("%d chunks with %d distinct texts, want a repeated text", len(chunks), len(texts))
	}
	if got := fake.texts.Load(); got != int64(len(texts)) {
		t.Errorf("the provider embedded %d texts for %d distinct texts", got, len(texts))
	}

	// Both copies are found, each with its own citation.
	r := gndtest.Results(srv.Search(map[string]any{"query": "rotate the signing key", "source_ids": []string{id}}))
	paths := map[any]bool{}
	for _, hit := range r {
		paths[gndtest.Citation(hit)["path"]] = true
	}
	if !paths["docs/keys.md"] || !paths["docs/copy/keys.md"] {
		t.Errorf("search found paths %v, want both copies of the shared text", paths)
	}

	// After an edit and a model change, only the texts now in the index are
	// embedded, not the replaced one.
	repo.write("docs/other.md", "# Backups\n\nBackups run hourly and are kept for a year.\n")
	repo.commit("edit")
	if job := srv.SyncAndWait(id); job["status"] != "completed" || job["chunks_updated"] != 1.0 {
		t.Fatalf("sync after the edit: %v, %v chunks updated", job["status"], job["chunks_updated"])
	}
	srv.Stop()
	srv2 := gndtest.Start(t, gndtest.Options{DataDir: dataDir, Configure: withModel("bow-2")})
	before := fake.texts.Load()
	if job := srv2.SyncAndWait(id); job["status"] != "completed" {
		t.Fatalf("sync with a new model: %v %v", job["status"], job["error_message"])
	}
	if got := fake.texts.Load() - before; got != int64(len(texts)) {
		t.Errorf("a new model embedded %d texts, want the %d distinct texts of the index", got, len(texts))
	}
}

func TestFailingProviderPausesVectorLeg(t *testing.T) {
	fake := newFakeOpenAI(t)
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	srv := gndtest.Start(t, gndtest.Options{Configure: fake.model("bow-1")})
	id := srv.AddSynced(map[string]any{"name": "museum", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/redocly-museum/openapi.yaml"})

	fake.failWith.Store(http.StatusInternalServerError)
	search := func() ([]string, time.Duration) {
		start := time.Now()
		resp := srv.Search(map[string]any{"query": "museum tickets", "source_ids": []string{id}})
		took := time.Since(start)
		if len(gndtest.Results(resp)) == 0 {
			t.Error("the text leg found nothing while the provider failed")
		}
		var warnings []string
		for _, w := range resp["warnings"].([]any) {
			warnings = append(warnings, w.(string))
		}
		return warnings, took
	}
	first, took := search()
	if took > 4*time.Second {
		t.Errorf("the first search took %s with a failing provider, want at most the 2s query budget and some slack", took)
	}
	if !slices.ContainsFunc(first, func(w string) bool { return strings.Contains(w, "answered HTTP 500") }) {
		t.Errorf("first search warnings %q do not give the provider's status", first)
	}
	second, took := search()
	if took > time.Second {
		t.Errorf("the second search took %s, want the vector leg skipped at once", took)
	}
	if !slices.ContainsFunc(second, func(w string) bool { return strings.Contains(w, "paused") }) {
		t.Errorf("second search warnings %q do not say the vector leg is paused", second)
	}
	for _, w := range append(first, second...) {
		if strings.Contains(w, fake.URL) || strings.Contains(w, "127.0.0.1") {
			t.Errorf("warning %q shows the provider's address", w)
		}
	}

	// With the pause set to 0, every search calls the provider again.
	srv.Stop()
	srv = gndtest.Start(t, gndtest.Options{DataDir: srv.App.Config.DataDir, Configure: func(c *config.Config) {
		fake.model("bow-1")(c)
		c.VectorFailurePause = 0
	}})
	search()
	again, _ := search()
	if !slices.ContainsFunc(again, func(w string) bool { return strings.Contains(w, "answered HTTP 500") }) {
		t.Errorf("without a pause, the second search warned %q, want the provider's failure", again)
	}
}

func TestMoreResultsKeepTheFirstOnesInOrder(t *testing.T) {
	fake := newFakeOpenAI(t)
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	srv := gndtest.Start(t, gndtest.Options{Configure: fake.model("bow-1")})
	id := srv.AddSynced(map[string]any{"name": "discord", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/discord/openapi.json"})
	ranked := func(query string, topK int) []string {
		resp := srv.Search(map[string]any{"query": query, "source_ids": []string{id}, "top_k": topK, "max_tokens": 32000})
		var out []string
		for _, r := range gndtest.Results(resp) {
			out = append(out, fmt.Sprintf("%v %.6f", gndtest.Citation(r)["chunk_id"], r["score"]))
		}
		return out
	}
	for _, q := range []string{"create a message in a channel", "guild member roles", "delete webhook with token", "application commands permissions"} {
		all := ranked(q, 10)
		for _, k := range []int{1, 5} {
			// The token budget may end the list early, the same way for both.
			few := ranked(q, k)
			if len(few) == 0 || len(few) != min(k, len(all)) {
				t.Fatalf("%q: %d results for top_k %d, %d for 10", q, len(few), k, len(all))
			}
			if !slices.Equal(few, all[:len(few)]) {
				t.Errorf("%q: top %d %v, but the first of top 10 are %v", q, k, few, all[:len(few)])
			}
		}
	}
}

func TestProviderDimensionChangeIsCaught(t *testing.T) {
	fake := newFakeOpenAI(t)
	fx := gndtest.NewFixture(t, testcorpus.Path(t, "openapi"))
	dataDir := t.TempDir()
	srv := gndtest.Start(t, gndtest.Options{DataDir: dataDir, Configure: fake.model("bow-1")})
	srv.AddSynced(map[string]any{"name": "museum", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/redocly-museum/openapi.yaml"})
	srv.Stop()

	// After a restart the provider returns 32 dimensions for the same model.
	fake.dim.Store(32)
	srv2 := gndtest.Start(t, gndtest.Options{DataDir: dataDir, Configure: fake.model("bow-1")})
	id := srv2.CreateSource(map[string]any{"name": "petstore", "source_type": "docs", "docs_format": "openapi",
		"url": fx.URL + "/oai-petstore-separate/spec/swagger.json"})
	job := srv2.SyncAndWait(id)
	if job["status"] != "failed" || job["stage"] != "embed" || !strings.Contains(fmt.Sprint(job["error_message"]), "dimension") {
		t.Errorf("sync with 32-dimension vectors: %v at %v: %v; want a failure at embed naming the dimension",
			job["status"], job["stage"], job["error_message"])
	}
	// Job errors are shown to API keys: they name the provider, not its address.
	details, _ := json.Marshal(job["error_details"])
	for _, text := range []string{fmt.Sprint(job["error_message"]), string(details)} {
		if strings.Contains(text, "127.0.0.1") {
			t.Errorf("job error shows the provider's address: %s", text)
		}
	}
	srv2.Stop()

	// A configured dimension that contradicts the cached vectors stops the start.
	cfg := gndtest.TestConfig(dataDir, gndtest.DatabaseURL(t, "sqlite"))
	fake.model("bow-1")(cfg)
	cfg.EmbeddingDim = 32
	_, err := app.New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "64 dimensions") {
		t.Errorf("start with --embedding-dim 32 over 64-dimension vectors: %v", err)
	}
}
