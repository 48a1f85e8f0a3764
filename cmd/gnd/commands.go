package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// runClient runs a client command against the server at GND_URL.
func runClient(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.Bool("json", false, "print the server's JSON response")
	topK := fs.Int("top-k", 0, "search: number of results (1-50)")
	maxTokens := fs.Int("max-tokens", 0, "search: token budget (1-32000)")
	sourceID := fs.String("source", "", "search: comma-separated source ids; jobs list: filter by source")
	status := fs.String("status", "", "jobs list, sources list: filter by status")
	wait := fs.Bool("wait", false, "sync: wait until the job ends")
	name := fs.String("name", "", "sources create/upload: source name")
	typ := fs.String("type", "", "sources create: repo or docs")
	format := fs.String("format", "", "sources create: html or openapi (docs only)")
	branch := fs.String("branch", "", "sources create: git branch (repo only)")
	sitemap := fs.Bool("sitemap", false, "sources create: discover pages from the sitemap")
	syncNow := fs.Bool("sync", false, "sources create/upload: start a sync at once")
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	c, err := newClient(*jsonOut, stdout)
	if err != nil {
		return err
	}
	pos := fs.Args()
	arg := func(i int, what string) (string, error) {
		if i >= len(pos) {
			return "", fmt.Errorf("missing %s", what)
		}
		return pos[i], nil
	}
	switch cmd {
	case "sources":
		return c.sources(ctx, pos, arg, map[string]string{"name": *name, "type": *typ, "format": *format, "branch": *branch, "status": *status},
			*sitemap, *syncNow)
	case "sync":
		id, err := arg(0, "source id: gnd sync SOURCE_ID")
		if err != nil {
			return err
		}
		return c.sync(ctx, id, *wait)
	case "jobs":
		return c.jobs(ctx, pos, arg, *sourceID, *status)
	case "search":
		if len(pos) == 0 {
			return errors.New("missing query: gnd search QUERY")
		}
		return c.search(ctx, strings.Join(pos, " "), *topK, *maxTokens, *sourceID)
	case "policy":
		return c.policy(ctx, pos)
	case "keys":
		return c.keys(ctx, pos, arg)
	}
	return fmt.Errorf("unknown command %q", cmd)
}

// reorderFlags moves flags before positional arguments so "gnd jobs get ID
// --json" works like "gnd jobs get --json ID".
func reorderFlags(args []string) []string {
	var flags, rest []string
	valued := map[string]bool{"-top-k": true, "--top-k": true, "-max-tokens": true, "--max-tokens": true, "-source": true, "--source": true,
		"-status": true, "--status": true, "-name": true, "--name": true, "-type": true, "--type": true, "-format": true, "--format": true,
		"-branch": true, "--branch": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			if valued[a] && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}

func (c *client) sources(ctx context.Context, pos []string, arg func(int, string) (string, error), opts map[string]string, sitemap, syncNow bool) error {
	sub, err := arg(0, "subcommand: list, get, create, delete or upload")
	if err != nil {
		return err
	}
	var raw json.RawMessage
	switch sub {
	case "list":
		if err := c.do(ctx, "GET", "/sources"+query(map[string]string{"status": opts["status"], "limit": "100"}), nil, &raw); err != nil {
			return err
		}
		if c.json {
			c.print(raw)
			return nil
		}
		var out struct {
			Sources []map[string]any `json:"sources"`
			Total   int              `json:"total"`
		}
		json.Unmarshal(raw, &out)
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tTYPE\tSTATUS\tCHUNKS\tVERSION")
		for _, s := range out.Sources {
			fmt.Fprintf(tw, "%v\t%v\t%v\t%v\t%v\t%v\n", s["id"], s["name"], s["source_type"], s["status"], s["chunk_count"], orDash(s["version_ref"]))
		}
		return tw.Flush()
	case "get", "delete":
		id, err := arg(1, "source id")
		if err != nil {
			return err
		}
		if sub == "delete" {
			if err := c.do(ctx, "DELETE", "/sources/"+id, nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Deleted source %s\n", id)
			return nil
		}
		if err := c.do(ctx, "GET", "/sources/"+id, nil, &raw); err != nil {
			return err
		}
		c.print(raw)
		return nil
	case "create":
		u, err := arg(1, "URL: gnd sources create URL --type docs --format openapi --name NAME")
		if err != nil {
			return err
		}
		body := map[string]any{"name": opts["name"], "source_type": opts["type"], "url": u, "sync": syncNow, "use_sitemap": sitemap}
		if body["name"] == "" {
			body["name"] = u
		}
		if opts["format"] != "" {
			body["docs_format"] = opts["format"]
		}
		if opts["branch"] != "" {
			body["branch"] = opts["branch"]
		}
		if err := c.do(ctx, "POST", "/sources", body, &raw); err != nil {
			return err
		}
		return c.printCreated(raw)
	case "upload":
		path, err := arg(1, "PDF file: gnd sources upload FILE")
		if err != nil {
			return err
		}
		body, err := fileBody(path, opts["name"])
		if err != nil {
			return err
		}
		p := "/sources/upload"
		if syncNow {
			p += "?sync=true"
		}
		if err := c.do(ctx, "POST", p, body, &raw); err != nil {
			return err
		}
		return c.printCreated(raw)
	}
	return fmt.Errorf("unknown subcommand %q: list, get, create, delete or upload", sub)
}

func (c *client) printCreated(raw json.RawMessage) error {
	if c.json {
		c.print(raw)
		return nil
	}
	var s map[string]any
	json.Unmarshal(raw, &s)
	fmt.Fprintf(c.stdout, "Created source %v\n", s["id"])
	if j, ok := s["job_id"]; ok {
		fmt.Fprintf(c.stdout, "Sync job %v\n", j)
	}
	return nil
}

func orDash(v any) any {
	if v == nil {
		return "-"
	}
	return v
}

func (c *client) sync(ctx context.Context, id string, wait bool) error {
	var resp struct {
		JobID string `json:"job_id"`
	}
	if err := c.do(ctx, "POST", "/sources/"+id+"/sync", nil, &resp); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Sync job %s\n", resp.JobID)
	if !wait {
		return nil
	}
	return c.watch(ctx, resp.JobID)
}

// watch prints a job's progress until it ends; a failed or cancelled job
// returns an error so the exit code is non-zero.
func (c *client) watch(ctx context.Context, id string) error {
	last := ""
	for {
		var job map[string]any
		if err := c.do(ctx, "GET", "/jobs/"+id, nil, &job); err != nil {
			return err
		}
		line := fmt.Sprintf("%v %v %v%% %v", job["status"], job["stage"], job["progress_percent"], job["progress_message"])
		if line != last {
			fmt.Fprintln(c.stdout, line)
			last = line
		}
		switch job["status"] {
		case "completed":
			fmt.Fprintf(c.stdout, "created %v, updated %v, deleted %v\n", job["chunks_created"], job["chunks_updated"], job["chunks_deleted"])
			return nil
		case "failed":
			return fmt.Errorf("job %s failed: %v", id, job["error_message"])
		case "cancelled":
			return fmt.Errorf("job %s was cancelled", id)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (c *client) jobs(ctx context.Context, pos []string, arg func(int, string) (string, error), sourceID, status string) error {
	sub, err := arg(0, "subcommand: list, get, cancel or watch")
	if err != nil {
		return err
	}
	var raw json.RawMessage
	switch sub {
	case "list":
		if err := c.do(ctx, "GET", "/jobs"+query(map[string]string{"source_id": sourceID, "status": status}), nil, &raw); err != nil {
			return err
		}
		if c.json {
			c.print(raw)
			return nil
		}
		var out struct {
			Jobs []map[string]any `json:"jobs"`
		}
		json.Unmarshal(raw, &out)
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSOURCE\tSTATUS\tSTAGE\tPROGRESS\tCREATED/UPDATED/DELETED")
		for _, j := range out.Jobs {
			fmt.Fprintf(tw, "%v\t%v\t%v\t%v\t%v%%\t%v/%v/%v\n", j["id"], j["source_id"], j["status"], j["stage"], j["progress_percent"],
				j["chunks_created"], j["chunks_updated"], j["chunks_deleted"])
		}
		return tw.Flush()
	case "get", "cancel", "watch":
		id, err := arg(1, "job id")
		if err != nil {
			return err
		}
		switch sub {
		case "watch":
			return c.watch(ctx, id)
		case "cancel":
			err = c.do(ctx, "POST", "/jobs/"+id+"/cancel", nil, &raw)
		default:
			err = c.do(ctx, "GET", "/jobs/"+id, nil, &raw)
		}
		if err != nil {
			return err
		}
		c.print(raw)
		return nil
	}
	return fmt.Errorf("unknown subcommand %q: list, get, cancel or watch", sub)
}

func (c *client) search(ctx context.Context, q string, topK, maxTokens int, sources string) error {
	body := map[string]any{"query": q}
	if topK > 0 {
		body["top_k"] = topK
	}
	if maxTokens > 0 {
		body["max_tokens"] = maxTokens
	}
	if sources != "" {
		body["source_ids"] = strings.Split(sources, ",")
	}
	var raw json.RawMessage
	if err := c.do(ctx, "POST", "/search", body, &raw); err != nil {
		return err
	}
	if c.json {
		c.print(raw)
		return nil
	}
	var resp struct {
		Results []struct {
			Content  string         `json:"content"`
			Score    float64        `json:"score"`
			Citation map[string]any `json:"citation"`
		} `json:"results"`
		EvidenceQuality map[string]any `json:"evidence_quality"`
		Warnings        []string       `json:"warnings"`
	}
	json.Unmarshal(raw, &resp)
	for i, r := range resp.Results {
		cit := r.Citation
		lines := ""
		if cit["start_line"] != nil {
			lines = fmt.Sprintf(":%v-%v", cit["start_line"], cit["end_line"])
		}
		fmt.Fprintf(c.stdout, "%d. [%.3f] %v — %v%s @ %v (%v)\n", i+1, r.Score, cit["symbol"], cit["path"], lines, cit["version_ref"], cit["source_name"])
		fmt.Fprintf(c.stdout, "   %s\n", firstLineOf(r.Content))
	}
	fmt.Fprintf(c.stdout, "evidence: %v (score %v)\n", resp.EvidenceQuality["confidence"], resp.EvidenceQuality["score"])
	for _, w := range resp.Warnings {
		fmt.Fprintf(c.stdout, "warning: %s\n", w)
	}
	return nil
}

func firstLineOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

func (c *client) policy(ctx context.Context, pos []string) error {
	sub := "get"
	if len(pos) > 0 {
		sub = pos[0]
	}
	var raw json.RawMessage
	var err error
	switch sub {
	case "get":
		err = c.do(ctx, "GET", "/policy", nil, &raw)
	case "reset":
		err = c.do(ctx, "POST", "/policy/reset", nil, &raw)
	case "set":
		patch := map[string]any{}
		for _, kv := range pos[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("invalid setting %q: use KEY=VALUE, e.g. enforce_refusal=true", kv)
			}
			patch[k] = parseValue(v)
		}
		err = c.do(ctx, "PUT", "/policy", patch, &raw)
	default:
		return fmt.Errorf("unknown subcommand %q: get, set or reset", sub)
	}
	if err != nil {
		return err
	}
	c.print(raw)
	return nil
}

// parseValue reads a command-line value as JSON when it is valid JSON
// (numbers, booleans, objects), else as a string.
func parseValue(v string) any {
	var out any
	if json.Unmarshal([]byte(v), &out) == nil {
		return out
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f
	}
	return v
}

func (c *client) keys(ctx context.Context, pos []string, arg func(int, string) (string, error)) error {
	sub, err := arg(0, "subcommand: create, list or revoke")
	if err != nil {
		return err
	}
	var raw json.RawMessage
	switch sub {
	case "create":
		name := ""
		if len(pos) > 1 {
			name = pos[1]
		}
		if err := c.do(ctx, "POST", "/keys", map[string]string{"name": name}, &raw); err != nil {
			return err
		}
		if c.json {
			c.print(raw)
			return nil
		}
		var k map[string]any
		json.Unmarshal(raw, &k)
		fmt.Fprintf(c.stdout, "Created key %v. It is shown only once:\n%v\n", k["id"], k["key"])
		return nil
	case "list":
		err = c.do(ctx, "GET", "/keys", nil, &raw)
	case "revoke":
		id, err := arg(1, "key id")
		if err != nil {
			return err
		}
		if err := c.do(ctx, "DELETE", "/keys/"+id, nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Revoked key %s\n", id)
		return nil
	default:
		return fmt.Errorf("unknown subcommand %q: create, list or revoke", sub)
	}
	if err != nil {
		return err
	}
	c.print(raw)
	return nil
}
