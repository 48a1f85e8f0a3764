package app_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gndhq/gnd/config"
	"github.com/gndhq/gnd/internal/gndtest"
)

// gitRepo is a repository made in the test.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T, branch string) *gitRepo {
	t.Helper()
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "--quiet", "--initial-branch", branch)
	r.git("config", "user.email", "test@example.com")
	r.git("config", "user.name", "Test")
	r.git("config", "commit.gpgsign", "false")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *gitRepo) write(path, content string) {
	r.t.Helper()
	full := filepath.Join(r.dir, path)
	gndtest.Must(r.t, os.MkdirAll(filepath.Dir(full), 0o755), "mkdir")
	gndtest.Must(r.t, os.WriteFile(full, []byte(content), 0o644), "write "+path)
}

func (r *gitRepo) commit(msg string) string {
	r.git("add", "-A")
	r.git("commit", "--quiet", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

const goSource = `package store

import "errors"

// ErrMissing is returned when a key is absent.
var ErrMissing = errors.New("missing")

// Client talks to the store.
type Client struct {
	addr string
}

// Connect opens a connection to addr.
func Connect(addr string) (*Client, error) {
	if addr == "" {
		return nil, ErrMissing
	}
	return &Client{addr: addr}, nil
}

// Fetch returns the value stored under key.
func (c *Client) Fetch(key string) (string, error) {
	return c.addr + "/" + key, nil
}
`

const pySource = `import os


class Inventory:
    """Keeps counts of items."""

    def __init__(self):
        self.items = {}

    def restock(self, name, count):
        self.items[name] = self.items.get(name, 0) + count
        return self.items[name]


def load_inventory(path):
    inv = Inventory()
    with open(path) as f:
        for line in f:
            name, count = line.split()
            inv.restock(name, int(count))
    return inv
`

const tsSource = `export interface Order {
  id: string;
  total: number;
}

export class OrderBook {
  private orders: Order[] = [];

  addOrder(order: Order): void {
    this.orders.push(order);
  }

  totalValue(): number {
    return this.orders.reduce((sum, o) => sum + o.total, 0);
  }
}

export const formatOrder = (o: Order): string => {
  return ` + "`${o.id}: ${o.total}`" + `;
};
`

func startRepoServer(t *testing.T) *gndtest.Server {
	return gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.AllowLocalSources = true }})
}

func TestRepoSymbolChunksWithLineRanges(t *testing.T) {
	repo := newGitRepo(t, "trunk")
	repo.write("store/client.go", goSource)
	repo.write("inventory.py", pySource)
	repo.write("web/orders.ts", tsSource)
	repo.write("README.md", "# Demo\n\nA demo repository for the repository sync test.\n\n## Usage\n\nRun the thing.\n")
	sha := repo.commit("first")

	srv := startRepoServer(t)
	id := srv.CreateSource(map[string]any{"name": "demo", "source_type": "repo", "url": repo.dir, "branch": "trunk"})
	job := srv.SyncAndWait(id)
	if job["status"] != "completed" {
		t.Fatalf("status %v: %v %v", job["status"], job["error_message"], job["error_details"])
	}
	chunks, err := srv.App.DB.Chunks(context.Background(), id)
	gndtest.Must(t, err, "read chunks")
	sources := map[string]string{"store/client.go": goSource, "inventory.py": pySource, "web/orders.ts": tsSource}
	symbols := map[string]bool{}
	for _, c := range chunks {
		symbols[c.Path+" "+c.Symbol] = true
		if c.VersionRef != sha {
			t.Errorf("chunk %s version_ref %q, want commit %s", c.Symbol, c.VersionRef, sha)
		}
		src, ok := sources[c.Path]
		if !ok || c.StartLine == nil || c.EndLine == nil {
			continue
		}
		lines := strings.Split(src, "\n")
		want := strings.Join(lines[*c.StartLine-1:*c.EndLine], "\n")
		if c.Content != want {
			t.Errorf("chunk %s of %s: lines %d-%d do not match its content\ncontent:\n%s\nsource lines:\n%s", c.Symbol, c.Path, *c.StartLine, *c.EndLine, c.Content, want)
		}
		if c.ChunkType != "code" {
			t.Errorf("chunk %s of %s has chunk_type %q, want code", c.Symbol, c.Path, c.ChunkType)
		}
	}
	for _, want := range []string{"store/client.go Connect", "store/client.go Client.Fetch", "store/client.go Client",
		"inventory.py Inventory.restock", "inventory.py load_inventory", "web/orders.ts OrderBook.addOrder",
		"web/orders.ts OrderBook.totalValue", "web/orders.ts formatOrder", "web/orders.ts Order"} {
		if !symbols[want] {
			t.Errorf("no chunk for %q; have %v", want, symbols)
		}
	}

	// A function name finds its chunk first, cited with the commit.
	for _, q := range []struct{ query, symbol string }{{"Fetch", "Client.Fetch"}, {"load_inventory", "load_inventory"}, {"totalValue", "OrderBook.totalValue"}} {
		r := gndtest.Results(srv.Search(map[string]any{"query": q.query, "source_ids": []string{id}}))
		if len(r) == 0 || gndtest.Citation(r[0])["symbol"] != q.symbol || gndtest.Citation(r[0])["version_ref"] != sha {
			t.Errorf("search %q: first result %v, want symbol %s at %s", q.query, firstCitation(r), q.symbol, sha)
		}
	}
	src := srv.MustDo(200, "GET", "/sources/"+id, nil)
	if src["file_count"] != 4.0 || src["version_ref"] != sha {
		t.Errorf("source file_count %v version_ref %v, want 4 files at %s", src["file_count"], src["version_ref"], sha)
	}
}

func firstCitation(r []map[string]any) any {
	if len(r) == 0 {
		return nil
	}
	return gndtest.Citation(r[0])
}

func TestRepoSecondCommitExactChanges(t *testing.T) {
	repo := newGitRepo(t, "main")
	repo.write("store/client.go", goSource)
	repo.write("inventory.py", pySource)
	repo.write("web/orders.ts", tsSource)
	repo.commit("first")
	srv := startRepoServer(t)
	id := srv.CreateSource(map[string]any{"name": "demo", "source_type": "repo", "url": repo.dir})
	if job := srv.SyncAndWait(id); job["status"] != "completed" {
		t.Fatalf("first sync: %v %v", job["status"], job["error_message"])
	}
	chunks, err := srv.App.DB.Chunks(context.Background(), id)
	gndtest.Must(t, err, "read chunks")
	tsChunks := 0
	for _, c := range chunks {
		if c.Path == "web/orders.ts" {
			tsChunks++
		}
	}

	// Unchanged head: nothing to do.
	assertCounts(t, "unchanged head", srv.SyncAndWait(id), 0, 0, 0)

	// Rename a function, delete a file, edit one line inside a function.
	repo.write("store/client.go", strings.Replace(goSource, "func Connect(", "func Dial(", 1))
	repo.write("inventory.py", strings.Replace(pySource, "inv.restock(name, int(count))", "inv.restock(name.strip(), int(count))", 1))
	gndtest.Must(t, os.Remove(filepath.Join(repo.dir, "web/orders.ts")), "remove file")
	sha := repo.commit("second")
	job := srv.SyncAndWait(id)
	assertCounts(t, "second commit", job, 1, 1, float64(1+tsChunks))
	for _, r := range gndtest.Results(srv.Search(map[string]any{"query": "OrderBook totalValue", "source_ids": []string{id}})) {
		if gndtest.Citation(r)["path"] == "web/orders.ts" {
			t.Errorf("the deleted file is still found: %v", gndtest.Citation(r))
		}
	}
	r := gndtest.Results(srv.Search(map[string]any{"query": "Dial", "source_ids": []string{id}}))
	if len(r) == 0 || gndtest.Citation(r[0])["symbol"] != "Dial" || gndtest.Citation(r[0])["version_ref"] != sha {
		t.Errorf("search Dial: first result %v, want the renamed function at %s", firstCitation(r), sha)
	}
	for _, c := range gndtest.Results(srv.Search(map[string]any{"query": "Connect", "source_ids": []string{id}})) {
		if gndtest.Citation(c)["symbol"] == "Connect" {
			t.Error("the old name Connect is still indexed")
		}
	}
}

func TestRepoFailures(t *testing.T) {
	repo := newGitRepo(t, "main")
	repo.write("a.go", "package a\n\nfunc A() {}\n")
	repo.commit("first")
	srv := startRepoServer(t)

	missing := srv.SyncAndWait(srv.CreateSource(map[string]any{"name": "no branch", "source_type": "repo", "url": repo.dir, "branch": "release-9"}))
	if missing["status"] != "failed" || !strings.Contains(missing["error_message"].(string), "release-9") || missing["retry_count"] != 0.0 {
		t.Errorf("missing branch: status %v, message %v, retries %v; want failed at once naming the branch",
			missing["status"], missing["error_message"], missing["retry_count"])
	}

	// A path that is not a repository cannot succeed later: it fails at once.
	missingRepo := srv.SyncAndWait(srv.CreateSource(map[string]any{"name": "no repo", "source_type": "repo", "url": filepath.Join(t.TempDir(), "nothing-here")}))
	if missingRepo["status"] != "failed" || missingRepo["retry_count"] != 0.0 || !strings.Contains(fmt.Sprint(missingRepo["error_message"]), "not a git repository") {
		t.Errorf("path that is not a repository: status %v, retries %v, message %v; want failed at once saying so",
			missingRepo["status"], missingRepo["retry_count"], missingRepo["error_message"])
	}

	// A server that speaks only the dumb HTTP protocol cannot give a
	// shallow clone: that fails at once too.
	bare := t.TempDir()
	repo.git("clone", "--quiet", "--bare", repo.dir, bare)
	cmd := exec.Command("git", "update-server-info")
	cmd.Dir = bare
	gndtest.Must(t, cmd.Run(), "git update-server-info")
	dumb := httptest.NewServer(http.FileServer(http.Dir(bare)))
	defer dumb.Close()
	dumbJob := srv.SyncAndWait(srv.CreateSource(map[string]any{"name": "dumb", "source_type": "repo", "url": dumb.URL + "/"}))
	if dumbJob["status"] != "failed" || dumbJob["retry_count"] != 0.0 {
		t.Errorf("dumb HTTP server: status %v, retries %v, message %v; want failed at once",
			dumbJob["status"], dumbJob["retry_count"], dumbJob["error_message"])
	}

	// A server that refuses connections may come back: the job is retried.
	unreachable := srv.SyncAndWait(srv.CreateSource(map[string]any{"name": "unreachable", "source_type": "repo", "url": "http://127.0.0.1:1/nothing.git"}))
	details, _ := unreachable["error_details"].(map[string]any)
	if unreachable["status"] != "failed" || unreachable["retry_count"] != 3.0 || details["cause"] == nil || !strings.Contains(details["cause"].(string), "git") {
		t.Errorf("unreachable repository: status %v, retries %v, details %v; want failed after 3 retries with the git error",
			unreachable["status"], unreachable["retry_count"], details)
	}
	if unreachable["stage"] != "fetch" {
		t.Errorf("unreachable repository failed at stage %v, want fetch", unreachable["stage"])
	}
}

func TestRepoOwnCheckoutIndexes(t *testing.T) {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skip("not inside a git checkout")
	}
	root := strings.TrimSpace(string(top))
	branch, err := exec.Command("git", "-C", root, "rev-parse", "--abbrev-ref", "HEAD").Output()
	gndtest.Must(t, err, "read branch")
	srv := startRepoServer(t)
	id := srv.CreateSource(map[string]any{"name": "gnd", "source_type": "repo", "url": root, "branch": strings.TrimSpace(string(branch))})
	job := srv.SyncAndWait(id)
	if job["status"] != "completed" || job["items_failed"] != 0.0 {
		t.Fatalf("own repository: status %v, items_failed %v, error %v", job["status"], job["items_failed"], job["error_message"])
	}

	// The largest Go file at HEAD has a chunk for every function, method and type.
	out, err := exec.Command("git", "-C", root, "ls-tree", "-r", "-l", "HEAD").Output()
	gndtest.Must(t, err, "list files")
	largest, size := "", 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || !strings.HasSuffix(f[4], ".go") {
			continue
		}
		if n := atoi(f[3]); n > size {
			largest, size = f[4], n
		}
	}
	src, err := exec.Command("git", "-C", root, "show", "HEAD:"+largest).Output()
	gndtest.Must(t, err, "read "+largest)
	file, err := parser.ParseFile(token.NewFileSet(), largest, src, 0)
	gndtest.Must(t, err, "parse "+largest)
	chunks, err := srv.App.DB.Chunks(context.Background(), id)
	gndtest.Must(t, err, "read chunks")
	have := map[string]bool{}
	for _, c := range chunks {
		if c.Path == largest {
			have[c.Symbol] = true
		}
	}
	for _, decl := range file.Decls {
		for _, name := range declNames(decl) {
			if !have[name] {
				t.Errorf("%s: no chunk for top-level declaration %s", largest, name)
			}
		}
	}
	t.Logf("%s: %d declarations, %d chunks", largest, len(file.Decls), len(have))
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// declNames returns the chunk symbols a top-level declaration must have:
// functions, methods (Type.Method) and types.
func declNames(decl ast.Decl) []string {
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil || len(d.Recv.List) == 0 {
			return []string{d.Name.Name}
		}
		t := d.Recv.List[0].Type
		if star, ok := t.(*ast.StarExpr); ok {
			t = star.X
		}
		if idx, ok := t.(*ast.IndexExpr); ok {
			t = idx.X
		}
		if idx, ok := t.(*ast.IndexListExpr); ok {
			t = idx.X
		}
		if id, ok := t.(*ast.Ident); ok {
			return []string{id.Name + "." + d.Name.Name}
		}
	case *ast.GenDecl:
		var out []string
		if d.Tok == token.TYPE {
			for _, s := range d.Specs {
				out = append(out, s.(*ast.TypeSpec).Name.Name)
			}
		}
		return out
	}
	return nil
}

func TestRepoPrivateAddressRefused(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.AllowPrivateNetworks = false }})
	// A literal loopback address is refused before git runs, so nothing connects.
	for _, u := range []string{"git://127.0.0.1:9/none.git", "http://[::1]:9/none.git", "ssh://git@127.0.0.1:9/none.git"} {
		job := srv.SyncAndWait(srv.CreateSource(map[string]any{"name": "internal", "source_type": "repo", "url": u}))
		msg, _ := job["error_message"].(string)
		if job["status"] != "failed" || job["retry_count"] != 0.0 || !strings.Contains(msg, "not allowed") {
			t.Errorf("%s: status %v after %v retries: %q; want an immediate refusal of the address", u, job["status"], job["retry_count"], msg)
		}
	}
	for _, u := range []string{"ssh://-oProxyCommand=x/y", "https://user:secret@example.com/r.git"} {
		status, body := srv.Do("POST", "/sources", map[string]any{"name": "bad", "source_type": "repo", "url": u})
		if status != 400 {
			t.Errorf("%s: status %d %v, want 400", u, status, body)
		}
	}
}

func TestRepoPrivateWithToken(t *testing.T) {
	backend := "/usr/lib/git-core/git-http-backend"
	if _, err := os.Stat(backend); err != nil {
		t.Skip("git-http-backend is not installed")
	}
	repo := newGitRepo(t, "main")
	repo.write("secret.go", "package secret\n\n// Vault keeps the hidden numbers.\nfunc Vault() int { return 42 }\n")
	repo.commit("first")
	root := t.TempDir()
	out, err := exec.Command("git", "clone", "--quiet", "--bare", repo.dir, filepath.Join(root, "private.git")).CombinedOutput()
	gndtest.Must(t, err, "bare clone: "+string(out))

	// A smart-HTTP git server on loopback that wants the token as basic auth.
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:s3cret-token"))
	git := &cgi.Handler{Path: backend, Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		git.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)

	srv := startRepoServer(t)
	url := server.URL + "/private.git"
	noToken := srv.SyncAndWait(srv.CreateSource(map[string]any{"name": "no token", "source_type": "repo", "url": url}))
	if noToken["status"] != "failed" || noToken["retry_count"] != 0.0 {
		t.Errorf("without a token: status %v after %v retries, want an immediate failure", noToken["status"], noToken["retry_count"])
	}

	created := srv.MustDo(201, "POST", "/sources", map[string]any{"name": "with token", "source_type": "repo", "url": url, "token": "s3cret-token"})
	if created["has_token"] != true || strings.Contains(gndtest.Sprint(created), "s3cret") {
		t.Errorf("create response %v: want has_token true and no token", created)
	}
	job := srv.SyncAndWait(created["id"].(string))
	if job["status"] != "completed" {
		t.Fatalf("with a token: %v %v", job["status"], job["error_message"])
	}
	if r := gndtest.Results(srv.Search(map[string]any{"query": "Vault hidden numbers"})); len(r) == 0 || gndtest.Citation(r[0])["symbol"] != "Vault" {
		t.Errorf("search in the private repository: %v", firstCitation(r))
	}
	for _, path := range []string{"/sources/" + created["id"].(string), "/jobs/" + job["id"].(string)} {
		if _, body := srv.DoRaw("GET", path, nil, nil); strings.Contains(string(body), "s3cret") {
			t.Errorf("GET %s shows the token", path)
		}
	}
	status, _ := srv.Do("POST", "/sources", map[string]any{"name": "docs with token", "source_type": "docs", "url": "https://example.com", "token": "x"})
	if status != 400 {
		t.Errorf("a token on a docs source: status %d, want 400", status)
	}
}
