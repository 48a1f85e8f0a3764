package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/gndhq/gnd/app"
	"github.com/gndhq/gnd/mcp"
)

// serveMCP runs the MCP tools on stdin and stdout until the client closes
// the stream or ctx ends.
func serveMCP(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("gnd mcp takes no arguments; it reads GND_URL and GND_API_KEY")
	}
	base := strings.TrimRight(os.Getenv("GND_URL"), "/")
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	key := os.Getenv("GND_API_KEY")
	if key == "" {
		return errors.New("GND_API_KEY is not set: export a key of the server at GND_URL")
	}
	server := mcp.NewServer(&http.Client{Timeout: 60 * time.Second}, base, key, app.Version)
	fmt.Fprintf(stderr, "gnd mcp: serving tools on stdio for %s\n", base)
	out := &lockedWriter{w: os.Stdout}
	in, pw := io.Pipe()
	go filterLines(os.Stdin, pw, out)
	return server.Run(ctx, &sdk.IOTransport{Reader: in, Writer: out})
}

// lockedWriter serialises writes of the MCP server and of filterLines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) Close() error { return nil }

// filterLines passes each JSON line from r to w and replies to a line that
// is not JSON with a JSON-RPC parse error on out, so one bad line does not end
// the session. It closes w at the end of r.
func filterLines(r io.Reader, w *io.PipeWriter, out io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), sdk.DefaultMaxLineLength)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			fmt.Fprintf(out, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: the line is not valid JSON"}}`+"\n")
			continue
		}
		if _, err := w.Write(append(line, '\n')); err != nil {
			return
		}
	}
	w.CloseWithError(sc.Err())
}
