package embed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOpenAIRetriesTooManyRequests(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.failures = []fakeFailure{
		{status: http.StatusTooManyRequests, retryAfter: "2", message: "rate limit reached"},
		{status: http.StatusTooManyRequests, message: "rate limit reached"},
	}
	o, delays := f.client(OpenAIConfig{RetryBase: 100 * time.Millisecond})

	vecs, err := o.Embed(context.Background(), []string{"one", "two"})

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if !slices.Equal(vecs[1], wantVector("two", 8)) {
		t.Errorf("vector 1 = %v, want %v", vecs[1], wantVector("two", 8))
	}
	if requests, _, _ := f.stats(); requests != 3 {
		t.Errorf("sent %d requests, want 3", requests)
	}
	if len(*delays) != 2 {
		t.Fatalf("slept %d times, want 2", len(*delays))
	}
	if (*delays)[0] != 2*time.Second {
		t.Errorf("first delay = %v, want the 2s of Retry-After", (*delays)[0])
	}
	// The second retry has no Retry-After: 100ms·2 with jitter in [0.5, 1].
	if d := (*delays)[1]; d < 100*time.Millisecond || d > 200*time.Millisecond {
		t.Errorf("second delay = %v, want between 100ms and 200ms", d)
	}
}

func TestOpenAIRetryAfterWaits(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.failures = []fakeFailure{{status: http.StatusTooManyRequests, retryAfter: "1", message: "slow down"}}
	o, _ := f.client(OpenAIConfig{RetryBase: time.Millisecond})
	o.sleep = sleepContext

	start := time.Now()
	_, err := o.Embed(context.Background(), []string{"one"})
	elapsed := time.Since(start)

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if elapsed < time.Second {
		t.Errorf("Embed returned after %v, before the 1s of Retry-After", elapsed)
	}
}

func TestOpenAIRetriesServerError(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.failures = []fakeFailure{{status: http.StatusInternalServerError, message: "model is loading"}}
	o, delays := f.client(OpenAIConfig{RetryBase: 10 * time.Millisecond})

	vecs, err := o.Embed(context.Background(), []string{"one"})

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if !slices.Equal(vecs[0], wantVector("one", 8)) {
		t.Errorf("vector = %v, want %v", vecs[0], wantVector("one", 8))
	}
	if requests, _, _ := f.stats(); requests != 2 {
		t.Errorf("sent %d requests, want 2", requests)
	}
	if d := (*delays)[0]; d < 5*time.Millisecond || d > 10*time.Millisecond {
		t.Errorf("delay = %v, want between 5ms and 10ms", d)
	}
}

func TestOpenAIRetriesDroppedConnection(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.failures = []fakeFailure{{dropConn: true}}
	o, _ := f.client(OpenAIConfig{})

	_, err := o.Embed(context.Background(), []string{"one"})

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if requests, _, _ := f.stats(); requests != 2 {
		t.Errorf("sent %d requests, want 2", requests)
	}
}

func TestOpenAIGivesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	for range 5 {
		f.failures = append(f.failures, fakeFailure{status: http.StatusServiceUnavailable, message: "overloaded"})
	}
	o, _ := f.client(OpenAIConfig{MaxRetries: 2})

	_, err := o.Embed(context.Background(), []string{"one"})

	if err == nil {
		t.Fatal("Embed returned no error")
	}
	if requests, _, _ := f.stats(); requests != 3 {
		t.Errorf("sent %d requests, want 3", requests)
	}
	for _, want := range []string{"after 3 attempts", "HTTP 503", "overloaded", "test-model"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an *APIError", err)
	}
	if apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("StatusCode = %d, want 503", apiErr.StatusCode)
	}
}

func TestOpenAIBadRequestIsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.failures = []fakeFailure{{status: http.StatusBadRequest, message: "input is too long"}}
	o, _ := f.client(OpenAIConfig{})

	_, err := o.Embed(context.Background(), []string{"one"})

	if err == nil {
		t.Fatal("Embed returned no error")
	}
	if requests, _, _ := f.stats(); requests != 1 {
		t.Errorf("sent %d requests, want 1", requests)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an *APIError", err)
	}
	if apiErr.StatusCode != http.StatusBadRequest {
		t.Errorf("StatusCode = %d, want 400", apiErr.StatusCode)
	}
	for _, want := range []string{"HTTP 400 Bad Request", "input is too long", f.srv.URL + "/v1/embeddings", `"test-model"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestOpenAIWrongKeyErrorHidesKey(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	o, _ := f.client(OpenAIConfig{APIKey: "sk-wrong-secret"})

	_, err := o.Embed(context.Background(), []string{"one"})

	if err == nil {
		t.Fatal("Embed returned no error with a wrong key")
	}
	if !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("error %q does not contain HTTP 401", err)
	}
	// The fake server repeats the header it got, as some servers do.
	if strings.Contains(err.Error(), "sk-wrong-secret") {
		t.Errorf("error %q contains the API key", err)
	}
	if requests, _, _ := f.stats(); requests != 0 {
		t.Errorf("counted %d requests past the key check, want 0", requests)
	}
}

func TestOpenAIUnknownModelIsReported(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	o, _ := f.client(OpenAIConfig{Model: "other-model"})

	_, err := o.Embed(context.Background(), []string{"one"})

	if err == nil {
		t.Fatal("Embed returned no error for a model the server does not have")
	}
	if !strings.Contains(err.Error(), "model other-model not found") {
		t.Errorf("error %q does not contain the server message", err)
	}
}

func TestOpenAIRejectsWrongDimension(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 16)
	o, _ := f.client(OpenAIConfig{Dim: 8})

	_, err := o.Embed(context.Background(), []string{"one"})

	if !errors.Is(err, ErrBadVectors) {
		t.Fatalf("error = %v, want ErrBadVectors", err)
	}
	if !strings.Contains(err.Error(), "dimension 16") {
		t.Errorf("error %q does not name the dimension 16", err)
	}
	if o.Dim() != 8 {
		t.Errorf("Dim() = %d, want the configured 8", o.Dim())
	}
}

func TestOpenAIRejectsDimensionChange(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 16)
	o, _ := f.client(OpenAIConfig{})
	if _, err := o.Embed(context.Background(), []string{"one"}); err != nil {
		t.Fatalf("first Embed: %v", err)
	}
	f.mu.Lock()
	f.dim = 12
	f.mu.Unlock()

	_, err := o.Embed(context.Background(), []string{"two"})

	if !errors.Is(err, ErrBadVectors) {
		t.Fatalf("error = %v, want ErrBadVectors", err)
	}
	if o.Dim() != 16 {
		t.Errorf("Dim() = %d, want 16 from the first response", o.Dim())
	}
}

func TestOpenAIRejectsNaN(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.nan = true
	o, _ := f.client(OpenAIConfig{})

	_, err := o.Embed(context.Background(), []string{"one", "two"})

	if !errors.Is(err, ErrBadVectors) {
		t.Fatalf("error = %v, want ErrBadVectors", err)
	}
	if !strings.Contains(err.Error(), "NaN") {
		t.Errorf("error %q does not mention NaN", err)
	}
}

func TestOpenAIConstantVectorsFailCheck(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.constant = true
	o, _ := f.client(OpenAIConfig{})
	texts := []string{"one", "two", "three"}

	vecs, err := o.Embed(context.Background(), texts)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	err = Check(texts, vecs, o.Dim())

	if !errors.Is(err, ErrBadVectors) {
		t.Fatalf("Check error = %v, want ErrBadVectors", err)
	}
	if !strings.Contains(err.Error(), "same vector") {
		t.Errorf("Check error %q does not name the repeated vector", err)
	}
}

func TestOpenAIReordersByIndex(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.reverse = true
	o, _ := f.client(OpenAIConfig{})
	texts := []string{"first", "second", "third", "fourth"}

	vecs, err := o.Embed(context.Background(), texts)

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	for i, text := range texts {
		if !slices.Equal(vecs[i], wantVector(text, 8)) {
			t.Errorf("vector %d is not the vector of %q", i, text)
		}
	}
}

func TestOpenAIRejectsRepeatedIndex(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.repeatIndex = true
	o, _ := f.client(OpenAIConfig{})

	_, err := o.Embed(context.Background(), []string{"one", "two"})

	if !errors.Is(err, ErrBadVectors) {
		t.Fatalf("error = %v, want ErrBadVectors", err)
	}
	if !strings.Contains(err.Error(), "repeated index 0") {
		t.Errorf("error %q does not name the repeated index", err)
	}
}

func TestOpenAIBatchesWithLimitedConcurrency(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.waitForPeer = true
	o, _ := f.client(OpenAIConfig{BatchSize: 64, Concurrency: 2})
	texts := make([]string, 300)
	for i := range texts {
		texts[i] = fmt.Sprintf("text %d", i)
	}

	vecs, err := o.Embed(context.Background(), texts)

	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	requests, maxInFlight, sizes := f.stats()
	if requests != 5 {
		t.Errorf("sent %d requests, want 5", requests)
	}
	slices.Sort(sizes)
	if want := []int{44, 64, 64, 64, 64}; !slices.Equal(sizes, want) {
		t.Errorf("batch sizes = %v, want %v", sizes, want)
	}
	if maxInFlight != 2 {
		t.Errorf("max requests in flight = %d, want 2", maxInFlight)
	}
	for i, text := range texts {
		if !slices.Equal(vecs[i], wantVector(text, 8)) {
			t.Errorf("vector %d is not the vector of %q", i, text)
			break
		}
	}
}

func TestOpenAICancelStopsRequest(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.block = true
	o, _ := f.client(OpenAIConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-f.arrived
		cancel()
	}()

	start := time.Now()
	_, err := o.Embed(ctx, []string{"one"})

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Embed returned %v after the request began, want at once", elapsed)
	}
	if requests, _, _ := f.stats(); requests != 1 {
		t.Errorf("sent %d requests, want 1 and no retry", requests)
	}
}

func TestOpenAICancelStopsBackoff(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.failures = []fakeFailure{{status: http.StatusTooManyRequests, retryAfter: "30", message: "slow down"}}
	o, _ := f.client(OpenAIConfig{})
	o.sleep = sleepContext
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-f.arrived
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()

	start := time.Now()
	_, err := o.Embed(ctx, []string{"one"})

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Embed returned after %v, want well before the 30s of Retry-After", elapsed)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{" 7 ", 7 * time.Second},
		{"0", 0},
		{"-4", 0},
		{"soon", 0},
		{"86400", maxRetryAfter},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0},
	}
	for _, c := range cases {
		if got := parseRetryAfter(c.header); got != c.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	t.Parallel()
	o := &OpenAI{retryBase: 500 * time.Millisecond}
	cases := []struct {
		attempt  int
		min, max time.Duration
	}{
		{0, 250 * time.Millisecond, 500 * time.Millisecond},
		{1, 500 * time.Millisecond, time.Second},
		{3, 2 * time.Second, 4 * time.Second},
		{10, maxBackoff / 2, maxBackoff},
		{62, maxBackoff / 2, maxBackoff},
	}
	huge := &OpenAI{retryBase: time.Hour}
	if d := huge.backoff(40, 0); d < maxBackoff/2 || d > maxBackoff {
		t.Errorf("backoff(40) with a 1h base = %v, want between %v and %v", d, maxBackoff/2, maxBackoff)
	}
	for _, c := range cases {
		d := o.backoff(c.attempt, 0)
		if d < c.min || d > c.max {
			t.Errorf("backoff(%d) = %v, want between %v and %v", c.attempt, d, c.min, c.max)
		}
	}
	if d := o.backoff(0, 3*time.Second); d != 3*time.Second {
		t.Errorf("backoff with Retry-After 3s = %v, want 3s", d)
	}
}

func TestOpenAIGivesUpBeforeDeadline(t *testing.T) {
	t.Parallel()
	f := newFakeOpenAI(t, 8)
	f.failures = []fakeFailure{{status: http.StatusServiceUnavailable, message: "overloaded"}}
	o, delays := f.client(OpenAIConfig{RetryBase: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	_, err := o.Embed(ctx, []string{"one"})

	var api *APIError
	if !errors.As(err, &api) || api.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("Embed error %v, want the provider's 503", err)
	}
	if len(*delays) != 0 {
		t.Errorf("waited %v before giving up, want no wait past the deadline", *delays)
	}
	if requests, _, _ := f.stats(); requests != 1 {
		t.Errorf("sent %d requests, want 1", requests)
	}
}
