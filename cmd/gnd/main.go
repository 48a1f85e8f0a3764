// Command gnd is the gnd grounding service and its client.
//
//	gnd serve            REST API and workers on one database
//	gnd worker           workers only, against a shared PostgreSQL
//	gnd mcp              MCP tools on stdio, backed by a server at GND_URL
//	gnd sources …        manage sources on a server (GND_URL, GND_API_KEY)
//	gnd sync ID          start a sync job
//	gnd jobs …           list, show, watch and cancel jobs
//	gnd search QUERY     search with citations
//	gnd policy …         show, set and reset the trust policy
//	gnd keys …           create, list and revoke API keys
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `gnd is a self-hosted grounding service for coding agents.

Server:
  gnd serve [flags]     run the REST API and the sync workers (see gnd serve --help)
  gnd worker [flags]    run sync workers only, against a shared PostgreSQL

  gnd mcp               MCP server on stdio for local agents; its tools call the server at GND_URL

Client (reads GND_URL, default http://127.0.0.1:8080, and GND_API_KEY; --json prints raw JSON):
  gnd sources list|get ID|create …|delete ID|upload FILE
  gnd sync SOURCE_ID [--wait]
  gnd jobs list|get ID|cancel ID|watch ID
  gnd search QUERY [--top-k N] [--max-tokens N] [--source ID]
  gnd policy get|set KEY=VALUE…|reset
  gnd keys create [NAME]|list|revoke ID
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "gnd: "+err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr, true)
	case "worker":
		return serve(ctx, rest, stdout, stderr, false)
	case "mcp":
		return serveMCP(ctx, rest, stderr)
	case "sources", "sync", "jobs", "search", "policy", "keys":
		return runClient(ctx, cmd, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
