package api

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/store"
)

type keyContext struct{}

// authenticate resolves the API key from "Authorization: Bearer" or
// "X-API-Key", applies the key's rate limit and calls h with the key.
func (s *Server) authenticate(h func(http.ResponseWriter, *http.Request, *store.APIKey)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.Header.Get("X-API-Key")
		if auth := r.Header.Get("Authorization"); auth != "" {
			scheme, value, ok := strings.Cut(auth, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				s.Error(w, r, gnd.Errorf(gnd.EUNAUTHORIZED, "Authorization header must be \"Bearer gnd_…\""))
				return
			}
			token = strings.TrimSpace(value)
		}
		if token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="gnd"`)
			s.Error(w, r, gnd.Errorf(gnd.EUNAUTHORIZED, "Missing API key: send \"Authorization: Bearer gnd_…\" or \"X-API-Key: gnd_…\""))
			return
		}
		if !strings.HasPrefix(token, store.KeyPrefix) {
			s.Error(w, r, gnd.Errorf(gnd.EUNAUTHORIZED, "Invalid API key: keys start with %q", store.KeyPrefix))
			return
		}
		key, err := s.keys.authenticate(r.Context(), s.DB, token)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if wait, ok := s.limiter.allow(key.ID); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
			s.Error(w, r, gnd.Errorf(gnd.ERATELIMIT, "Rate limit exceeded: retry after %s", wait.Round(time.Millisecond)))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), keyContext{}, key)), key)
	})
}

// keyCacheTTL is how long a verified key is trusted without a database
// read. A key revoked through this process stops working at once; one
// revoked through another process stops within this time.
const keyCacheTTL = 10 * time.Second

// keyCache remembers verified keys by the SHA-256 of their plaintext, so a
// request does not cost a database read, and records key use at most once a
// minute.
type keyCache struct {
	mu      sync.Mutex
	entries map[[32]byte]keyEntry
}

type keyEntry struct {
	key     *store.APIKey
	expires time.Time
	touched time.Time
}

func (c *keyCache) authenticate(ctx context.Context, db *store.DB, token string) (*store.APIKey, error) {
	sum := sha256.Sum256([]byte(token))
	now := time.Now()
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[[32]byte]keyEntry{}
	}
	e, ok := c.entries[sum]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.key, nil
	}
	key, err := db.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	if now.Sub(e.touched) >= time.Minute {
		if err := db.TouchKey(ctx, key.ID); err == nil {
			e.touched = now
		}
	}
	c.mu.Lock()
	c.entries[sum] = keyEntry{key: key, expires: now.Add(keyCacheTTL), touched: e.touched}
	c.mu.Unlock()
	return key, nil
}

// forget drops every cached key, after a revocation.
func (c *keyCache) forget() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

// recoverer turns a panic in a handler into a logged 500.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Error(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("hijack not supported")
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// logRequests logs each request at debug level and counts it in metrics.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		s.Metrics.observeRequest(r, rec.status, took)
		s.Log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", took.String())
	})
}

// rateLimiter is a token bucket per key.
type rateLimiter struct {
	rate  float64
	burst float64
	mu    sync.Mutex
	keys  map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64, burst int) *rateLimiter {
	if burst <= 0 {
		burst = int(rate * 2)
	}
	return &rateLimiter{rate: rate, burst: float64(max(burst, 1)), keys: map[string]*bucket{}}
}

// allow takes a token for key; when none is left it returns the wait until
// the next one.
func (l *rateLimiter) allow(key string) (time.Duration, bool) {
	if l.rate <= 0 {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	b := l.keys[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.keys[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
}
