package embed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// APIError is a non-success HTTP response from an embeddings endpoint.
type APIError struct {
	URL        string // endpoint without credentials or query
	Model      string
	StatusCode int
	Message    string // error message from the response body, if any
}

// Error formats the endpoint, model, status and server message.
func (e *APIError) Error() string {
	msg := fmt.Sprintf("embeddings request to %s for model %q failed: HTTP %d %s",
		e.URL, e.Model, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Temporary reports whether the request may succeed when retried, which is
// the case for 429 Too Many Requests and 5xx statuses.
func (e *APIError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// embeddingResponse is the part of a successful response that is used.
// Values are decoded as float64 so that a value beyond the float32 range
// becomes infinite and is rejected, instead of failing to decode.
type embeddingResponse struct {
	Data []struct {
		Index     *int      `json:"index"`
		Embedding []float64 `json:"embedding"`
	} `json:"data"`
}

// statusError turns a non-2xx response into an *APIError, wrapped as
// retryable for 429 and 5xx.
func (o *OpenAI) statusError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	apiErr := &APIError{
		URL:        o.display,
		Model:      o.model,
		StatusCode: resp.StatusCode,
		Message:    o.errorMessage(raw),
	}
	if !apiErr.Temporary() {
		return apiErr
	}
	return &retryableError{err: apiErr, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
}

// errorMessage extracts the message from an error body of the form
// {"error": {"message": "..."}}, {"error": "..."} or {"message": "..."},
// falling back to the start of the body as text. The API key is removed in
// case the server repeats it.
func (o *OpenAI) errorMessage(raw []byte) string {
	var body struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	msg := ""
	if json.Unmarshal(raw, &body) == nil {
		var nested struct {
			Message string `json:"message"`
		}
		var flat string
		switch {
		case json.Unmarshal(body.Error, &nested) == nil && nested.Message != "":
			msg = nested.Message
		case json.Unmarshal(body.Error, &flat) == nil && flat != "":
			msg = flat
		default:
			msg = body.Message
		}
	}
	if msg == "" {
		msg = strings.TrimSpace(string(raw))
	}
	if len(msg) > 500 {
		msg = strings.ToValidUTF8(msg[:500], "") + "…"
	}
	if o.apiKey != "" {
		msg = strings.ReplaceAll(msg, o.apiKey, "[redacted]")
	}
	return msg
}

// parseRetryAfter returns the delay in a Retry-After header given in
// seconds or as an HTTP date, or 0 if it is missing or invalid.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// decode parses a successful response for a batch of n texts, puts the
// vectors in input order by their index, checks their dimension and
// values, and scales them to unit length.
func (o *OpenAI) decode(raw []byte, n int) ([][]float32, error) {
	var resp embeddingResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		// Python's json module writes NaN and Infinity by default, which are not JSON.
		if bytes.Contains(raw, []byte("NaN")) || bytes.Contains(raw, []byte("Infinity")) {
			return nil, fmt.Errorf("%w: response from %s for model %q contains NaN or infinite values", ErrBadVectors, o.display, o.model)
		}
		return nil, fmt.Errorf("decode embeddings response from %s for model %q: %w", o.display, o.model, err)
	}
	if len(resp.Data) != n {
		return nil, fmt.Errorf("%w: response from %s for model %q has %d vectors for %d texts", ErrBadVectors, o.display, o.model, len(resp.Data), n)
	}
	out := make([][]float32, n)
	for pos, item := range resp.Data {
		i := pos
		if item.Index != nil {
			i = *item.Index
		}
		if i < 0 || i >= n || out[i] != nil {
			return nil, fmt.Errorf("%w: response from %s for model %q has an invalid or repeated index %d", ErrBadVectors, o.display, o.model, i)
		}
		vec, err := o.vector(item.Embedding, i)
		if err != nil {
			return nil, err
		}
		out[i] = vec
	}
	return out, nil
}

// vector converts the embedding of text i to float32, checks its dimension
// and values and normalises it.
func (o *OpenAI) vector(values []float64, i int) ([]float32, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("%w: response from %s for model %q has an empty vector for text %d", ErrBadVectors, o.display, o.model, i)
	}
	o.dim.CompareAndSwap(0, int64(len(values)))
	if want := o.Dim(); len(values) != want {
		return nil, fmt.Errorf("%w: model %q at %s returned dimension %d for text %d, want %d",
			ErrBadVectors, o.model, o.display, len(values), i, want)
	}
	vec := make([]float32, len(values))
	for j, x := range values {
		f := float32(x)
		if math.IsNaN(x) || math.IsInf(float64(f), 0) {
			return nil, fmt.Errorf("%w: model %q at %s returned a vector with NaN or infinite values for text %d", ErrBadVectors, o.model, o.display, i)
		}
		vec[j] = f
	}
	Normalize(vec)
	return vec, nil
}
