package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// Defaults for OpenAIConfig fields left at zero.
const (
	defaultBatchSize      = 64
	defaultConcurrency    = 2
	defaultMaxRetries     = 5
	defaultRetryBase      = 500 * time.Millisecond
	defaultRequestTimeout = 2 * time.Minute
)

const (
	// maxBackoff caps the exponential delay between retries.
	maxBackoff = 30 * time.Second
	// maxRetryAfter caps a server's Retry-After, so a misconfigured server
	// cannot stall indexing for hours.
	maxRetryAfter = time.Minute
	// maxResponseBytes bounds a successful response body. A batch of 64
	// vectors of 3072 dimensions is about 4 MiB of JSON.
	maxResponseBytes = 256 << 20
	// maxErrorBytes bounds the part of an error response that is read.
	maxErrorBytes = 64 << 10
)

// OpenAIConfig configures an OpenAI embedder. Zero values take the defaults
// given per field.
type OpenAIConfig struct {
	// URL is the API base, such as http://127.0.0.1:11434/v1. A URL that
	// already ends in /embeddings is used as it is.
	URL string
	// Model is the model name sent with every request.
	Model string
	// APIKey is sent as a bearer token when it is not empty.
	APIKey string
	// Dim is the expected vector dimension. With 0 the first dimension
	// returned is accepted and every later vector must match it.
	Dim int
	// BatchSize is the maximum number of texts per request (default 64).
	BatchSize int
	// Concurrency is the maximum number of requests in flight (default 2).
	Concurrency int
	// MaxRetries is the number of retries after a 429, a 5xx or a network
	// error (default 5). A negative value disables retries.
	MaxRetries int
	// RetryBase is the delay before the first retry, doubled for each
	// further retry up to 30s, with random jitter (default 500ms).
	RetryBase time.Duration
	// HTTPClient sends the requests (default: a client with a 2-minute
	// timeout per request).
	HTTPClient *http.Client
	// Logger receives a warning for each retry (default slog.Default()).
	Logger *slog.Logger
}

// OpenAI is an Embedder for any endpoint that implements the OpenAI
// embeddings API. It is safe for concurrent use.
type OpenAI struct {
	model       string
	apiKey      string
	endpoint    string // full URL of the embeddings endpoint
	display     string // endpoint without credentials or query, for messages
	batchSize   int
	concurrency int
	maxRetries  int
	retryBase   time.Duration
	client      *http.Client
	logger      *slog.Logger
	dim         atomic.Int64 // expected dimension, 0 until known

	// sleep waits between retries. Tests replace it to record delays.
	sleep func(ctx context.Context, d time.Duration) error
}

// retryableError marks a failure worth retrying, with the delay the server
// requested in Retry-After (0 if none).
type retryableError struct {
	err        error
	retryAfter time.Duration
}

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

// NewOpenAI validates cfg, fills its defaults and returns the embedder. It
// sends no request.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("openai embedder: model name is missing")
	}
	endpoint, display, err := embeddingsURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Dim < 0 || cfg.BatchSize < 0 || cfg.Concurrency < 0 || cfg.RetryBase < 0 {
		return nil, fmt.Errorf("openai embedder for %s: dimension %d, batch size %d, concurrency %d and retry base %s must not be negative",
			display, cfg.Dim, cfg.BatchSize, cfg.Concurrency, cfg.RetryBase)
	}
	o := &OpenAI{
		model:       cfg.Model,
		apiKey:      cfg.APIKey,
		endpoint:    endpoint,
		display:     display,
		batchSize:   orDefault(cfg.BatchSize, defaultBatchSize),
		concurrency: orDefault(cfg.Concurrency, defaultConcurrency),
		maxRetries:  max(orDefault(cfg.MaxRetries, defaultMaxRetries), 0),
		retryBase:   orDefault(cfg.RetryBase, defaultRetryBase),
		client:      cfg.HTTPClient,
		logger:      cfg.Logger,
		sleep:       sleepContext,
	}
	if o.client == nil {
		o.client = &http.Client{Timeout: defaultRequestTimeout}
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	o.dim.Store(int64(cfg.Dim))
	return o, nil
}

// orDefault returns v, or def when v is zero.
func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// embeddingsURL returns the endpoint for base, appending /embeddings unless
// base already ends with it, and a form of it without user info or query.
func embeddingsURL(base string) (endpoint, display string, err error) {
	if strings.TrimSpace(base) == "" {
		return "", "", errors.New("openai embedder: URL is missing; set the API base such as http://127.0.0.1:11434/v1")
	}
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The parse error can repeat the raw URL, so it is not wrapped.
		return "", "", errors.New("openai embedder: URL is invalid; want http:// or https:// followed by a host, such as http://127.0.0.1:11434/v1")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if !strings.HasSuffix(u.Path, "/embeddings") {
		u.Path += "/embeddings"
	}
	redacted := *u
	redacted.User = nil
	redacted.RawQuery = ""
	redacted.Fragment = ""
	return u.String(), redacted.String(), nil
}

// Model returns "openai:" followed by the model name.
func (o *OpenAI) Model() string { return "openai:" + o.model }

// Endpoint returns the embeddings URL without credentials or query, as it
// appears in error messages.
func (o *OpenAI) Endpoint() string { return o.display }

// Dim returns the configured dimension, or the one of the first response
// when none was configured, or 0 before that.
func (o *OpenAI) Dim() int { return int(o.dim.Load()) }

// Embed returns one unit-length vector per text, in order. It splits texts
// into batches of BatchSize, sends up to Concurrency of them at once and
// retries failures that may be temporary. The first failing batch cancels
// the others. Vectors that are all zero or identical for different texts
// are returned as they are: Check rejects them.
func (o *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	if len(texts) == 0 {
		return out, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.concurrency)
	for start := 0; start < len(texts); start += o.batchSize {
		if gctx.Err() != nil {
			break
		}
		end := min(start+o.batchSize, len(texts))
		g.Go(func() error {
			vecs, err := o.embedBatch(gctx, texts[start:end])
			if err != nil {
				return err
			}
			copy(out[start:end], vecs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// A cancellation that came after the last batch was scheduled but
	// before any batch failed leaves err nil, so check ctx again.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embeddings request to %s: %w", o.display, err)
	}
	return out, nil
}

// embedBatch sends one batch, retrying temporary failures with exponential
// backoff and jitter, or after the delay in Retry-After when the server sent
// one.
func (o *OpenAI) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	for attempt := 0; ; attempt++ {
		vecs, err := o.post(ctx, batch)
		if err == nil {
			return vecs, nil
		}
		var retryable *retryableError
		if !errors.As(err, &retryable) {
			return nil, err
		}
		if attempt >= o.maxRetries {
			return nil, fmt.Errorf("gave up after %d attempts: %w", attempt+1, retryable.err)
		}
		delay := o.backoff(attempt, retryable.retryAfter)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			// The retry would come after the caller's deadline: give up now
			// with the provider's error rather than wait for the deadline.
			return nil, fmt.Errorf("gave up after %d attempts, the next retry (in %s) would pass the deadline: %w",
				attempt+1, delay.Round(time.Millisecond), retryable.err)
		}
		o.logger.Warn("embeddings request failed, retrying",
			"url", o.display, "model", o.model, "texts", len(batch),
			"retry", attempt+1, "max_retries", o.maxRetries, "delay", delay, "error", retryable.err)
		if err := o.sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("embeddings request to %s: %w (last failure: %w)", o.display, err, retryable.err)
		}
	}
}

// backoff returns the delay before retry number attempt+1: retryAfter when
// the server sent one, otherwise RetryBase·2^attempt (at most 30s) scaled by
// a random factor in [0.5, 1).
func (o *OpenAI) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, maxRetryAfter)
	}
	d := o.retryBase
	for i := 0; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// embeddingRequest is the body of a POST to the embeddings endpoint.
type embeddingRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

// post sends one request and decodes its vectors. Failures worth retrying
// are returned as *retryableError.
func (o *OpenAI) post(ctx context.Context, batch []string) ([][]float32, error) {
	body, err := json.Marshal(embeddingRequest{Model: o.model, Input: batch})
	if err != nil {
		return nil, fmt.Errorf("encode embeddings request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("create embeddings request to %s: %w", o.display, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if o.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+o.apiKey)
	}

	resp, err := o.client.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("embeddings request to %s: %w", o.display, ctxErr)
		}
		// *url.Error repeats the full URL, which can hold credentials, so
		// only its cause is kept.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, &retryableError{err: fmt.Errorf("embeddings request to %s for model %q failed: %w", o.display, o.model, err)}
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, o.statusError(resp)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("embeddings request to %s: %w", o.display, ctxErr)
		}
		return nil, &retryableError{err: fmt.Errorf("read embeddings response from %s for model %q: %w", o.display, o.model, err)}
	}
	if len(raw) > maxResponseBytes {
		return nil, fmt.Errorf("embeddings response from %s for model %q is larger than %d MiB; lower the batch size",
			o.display, o.model, maxResponseBytes>>20)
	}
	return o.decode(raw, len(batch))
}
