package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// client talks to a gnd server like gh or kubectl do.
type client struct {
	base   string
	key    string
	http   *http.Client
	json   bool
	stdout io.Writer
}

func newClient(jsonOut bool, stdout io.Writer) (*client, error) {
	base := strings.TrimRight(os.Getenv("GND_URL"), "/")
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	key := os.Getenv("GND_API_KEY")
	if key == "" {
		return nil, errors.New("GND_API_KEY is not set: export the key printed by gnd serve on first start")
	}
	return &client{base: base, key: key, http: &http.Client{Timeout: 60 * time.Second}, json: jsonOut, stdout: stdout}, nil
}

// apiError is an error response of the server.
type apiError struct {
	Status  int
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status) }

// do sends a request and decodes a JSON response into out (when not nil).
func (c *client) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case *multipartBody:
		rd, contentType = b.buf, b.contentType
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd, contentType = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode >= 400 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
		}
		return &apiError{Status: resp.StatusCode, Message: e.Error}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = append((*raw)[:0], data...)
		return nil
	}
	return json.Unmarshal(data, out)
}

type multipartBody struct {
	buf         *bytes.Buffer
	contentType string
}

func fileBody(path, name string) (*multipartBody, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	buf := &bytes.Buffer{}
	w := multipart.NewWriter(buf)
	part, err := w.CreateFormFile("file", filepath.Base(path))
	if err != nil {
		return nil, err
	}
	part.Write(data)
	if name != "" {
		w.WriteField("name", name)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &multipartBody{buf: buf, contentType: w.FormDataContentType()}, nil
}

// print writes raw JSON indented, for --json.
func (c *client) print(raw json.RawMessage) {
	var out bytes.Buffer
	if json.Indent(&out, raw, "", "  ") != nil {
		out.Reset()
		out.Write(raw)
	}
	fmt.Fprintln(c.stdout, out.String())
}

func query(values map[string]string) string {
	q := url.Values{}
	for k, v := range values {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
