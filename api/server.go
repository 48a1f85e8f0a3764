// Package api serves gnd's REST API: sources, jobs, search, policy and keys,
// with API-key authentication, per-key rate limits, JSON errors, health
// checks, metrics and a self-description at /openapi.json.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/search"
	"github.com/gndhq/gnd/store"
)

// Jobs is the part of the job engine the API drives. *jobs.Engine implements it.
type Jobs interface {
	Wake()
	Cancel(jobID string)
}

// Config holds the API's limits and defaults.
type Config struct {
	// MaxRetries is the default max_retries of a new job.
	MaxRetries int
	// AllowLocalSources lets repository sources name local paths.
	AllowLocalSources bool
	// MaxUploadBytes caps a PDF upload; default 100 MiB.
	MaxUploadBytes int64
	// RateLimit is the sustained requests per second per key (0 = off);
	// RateBurst the burst size.
	RateLimit float64
	RateBurst int
	// CompileGlob validates one include or exclude pattern; nil accepts any.
	CompileGlob func(pattern string) error
}

// Server holds the API's dependencies.
type Server struct {
	DB      *store.DB
	Search  *search.Service
	Jobs    Jobs
	Log     *slog.Logger
	Config  Config
	Metrics *Metrics

	limiter *rateLimiter
	keys    keyCache
}

// Handler returns the API's router with every route and middleware.
func (s *Server) Handler() http.Handler {
	if s.Config.MaxUploadBytes <= 0 {
		s.Config.MaxUploadBytes = 100 << 20
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Metrics == nil {
		s.Metrics = NewMetrics(prometheus.NewRegistry(), s.DB, s.Search)
	}
	s.limiter = newRateLimiter(s.Config.RateLimit, s.Config.RateBurst)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /openapi.json", s.handleOpenAPI)

	authed := func(pattern string, h func(http.ResponseWriter, *http.Request, *store.APIKey)) {
		mux.Handle(pattern, s.authenticate(h))
	}
	authed("POST /sources", s.handleSourceCreate)
	authed("POST /sources/upload", s.handleSourceUpload)
	authed("GET /sources", s.handleSourceIndex)
	authed("GET /sources/{id}", s.handleSourceView)
	authed("PATCH /sources/{id}", s.handleSourceUpdate)
	authed("DELETE /sources/{id}", s.handleSourceDelete)
	authed("POST /sources/{id}/sync", s.handleSourceSync)
	authed("GET /jobs", s.handleJobIndex)
	authed("GET /jobs/{id}", s.handleJobView)
	authed("POST /jobs/{id}/cancel", s.handleJobCancel)
	authed("GET /search", s.handleSearchGet)
	authed("POST /search", s.handleSearchPost)
	authed("POST /search/rmh", s.handleSearchRMH)
	authed("GET /policy", s.handlePolicyView)
	authed("PUT /policy", s.handlePolicyUpdate)
	authed("POST /policy/reset", s.handlePolicyReset)
	authed("POST /keys", s.handleKeyCreate)
	authed("GET /keys", s.handleKeyIndex)
	authed("DELETE /keys/{id}", s.handleKeyDelete)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allowed := allowedMethods(mux, r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			s.Error(w, r, gnd.Errorf(gnd.EMETHOD, "Method %s is not allowed on %s. Use %s.",
				r.Method, r.URL.Path, strings.Join(allowed, " or ")))
			return
		}
		s.Error(w, r, gnd.Errorf(gnd.ENOTFOUND, "No route for %s %s", r.Method, r.URL.Path))
	})
	return s.recoverer(s.logRequests(mux))
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	s.JSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.Log.Error("readiness check failed", "err", err)
		s.JSON(w, r, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database is not reachable"})
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]string{"status": "ready"})
}

// allowedMethods lists the methods that have a route for r's path, so a
// request with another method gets 405 instead of 404.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			out = append(out, m)
		}
	}
	return out
}

// errorStatus maps error codes to HTTP status codes.
var errorStatus = map[string]int{
	gnd.EINVALID:      http.StatusBadRequest,
	gnd.EUNAUTHORIZED: http.StatusUnauthorized,
	gnd.ENOTFOUND:     http.StatusNotFound,
	gnd.EMETHOD:       http.StatusMethodNotAllowed,
	gnd.ECONFLICT:     http.StatusConflict,
	gnd.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	gnd.ERATELIMIT:    http.StatusTooManyRequests,
	gnd.EINTERNAL:     http.StatusInternalServerError,
}

// Error writes err as {"error": message} with the status of its code.
// Internal errors are logged and shown only as "Internal error".
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := gnd.ErrorCode(err)
	status, ok := errorStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == gnd.EINTERNAL {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := map[string]any{"error": gnd.ErrorMessage(err)}
	var e *gnd.Error
	if errors.As(err, &e) {
		for k, v := range e.Fields {
			body[k] = v
		}
	}
	s.JSON(w, r, status, body)
}

// JSON writes v with the status.
func (s *Server) JSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	// Results carry code and markdown: "<" and "&" stay readable and short.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.Log.Debug("write response", "path", r.URL.Path, "err", err)
	}
}
