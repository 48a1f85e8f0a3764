package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
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
	return server.Run(ctx, &sdk.StdioTransport{})
}
