package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gndhq/gnd"
)

const sourceColumns = `id, workspace_id, name, source_type, status, url, branch, docs_format, doc_urls, use_sitemap,
	include_patterns, exclude_patterns, doc_version_label, settings, file_count, chunk_count, version_ref,
	last_sync_started, last_sync_completed, last_error, created_at, updated_at,
	EXISTS (SELECT 1 FROM source_secrets WHERE source_secrets.source_id = sources.id)`

// insertColumns are the columns CreateSource writes.
const insertColumns = `id, workspace_id, name, source_type, status, url, branch, docs_format, doc_urls, use_sitemap,
	include_patterns, exclude_patterns, doc_version_label, settings, file_count, chunk_count, version_ref,
	last_sync_started, last_sync_completed, last_error, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanSource(row scanner) (*gnd.Source, error) {
	var s gnd.Source
	var sourceType, status, docURLs, include, exclude, settings string
	var branch, docsFormat, label, versionRef, lastError sql.NullString
	var started, completed sql.NullInt64
	var useSitemap int
	var created, updated int64
	err := row.Scan(&s.ID, &s.WorkspaceID, &s.Name, &sourceType, &status, &s.URL, &branch, &docsFormat, &docURLs, &useSitemap,
		&include, &exclude, &label, &settings, &s.FileCount, &s.ChunkCount, &versionRef,
		&started, &completed, &lastError, &created, &updated, &s.HasToken)
	if err != nil {
		return nil, err
	}
	s.SourceType, s.Status = gnd.SourceType(sourceType), gnd.SourceStatus(status)
	s.Branch, s.DocsFormat, s.DocVersionLabel, s.VersionRef, s.LastError = strPtr(branch), strPtr(docsFormat), strPtr(label), strPtr(versionRef), strPtr(lastError)
	s.UseSitemap = useSitemap != 0
	s.LastSyncStarted, s.LastSyncCompleted = timePtr(started), timePtr(completed)
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := unmarshalAll(map[string]any{"doc_urls": &s.DocURLs, "include_patterns": &s.IncludePatterns,
		"exclude_patterns": &s.ExcludePatterns}, docURLs, include, exclude); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(settings), &s.Settings); err != nil {
		return nil, fmt.Errorf("decode settings of source %s: %w", s.ID, err)
	}
	return &s, nil
}

func unmarshalAll(targets map[string]any, docURLs, include, exclude string) error {
	for name, raw := range map[string]string{"doc_urls": docURLs, "include_patterns": include, "exclude_patterns": exclude} {
		if err := json.Unmarshal([]byte(raw), targets[name]); err != nil {
			return fmt.Errorf("decode %s: %w", name, err)
		}
	}
	return nil
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// CreateSource stores a validated source. When job is not nil it is enqueued
// in the same transaction, so the source never exists without its first job
// or the other way round.
func (db *DB) CreateSource(ctx context.Context, s *gnd.Source, job *gnd.Job) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.createSource(ctx, tx, s, job) })
}

func (db *DB) createSource(ctx context.Context, tx *sql.Tx, s *gnd.Source, job *gnd.Job) error {
	now := db.now()
	s.ID, s.Status, s.CreatedAt, s.UpdatedAt = uuid.NewString(), gnd.SourcePending, now, now
	settings, _ := json.Marshal(s.Settings)
	_, err := db.exec(ctx, tx, `INSERT INTO sources (`+insertColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.WorkspaceID, s.Name, string(s.SourceType), string(s.Status), s.URL, nullStr(s.Branch), nullStr(s.DocsFormat),
		jsonList(s.DocURLs), boolInt(s.UseSitemap), jsonList(s.IncludePatterns), jsonList(s.ExcludePatterns),
		nullStr(s.DocVersionLabel), string(settings), 0, 0, nil, nil, nil, nil, micros(now), micros(now))
	if err != nil {
		return fmt.Errorf("insert source: %w", err)
	}
	if job == nil {
		return nil
	}
	job.SourceID, job.WorkspaceID = s.ID, s.WorkspaceID
	return db.insertJob(ctx, tx, job)
}

// GetSource returns a source of the workspace, or ENOTFOUND.
func (db *DB) GetSource(ctx context.Context, workspaceID, id string) (*gnd.Source, error) {
	return db.getSource(ctx, db.db, workspaceID, id)
}

func (db *DB) getSource(ctx context.Context, ex execer, workspaceID, id string) (*gnd.Source, error) {
	row := ex.QueryRowContext(ctx, db.q(`SELECT `+sourceColumns+` FROM sources WHERE id = ? AND workspace_id = ?`), id, workspaceID)
	s, err := scanSource(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gnd.Errorf(gnd.ENOTFOUND, "Source %s not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get source %s: %w", id, err)
	}
	return s, nil
}

// SourceByID returns a source of any workspace; workers use it.
func (db *DB) SourceByID(ctx context.Context, id string) (*gnd.Source, error) {
	row := db.db.QueryRowContext(ctx, db.q(`SELECT `+sourceColumns+` FROM sources WHERE id = ?`), id)
	s, err := scanSource(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gnd.Errorf(gnd.ENOTFOUND, "Source %s not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get source %s: %w", id, err)
	}
	return s, nil
}

// ListSources returns a page of the workspace's sources, newest first, and
// the total number that match the filter.
func (db *DB) ListSources(ctx context.Context, f gnd.SourceFilter) ([]*gnd.Source, int, error) {
	where := []string{"workspace_id = ?"}
	args := []any{f.WorkspaceID}
	if f.SourceType != nil {
		where, args = append(where, "source_type = ?"), append(args, string(*f.SourceType))
	}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, string(*f.Status))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := db.db.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM sources WHERE `+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count sources: %w", err)
	}
	rows, err := db.db.QueryContext(ctx, db.q(`SELECT `+sourceColumns+` FROM sources WHERE `+cond+` ORDER BY created_at DESC, id LIMIT ? OFFSET ?`),
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	sources := []*gnd.Source{}
	for rows.Next() {
		s, err := scanSource(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list sources: %w", err)
		}
		sources = append(sources, s)
	}
	return sources, total, rows.Err()
}

// AllSources returns every source of every workspace with its index version,
// for building and refreshing the search index.
func (db *DB) AllSources(ctx context.Context) ([]*gnd.Source, map[string]int64, error) {
	return db.sourcesWithVersions(ctx, "")
}

// WorkspaceSources returns every source of a workspace with its index
// version in one query, for the search path.
func (db *DB) WorkspaceSources(ctx context.Context, workspaceID string) ([]*gnd.Source, map[string]int64, error) {
	return db.sourcesWithVersions(ctx, workspaceID)
}

// sourcesWithVersions lists sources with their index versions, of one
// workspace or of all when workspaceID is "".
func (db *DB) sourcesWithVersions(ctx context.Context, workspaceID string) ([]*gnd.Source, map[string]int64, error) {
	query, args := `SELECT `+sourceColumns+`, index_version FROM sources`, []any{}
	if workspaceID != "" {
		query, args = query+` WHERE workspace_id = ?`, append(args, workspaceID)
	}
	rows, err := db.db.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var sources []*gnd.Source
	versions := map[string]int64{}
	for rows.Next() {
		var version int64
		s, err := scanSource(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &version)...) }))
		if err != nil {
			return nil, nil, fmt.Errorf("list sources: %w", err)
		}
		sources = append(sources, s)
		versions[s.ID] = version
	}
	return sources, versions, rows.Err()
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// UpdateSource applies a validated update; validate is called on the merged
// source before anything is written.
func (db *DB) UpdateSource(ctx context.Context, workspaceID, id string, u gnd.SourceUpdate, validate func(*gnd.Source) error) (*gnd.Source, error) {
	var out *gnd.Source
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		s, err := db.getSource(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		u.Apply(s)
		if err := validate(s); err != nil {
			return err
		}
		s.UpdatedAt = db.now()
		settings, _ := json.Marshal(s.Settings)
		_, err = db.exec(ctx, tx, `UPDATE sources SET name = ?, url = ?, branch = ?, docs_format = ?, doc_urls = ?, use_sitemap = ?,
			include_patterns = ?, exclude_patterns = ?, doc_version_label = ?, settings = ?, updated_at = ? WHERE id = ?`,
			s.Name, s.URL, nullStr(s.Branch), nullStr(s.DocsFormat), jsonList(s.DocURLs), boolInt(s.UseSitemap),
			jsonList(s.IncludePatterns), jsonList(s.ExcludePatterns), nullStr(s.DocVersionLabel), string(settings), micros(s.UpdatedAt), s.ID)
		if err != nil {
			return fmt.Errorf("update source %s: %w", id, err)
		}
		out = s
		return nil
	})
	return out, err
}

// DeleteSource cancels the source's active job and removes the source with
// all of its jobs, chunks, uploads and fetch state in one transaction. A
// worker still running the deleted job loses its lease at its next write.
func (db *DB) DeleteSource(ctx context.Context, workspaceID, id string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.getSource(ctx, tx, workspaceID, id); err != nil {
			return err
		}
		for _, stmt := range []string{
			`DELETE FROM chunks WHERE source_id = ?`,
			`DELETE FROM fetch_state WHERE source_id = ?`,
			`DELETE FROM uploads WHERE source_id = ?`,
			`DELETE FROM jobs WHERE source_id = ?`,
			`DELETE FROM sources WHERE id = ?`,
		} {
			if _, err := db.exec(ctx, tx, stmt, id); err != nil {
				return fmt.Errorf("delete source %s: %w", id, err)
			}
		}
		return nil
	})
}

// SetSourceSyncTime overrides last_sync_completed, for tests of staleness.
func (db *DB) SetSourceSyncTime(ctx context.Context, id string, t time.Time) error {
	_, err := db.exec(ctx, db.db, `UPDATE sources SET last_sync_completed = ?, index_version = index_version + 1 WHERE id = ?`, micros(t), id)
	return err
}

// SetSourceToken stores the access token of a source, or removes it when
// token is empty. The token is kept in its own table and never returned by
// the API.
// NOTE: the token is stored as plain text; protect the database accordingly.
func (db *DB) SetSourceToken(ctx context.Context, sourceID, token string) error {
	var err error
	if token == "" {
		_, err = db.exec(ctx, db.db, `DELETE FROM source_secrets WHERE source_id = ?`, sourceID)
	} else {
		_, err = db.exec(ctx, db.db, `INSERT INTO source_secrets (source_id, token) VALUES (?, ?)
			ON CONFLICT (source_id) DO UPDATE SET token = excluded.token`, sourceID, token)
	}
	if err != nil {
		return fmt.Errorf("store token of source %s: %w", sourceID, err)
	}
	return nil
}

// SourceToken returns the access token of a source, or "".
func (db *DB) SourceToken(ctx context.Context, sourceID string) (string, error) {
	var token string
	err := db.db.QueryRowContext(ctx, db.q(`SELECT token FROM source_secrets WHERE source_id = ?`), sourceID).Scan(&token)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read token of source %s: %w", sourceID, err)
	}
	return token, nil
}
