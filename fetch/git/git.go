// Package git runs the system git to read remote repositories: the commit a
// branch points to, shallow clones and fetches into a cache folder, and the
// list of files with their blob ids. Credentials (a token) are passed through
// the environment, never on the command line, and are scrubbed from errors.
package git

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Repo is a remote repository and how to reach it.
type Repo struct {
	URL    string
	Branch string
	// Token, when set, authenticates https remotes (sent as HTTP basic auth
	// with the user name "x-access-token", which GitHub, GitLab and Gitea
	// accept for tokens).
	Token string
}

// Error is a failed git command with its output, credentials removed.
type Error struct {
	Op     string
	Stderr string
	Err    error
	// NotFound reports a branch that does not exist. NotRepository reports a
	// URL or path that git cannot clone shallowly: missing, not a repository,
	// or served only by the dumb HTTP protocol. AuthFailed reports refused
	// credentials. None of them succeeds on retry.
	NotFound      bool
	NotRepository bool
	AuthFailed    bool
}

func (e *Error) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if i := strings.LastIndex(msg, "\n"); i >= 0 && len(msg) > 300 {
		msg = strings.TrimSpace(msg[i+1:])
	}
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s failed: %s", e.Op, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrBranchNotFound is matched by errors.Is for a missing branch.
var ErrBranchNotFound = errors.New("branch not found")

// run runs git with args in dir and returns stdout.
func run(ctx context.Context, dir string, repo Repo, op string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=",
		"GIT_SSH_COMMAND=ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new", "LC_ALL=C")
	if repo.Token != "" {
		auth := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + repo.Token))
		cmd.Env = append(cmd.Env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader",
			"GIT_CONFIG_VALUE_0=Authorization: Basic "+auth)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		text := scrub(stderr.String(), repo)
		e := &Error{Op: op, Stderr: text, Err: err}
		lower := strings.ToLower(text)
		switch {
		case strings.Contains(lower, "authentication failed"), strings.Contains(lower, "permission denied"),
			strings.Contains(lower, "could not read username"):
			e.AuthFailed = true
		case strings.Contains(lower, "remote branch") && strings.Contains(lower, "not found"),
			strings.Contains(lower, "couldn't find remote ref"):
			e.NotFound = true
			e.Err = fmt.Errorf("%w: %w", ErrBranchNotFound, err)
		case strings.Contains(lower, "does not appear to be a git repository"),
			strings.Contains(lower, "repository '") && strings.Contains(lower, "' not found"),
			strings.Contains(lower, "dumb http transport does not support shallow"):
			e.NotRepository = true
		}
		return nil, e
	}
	return stdout.Bytes(), nil
}

var userInfo = regexp.MustCompile(`://[^/@\s]+@`)

// scrub removes credentials from git output.
func scrub(s string, repo Repo) string {
	if repo.Token != "" {
		s = strings.ReplaceAll(s, repo.Token, "***")
	}
	return userInfo.ReplaceAllString(s, "://***@")
}

// RemoteURL turns a local path into a file:// URL (so shallow clones work)
// and leaves other URLs as they are.
func RemoteURL(raw string) string {
	if filepath.IsAbs(raw) {
		return (&url.URL{Scheme: "file", Path: raw}).String()
	}
	return raw
}

// Head returns the commit the branch points to on the remote, or an error
// wrapping ErrBranchNotFound when the branch does not exist.
func Head(ctx context.Context, repo Repo) (string, error) {
	out, err := run(ctx, "", repo, "ls-remote", "ls-remote", "--heads", "--", RemoteURL(repo.URL), "refs/heads/"+repo.Branch)
	if err != nil {
		return "", err
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 {
		return "", &Error{Op: "ls-remote", Err: fmt.Errorf("%w: branch %q does not exist in %s", ErrBranchNotFound, repo.Branch, Redact(repo.URL)), NotFound: true}
	}
	return fields[0], nil
}

// Sync makes dir a shallow checkout of the branch's head and returns the
// commit. An existing checkout in dir is fetched into; anything else in dir
// is replaced.
func Sync(ctx context.Context, repo Repo, dir string) (string, error) {
	remote := RemoteURL(repo.URL)
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		if err := os.RemoveAll(dir); err != nil {
			return "", fmt.Errorf("clear clone folder: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return "", fmt.Errorf("create clone folder: %w", err)
		}
		if _, err := run(ctx, "", repo, "clone", "clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags",
			"--branch", repo.Branch, "--", remote, dir); err != nil {
			return "", err
		}
	} else {
		if _, err := run(ctx, dir, repo, "fetch", "fetch", "--quiet", "--depth", "1", "--no-tags", "--", remote,
			"refs/heads/"+repo.Branch); err != nil {
			return "", err
		}
		if _, err := run(ctx, dir, repo, "checkout", "checkout", "--quiet", "--force", "--detach", "FETCH_HEAD"); err != nil {
			return "", err
		}
	}
	out, err := run(ctx, dir, repo, "rev-parse", "rev-parse", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// File is a regular file of a checkout.
type File struct {
	Path string // slash-separated, relative to the root
	Blob string // git blob id: changes exactly when the content changes
	Size int64
}

// Files lists the regular files of the checkout's HEAD (symbolic links and
// submodules left out).
func Files(ctx context.Context, dir string) ([]File, error) {
	out, err := run(ctx, dir, Repo{}, "ls-tree", "ls-tree", "-r", "-z", "--long", "--full-tree", "HEAD")
	if err != nil {
		return nil, err
	}
	var files []File
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, path, ok := bytes.Cut(rec, []byte{'\t'})
		if !ok {
			continue
		}
		f := strings.Fields(string(meta)) // mode type blob size
		if len(f) != 4 || f[1] != "blob" || (f[0] != "100644" && f[0] != "100755") {
			continue
		}
		size, _ := strconv.ParseInt(f[3], 10, 64)
		files = append(files, File{Path: string(path), Blob: f[2], Size: size})
	}
	return files, nil
}

// Redact removes user info from a repository URL for messages.
func Redact(raw string) string {
	return userInfo.ReplaceAllString(raw, "://***@")
}

// Host returns the host name of a remote URL (https, ssh, git and
// user@host:path forms), or "" for local paths and file URLs.
func Host(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		if u.Scheme == "file" {
			return ""
		}
		return u.Hostname()
	}
	if at := strings.Index(raw, "@"); at >= 0 {
		rest := raw[at+1:]
		if colon := strings.Index(rest, ":"); colon > 0 {
			return rest[:colon]
		}
	}
	return ""
}
