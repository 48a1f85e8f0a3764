package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/store"
)

// The tests in this file form a contract suite: every test runs once per
// backend from gndtest.Backends(), each on a fresh database.

// testDB is an open store with what a test needs to reach its tables directly.
type testDB struct {
	*store.DB
	backend string
	url     string
	dir     string
}

func openStore(t *testing.T, backend string) *testDB {
	t.Helper()
	url, dir := gndtest.DatabaseURL(t, backend), t.TempDir()
	db, err := store.Open(t.Context(), url, dir)
	if err != nil {
		t.Fatalf("open %s store: %v", backend, err)
	}
	t.Cleanup(func() { db.Close() })
	return &testDB{DB: db, backend: backend, url: url, dir: dir}
}

// forEachBackend runs test as one subtest per backend, each with its own database.
func forEachBackend(t *testing.T, test func(t *testing.T, db *testDB)) {
	t.Helper()
	for _, backend := range gndtest.Backends() {
		t.Run(backend, func(t *testing.T) { test(t, openStore(t, backend)) })
	}
}

// rawDB opens a second connection to the same database, for checks that the
// store's API cannot make (what a table contains).
func rawDB(t *testing.T, backend, url, dir string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(dir, "gnd.db")+"?_pragma=busy_timeout(15000)"
	if backend == store.Postgres {
		driver, dsn = "pgx", url
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open raw %s connection: %v", backend, err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// tickingClock returns a later time on every call, so rows created one after
// the other have distinct, ordered timestamps.
type tickingClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTickingClock() *tickingClock {
	return &tickingClock{now: time.Now().UTC().Truncate(time.Microsecond)}
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

// manualClock stays at one time until the test moves it.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Now().UTC().Truncate(time.Microsecond)}
}

func newWorkspace(t *testing.T, db *testDB, name string) store.Workspace {
	t.Helper()
	ws, err := db.CreateWorkspace(t.Context(), name)
	if err != nil {
		t.Fatalf("create workspace %s: %v", name, err)
	}
	return ws
}

func docsSource(workspaceID, name string) *gnd.Source {
	format := gnd.DocsHTML
	return &gnd.Source{WorkspaceID: workspaceID, Name: name, SourceType: gnd.SourceDocs, DocsFormat: &format,
		URL: "http://127.0.0.1/docs/" + name + "/", DocURLs: []string{}, IncludePatterns: []string{"guide/**"}, ExcludePatterns: []string{}}
}

func repoSource(workspaceID, name string) *gnd.Source {
	branch := "main"
	return &gnd.Source{WorkspaceID: workspaceID, Name: name, SourceType: gnd.SourceRepo, Branch: &branch,
		URL: "http://127.0.0.1/git/" + name + ".git", DocURLs: []string{}, IncludePatterns: []string{}, ExcludePatterns: []string{}}
}

// newSource stores a docs source without a job.
func newSource(t *testing.T, db *testDB, workspaceID, name string) *gnd.Source {
	t.Helper()
	s := docsSource(workspaceID, name)
	if err := db.CreateSource(t.Context(), s, nil); err != nil {
		t.Fatalf("create source %s: %v", name, err)
	}
	return s
}

// newSourceWithJob stores a docs source with its first, pending job.
func newSourceWithJob(t *testing.T, db *testDB, workspaceID, name string, maxRetries int) (*gnd.Source, *gnd.Job) {
	t.Helper()
	s := docsSource(workspaceID, name)
	job := store.NewJob(maxRetries)
	if err := db.CreateSource(t.Context(), s, job); err != nil {
		t.Fatalf("create source %s with job: %v", name, err)
	}
	return s, job
}

// claimJob claims the next due job and fails the test when none is due.
func claimJob(t *testing.T, db *testDB, owner string, lease time.Duration) *gnd.Job {
	t.Helper()
	job, err := db.Claim(t.Context(), owner, lease)
	if err != nil {
		t.Fatalf("claim as %s: %v", owner, err)
	}
	if job == nil {
		t.Fatalf("claim as %s: no job was due", owner)
	}
	return job
}

func getJob(t *testing.T, db *testDB, id string) *gnd.Job {
	t.Helper()
	j, err := db.JobByID(t.Context(), id)
	if err != nil {
		t.Fatalf("read job %s: %v", id, err)
	}
	return j
}

func getSource(t *testing.T, db *testDB, id string) *gnd.Source {
	t.Helper()
	s, err := db.SourceByID(t.Context(), id)
	if err != nil {
		t.Fatalf("read source %s: %v", id, err)
	}
	return s
}

func contentHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

func docChunk(workspaceID, key, content string) gnd.Chunk {
	start, end := 1, 3
	return gnd.Chunk{WorkspaceID: workspaceID, Key: key, Path: "guide/" + key + ".md", Symbol: key, StartLine: &start, EndLine: &end,
		VersionRef: "v1", Language: "markdown", ChunkType: gnd.ChunkDocs, Content: content, ContentHash: contentHash(content),
		TextHash: gnd.TextHash(content), TokenCount: 4}
}

// syncWithChunks runs the source's pending job to completion with one chunk
// per key, as a worker would, and returns the completed job.
func syncWithChunks(t *testing.T, db *testDB, src *gnd.Source, keys ...string) *gnd.Job {
	t.Helper()
	job := claimJob(t, db, "seed-worker", time.Minute)
	if job.SourceID != src.ID {
		t.Fatalf("claimed job %s of source %s, expected a job of source %s", job.ID, job.SourceID, src.ID)
	}
	var cs gnd.ChangeSet
	for _, k := range keys {
		cs.Create = append(cs.Create, docChunk(src.WorkspaceID, k, "content of "+k))
	}
	done := &store.Completion{FileCount: len(keys), VersionRef: "v1",
		FetchState: []store.FetchState{{URL: src.URL, ETag: `"seed"`, LastModified: "Mon, 01 Jan 2024 00:00:00 GMT", ContentHash: "seedhash"}}}
	if _, err := db.ApplyChanges(t.Context(), job.ID, job.LeaseOwner, src.ID, cs, done); err != nil {
		t.Fatalf("apply seed changes: %v", err)
	}
	return getJob(t, db, job.ID)
}

func checkCode(t *testing.T, err error, want, operation string) {
	t.Helper()
	if got := gnd.ErrorCode(err); got != want {
		t.Errorf("%s: error code %q, expected %q (error: %v)", operation, got, want, err)
	}
}

func chunkKeys(t *testing.T, db *testDB, sourceID string) []string {
	t.Helper()
	refs, err := db.ChunkRefs(t.Context(), sourceID)
	if err != nil {
		t.Fatalf("chunk refs of %s: %v", sourceID, err)
	}
	var keys []string
	for _, r := range refs {
		keys = append(keys, r.Key+"="+r.ContentHash)
	}
	return sortedCopy(keys)
}

func sortedCopy(list []string) []string {
	out := append([]string(nil), list...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// jobState renders every job field that a worker write may change.
func jobState(j *gnd.Job) string {
	lease := "none"
	if j.LeaseExpiresAt != nil {
		lease = j.LeaseExpiresAt.Format(time.RFC3339Nano)
	}
	errMsg := "none"
	if j.ErrorMessage != nil {
		errMsg = *j.ErrorMessage
	}
	return fmt.Sprintf("status=%s stage=%s percent=%d message=%q details=%s files=%d created=%d updated=%d deleted=%d "+
		"retry=%d attempt=%d owner=%q lease=%s run_at=%s error=%q error_details=%s items_failed=%d completed=%v",
		j.Status, j.Stage, j.ProgressPercent, j.ProgressMessage, j.StageDetails, j.FilesProcessed, j.ChunksCreated,
		j.ChunksUpdated, j.ChunksDeleted, j.RetryCount, j.Attempt, j.LeaseOwner, lease, j.RunAt.Format(time.RFC3339Nano),
		errMsg, j.ErrorDetails, j.ItemsFailed, j.CompletedAt != nil)
}

// sourceState renders every source field that a job outcome may change.
func sourceState(s *gnd.Source) string {
	str := func(p *string) string {
		if p == nil {
			return "nil"
		}
		return *p
	}
	tm := func(p *time.Time) string {
		if p == nil {
			return "nil"
		}
		return p.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("status=%s files=%d chunks=%d version=%s last_error=%s completed=%s",
		s.Status, s.FileCount, s.ChunkCount, str(s.VersionRef), str(s.LastError), tm(s.LastSyncCompleted))
}

func TestOpenTwiceKeepsSchemaAndData(t *testing.T) {
	for _, backend := range gndtest.Backends() {
		t.Run(backend, func(t *testing.T) {
			url, dir := gndtest.DatabaseURL(t, backend), t.TempDir()
			first, err := store.Open(t.Context(), url, dir)
			if err != nil {
				t.Fatalf("first open: %v", err)
			}
			ws, created, err := first.EnsureDefaultWorkspace(t.Context())
			if err != nil {
				t.Fatalf("ensure default workspace: %v", err)
			}
			if !created {
				t.Errorf("first EnsureDefaultWorkspace on an empty database reported created=false")
			}
			raw := rawDB(t, backend, url, dir)
			var before int
			if err := raw.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&before); err != nil {
				t.Fatalf("count migrations after first open: %v", err)
			}
			first.Close()

			second, err := store.Open(t.Context(), url, dir)
			if err != nil {
				t.Fatalf("second open of a migrated database failed: %v", err)
			}
			defer second.Close()
			var after int
			if err := raw.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&after); err != nil {
				t.Fatalf("count migrations after second open: %v", err)
			}
			if before == 0 {
				t.Errorf("schema_migrations is empty after the first open")
			}
			if after != before {
				t.Errorf("second open changed schema_migrations from %d to %d rows", before, after)
			}
			again, created, err := second.EnsureDefaultWorkspace(t.Context())
			if err != nil {
				t.Fatalf("ensure default workspace after reopen: %v", err)
			}
			if created {
				t.Errorf("EnsureDefaultWorkspace after reopen created a new workspace")
			}
			if again.ID != ws.ID {
				t.Errorf("default workspace after reopen is %s, expected the stored %s", again.ID, ws.ID)
			}
		})
	}
}

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	for _, backend := range gndtest.Backends() {
		t.Run(backend, func(t *testing.T) {
			// Several processes may start at once on a fresh database. Three
			// rounds make it likely that their migrations overlap at least once.
			const rounds, processes = 3, 4
			for round := range rounds {
				url, dir := gndtest.DatabaseURL(t, backend), t.TempDir()
				errs := make([]error, processes)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range processes {
					wg.Go(func() {
						<-start
						db, err := store.Open(t.Context(), url, dir)
						if err == nil {
							db.Close()
						}
						errs[i] = err
					})
				}
				close(start)
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Errorf("round %d: open %d of %d concurrent opens of a fresh database failed: %v", round, i+1, processes, err)
					}
				}
			}
		})
	}
}

func TestDefaultWorkspaceCreatedOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ws, created, err := db.EnsureDefaultWorkspace(t.Context())
		if err != nil {
			t.Fatalf("ensure default workspace: %v", err)
		}
		if !created {
			t.Errorf("first call reported created=false on an empty database")
		}
		if ws.Name != "default" {
			t.Errorf("default workspace name is %q, expected \"default\"", ws.Name)
		}
		again, created, err := db.EnsureDefaultWorkspace(t.Context())
		if err != nil {
			t.Fatalf("ensure default workspace again: %v", err)
		}
		if created {
			t.Errorf("second call reported created=true")
		}
		if again.ID != ws.ID {
			t.Errorf("second call returned workspace %s, expected %s", again.ID, ws.ID)
		}
	})
}

func TestKeysAuthenticate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws, _, err := db.EnsureDefaultWorkspace(ctx)
		if err != nil {
			t.Fatalf("ensure default workspace: %v", err)
		}
		plaintext := store.NewKey()
		key, err := db.CreateKey(ctx, ws.ID, "admin", plaintext)
		if err != nil {
			t.Fatalf("create key: %v", err)
		}
		if !strings.HasPrefix(plaintext, store.KeyPrefix) {
			t.Errorf("NewKey returned %q without the %q prefix", plaintext, store.KeyPrefix)
		}
		if err := store.ValidateKeyFormat(plaintext); err != nil {
			t.Errorf("NewKey returned a key that ValidateKeyFormat rejects: %v", err)
		}
		if !strings.HasPrefix(plaintext, key.Prefix) {
			t.Errorf("stored prefix %q is not the start of the key", key.Prefix)
		}

		got, err := db.Authenticate(ctx, plaintext)
		if err != nil {
			t.Fatalf("authenticate with the right key: %v", err)
		}
		if got.ID != key.ID {
			t.Errorf("authenticate returned key %s, expected %s", got.ID, key.ID)
		}
		if got.WorkspaceID != ws.ID {
			t.Errorf("authenticated key belongs to workspace %s, expected %s", got.WorkspaceID, ws.ID)
		}

		_, err = db.Authenticate(ctx, store.NewKey())
		checkCode(t, err, gnd.EUNAUTHORIZED, "authenticate with an unknown key")
		_, err = db.Authenticate(ctx, plaintext[:len(plaintext)-1])
		checkCode(t, err, gnd.EUNAUTHORIZED, "authenticate with a truncated key")

		_, err = db.CreateKey(ctx, ws.ID, "bad", "not-a-gnd-key")
		checkCode(t, err, gnd.EINVALID, "create a key without the gnd_ prefix")

		other := newWorkspace(t, db, "other")
		err = db.RevokeKey(ctx, other.ID, key.ID)
		checkCode(t, err, gnd.ENOTFOUND, "revoke a key through another workspace")
		if _, err := db.Authenticate(ctx, plaintext); err != nil {
			t.Errorf("a revoke through another workspace disabled the key: %v", err)
		}

		// The last active key of a workspace cannot be revoked.
		err = db.RevokeKey(ctx, ws.ID, key.ID)
		checkCode(t, err, gnd.ECONFLICT, "revoke the last active key")
		second, err := db.CreateKey(ctx, ws.ID, "second", store.NewKey())
		if err != nil {
			t.Fatalf("create a second key: %v", err)
		}

		if err := db.RevokeKey(ctx, ws.ID, key.ID); err != nil {
			t.Fatalf("revoke key: %v", err)
		}
		_, err = db.Authenticate(ctx, plaintext)
		checkCode(t, err, gnd.EUNAUTHORIZED, "authenticate with a revoked key")
		err = db.RevokeKey(ctx, ws.ID, key.ID)
		checkCode(t, err, gnd.ECONFLICT, "revoke an already revoked key")
		err = db.RevokeKey(ctx, ws.ID, second.ID)
		checkCode(t, err, gnd.ECONFLICT, "revoke the key that is now the last active one")

		keys, err := db.ListKeys(ctx, ws.ID)
		if err != nil {
			t.Fatalf("list keys: %v", err)
		}
		revoked := 0
		for _, k := range keys {
			if k.RevokedAt != nil {
				revoked++
			}
		}
		if len(keys) != 2 || revoked != 1 {
			t.Errorf("ListKeys returned %d keys with %d revoked, expected 2 keys with 1 revoked", len(keys), revoked)
		}
	})
}

func TestKeysStoredHashed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ws := newWorkspace(t, db, "hashing")
		plaintext := store.NewKey()
		if _, err := db.CreateKey(t.Context(), ws.ID, "admin", plaintext); err != nil {
			t.Fatalf("create key: %v", err)
		}
		secret := plaintext[len(store.KeyPrefix)+6:]

		raw := rawDB(t, db.backend, db.url, db.dir)
		rows, err := raw.Query(`SELECT * FROM api_keys`)
		if err != nil {
			t.Fatalf("read api_keys: %v", err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatalf("columns of api_keys: %v", err)
		}
		n := 0
		for rows.Next() {
			n++
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("scan api_keys row: %v", err)
			}
			for i, v := range values {
				text := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					text = string(b)
				}
				if strings.Contains(text, secret) {
					t.Errorf("column %s of api_keys contains the secret part of the key in plaintext", cols[i])
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read api_keys: %v", err)
		}
		if n != 1 {
			t.Errorf("api_keys has %d rows, expected 1", n)
		}
	})
}

func TestSourcesCreateGetUpdate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		db.SetClock(newTickingClock().Now)
		ws := newWorkspace(t, db, "sources")
		label := "v2"
		s := docsSource(ws.ID, "guide")
		s.DocURLs = []string{"http://127.0.0.1/docs/guide/a.html", "http://127.0.0.1/docs/guide/b.html"}
		s.UseSitemap = true
		s.DocVersionLabel = &label
		s.Settings = gnd.SourceSettings{MaxPages: 40, MaxDepth: 3, Concurrency: 2}
		if err := db.CreateSource(ctx, s, nil); err != nil {
			t.Fatalf("create source: %v", err)
		}
		if s.ID == "" {
			t.Fatalf("CreateSource did not assign an id")
		}
		if s.Status != gnd.SourcePending {
			t.Errorf("new source status is %q, expected pending", s.Status)
		}

		got, err := db.GetSource(ctx, ws.ID, s.ID)
		if err != nil {
			t.Fatalf("get source: %v", err)
		}
		for _, c := range []struct {
			field    string
			got, exp any
		}{
			{"name", got.Name, s.Name},
			{"source_type", got.SourceType, s.SourceType},
			{"url", got.URL, s.URL},
			{"docs_format", *got.DocsFormat, *s.DocsFormat},
			{"doc_urls", got.DocURLs, s.DocURLs},
			{"use_sitemap", got.UseSitemap, true},
			{"include_patterns", got.IncludePatterns, s.IncludePatterns},
			{"exclude_patterns", got.ExcludePatterns, s.ExcludePatterns},
			{"doc_version_label", *got.DocVersionLabel, label},
			{"settings", got.Settings, s.Settings},
			{"created_at", got.CreatedAt, s.CreatedAt},
			{"branch is nil", got.Branch == nil, true},
		} {
			if !reflect.DeepEqual(c.got, c.exp) {
				t.Errorf("stored %s is %v, expected %v", c.field, c.got, c.exp)
			}
		}

		name := "guide renamed"
		respect := false
		updated, err := db.UpdateSource(ctx, ws.ID, s.ID, gnd.SourceUpdate{Name: &name,
			Settings: &gnd.SourceSettings{MaxPages: 5, RespectRobots: &respect}}, func(*gnd.Source) error { return nil })
		if err != nil {
			t.Fatalf("update source: %v", err)
		}
		if updated.Name != name {
			t.Errorf("UpdateSource returned name %q, expected %q", updated.Name, name)
		}
		reread, err := db.GetSource(ctx, ws.ID, s.ID)
		if err != nil {
			t.Fatalf("get updated source: %v", err)
		}
		if reread.Name != name {
			t.Errorf("stored name after update is %q, expected %q", reread.Name, name)
		}
		if reread.Settings.MaxPages != 5 || reread.Settings.RespectRobots == nil || *reread.Settings.RespectRobots {
			t.Errorf("stored settings after update are %+v, expected max_pages 5 and respect_robots false", reread.Settings)
		}
		if reread.URL != s.URL {
			t.Errorf("an update without url changed the url to %q", reread.URL)
		}
		if !reread.UpdatedAt.After(s.UpdatedAt) {
			t.Errorf("updated_at %v did not advance past %v", reread.UpdatedAt, s.UpdatedAt)
		}

		rejected := "never stored"
		invalid := gnd.Errorf(gnd.EINVALID, "name is invalid")
		_, err = db.UpdateSource(ctx, ws.ID, s.ID, gnd.SourceUpdate{Name: &rejected}, func(*gnd.Source) error { return invalid })
		if !errors.Is(err, invalid) {
			t.Errorf("UpdateSource returned %v, expected the validation error", err)
		}
		after, err := db.GetSource(ctx, ws.ID, s.ID)
		if err != nil {
			t.Fatalf("get source after rejected update: %v", err)
		}
		if after.Name != name {
			t.Errorf("a rejected update stored name %q", after.Name)
		}

		_, err = db.GetSource(ctx, ws.ID, "00000000-0000-0000-0000-000000000000")
		checkCode(t, err, gnd.ENOTFOUND, "get an unknown source")
	})
}

func TestSourcesListFiltersAndPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		db.SetClock(newTickingClock().Now)
		ws := newWorkspace(t, db, "listing")
		var created []string
		for i := range 3 {
			created = append(created, newSource(t, db, ws.ID, fmt.Sprintf("docs-%d", i)).ID)
		}
		for i := range 2 {
			s := repoSource(ws.ID, fmt.Sprintf("repo-%d", i))
			if err := db.CreateSource(ctx, s, nil); err != nil {
				t.Fatalf("create repo source: %v", err)
			}
			created = append(created, s.ID)
		}
		// Sync the first docs source so that one source is synced.
		if _, err := db.EnqueueSync(ctx, ws.ID, created[0], 0); err != nil {
			t.Fatalf("enqueue sync: %v", err)
		}
		syncWithChunks(t, db, getSource(t, db, created[0]), "intro")

		newestFirst := make([]string, len(created))
		for i, id := range created {
			newestFirst[len(created)-1-i] = id
		}
		var paged []string
		for offset := 0; offset < 6; offset += 2 {
			page, total, err := db.ListSources(ctx, gnd.SourceFilter{WorkspaceID: ws.ID, Offset: offset, Limit: 2})
			if err != nil {
				t.Fatalf("list offset %d: %v", offset, err)
			}
			if total != 5 {
				t.Errorf("list offset %d: total %d, expected 5", offset, total)
			}
			for _, s := range page {
				paged = append(paged, s.ID)
			}
		}
		if !reflect.DeepEqual(paged, newestFirst) {
			t.Errorf("pages of 2 returned %v, expected every source once, newest first: %v", paged, newestFirst)
		}

		repo := gnd.SourceRepo
		list, total, err := db.ListSources(ctx, gnd.SourceFilter{WorkspaceID: ws.ID, SourceType: &repo, Limit: 10})
		if err != nil {
			t.Fatalf("list repo sources: %v", err)
		}
		if total != 2 || len(list) != 2 {
			t.Errorf("type filter repo returned %d of total %d, expected 2 of 2", len(list), total)
		}
		for _, s := range list {
			if s.SourceType != gnd.SourceRepo {
				t.Errorf("type filter repo returned a %s source", s.SourceType)
			}
		}

		synced := gnd.SourceSynced
		list, total, err = db.ListSources(ctx, gnd.SourceFilter{WorkspaceID: ws.ID, Status: &synced, Limit: 10})
		if err != nil {
			t.Fatalf("list synced sources: %v", err)
		}
		if total != 1 || len(list) != 1 || list[0].ID != created[0] {
			t.Errorf("status filter synced returned %d of total %d, expected only source %s", len(list), total, created[0])
		}

		docs := gnd.SourceDocs
		pending := gnd.SourcePending
		_, total, err = db.ListSources(ctx, gnd.SourceFilter{WorkspaceID: ws.ID, SourceType: &docs, Status: &pending, Limit: 10})
		if err != nil {
			t.Fatalf("list pending docs sources: %v", err)
		}
		if total != 2 {
			t.Errorf("type docs and status pending matched %d sources, expected 2", total)
		}
	})
}

func TestDeleteSourceRemovesEverything(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "deleting")
		src, _ := newSourceWithJob(t, db, ws.ID, "doomed", 2)
		done := syncWithChunks(t, db, src, "a", "b")
		active, err := db.EnqueueSync(ctx, ws.ID, src.ID, 2)
		if err != nil {
			t.Fatalf("enqueue second sync: %v", err)
		}
		pdf := &gnd.Source{WorkspaceID: ws.ID, Name: "manual", SourceType: gnd.SourcePDF, URL: "upload://manual.pdf"}
		if err := db.CreateUploadSource(ctx, pdf, "manual.pdf", []byte("%PDF-1.4 test"), nil); err != nil {
			t.Fatalf("create upload source: %v", err)
		}
		keep := newSource(t, db, ws.ID, "kept")

		states, err := db.FetchStates(ctx, src.ID)
		if err != nil || len(states) != 1 {
			t.Fatalf("fetch state before delete: %d entries, err %v; expected 1", len(states), err)
		}
		if err := db.DeleteSource(ctx, ws.ID, src.ID); err != nil {
			t.Fatalf("delete source: %v", err)
		}
		if err := db.DeleteSource(ctx, ws.ID, pdf.ID); err != nil {
			t.Fatalf("delete upload source: %v", err)
		}

		_, err = db.GetSource(ctx, ws.ID, src.ID)
		checkCode(t, err, gnd.ENOTFOUND, "get a deleted source")
		if keys := chunkKeys(t, db, src.ID); len(keys) != 0 {
			t.Errorf("chunks of the deleted source remain: %v", keys)
		}
		states, err = db.FetchStates(ctx, src.ID)
		if err != nil {
			t.Fatalf("fetch state after delete: %v", err)
		}
		if len(states) != 0 {
			t.Errorf("fetch state of the deleted source remains: %v", states)
		}
		for _, id := range []string{done.ID, active.ID} {
			_, err := db.JobByID(ctx, id)
			checkCode(t, err, gnd.ENOTFOUND, "read job "+id+" of a deleted source")
		}
		_, err = db.GetUpload(ctx, pdf.ID)
		checkCode(t, err, gnd.ENOTFOUND, "read the upload of a deleted source")
		if _, err := db.GetSource(ctx, ws.ID, keep.ID); err != nil {
			t.Errorf("deleting other sources removed source %s: %v", keep.ID, err)
		}
		err = db.DeleteSource(ctx, ws.ID, src.ID)
		checkCode(t, err, gnd.ENOTFOUND, "delete a source twice")
	})
}

func TestWorkspaceIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		owner := newWorkspace(t, db, "owner")
		intruder := newWorkspace(t, db, "intruder")
		src, job := newSourceWithJob(t, db, owner.ID, "private", 1)
		pdf := &gnd.Source{WorkspaceID: owner.ID, Name: "manual", SourceType: gnd.SourcePDF, URL: "upload://manual.pdf"}
		if err := db.CreateUploadSource(ctx, pdf, "manual.pdf", []byte("%PDF-1.4 owner"), nil); err != nil {
			t.Fatalf("create upload source: %v", err)
		}
		plaintext := store.NewKey()
		key, err := db.CreateKey(ctx, owner.ID, "owner key", plaintext)
		if err != nil {
			t.Fatalf("create key: %v", err)
		}
		name := "hijacked"

		for _, c := range []struct {
			name string
			call func() error
		}{
			{"GetSource", func() error { _, err := db.GetSource(ctx, intruder.ID, src.ID); return err }},
			{"UpdateSource", func() error {
				_, err := db.UpdateSource(ctx, intruder.ID, src.ID, gnd.SourceUpdate{Name: &name}, func(*gnd.Source) error { return nil })
				return err
			}},
			{"EnqueueSync", func() error { _, err := db.EnqueueSync(ctx, intruder.ID, src.ID, 1); return err }},
			{"GetJob", func() error { _, err := db.GetJob(ctx, intruder.ID, job.ID); return err }},
			{"CancelJob", func() error { _, err := db.CancelJob(ctx, intruder.ID, job.ID); return err }},
			{"RevokeKey", func() error { return db.RevokeKey(ctx, intruder.ID, key.ID) }},
			{"ReplaceUpload", func() error { return db.ReplaceUpload(ctx, intruder.ID, pdf.ID, "evil.pdf", []byte("%PDF evil")) }},
			{"DeleteSource", func() error { return db.DeleteSource(ctx, intruder.ID, src.ID) }},
		} {
			t.Run(c.name, func(t *testing.T) {
				checkCode(t, c.call(), gnd.ENOTFOUND, c.name+" with another workspace's id")
			})
		}

		sources, total, err := db.ListSources(ctx, gnd.SourceFilter{WorkspaceID: intruder.ID, Limit: 10})
		if err != nil {
			t.Fatalf("list intruder sources: %v", err)
		}
		if total != 0 || len(sources) != 0 {
			t.Errorf("intruder workspace lists %d sources (total %d), expected none", len(sources), total)
		}
		jobs, total, err := db.ListJobs(ctx, gnd.JobFilter{WorkspaceID: intruder.ID, Limit: 10})
		if err != nil {
			t.Fatalf("list intruder jobs: %v", err)
		}
		if total != 0 || len(jobs) != 0 {
			t.Errorf("intruder workspace lists %d jobs (total %d), expected none", len(jobs), total)
		}
		keys, err := db.ListKeys(ctx, intruder.ID)
		if err != nil {
			t.Fatalf("list intruder keys: %v", err)
		}
		if len(keys) != 0 {
			t.Errorf("intruder workspace lists %d keys, expected none", len(keys))
		}

		// The owner's data is untouched by the intruder's attempts.
		got, err := db.GetSource(ctx, owner.ID, src.ID)
		if err != nil {
			t.Fatalf("owner get source: %v", err)
		}
		if got.Name != src.Name {
			t.Errorf("source name changed to %q through another workspace", got.Name)
		}
		if j := getJob(t, db, job.ID); j.Status != gnd.JobPending {
			t.Errorf("job status is %s after another workspace's cancel, expected pending", j.Status)
		}
		if _, err := db.Authenticate(ctx, plaintext); err != nil {
			t.Errorf("key stopped authenticating after another workspace's revoke: %v", err)
		}
		up, err := db.GetUpload(ctx, pdf.ID)
		if err != nil {
			t.Fatalf("read upload: %v", err)
		}
		if up.Filename != "manual.pdf" {
			t.Errorf("upload replaced through another workspace: filename %q", up.Filename)
		}
	})
}

func TestEnqueueSyncConflictNamesActiveJob(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "conflicts")
		src, first := newSourceWithJob(t, db, ws.ID, "busy", 1)

		_, err := db.EnqueueSync(ctx, ws.ID, src.ID, 1)
		checkCode(t, err, gnd.ECONFLICT, "enqueue while a job is pending")
		var e *gnd.Error
		if errors.As(err, &e) && e.Fields["job_id"] != first.ID {
			t.Errorf("conflict names job_id %v, expected the pending job %s", e.Fields["job_id"], first.ID)
		}

		claimJob(t, db, "worker-1", time.Minute)
		_, err = db.EnqueueSync(ctx, ws.ID, src.ID, 1)
		checkCode(t, err, gnd.ECONFLICT, "enqueue while a job is running")
		if errors.As(err, &e) && e.Fields["job_id"] != first.ID {
			t.Errorf("conflict names job_id %v, expected the running job %s", e.Fields["job_id"], first.ID)
		}

		if _, err := db.CancelJob(ctx, ws.ID, first.ID); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		next, err := db.EnqueueSync(ctx, ws.ID, src.ID, 1)
		if err != nil {
			t.Fatalf("enqueue after the active job was cancelled: %v", err)
		}
		if next.Status != gnd.JobPending {
			t.Errorf("enqueued job status is %s, expected pending", next.Status)
		}
	})
}

func TestEnqueueSyncConcurrentOneWins(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "races")
		// Several rounds make it likely that both enqueues overlap at least once.
		const rounds = 8
		for round := range rounds {
			src := newSource(t, db, ws.ID, fmt.Sprintf("raced-%d", round))
			var jobs [2]*gnd.Job
			var errs [2]error
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Go(func() {
					<-start
					jobs[i], errs[i] = db.EnqueueSync(ctx, ws.ID, src.ID, 1)
				})
			}
			close(start)
			wg.Wait()

			winners := 0
			var winner *gnd.Job
			for i := range 2 {
				if errs[i] == nil {
					winners++
					winner = jobs[i]
				}
			}
			if winners != 1 {
				t.Errorf("round %d: %d of 2 concurrent enqueues succeeded (errors %v, %v), expected exactly 1", round, winners, errs[0], errs[1])
				continue
			}
			for i := range 2 {
				if errs[i] == nil {
					continue
				}
				checkCode(t, errs[i], gnd.ECONFLICT, fmt.Sprintf("round %d: losing enqueue", round))
				var e *gnd.Error
				if errors.As(errs[i], &e) && e.Fields["job_id"] != winner.ID {
					t.Errorf("round %d: losing enqueue names job_id %q, expected the winning job %s", round, e.Fields["job_id"], winner.ID)
				}
			}
			active := gnd.JobPending
			_, total, err := db.ListJobs(ctx, gnd.JobFilter{WorkspaceID: ws.ID, SourceID: &src.ID, Status: &active, Limit: 10})
			if err != nil {
				t.Fatalf("list jobs: %v", err)
			}
			if total != 1 {
				t.Errorf("round %d: source has %d pending jobs, expected 1", round, total)
			}
		}
	})
}

func TestClaimEachJobOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "claims")
		const jobCount, claimers = 20, 8
		want := map[string]bool{}
		for i := range jobCount {
			_, job := newSourceWithJob(t, db, ws.ID, fmt.Sprintf("queued-%d", i), 0)
			want[job.ID] = true
		}

		var mu sync.Mutex
		claims := map[string][]string{}
		var errs []error
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range claimers {
			owner := fmt.Sprintf("claimer-%d", w)
			wg.Go(func() {
				<-start
				for {
					job, err := db.Claim(ctx, owner, time.Minute)
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					} else if job != nil {
						claims[job.ID] = append(claims[job.ID], owner)
					}
					mu.Unlock()
					if err != nil || job == nil {
						return
					}
				}
			})
		}
		close(start)
		wg.Wait()

		for _, err := range errs {
			t.Errorf("claim failed: %v", err)
		}
		for id := range want {
			if n := len(claims[id]); n != 1 {
				t.Errorf("job %s was claimed %d times (by %v), expected once", id, n, claims[id])
			}
		}
		if len(claims) != jobCount {
			t.Errorf("%d distinct jobs were claimed, expected %d", len(claims), jobCount)
		}
		for id, owners := range claims {
			if len(owners) == 0 {
				continue
			}
			j := getJob(t, db, id)
			if j.Status != gnd.JobRunning || j.LeaseOwner != owners[len(owners)-1] {
				t.Errorf("job %s is %s leased to %q, expected running under %s", id, j.Status, j.LeaseOwner, owners[len(owners)-1])
			}
		}
	})
}

func TestClaimSkipsJobsNotYetDue(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		clock := newManualClock()
		db.SetClock(clock.Now)
		ws := newWorkspace(t, db, "future")

		// A job enqueued an hour ahead of the clock has run_at in the future.
		clock.Advance(time.Hour)
		_, job := newSourceWithJob(t, db, ws.ID, "later", 1)
		clock.Advance(-time.Hour)
		got, err := db.Claim(ctx, "worker-1", time.Minute)
		if err != nil {
			t.Fatalf("claim: %v", err)
		}
		if got != nil {
			t.Fatalf("claimed job %s whose run_at is an hour in the future", got.ID)
		}
		next, err := db.NextRunAt(ctx)
		if err != nil {
			t.Fatalf("next run at: %v", err)
		}
		if next == nil || !next.Equal(job.RunAt) {
			t.Errorf("NextRunAt is %v, expected the pending job's run_at %v", next, job.RunAt)
		}

		clock.Advance(time.Hour)
		got = claimJob(t, db, "worker-1", time.Minute)
		if got.ID != job.ID {
			t.Errorf("claimed job %s once due, expected %s", got.ID, job.ID)
		}
		if got.Attempt != 1 {
			t.Errorf("first claim has attempt %d, expected 1", got.Attempt)
		}

		// A retry scheduled in the future is not due either.
		retryAt := clock.Now().Add(10 * time.Minute)
		err = db.Fail(ctx, got.ID, got.LeaseOwner, store.Failure{Message: "Failed to fetch URL: 503 Service Unavailable",
			Details: gnd.ErrorDetails{Stage: gnd.StageFetch, Retryable: true}, RetryAt: &retryAt})
		if err != nil {
			t.Fatalf("fail with retry: %v", err)
		}
		if again, err := db.Claim(ctx, "worker-1", time.Minute); err != nil || again != nil {
			t.Errorf("claim before the retry is due returned job %v, err %v; expected nothing", again, err)
		}
		clock.Advance(10 * time.Minute)
		again := claimJob(t, db, "worker-1", time.Minute)
		if again.Attempt != 2 {
			t.Errorf("claim of the retry has attempt %d, expected 2", again.Attempt)
		}
	})
}

func TestWorkerWritesUnderLease(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		clock := newManualClock()
		db.SetClock(clock.Now)
		ws := newWorkspace(t, db, "leases")
		src, _ := newSourceWithJob(t, db, ws.ID, "leased", 1)
		job := claimJob(t, db, "worker-1", time.Minute)
		if s := getSource(t, db, src.ID); s.Status != gnd.SourceSyncing {
			t.Errorf("source status after claim is %s, expected syncing", s.Status)
		}

		clock.Advance(30 * time.Second)
		if err := db.Heartbeat(ctx, job.ID, job.LeaseOwner, time.Minute); err != nil {
			t.Fatalf("heartbeat: %v", err)
		}
		j := getJob(t, db, job.ID)
		if exp := clock.Now().Add(time.Minute); j.LeaseExpiresAt == nil || !j.LeaseExpiresAt.Equal(exp) {
			t.Errorf("lease after heartbeat expires at %v, expected %v", j.LeaseExpiresAt, exp)
		}

		err := db.SetProgress(ctx, job.ID, job.LeaseOwner, store.Progress{Stage: gnd.StageParse, Percent: 30, Message: "Parsing",
			Details: map[string]int{"pages": 3}, FilesProcessed: 3})
		if err != nil {
			t.Fatalf("set progress: %v", err)
		}
		j = getJob(t, db, job.ID)
		if j.Stage != gnd.StageParse || j.ProgressPercent != 30 || j.ProgressMessage != "Parsing" || j.FilesProcessed != 3 {
			t.Errorf("progress stored as stage=%s percent=%d message=%q files=%d, expected parse 30 Parsing 3",
				j.Stage, j.ProgressPercent, j.ProgressMessage, j.FilesProcessed)
		}
		if string(j.StageDetails) != `{"pages":3}` {
			t.Errorf("stage details stored as %s, expected {\"pages\":3}", j.StageDetails)
		}
	})
}

// leaseLostCase prepares a running job whose lease the caller no longer
// holds and returns the owner the write is attempted with.
type leaseLostCase struct {
	name    string
	prepare func(t *testing.T, db *testDB, job *gnd.Job) string
}

var leaseLostCases = []leaseLostCase{
	{"cancelled", func(t *testing.T, db *testDB, job *gnd.Job) string {
		if _, err := db.CancelJob(t.Context(), job.WorkspaceID, job.ID); err != nil {
			t.Fatalf("cancel job: %v", err)
		}
		return job.LeaseOwner
	}},
	{"other owner", func(t *testing.T, db *testDB, job *gnd.Job) string {
		return "intruder"
	}},
}

type workerWrite struct {
	name string
	call func(ctx context.Context, db *testDB, job *gnd.Job, owner string) error
}

var workerWrites = []workerWrite{
	{"Heartbeat", func(ctx context.Context, db *testDB, job *gnd.Job, owner string) error {
		return db.Heartbeat(ctx, job.ID, owner, time.Hour)
	}},
	{"SetProgress", func(ctx context.Context, db *testDB, job *gnd.Job, owner string) error {
		return db.SetProgress(ctx, job.ID, owner, store.Progress{Stage: gnd.StageEmbed, Percent: 70, Message: "Embedding", FilesProcessed: 9})
	}},
	{"FailRetry", func(ctx context.Context, db *testDB, job *gnd.Job, owner string) error {
		at := time.Now()
		return db.Fail(ctx, job.ID, owner, store.Failure{Message: "boom", Details: gnd.ErrorDetails{Stage: gnd.StageFetch, Retryable: true}, RetryAt: &at})
	}},
	{"FailFinal", func(ctx context.Context, db *testDB, job *gnd.Job, owner string) error {
		return db.Fail(ctx, job.ID, owner, store.Failure{Message: "boom", Details: gnd.ErrorDetails{Stage: gnd.StageParse}})
	}},
	{"Complete", func(ctx context.Context, db *testDB, job *gnd.Job, owner string) error {
		return db.Complete(ctx, job.ID, owner, job.SourceID, store.Completion{FileCount: 99, VersionRef: "v9",
			FetchState: []store.FetchState{}})
	}},
	{"ApplyChanges", func(ctx context.Context, db *testDB, job *gnd.Job, owner string) error {
		_, err := db.ApplyChanges(ctx, job.ID, owner, job.SourceID, lostChangeSet(ctx, db, job), nil)
		return err
	}},
	{"ApplyChangesWithCompletion", func(ctx context.Context, db *testDB, job *gnd.Job, owner string) error {
		_, err := db.ApplyChanges(ctx, job.ID, owner, job.SourceID, lostChangeSet(ctx, db, job),
			&store.Completion{FileCount: 99, VersionRef: "v9", FetchState: []store.FetchState{}})
		return err
	}},
	{"Release", func(ctx context.Context, db *testDB, job *gnd.Job, owner string) error {
		return db.Release(ctx, job.ID, owner)
	}},
}

// lostChangeSet creates, updates and deletes one chunk each.
func lostChangeSet(ctx context.Context, db *testDB, job *gnd.Job) gnd.ChangeSet {
	refs, _ := db.ChunkRefs(ctx, job.SourceID)
	cs := gnd.ChangeSet{Create: []gnd.Chunk{docChunk(job.WorkspaceID, "new", "new content")}}
	for _, r := range refs {
		switch r.Key {
		case "a":
			cs.Update = append(cs.Update, docChunk(job.WorkspaceID, "a", "changed content"))
		case "b":
			cs.Delete = append(cs.Delete, r)
		}
	}
	return cs
}

func TestWorkerWritesAfterLeaseLost(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ws := newWorkspace(t, db, "lost")
		for _, lc := range leaseLostCases {
			for _, w := range workerWrites {
				t.Run(lc.name+"/"+w.name, func(t *testing.T) {
					ctx := t.Context()
					src, _ := newSourceWithJob(t, db, ws.ID, strings.ReplaceAll(lc.name, " ", "-")+"-"+w.name, 1)
					syncWithChunks(t, db, src, "a", "b")
					if _, err := db.EnqueueSync(ctx, ws.ID, src.ID, 1); err != nil {
						t.Fatalf("enqueue: %v", err)
					}
					job := claimJob(t, db, "worker-1", time.Minute)
					owner := lc.prepare(t, db, job)

					jobBefore := jobState(getJob(t, db, job.ID))
					sourceBefore := sourceState(getSource(t, db, src.ID))
					chunksBefore := chunkKeys(t, db, src.ID)
					statesBefore, err := db.FetchStates(ctx, src.ID)
					if err != nil {
						t.Fatalf("fetch states: %v", err)
					}

					err = w.call(ctx, db, job, owner)
					if !errors.Is(err, store.ErrLeaseLost) {
						t.Errorf("%s returned %v, expected ErrLeaseLost", w.name, err)
					}
					if after := jobState(getJob(t, db, job.ID)); after != jobBefore {
						t.Errorf("%s changed the job:\nbefore %s\nafter  %s", w.name, jobBefore, after)
					}
					if after := sourceState(getSource(t, db, src.ID)); after != sourceBefore {
						t.Errorf("%s changed the source:\nbefore %s\nafter  %s", w.name, sourceBefore, after)
					}
					if after := chunkKeys(t, db, src.ID); !reflect.DeepEqual(after, chunksBefore) {
						t.Errorf("%s changed the chunks: before %v, after %v", w.name, chunksBefore, after)
					}
					statesAfter, err := db.FetchStates(ctx, src.ID)
					if err != nil {
						t.Fatalf("fetch states: %v", err)
					}
					if !reflect.DeepEqual(statesAfter, statesBefore) {
						t.Errorf("%s changed the fetch state: before %v, after %v", w.name, statesBefore, statesAfter)
					}
				})
			}
		}
	})
}

func TestFailRetriesOrFails(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "failures")
		src, _ := newSourceWithJob(t, db, ws.ID, "flaky", 1)
		job := claimJob(t, db, "worker-1", time.Minute)

		at := time.Now().UTC()
		err := db.Fail(ctx, job.ID, job.LeaseOwner, store.Failure{Message: "Failed to fetch URL: 503 Service Unavailable",
			Details: gnd.ErrorDetails{Stage: gnd.StageFetch, Retryable: true, StatusCode: 503}, RetryAt: &at})
		if err != nil {
			t.Fatalf("fail with retry: %v", err)
		}
		j := getJob(t, db, job.ID)
		if j.Status != gnd.JobPending {
			t.Errorf("status after a retryable failure is %s, expected pending", j.Status)
		}
		if j.RetryCount != 1 {
			t.Errorf("retry_count after one retry is %d, expected 1", j.RetryCount)
		}
		if j.ErrorMessage == nil || *j.ErrorMessage != "Failed to fetch URL: 503 Service Unavailable" {
			t.Errorf("error_message after a retry is %v, expected the failure message", j.ErrorMessage)
		}
		if j.LeaseOwner != "" || j.LeaseExpiresAt != nil {
			t.Errorf("a job queued for retry keeps lease owner %q until %v", j.LeaseOwner, j.LeaseExpiresAt)
		}
		if s := getSource(t, db, src.ID); s.Status != gnd.SourcePending {
			t.Errorf("never-synced source status during retry is %s, expected pending", s.Status)
		}

		job = claimJob(t, db, "worker-2", time.Minute)
		err = db.Fail(ctx, job.ID, job.LeaseOwner, store.Failure{Message: "invalid spec",
			Details: gnd.ErrorDetails{Stage: gnd.StageParse, Retryable: false, Line: 7}})
		if err != nil {
			t.Fatalf("final fail: %v", err)
		}
		j = getJob(t, db, job.ID)
		if j.Status != gnd.JobFailed {
			t.Errorf("status after a final failure is %s, expected failed", j.Status)
		}
		if j.Stage != gnd.StageParse {
			t.Errorf("stage after failing in parse is %s, expected parse", j.Stage)
		}
		if j.RetryCount != 1 {
			t.Errorf("a final failure changed retry_count to %d, expected 1", j.RetryCount)
		}
		var details gnd.ErrorDetails
		if err := json.Unmarshal(j.ErrorDetails, &details); err != nil {
			t.Fatalf("decode error_details %s: %v", j.ErrorDetails, err)
		}
		if details.Stage != gnd.StageParse || details.Line != 7 {
			t.Errorf("error_details stored as %+v, expected stage parse and line 7", details)
		}
		if j.CompletedAt == nil {
			t.Errorf("a failed job has no completed_at")
		}
		s := getSource(t, db, src.ID)
		if s.Status != gnd.SourceError {
			t.Errorf("source status after a failed sync is %s, expected error", s.Status)
		}
		if s.LastError == nil || *s.LastError != "invalid spec" {
			t.Errorf("source last_error is %v, expected \"invalid spec\"", s.LastError)
		}
	})
}

func TestCancelTerminalJobConflicts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "terminal")
		finish := map[gnd.JobStatus]func(job *gnd.Job){
			gnd.JobCompleted: func(job *gnd.Job) {
				if err := db.Complete(ctx, job.ID, job.LeaseOwner, job.SourceID, store.Completion{}); err != nil {
					t.Fatalf("complete: %v", err)
				}
			},
			gnd.JobFailed: func(job *gnd.Job) {
				if err := db.Fail(ctx, job.ID, job.LeaseOwner, store.Failure{Message: "no", Details: gnd.ErrorDetails{Stage: gnd.StageFetch}}); err != nil {
					t.Fatalf("fail: %v", err)
				}
			},
			gnd.JobCancelled: func(job *gnd.Job) {
				if _, err := db.CancelJob(ctx, job.WorkspaceID, job.ID); err != nil {
					t.Fatalf("cancel: %v", err)
				}
			},
		}
		for _, status := range []gnd.JobStatus{gnd.JobCompleted, gnd.JobFailed, gnd.JobCancelled} {
			t.Run(string(status), func(t *testing.T) {
				newSourceWithJob(t, db, ws.ID, "ended-"+string(status), 0)
				job := claimJob(t, db, "worker-1", time.Minute)
				finish[status](job)
				before := jobState(getJob(t, db, job.ID))

				_, err := db.CancelJob(ctx, ws.ID, job.ID)
				checkCode(t, err, gnd.ECONFLICT, "cancel a "+string(status)+" job")
				exp := fmt.Sprintf("Job %s is already %s and cannot be cancelled", job.ID, status)
				if msg := gnd.ErrorMessage(err); msg != exp {
					t.Errorf("cancel message is %q, expected %q", msg, exp)
				}
				if after := jobState(getJob(t, db, job.ID)); after != before {
					t.Errorf("a rejected cancel changed the job:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}

func TestCancelActiveJob(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "cancelling")
		src, job := newSourceWithJob(t, db, ws.ID, "stoppable", 0)
		claimJob(t, db, "worker-1", time.Minute)
		out, err := db.CancelJob(ctx, ws.ID, job.ID)
		if err != nil {
			t.Fatalf("cancel running job: %v", err)
		}
		if out.Status != gnd.JobCancelled {
			t.Errorf("CancelJob returned status %s, expected cancelled", out.Status)
		}
		if out.LeaseOwner != "" {
			t.Errorf("cancelled job keeps lease owner %q", out.LeaseOwner)
		}
		if out.CompletedAt == nil {
			t.Errorf("cancelled job has no completed_at")
		}
		if s := getSource(t, db, src.ID); s.Status != gnd.SourcePending {
			t.Errorf("never-synced source after cancel is %s, expected pending", s.Status)
		}
	})
}

func TestRescueExpiredLease(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		clock := newManualClock()
		db.SetClock(clock.Now)
		ws := newWorkspace(t, db, "rescue")
		src, _ := newSourceWithJob(t, db, ws.ID, "orphan", 1)
		claimJob(t, db, "dead-worker", time.Minute)

		expired, err := db.ExpiredLeases(ctx)
		if err != nil {
			t.Fatalf("expired leases: %v", err)
		}
		if len(expired) != 0 {
			t.Errorf("a lease with a minute left is listed as expired")
		}

		clock.Advance(2 * time.Minute)
		expired, err = db.ExpiredLeases(ctx)
		if err != nil {
			t.Fatalf("expired leases: %v", err)
		}
		if len(expired) != 1 {
			t.Fatalf("%d expired leases after the lease ended, expected 1", len(expired))
		}
		stale := expired[0]
		rescue := func(j *gnd.Job) error {
			f := store.Failure{Message: "Worker lost", Details: gnd.ErrorDetails{Stage: gnd.StageFetch, Retryable: true, Cause: "worker lost"}}
			if j.RetryCount < j.MaxRetries {
				at := clock.Now()
				f.RetryAt = &at
			}
			return db.Rescue(ctx, j, f)
		}

		if err := rescue(stale); err != nil {
			t.Fatalf("first rescue: %v", err)
		}
		j := getJob(t, db, stale.ID)
		if j.Status != gnd.JobPending || j.RetryCount != 1 {
			t.Errorf("after rescue with a retry left: status %s retry_count %d, expected pending and 1", j.Status, j.RetryCount)
		}
		if j.ErrorMessage == nil || *j.ErrorMessage != "Worker lost" {
			t.Errorf("rescued job error_message is %v, expected \"Worker lost\"", j.ErrorMessage)
		}
		if err := rescue(stale); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("second rescue of the same lease returned %v, expected ErrLeaseLost", err)
		}
		if again := getJob(t, db, stale.ID); again.RetryCount != 1 {
			t.Errorf("second rescue changed retry_count to %d", again.RetryCount)
		}

		// The retry is lost too. With no retries left, the rescue fails the job.
		claimJob(t, db, "dead-worker-2", time.Minute)
		clock.Advance(2 * time.Minute)
		expired, err = db.ExpiredLeases(ctx)
		if err != nil || len(expired) != 1 {
			t.Fatalf("expired leases of the retry: %d, err %v; expected 1", len(expired), err)
		}
		if err := rescue(expired[0]); err != nil {
			t.Fatalf("rescue of the last attempt: %v", err)
		}
		j = getJob(t, db, stale.ID)
		if j.Status != gnd.JobFailed {
			t.Errorf("status after the last attempt was lost is %s, expected failed", j.Status)
		}
		if j.RetryCount != 1 {
			t.Errorf("retry_count after the final rescue is %d, expected 1 (max_retries)", j.RetryCount)
		}
		if s := getSource(t, db, src.ID); s.Status != gnd.SourceError {
			t.Errorf("source status after the job failed is %s, expected error", s.Status)
		}
	})
}

func TestRescueLosesToLateHeartbeat(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		clock := newManualClock()
		db.SetClock(clock.Now)
		ws := newWorkspace(t, db, "late")
		newSourceWithJob(t, db, ws.ID, "slow", 1)
		job := claimJob(t, db, "slow-worker", time.Minute)
		clock.Advance(2 * time.Minute)
		expired, err := db.ExpiredLeases(ctx)
		if err != nil || len(expired) != 1 {
			t.Fatalf("expired leases: %d, err %v; expected 1", len(expired), err)
		}
		if err := db.Heartbeat(ctx, job.ID, job.LeaseOwner, time.Minute); err != nil {
			t.Fatalf("late heartbeat: %v", err)
		}
		at := clock.Now()
		err = db.Rescue(ctx, expired[0], store.Failure{Message: "Worker lost", Details: gnd.ErrorDetails{Stage: gnd.StageFetch, Retryable: true}, RetryAt: &at})
		if !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("rescue after the owner renewed the lease returned %v, expected ErrLeaseLost", err)
		}
		if j := getJob(t, db, job.ID); j.Status != gnd.JobRunning || j.LeaseOwner != job.LeaseOwner {
			t.Errorf("job is %s under %q after a lost rescue, expected running under %s", j.Status, j.LeaseOwner, job.LeaseOwner)
		}
	})
}

func TestApplyChangesCommitsWithCompletion(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "apply")
		src, _ := newSourceWithJob(t, db, ws.ID, "applied", 1)
		syncWithChunks(t, db, src, "a", "b", "c")
		before := getSource(t, db, src.ID)
		if _, err := db.EnqueueSync(ctx, ws.ID, src.ID, 1); err != nil {
			t.Fatalf("enqueue: %v", err)
		}
		job := claimJob(t, db, "worker-1", time.Minute)

		refs, err := db.ChunkRefs(ctx, src.ID)
		if err != nil {
			t.Fatalf("chunk refs: %v", err)
		}
		byKey := map[string]gnd.ChunkRef{}
		for _, r := range refs {
			byKey[r.Key] = r
		}
		updatedChunk := docChunk(ws.ID, "a", "a changed")
		updatedChunk.ID = byKey["a"].ID
		cs := gnd.ChangeSet{
			Create: []gnd.Chunk{docChunk(ws.ID, "d", "d content"), docChunk(ws.ID, "e", "e content")},
			Update: []gnd.Chunk{updatedChunk},
			Delete: []gnd.ChunkRef{byKey["b"]},
		}
		done := &store.Completion{FileCount: 4, VersionRef: "v2", Skipped: []gnd.Skip{{URL: "http://127.0.0.1/x.png", Reason: "not HTML"}},
			FetchState: []store.FetchState{{URL: "http://127.0.0.1/docs/a", ETag: `"e2"`, ContentHash: "h2"}}}
		applied, err := db.ApplyChanges(ctx, job.ID, job.LeaseOwner, src.ID, cs, done)
		if err != nil {
			t.Fatalf("apply changes: %v", err)
		}

		if len(applied.Created) != 2 || len(applied.Updated) != 1 || len(applied.Deleted) != 1 {
			t.Errorf("Applied lists %d created, %d updated, %d deleted; expected 2, 1, 1",
				len(applied.Created), len(applied.Updated), len(applied.Deleted))
		}
		if applied.IndexVersion <= 0 {
			t.Errorf("index version after two applied change sets is %d, expected a positive number", applied.IndexVersion)
		}
		exp := sortedCopy([]string{"a=" + contentHash("a changed"), "c=" + contentHash("content of c"),
			"d=" + contentHash("d content"), "e=" + contentHash("e content")})
		if got := chunkKeys(t, db, src.ID); !reflect.DeepEqual(got, exp) {
			t.Errorf("chunks after apply are %v, expected %v", got, exp)
		}
		j := getJob(t, db, job.ID)
		if j.Status != gnd.JobCompleted {
			t.Errorf("job status after apply with completion is %s, expected completed", j.Status)
		}
		if j.ChunksCreated != 2 || j.ChunksUpdated != 1 || j.ChunksDeleted != 1 {
			t.Errorf("job counters are created=%d updated=%d deleted=%d, expected 2, 1, 1", j.ChunksCreated, j.ChunksUpdated, j.ChunksDeleted)
		}
		if j.ProgressPercent != 100 {
			t.Errorf("completed job shows %d%%, expected 100", j.ProgressPercent)
		}
		if j.ItemsSkipped != 1 {
			t.Errorf("completed job items_skipped is %d, expected 1", j.ItemsSkipped)
		}
		s := getSource(t, db, src.ID)
		if s.Status != gnd.SourceSynced {
			t.Errorf("source status after completion is %s, expected synced", s.Status)
		}
		if s.ChunkCount != 4 {
			t.Errorf("source chunk_count is %d, expected 4", s.ChunkCount)
		}
		if s.FileCount != 4 || s.VersionRef == nil || *s.VersionRef != "v2" {
			t.Errorf("source file_count %d version_ref %v, expected 4 and v2", s.FileCount, s.VersionRef)
		}
		if s.LastSyncCompleted == nil || (before.LastSyncCompleted != nil && s.LastSyncCompleted.Before(*before.LastSyncCompleted)) {
			t.Errorf("last_sync_completed %v did not move forward from %v", s.LastSyncCompleted, before.LastSyncCompleted)
		}
		states, err := db.FetchStates(ctx, src.ID)
		if err != nil {
			t.Fatalf("fetch states: %v", err)
		}
		if len(states) != 1 || states["http://127.0.0.1/docs/a"].ETag != `"e2"` {
			t.Errorf("fetch state after completion is %v, expected only the new validator", states)
		}
	})
}

func TestApplyChangesAllOrNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "atomic")
		src, _ := newSourceWithJob(t, db, ws.ID, "atomic", 1)
		syncWithChunks(t, db, src, "a", "b")
		if _, err := db.EnqueueSync(ctx, ws.ID, src.ID, 1); err != nil {
			t.Fatalf("enqueue: %v", err)
		}
		job := claimJob(t, db, "worker-1", time.Minute)
		jobBefore := jobState(getJob(t, db, job.ID))
		sourceBefore := sourceState(getSource(t, db, src.ID))
		chunksBefore := chunkKeys(t, db, src.ID)

		// The second create repeats the key of a stored chunk, which the
		// unique index rejects after the first create and the delete ran.
		refs, err := db.ChunkRefs(ctx, src.ID)
		if err != nil {
			t.Fatalf("chunk refs: %v", err)
		}
		var deleteA []gnd.ChunkRef
		for _, r := range refs {
			if r.Key == "a" {
				deleteA = append(deleteA, r)
			}
		}
		cs := gnd.ChangeSet{
			Create: []gnd.Chunk{docChunk(ws.ID, "fresh", "fresh"), docChunk(ws.ID, "b", "duplicate key")},
			Delete: deleteA,
		}
		if _, err := db.ApplyChanges(ctx, job.ID, job.LeaseOwner, src.ID, cs, &store.Completion{FileCount: 3}); err == nil {
			t.Fatalf("ApplyChanges with a duplicate chunk key succeeded, expected an error")
		}
		if after := chunkKeys(t, db, src.ID); !reflect.DeepEqual(after, chunksBefore) {
			t.Errorf("a failed ApplyChanges left chunks %v, expected %v", after, chunksBefore)
		}
		if after := jobState(getJob(t, db, job.ID)); after != jobBefore {
			t.Errorf("a failed ApplyChanges changed the job:\nbefore %s\nafter  %s", jobBefore, after)
		}
		if after := sourceState(getSource(t, db, src.ID)); after != sourceBefore {
			t.Errorf("a failed ApplyChanges changed the source:\nbefore %s\nafter  %s", sourceBefore, after)
		}
	})
}

func TestReleaseKeepsRetryCount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "release")
		src, _ := newSourceWithJob(t, db, ws.ID, "released", 3)
		job := claimJob(t, db, "worker-1", time.Minute)
		now := time.Now().UTC()
		if err := db.Fail(ctx, job.ID, job.LeaseOwner, store.Failure{Message: "flaky", Details: gnd.ErrorDetails{Stage: gnd.StageFetch, Retryable: true}, RetryAt: &now}); err != nil {
			t.Fatalf("fail with retry: %v", err)
		}
		job = claimJob(t, db, "worker-2", time.Minute)
		if err := db.Release(ctx, job.ID, job.LeaseOwner); err != nil {
			t.Fatalf("release: %v", err)
		}
		j := getJob(t, db, job.ID)
		if j.Status != gnd.JobPending {
			t.Errorf("released job status is %s, expected pending", j.Status)
		}
		if j.RetryCount != 1 {
			t.Errorf("release changed retry_count to %d, expected it to stay 1", j.RetryCount)
		}
		if j.LeaseOwner != "" || j.LeaseExpiresAt != nil {
			t.Errorf("released job keeps lease owner %q until %v", j.LeaseOwner, j.LeaseExpiresAt)
		}
		if s := getSource(t, db, src.ID); s.Status != gnd.SourcePending {
			t.Errorf("never-synced source after release is %s, expected pending", s.Status)
		}
		again := claimJob(t, db, "worker-3", time.Minute)
		if again.ID != job.ID {
			t.Errorf("claim after release returned job %s, expected the released job %s", again.ID, job.ID)
		}
		if again.RetryCount != 1 {
			t.Errorf("reclaimed job has retry_count %d, expected 1", again.RetryCount)
		}
	})
}

func TestPolicyGetSetReset(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "policy")
		other := newWorkspace(t, db, "policy-other")

		p, err := db.Policy(ctx, ws.ID)
		if err != nil {
			t.Fatalf("read default policy: %v", err)
		}
		if !reflect.DeepEqual(p, gnd.DefaultPolicy()) {
			t.Errorf("policy of a new workspace is %+v, expected the default %+v", p, gnd.DefaultPolicy())
		}

		custom := gnd.Policy{StalenessBudgetSeconds: 7200,
			SourcePriorities: map[string]float64{"repo": 2.5, "docs_html": 0.5, "docs_openapi": 1.0, "pdf": 0.25},
			MinEvidenceCount: 3, MinEvidenceScore: 0.55, EnforceStaleness: false, EnforceRefusal: true}
		if err := db.SetPolicy(ctx, ws.ID, custom); err != nil {
			t.Fatalf("set policy: %v", err)
		}
		p, err = db.Policy(ctx, ws.ID)
		if err != nil {
			t.Fatalf("read policy: %v", err)
		}
		if !reflect.DeepEqual(p, custom) {
			t.Errorf("stored policy reads back as %+v, expected %+v", p, custom)
		}
		if o, err := db.Policy(ctx, other.ID); err != nil || !reflect.DeepEqual(o, gnd.DefaultPolicy()) {
			t.Errorf("another workspace's policy is %+v (err %v), expected the default", o, err)
		}

		custom.MinEvidenceCount = 5
		if err := db.SetPolicy(ctx, ws.ID, custom); err != nil {
			t.Fatalf("overwrite policy: %v", err)
		}
		if p, _ = db.Policy(ctx, ws.ID); p.MinEvidenceCount != 5 {
			t.Errorf("overwritten min_evidence_count reads back as %d, expected 5", p.MinEvidenceCount)
		}

		if err := db.ResetPolicy(ctx, ws.ID); err != nil {
			t.Fatalf("reset policy: %v", err)
		}
		p, err = db.Policy(ctx, ws.ID)
		if err != nil {
			t.Fatalf("read policy after reset: %v", err)
		}
		if !reflect.DeepEqual(p, gnd.DefaultPolicy()) {
			t.Errorf("policy after reset is %+v, expected the default", p)
		}
	})
}

func TestPolicyRoundTripOmittedPriority(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "priorities")
		// A kind left out of source_priorities gets 1.0 (gnd.Policy.Priority),
		// so a stored policy without docs_html must read back without it.
		custom := gnd.DefaultPolicy()
		custom.SourcePriorities = map[string]float64{"repo": 2}
		if err := db.SetPolicy(ctx, ws.ID, custom); err != nil {
			t.Fatalf("set policy: %v", err)
		}
		p, err := db.Policy(ctx, ws.ID)
		if err != nil {
			t.Fatalf("read policy: %v", err)
		}
		if !reflect.DeepEqual(p.SourcePriorities, custom.SourcePriorities) {
			t.Errorf("stored source_priorities %v read back as %v", custom.SourcePriorities, p.SourcePriorities)
		}
		if got := p.Priority("docs_html"); got != 1.0 {
			t.Errorf("priority of docs_html, which the stored policy omits, is %v, expected 1.0", got)
		}
	})
}

func TestEmbeddingsRoundTripExact(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.MaxFloat32, -math.MaxFloat32,
			math.SmallestNonzeroFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0.1, 1.0 / 3}
		vecs := map[string][]float32{"special": special}
		// More hashes than one read batch of 500.
		for i := range 501 {
			vecs[fmt.Sprintf("h%03d", i)] = []float32{float32(i), float32(i) / 7, -float32(i) * 1e-20}
		}
		if err := db.PutEmbeddings(ctx, "model-a", vecs); err != nil {
			t.Fatalf("put embeddings: %v", err)
		}
		hashes := []string{"missing"}
		for h := range vecs {
			hashes = append(hashes, h)
		}
		got, err := db.Embeddings(ctx, "model-a", hashes)
		if err != nil {
			t.Fatalf("read embeddings: %v", err)
		}
		if len(got) != len(vecs) {
			t.Errorf("read %d vectors, expected %d (a hash without a vector must be absent)", len(got), len(vecs))
		}
		if _, ok := got["missing"]; ok {
			t.Errorf("a hash that was never stored returned a vector")
		}
		for h, want := range vecs {
			if !sameBits(got[h], want) {
				t.Errorf("vector %s reads back as %v, expected %v bit for bit", h, got[h], want)
			}
		}

		if err := db.PutEmbeddings(ctx, "model-a", map[string][]float32{"special": {9, 9}}); err != nil {
			t.Fatalf("put embeddings again: %v", err)
		}
		again, err := db.Embeddings(ctx, "model-a", []string{"special"})
		if err != nil {
			t.Fatalf("read embeddings: %v", err)
		}
		if !sameBits(again["special"], special) {
			t.Errorf("a second put replaced the cached vector with %v, expected the first one kept", again["special"])
		}
		other, err := db.Embeddings(ctx, "model-b", []string{"special"})
		if err != nil {
			t.Fatalf("read embeddings of another model: %v", err)
		}
		if len(other) != 0 {
			t.Errorf("model-b returned vectors stored for model-a: %v", other)
		}
	})
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestEachChunkVectorJoinsByHash(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "vectors")
		first, _ := newSourceWithJob(t, db, ws.ID, "first", 0)
		syncWithChunks(t, db, first, "shared", "only-first")
		second, _ := newSourceWithJob(t, db, ws.ID, "second", 0)
		// The same key gives the same content, so "shared" has one hash in both sources.
		syncWithChunks(t, db, second, "shared", "no-vector")

		shared := contentHash("content of shared")
		err := db.PutEmbeddings(ctx, "m", map[string][]float32{
			shared:                               {1, 2},
			contentHash("content of only-first"): {3, 4},
		})
		if err != nil {
			t.Fatalf("put embeddings: %v", err)
		}
		ids := map[string]string{}
		for _, src := range []*gnd.Source{first, second} {
			chunks, err := db.Chunks(ctx, src.ID)
			if err != nil {
				t.Fatalf("chunks: %v", err)
			}
			for _, c := range chunks {
				ids[c.ID] = src.Name + "/" + c.Key
			}
		}

		collect := func(model string, sources []string) map[string][]float32 {
			out := map[string][]float32{}
			err := db.EachChunkVector(ctx, model, sources, func(id string, v []float32) error {
				out[ids[id]] = v
				return nil
			})
			if err != nil {
				t.Fatalf("each chunk vector: %v", err)
			}
			return out
		}

		all := collect("m", nil)
		exp := map[string][]float32{"first/shared": {1, 2}, "first/only-first": {3, 4}, "second/shared": {1, 2}}
		if !reflect.DeepEqual(all, exp) {
			t.Errorf("vectors of all sources are %v, expected %v", all, exp)
		}
		onlySecond := collect("m", []string{second.ID})
		if !reflect.DeepEqual(onlySecond, map[string][]float32{"second/shared": {1, 2}}) {
			t.Errorf("vectors of the second source are %v, expected only second/shared", onlySecond)
		}
		if other := collect("other-model", nil); len(other) != 0 {
			t.Errorf("a model without vectors returned %v", other)
		}
	})
}

func TestTextHashBackfilledOnOpen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "backfill")
		src, _ := newSourceWithJob(t, db, ws.ID, "old", 0)
		syncWithChunks(t, db, src, "a", "b")
		// Chunks written before chunks had a text hash have an empty one.
		raw := rawDB(t, db.backend, db.url, db.dir)
		if _, err := raw.ExecContext(ctx, `UPDATE chunks SET text_hash = ''`); err != nil {
			t.Fatalf("clear text hashes: %v", err)
		}
		if err := db.PutEmbeddings(ctx, "m", map[string][]float32{gnd.TextHash("content of a"): {1, 0}}); err != nil {
			t.Fatalf("put embeddings: %v", err)
		}

		again, err := store.Open(ctx, db.url, db.dir)
		if err != nil {
			t.Fatalf("reopen store: %v", err)
		}
		defer again.Close()
		refs, err := again.ChunkRefs(ctx, src.ID)
		if err != nil {
			t.Fatalf("chunk refs: %v", err)
		}
		if len(refs) != 2 {
			t.Fatalf("%d chunks after reopening, expected 2", len(refs))
		}
		for _, r := range refs {
			if want := gnd.TextHash("content of " + r.Key); r.TextHash != want {
				t.Errorf("chunk %s has text hash %q after reopening, expected %q", r.Key, r.TextHash, want)
			}
		}
		found := 0
		err = again.EachChunkVector(ctx, "m", []string{src.ID}, func(id string, v []float32) error {
			found++
			return nil
		})
		if err != nil || found != 1 {
			t.Errorf("each chunk vector found %d vectors (err %v), expected the one of chunk a", found, err)
		}
	})
}

func TestWritesAfterSourceDeletedLoseLease(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *testDB) {
		ctx := t.Context()
		ws := newWorkspace(t, db, "vanishing")
		src, _ := newSourceWithJob(t, db, ws.ID, "vanishing", 1)
		job := claimJob(t, db, "worker-1", time.Minute)
		if err := db.DeleteSource(ctx, ws.ID, src.ID); err != nil {
			t.Fatalf("delete source of a running job: %v", err)
		}
		if err := db.Heartbeat(ctx, job.ID, job.LeaseOwner, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("heartbeat of a deleted job returned %v, expected ErrLeaseLost", err)
		}
		cs := gnd.ChangeSet{Create: []gnd.Chunk{docChunk(ws.ID, "late", "late content")}}
		_, err := db.ApplyChanges(ctx, job.ID, job.LeaseOwner, src.ID, cs, &store.Completion{FileCount: 1})
		if !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("ApplyChanges of a deleted job returned %v, expected ErrLeaseLost", err)
		}
		if keys := chunkKeys(t, db, src.ID); len(keys) != 0 {
			t.Errorf("a deleted source got chunks %v", keys)
		}
	})
}
