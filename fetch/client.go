// Package fetch downloads source content over HTTP through one client that
// refuses private network addresses (unless the operator allows them), caps
// redirects, response sizes and time, and supports conditional GET.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Options configures a Client. Zero values take the documented defaults.
type Options struct {
	// AllowPrivate permits connections to loopback, private, link-local,
	// unique-local and unspecified addresses. Off by default.
	AllowPrivate bool
	// Timeout bounds one request including reading the body; default 30s.
	Timeout time.Duration
	// MaxBytes caps a response body after decompression; default 32 MiB.
	MaxBytes int64
	// MaxRedirects caps redirects per request; default 10.
	MaxRedirects int
	// UserAgent is sent with every request; default "gnd/1 (+grounding service)".
	UserAgent string
}

// Client is the guarded HTTP client every outbound fetch goes through.
type Client struct {
	http *http.Client
	opt  Options
}

// ErrBlockedAddress is returned (wrapped) when a host resolves to an address
// that the guard refuses.
var ErrBlockedAddress = errors.New("address is not allowed")

// ErrTooManyRedirects is returned (wrapped) when a request is redirected more
// often than the client allows, such as by a redirect loop.
var ErrTooManyRedirects = errors.New("too many redirects")

// NewClient returns a Client with the guard installed on its dialer, so every
// connection, redirects included, is checked after DNS resolution.
func NewClient(opt Options) *Client {
	if opt.Timeout <= 0 {
		opt.Timeout = 30 * time.Second
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 32 << 20
	}
	if opt.MaxRedirects <= 0 {
		opt.MaxRedirects = 10
	}
	if opt.UserAgent == "" {
		opt.UserAgent = "gnd/1 (+grounding service)"
	}
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			return checkDialAddress(address, opt.AllowPrivate)
		},
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would connect on our behalf and bypass the guard
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opt.Timeout,
	}
	c := &Client{opt: opt}
	c.http = &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opt.MaxRedirects {
				return fmt.Errorf("%w: stopped after %d redirects", ErrTooManyRedirects, opt.MaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: only http and https are allowed", req.URL.Redacted())
			}
			return nil
		},
	}
	return c
}

// MaxBytes returns the response size cap.
func (c *Client) MaxBytes() int64 { return c.opt.MaxBytes }

// AllowPrivate reports whether private addresses are allowed.
func (c *Client) AllowPrivate() bool { return c.opt.AllowPrivate }

func checkDialAddress(address string, allowPrivate bool) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return fmt.Errorf("dial %s: not an IP address", address)
	}
	if allowPrivate {
		return nil
	}
	if reason := BlockedReason(ip); reason != "" {
		return fmt.Errorf("connect to %s: %w: %s (set GND_ALLOW_PRIVATE_NETWORKS=true to allow private networks)", host, ErrBlockedAddress, reason)
	}
	return nil
}

// BlockedReason returns why the guard refuses ip ("loopback", "private",
// "link-local", …), or "" when ip is a public address.
func BlockedReason(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	switch {
	case ip.IsLoopback():
		return "loopback address"
	case ip.IsUnspecified():
		return "unspecified address"
	case ip.IsPrivate():
		return "private network address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local address (includes cloud metadata endpoints)"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast address"
	}
	for _, n := range extraBlocked {
		if n.net.Contains(ip) {
			return n.reason
		}
	}
	return ""
}

type blockedNet struct {
	net    *net.IPNet
	reason string
}

var extraBlocked = func() []blockedNet {
	var out []blockedNet
	for cidr, reason := range map[string]string{
		"0.0.0.0/8":     "\"this network\" address",
		"100.64.0.0/10": "carrier-grade NAT address",
		"192.0.0.0/24":  "IETF protocol assignment address",
		"198.18.0.0/15": "benchmarking network address",
		"240.0.0.0/4":   "reserved address",
		"64:ff9b::/96":  "NAT64 address",
		"2002::/16":     "6to4 address",
	} {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			panic(err)
		}
		out = append(out, blockedNet{net: n, reason: reason})
	}
	return out
}()

// Validators are the conditional-GET headers remembered from a previous fetch.
type Validators struct {
	ETag         string
	LastModified string
}

// Response is a fully read response.
type Response struct {
	URL         string // final URL after redirects
	StatusCode  int
	Status      string
	Header      http.Header
	Body        []byte
	NotModified bool // 304 to a conditional request; Body is empty
	Validators  Validators
}

// StatusError is a response with a status that is neither success nor 304.
type StatusError struct {
	URL        string
	StatusCode int
	Status     string // e.g. "404 Not Found"
}

func (e *StatusError) Error() string { return "Failed to fetch URL: " + e.Status }

// Retryable reports whether the status may succeed later. Every status is
// treated as retryable except 400, 401, 403, 405, 410 and 451; 404 is retried
// because a document can appear once a deployment finishes.
func (e *StatusError) Retryable() bool {
	switch e.StatusCode {
	case 400, 401, 403, 405, 410, 451:
		return false
	}
	return true
}

// TooLargeError is a body over the size cap.
type TooLargeError struct {
	URL   string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("response from %s exceeds the size limit of %d bytes", e.URL, e.Limit)
}

// Get fetches rawURL. With non-empty validators it sends a conditional
// request and reports NotModified on 304. Any status other than 2xx and 304
// returns a *StatusError.
func (c *Client) Get(ctx context.Context, rawURL string, v Validators) (*Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("invalid URL %q: %w", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("invalid URL %q: only http and https are allowed", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request for %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), unwrapURLError(err))
	}
	defer resp.Body.Close()
	out := &Response{URL: resp.Request.URL.String(), StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header,
		Validators: Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}}
	if resp.StatusCode == http.StatusNotModified {
		out.NotModified = true
		return out, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &StatusError{URL: rawURL, StatusCode: resp.StatusCode, Status: statusText(resp)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u.Redacted(), err)
	}
	if int64(len(body)) > c.opt.MaxBytes {
		return nil, &TooLargeError{URL: rawURL, Limit: c.opt.MaxBytes}
	}
	out.Body = body
	return out, nil
}

func statusText(resp *http.Response) string {
	if resp.Status != "" {
		return resp.Status
	}
	return fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
}

// unwrapURLError drops the *url.Error layer, whose message repeats the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// SameHost reports whether two URLs share scheme-independent host and port.
func SameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.EqualFold(ua.Host, ub.Host)
}

// CheckHost resolves host and returns an error wrapping ErrBlockedAddress
// when any of its addresses is one the guard refuses, unless private
// networks are allowed. Clients that connect by other means than Client
// (the git command) call it before connecting.
func (c *Client) CheckHost(ctx context.Context, host string) error {
	if c.opt.AllowPrivate || host == "" {
		return nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", host, err)
	}
	for _, a := range addrs {
		if reason := BlockedReason(a.IP); reason != "" {
			return fmt.Errorf("connect to %s (%s): %w: %s (set GND_ALLOW_PRIVATE_NETWORKS=true to allow private networks)",
				host, a.IP, ErrBlockedAddress, reason)
		}
	}
	return nil
}
