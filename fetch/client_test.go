package fetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gndhq/gnd/fetch"
)

// All servers in this file are httptest servers on 127.0.0.1. No test
// connects anywhere else: the address guard is checked with literal IPs
// through BlockedReason and, for the client, against the loopback server.

func TestBlockedReasonClassifies(t *testing.T) {
	for _, c := range []struct {
		ip     string
		reason string // a word the reason must contain, or "" for a public address
	}{
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.0.0.1", "private"},
		{"10.255.255.255", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.254", "private"},
		{"192.168.1.1", "private"},
		{"::ffff:10.1.2.3", "private"},
		{"::ffff:192.168.0.10", "private"},
		{"fc00::1", "private"},
		{"fd12:3456:789a::1", "private"},
		{"169.254.169.254", "link-local"},
		{"169.254.0.1", "link-local"},
		{"::ffff:169.254.169.254", "link-local"},
		{"fe80::1", "link-local"},
		{"febf:ffff::1", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"0.1.2.3", "this network"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.127.255.254", "carrier-grade NAT"},
		{"239.1.2.3", "multicast"},
		{"ff05::1", "multicast"},
		{"224.0.0.251", "link-local"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.255", "reserved"},
		{"198.18.0.1", "benchmarking"},
		{"64:ff9b::a00:1", "NAT64"},
		{"2002:a00:1::1", "6to4"},
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"2606:4700::1111", ""},
		{"2001:4860:4860::8888", ""},
	} {
		t.Run(c.ip, func(t *testing.T) {
			ip := net.ParseIP(c.ip)
			if ip == nil {
				t.Fatalf("test case %q is not an IP literal", c.ip)
			}
			got := fetch.BlockedReason(ip)
			if c.reason == "" {
				if got != "" {
					t.Errorf("BlockedReason(%s) = %q, expected \"\" for a public address", c.ip, got)
				}
				return
			}
			if got == "" {
				t.Errorf("BlockedReason(%s) = \"\", expected it blocked as %s", c.ip, c.reason)
				return
			}
			if !strings.Contains(got, c.reason) {
				t.Errorf("BlockedReason(%s) = %q, expected a reason that mentions %q", c.ip, got, c.reason)
			}
		})
	}
}

func TestGetRefusesLoopbackByDefault(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()

	resp, err := fetch.NewClient(fetch.Options{}).Get(t.Context(), srv.URL+"/", fetch.Validators{})
	if err == nil {
		t.Fatalf("Get of a loopback URL with private networks disallowed returned status %d, expected a refusal", resp.StatusCode)
	}
	if !errors.Is(err, fetch.ErrBlockedAddress) {
		t.Errorf("Get of a loopback URL returned %v, expected ErrBlockedAddress", err)
	}
	if !strings.Contains(err.Error(), "GND_ALLOW_PRIVATE_NETWORKS") {
		t.Errorf("refusal %q does not say how to allow private networks", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server received %d requests, expected none", n)
	}
}

func TestGetAllowsLoopbackWhenPermitted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
		fmt.Fprint(w, "hello, "+r.Header.Get("User-Agent"))
	}))
	defer srv.Close()

	c := fetch.NewClient(fetch.Options{AllowPrivate: true, UserAgent: "gnd-test/1"})
	resp, err := c.Get(t.Context(), srv.URL+"/page", fetch.Validators{})
	if err != nil {
		t.Fatalf("Get with private networks allowed: %v", err)
	}
	if string(resp.Body) != "hello, gnd-test/1" {
		t.Errorf("body is %q, expected the page with the configured user agent", resp.Body)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status is %d, expected 200", resp.StatusCode)
	}
	if resp.NotModified {
		t.Errorf("an unconditional 200 is reported as not modified")
	}
	if resp.Validators.ETag != `"v1"` || resp.Validators.LastModified != "Mon, 01 Jan 2024 00:00:00 GMT" {
		t.Errorf("validators are %+v, expected the response's ETag and Last-Modified", resp.Validators)
	}
	if resp.URL != srv.URL+"/page" {
		t.Errorf("final URL is %q, expected %q", resp.URL, srv.URL+"/page")
	}
}

func TestGetStatusError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		http.Error(w, http.StatusText(code), code)
	}))
	defer srv.Close()
	c := fetch.NewClient(fetch.Options{AllowPrivate: true})

	for _, tc := range []struct {
		code      int
		message   string
		retryable bool
	}{
		{404, "Failed to fetch URL: 404 Not Found", true},
		{410, "Failed to fetch URL: 410 Gone", false},
		{403, "Failed to fetch URL: 403 Forbidden", false},
		{429, "Failed to fetch URL: 429 Too Many Requests", true},
		{503, "Failed to fetch URL: 503 Service Unavailable", true},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			u := fmt.Sprintf("%s/%d", srv.URL, tc.code)
			_, err := c.Get(t.Context(), u, fetch.Validators{})
			var se *fetch.StatusError
			if !errors.As(err, &se) {
				t.Fatalf("Get returned %v, expected a *StatusError", err)
			}
			if se.Error() != tc.message {
				t.Errorf("message is %q, expected %q", se.Error(), tc.message)
			}
			if se.StatusCode != tc.code {
				t.Errorf("status code is %d, expected %d", se.StatusCode, tc.code)
			}
			if se.URL != u {
				t.Errorf("error URL is %q, expected %q", se.URL, u)
			}
			if se.Retryable() != tc.retryable {
				t.Errorf("Retryable() = %v for %d, expected %v", se.Retryable(), tc.code, tc.retryable)
			}
		})
	}
}

func TestGetSizeCap(t *testing.T) {
	const limit = 64 << 10
	gzipped := func(n int) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(bytes.Repeat([]byte("a"), n))
		zw.Close()
		return buf.Bytes()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Path == "/gzip" {
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				http.Error(w, "gzip not accepted", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipped(n))
			return
		}
		w.Write(bytes.Repeat([]byte("a"), n))
	}))
	defer srv.Close()
	c := fetch.NewClient(fetch.Options{AllowPrivate: true, MaxBytes: limit})
	if c.MaxBytes() != limit {
		t.Errorf("MaxBytes() = %d, expected %d", c.MaxBytes(), limit)
	}

	for _, tc := range []struct {
		name    string
		path    string
		size    int
		tooBig  bool
		maxWire int // the compressed body must stay under the cap for the gzip cases to mean anything
	}{
		{"plain at the cap", "/plain", limit, false, 0},
		{"plain one byte over", "/plain", limit + 1, true, 0},
		{"gzip at the cap", "/gzip", limit, false, limit},
		{"gzip expands over the cap", "/gzip", 16 * limit, true, limit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.maxWire > 0 && len(gzipped(tc.size)) >= tc.maxWire {
				t.Fatalf("test setup: compressed body of %d bytes is not below the cap", len(gzipped(tc.size)))
			}
			u := fmt.Sprintf("%s%s?n=%d", srv.URL, tc.path, tc.size)
			resp, err := c.Get(t.Context(), u, fetch.Validators{})
			if !tc.tooBig {
				if err != nil {
					t.Fatalf("Get of %d bytes with a cap of %d: %v", tc.size, limit, err)
				}
				if len(resp.Body) != tc.size {
					t.Errorf("body has %d bytes, expected %d decompressed bytes", len(resp.Body), tc.size)
				}
				return
			}
			var tl *fetch.TooLargeError
			if !errors.As(err, &tl) {
				t.Fatalf("Get of %d bytes with a cap of %d returned %v, expected a *TooLargeError", tc.size, limit, err)
			}
			if tl.Limit != limit {
				t.Errorf("TooLargeError.Limit is %d, expected %d", tl.Limit, limit)
			}
			if tl.URL != u {
				t.Errorf("TooLargeError.URL is %q, expected %q", tl.URL, u)
			}
		})
	}
}

// redirectServer redirects /r/N to /r/N-1 and serves "done" at /r/0.
func redirectServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if n == 0 {
			fmt.Fprint(w, "done")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGetFollowsRedirectsUpToMax(t *testing.T) {
	srv := redirectServer(t)
	const maxRedirects = 3
	c := fetch.NewClient(fetch.Options{AllowPrivate: true, MaxRedirects: maxRedirects})
	for n := 0; n <= maxRedirects; n++ {
		t.Run(fmt.Sprintf("%d redirects", n), func(t *testing.T) {
			resp, err := c.Get(t.Context(), fmt.Sprintf("%s/r/%d", srv.URL, n), fetch.Validators{})
			if err != nil {
				t.Fatalf("a chain of %d redirects with MaxRedirects %d failed: %v", n, maxRedirects, err)
			}
			if string(resp.Body) != "done" {
				t.Errorf("body is %q, expected the final page", resp.Body)
			}
			if resp.URL != srv.URL+"/r/0" {
				t.Errorf("final URL is %q, expected %s/r/0", resp.URL, srv.URL)
			}
		})
	}
}

func TestGetStopsAfterMaxRedirects(t *testing.T) {
	srv := redirectServer(t)
	const maxRedirects = 3
	c := fetch.NewClient(fetch.Options{AllowPrivate: true, MaxRedirects: maxRedirects})
	_, err := c.Get(t.Context(), fmt.Sprintf("%s/r/%d", srv.URL, maxRedirects+1), fetch.Validators{})
	if err == nil {
		t.Fatalf("a chain of %d redirects with MaxRedirects %d succeeded, expected an error", maxRedirects+1, maxRedirects)
	}
	if !strings.Contains(err.Error(), "redirects") {
		t.Errorf("error %q does not mention the redirect limit", err)
	}
}

func TestGetRefusesNonHTTPRedirect(t *testing.T) {
	for _, target := range []string{"file:///etc/hostname", "ftp://127.0.0.1/pub/file", "gopher://127.0.0.1/"} {
		t.Run(strings.SplitN(target, ":", 2)[0], func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", target)
				w.WriteHeader(http.StatusFound)
			}))
			defer srv.Close()
			_, err := fetch.NewClient(fetch.Options{AllowPrivate: true}).Get(t.Context(), srv.URL+"/", fetch.Validators{})
			if err == nil {
				t.Fatalf("a redirect to %s was followed, expected a refusal", target)
			}
			if !strings.Contains(err.Error(), "only http and https") {
				t.Errorf("error %q does not say that only http and https are allowed", err)
			}
		})
	}
}

func TestGetRejectsNonHTTPURL(t *testing.T) {
	c := fetch.NewClient(fetch.Options{AllowPrivate: true})
	for _, u := range []string{"file:///etc/passwd", "ftp://127.0.0.1/x", "127.0.0.1/no-scheme"} {
		if _, err := c.Get(t.Context(), u, fetch.Validators{}); err == nil {
			t.Errorf("Get(%q) succeeded, expected an invalid URL error", u)
		}
	}
}

func TestGetConditional(t *testing.T) {
	const etag, modified = `"abc123"`, "Tue, 02 Jan 2024 03:04:05 GMT"
	var gotETag, gotSince atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotETag.Store(r.Header.Get("If-None-Match"))
		gotSince.Store(r.Header.Get("If-Modified-Since"))
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", modified)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, "fresh body")
	}))
	defer srv.Close()
	c := fetch.NewClient(fetch.Options{AllowPrivate: true})

	first, err := c.Get(t.Context(), srv.URL+"/doc", fetch.Validators{})
	if err != nil {
		t.Fatalf("first Get: %v", err)
	}
	if gotETag.Load() != "" || gotSince.Load() != "" {
		t.Errorf("an unconditional Get sent If-None-Match %q and If-Modified-Since %q", gotETag.Load(), gotSince.Load())
	}

	resp, err := c.Get(t.Context(), srv.URL+"/doc", first.Validators)
	if err != nil {
		t.Fatalf("conditional Get: %v", err)
	}
	if gotETag.Load() != etag {
		t.Errorf("conditional Get sent If-None-Match %q, expected %q", gotETag.Load(), etag)
	}
	if gotSince.Load() != modified {
		t.Errorf("conditional Get sent If-Modified-Since %q, expected %q", gotSince.Load(), modified)
	}
	if !resp.NotModified {
		t.Errorf("a 304 response is not reported as NotModified")
	}
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("status is %d, expected 304", resp.StatusCode)
	}
	if len(resp.Body) != 0 {
		t.Errorf("a 304 response has a %d-byte body, expected none", len(resp.Body))
	}

	changed, err := c.Get(t.Context(), srv.URL+"/doc", fetch.Validators{ETag: `"old"`})
	if err != nil {
		t.Fatalf("Get with an old ETag: %v", err)
	}
	if changed.NotModified || string(changed.Body) != "fresh body" {
		t.Errorf("Get with an outdated ETag returned NotModified=%v body %q, expected the full body", changed.NotModified, changed.Body)
	}
}

func TestGetTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	const timeout = 200 * time.Millisecond
	c := fetch.NewClient(fetch.Options{AllowPrivate: true, Timeout: timeout})
	start := time.Now()
	_, err := c.Get(context.Background(), srv.URL+"/slow", fetch.Validators{})
	took := time.Since(start)
	if err == nil {
		t.Fatalf("Get of a server that never answers succeeded, expected a timeout")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get returned %v, expected an error wrapping context.DeadlineExceeded", err)
	}
	if took > 10*time.Second {
		t.Errorf("Get took %v with a %v timeout", took, timeout)
	}
}

func TestGetTimeoutCoversBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("start of the body"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	c := fetch.NewClient(fetch.Options{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	_, err := c.Get(context.Background(), srv.URL+"/trickle", fetch.Validators{})
	if err == nil {
		t.Fatalf("Get of a body that never ends succeeded, expected a timeout")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get returned %v, expected an error wrapping context.DeadlineExceeded", err)
	}
}

func TestSameHost(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"http://127.0.0.1:8080/a", "https://127.0.0.1:8080/b", true},
		{"http://Docs.Example.test/a", "http://docs.example.test/b", true},
		{"http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a", false},
		{"http://a.test/", "http://b.test/", false},
	} {
		if got := fetch.SameHost(c.a, c.b); got != c.same {
			t.Errorf("SameHost(%q, %q) = %v, expected %v", c.a, c.b, got, c.same)
		}
	}
}
