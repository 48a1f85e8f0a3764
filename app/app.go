// Package app assembles a gnd process from its configuration: storage, the
// guarded fetch client, the ingestion pipeline, the job engine, the search
// index and the HTTP API.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/gndhq/gnd/api"
	"github.com/gndhq/gnd/config"
	"github.com/gndhq/gnd/embed"
	"github.com/gndhq/gnd/fetch"
	"github.com/gndhq/gnd/glob"
	"github.com/gndhq/gnd/jobs"
	"github.com/gndhq/gnd/mcp"
	"github.com/gndhq/gnd/pipeline"
	"github.com/gndhq/gnd/search"
	"github.com/gndhq/gnd/store"
)

// App is one gnd process.
type App struct {
	Config *config.Config
	Log    *slog.Logger
	DB     *store.DB
	Search *search.Service
	Engine *jobs.Engine
	Runner *pipeline.Runner
	API    *api.Server
	// Embedder computes vectors; nil when embeddings are off.
	Embedder embed.Embedder
	// AdminKey is the first admin key when this start created it, else "".
	AdminKey string
}

// New opens the database, creates the default workspace and the first key on
// an empty database, and wires every component. Close releases the database.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db}
	if err := a.bootstrap(ctx); err != nil {
		db.Close()
		return nil, err
	}
	dim, err := a.expectedDim(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	embedder, err := embed.New(embed.Config{Provider: cfg.Embedder, StaticPath: cfg.EmbeddingModelPath, OpenAI: embed.OpenAIConfig{
		URL: cfg.EmbeddingURL, Model: cfg.EmbeddingModel, APIKey: cfg.EmbeddingAPIKey, Dim: dim,
		Concurrency: cfg.EmbeddingConcurrency, Logger: log,
	}})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("embedding provider: %w", err)
	}
	a.Embedder = embedder
	client := fetch.NewClient(fetch.Options{AllowPrivate: cfg.AllowPrivateNetworks, Timeout: cfg.FetchTimeout, MaxBytes: cfg.FetchMaxBytes})
	a.Search = search.NewService(db, log)
	a.Search.SetEmbedder(embedder, search.Fusion{Mode: cfg.Fusion, VectorWeight: cfg.FusionVectorWeight, TextWeight: cfg.FusionTextWeight})
	a.Search.SetVectorLimits(search.VectorLimits{QueryTimeout: cfg.QueryEmbedTimeout, FailurePause: cfg.VectorFailurePause})
	a.Runner = &pipeline.Runner{
		Store: db,
		Ingesters: map[string]pipeline.Ingester{
			"docs_openapi": &pipeline.OpenAPI{Client: client},
			"docs_html": &pipeline.HTML{Client: client, MaxPages: cfg.CrawlMaxPages, MaxDepth: cfg.CrawlMaxDepth,
				Concurrency: cfg.CrawlConcurrency, Filter: pathFilter},
			"repo": &pipeline.Repo{CacheDir: filepath.Join(cfg.DataDir, "repos"), Filter: pathFilter, CheckHost: client.CheckHost,
				Token: db.SourceToken},
			"pdf": &pipeline.PDF{Load: db.GetUpload},
		},
		OnApplied: a.Search.Apply,
		Embedder:  embedder,
		Logger:    log,
	}
	a.Engine = jobs.NewEngine(db, a.Runner, jobs.Config{
		Workers: cfg.Workers, Lease: cfg.JobLease, Poll: cfg.PollInterval,
		BackoffBase: cfg.RetryBackoff, BackoffMax: cfg.RetryBackoffMax,
	}, log)
	a.API = &api.Server{DB: db, Search: a.Search, Jobs: a.Engine, Log: log, Config: api.Config{
		MaxRetries: cfg.MaxRetries, AllowLocalSources: cfg.AllowLocalSources, MaxUploadBytes: cfg.MaxUploadBytes,
		RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst, CompileGlob: compileGlob,
	}}
	return a, nil
}

// compileGlob validates one include or exclude pattern.
func compileGlob(pattern string) error {
	_, err := glob.Compile(pattern)
	return err
}

// pathFilter compiles a source's include and exclude patterns.
func pathFilter(include, exclude []string) (func(string) bool, error) {
	f, err := glob.NewFilter(include, exclude)
	if err != nil {
		return nil, err
	}
	return f.Match, nil
}

// bootstrap creates the default workspace and, when no key exists, the first
// admin key: GND_API_KEY if set, else a generated one kept in AdminKey.
func (a *App) bootstrap(ctx context.Context) error {
	ws, created, err := a.DB.EnsureDefaultWorkspace(ctx)
	if err != nil {
		return err
	}
	if created {
		a.Log.Info("created default workspace", "workspace_id", ws.ID)
	}
	n, err := a.DB.CountKeys(ctx)
	if err != nil {
		return fmt.Errorf("count keys: %w", err)
	}
	if n > 0 {
		if a.Config.APIKey != "" {
			if _, err := a.DB.Authenticate(ctx, a.Config.APIKey); err != nil {
				a.Log.Warn("GND_API_KEY is ignored: the database already has keys, and this one is not among its active keys")
			}
		}
		return nil
	}
	key := a.Config.APIKey
	generated := key == ""
	if generated {
		key = store.NewKey()
	}
	if _, err := a.DB.CreateKey(ctx, ws.ID, "admin", key); err != nil {
		return fmt.Errorf("create first admin key: %w", err)
	}
	if generated {
		a.AdminKey = key
	}
	a.Log.Info("created first admin key", "workspace_id", ws.ID, "from_environment", !generated)
	return nil
}

// expectedDim is the vector dimension an OpenAI-protocol provider must
// return: the configured one, else the one of the vectors already cached for
// the model, so a provider that changes dimension is caught at once. It is
// an error when both are set and differ.
func (a *App) expectedDim(ctx context.Context) (int, error) {
	cfg := a.Config
	if cfg.Embedder != "openai" {
		return cfg.EmbeddingDim, nil
	}
	stored, err := a.DB.EmbeddingDim(ctx, "openai:"+cfg.EmbeddingModel)
	if err != nil {
		return 0, err
	}
	switch {
	case stored == 0:
		return cfg.EmbeddingDim, nil
	case cfg.EmbeddingDim == 0:
		a.Log.Info("expecting the dimension of the cached vectors", "model", cfg.EmbeddingModel, "dim", stored)
		return stored, nil
	case cfg.EmbeddingDim != stored:
		return 0, fmt.Errorf("--embedding-dim is %d, but the vectors cached for model %s have %d dimensions: set %d, or give the model another name so it is embedded afresh",
			cfg.EmbeddingDim, cfg.EmbeddingModel, stored, stored)
	}
	return stored, nil
}

// Close closes the database.
func (a *App) Close() error { return a.DB.Close() }

// Serve loads the search index, starts the workers (when workers > 0) and,
// when ln is not nil, serves the API on it. It blocks until ctx is done, then
// stops accepting requests, releases running jobs and returns. ready, when
// not nil, receives the listening address once requests are accepted.
func (a *App) Serve(ctx context.Context, ln net.Listener, ready func(addr string)) error {
	var wg sync.WaitGroup
	if ln == nil {
		// A worker serves no searches: it neither loads the index nor
		// builds vector graphs, and its commits reach the API processes
		// through their periodic refresh.
		a.Runner.OnApplied = nil
	} else {
		if err := a.Search.Refresh(ctx); err != nil {
			return fmt.Errorf("load search index: %w", err)
		}
		a.Log.Info("search index loaded", "chunks", a.Search.Len())
		wg.Go(func() { a.Search.Run(ctx, a.Config.SearchRefresh) })
	}
	if a.Embedder == nil {
		a.Log.Info("vector search is off: no embedding model is configured; search ranks by text match only",
			"enable", "set GND_EMBEDDER=openai with GND_EMBEDDING_URL and GND_EMBEDDING_MODEL, or GND_EMBEDDER=static with GND_EMBEDDING_MODEL_PATH")
	} else {
		a.Log.Info("vector search is on", "model", a.Embedder.Model())
	}

	if a.Config.Workers > 0 {
		wg.Go(func() { a.Engine.Run(ctx) })
	}
	var serveErr error
	if ln != nil {
		srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(ln) }()
		if ready != nil {
			ready(ln.Addr().String())
		}
		select {
		case <-ctx.Done():
		case serveErr = <-errc:
		}
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			a.Log.Warn("shutdown HTTP server", "err", err)
		}
		if errors.Is(serveErr, http.ErrServerClosed) {
			serveErr = nil
		}
	} else if ready != nil {
		ready("")
	}
	<-ctx.Done()
	wg.Wait()
	return serveErr
}

// Handler returns the HTTP handler of the process: the REST API, with MCP
// over streamable HTTP at /mcp.
func (a *App) Handler() http.Handler {
	api := a.API.Handler()
	mux := http.NewServeMux()
	mux.Handle("/mcp", mcp.HTTPHandler(api, Version))
	mux.Handle("/", api)
	return mux
}

// Version is the version gnd reports to MCP clients.
const Version = "0.1.0"

// NewLogger returns a slog logger writing to w in the given format ("json",
// "text", or "" for text on a terminal and JSON otherwise) at level.
func NewLogger(w io.Writer, format, level string, terminal bool) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "text" || (format == "" && terminal) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
