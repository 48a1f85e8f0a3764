package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/gndhq/gnd"
)

// migrations are applied in order, each once, inside one transaction. The
// placeholder {blob} becomes BLOB on SQLite and BYTEA on PostgreSQL. Times are
// BIGINT microseconds since the Unix epoch on both backends.
var migrations = []string{`
CREATE TABLE workspaces (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE api_keys (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	prefix TEXT NOT NULL,
	key_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_at BIGINT
);
CREATE TABLE sources (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	source_type TEXT NOT NULL,
	status TEXT NOT NULL,
	url TEXT NOT NULL,
	branch TEXT,
	docs_format TEXT,
	doc_urls TEXT NOT NULL,
	use_sitemap INTEGER NOT NULL,
	include_patterns TEXT NOT NULL,
	exclude_patterns TEXT NOT NULL,
	doc_version_label TEXT,
	settings TEXT NOT NULL,
	file_count INTEGER NOT NULL DEFAULT 0,
	chunk_count INTEGER NOT NULL DEFAULT 0,
	version_ref TEXT,
	last_sync_started BIGINT,
	last_sync_completed BIGINT,
	last_error TEXT,
	index_version BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX sources_workspace ON sources(workspace_id, created_at);
CREATE TABLE uploads (
	source_id TEXT PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
	filename TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	data {blob} NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE jobs (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	source_id TEXT NOT NULL,
	status TEXT NOT NULL,
	stage TEXT NOT NULL,
	progress_percent INTEGER NOT NULL DEFAULT 0,
	progress_message TEXT NOT NULL DEFAULT '',
	stage_details TEXT,
	files_processed INTEGER NOT NULL DEFAULT 0,
	chunks_created INTEGER NOT NULL DEFAULT 0,
	chunks_updated INTEGER NOT NULL DEFAULT 0,
	chunks_deleted INTEGER NOT NULL DEFAULT 0,
	items_failed INTEGER NOT NULL DEFAULT 0,
	failures TEXT,
	error_message TEXT,
	error_details TEXT,
	retry_count INTEGER NOT NULL DEFAULT 0,
	max_retries INTEGER NOT NULL,
	attempt INTEGER NOT NULL DEFAULT 0,
	run_at BIGINT NOT NULL,
	lease_owner TEXT,
	lease_expires_at BIGINT,
	created_at BIGINT NOT NULL,
	started_at BIGINT,
	completed_at BIGINT
);
CREATE INDEX jobs_workspace ON jobs(workspace_id, created_at);
CREATE INDEX jobs_source ON jobs(source_id, created_at);
CREATE INDEX jobs_due ON jobs(status, run_at);
CREATE UNIQUE INDEX jobs_one_active_per_source ON jobs(source_id) WHERE status IN ('pending', 'running');
CREATE TABLE chunks (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL,
	source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	chunk_key TEXT NOT NULL,
	path TEXT NOT NULL,
	symbol TEXT NOT NULL,
	start_line INTEGER,
	end_line INTEGER,
	version_ref TEXT NOT NULL,
	language TEXT NOT NULL,
	chunk_type TEXT NOT NULL,
	content TEXT NOT NULL,
	content_hash TEXT NOT NULL,
	schema_hash TEXT NOT NULL,
	endpoint_key TEXT NOT NULL,
	token_count INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX chunks_identity ON chunks(source_id, chunk_key);
CREATE TABLE fetch_state (
	source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	url TEXT NOT NULL,
	etag TEXT NOT NULL,
	last_modified TEXT NOT NULL,
	content_hash TEXT NOT NULL,
	PRIMARY KEY (source_id, url)
);
CREATE TABLE policies (
	workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
	policy TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);
`, `
ALTER TABLE jobs ADD COLUMN items_skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN skipped TEXT
`, `
CREATE TABLE embeddings (
	model TEXT NOT NULL,
	content_hash TEXT NOT NULL,
	dim INTEGER NOT NULL,
	vector {blob} NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (model, content_hash)
);
CREATE INDEX chunks_content_hash ON chunks(content_hash)
`, `
CREATE TABLE source_secrets (
	source_id TEXT PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
	token TEXT NOT NULL
)
`, `
ALTER TABLE chunks ADD COLUMN text_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX chunks_text_hash ON chunks(text_hash)
`}

func (db *DB) migrate(ctx context.Context) error {
	if db.backend == Postgres {
		// Serialise processes that start at once on a fresh database: the
		// session lock covers creating schema_migrations too.
		conn, err := db.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7744001)`); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7744001)`)
	}
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(db.dialect(m)) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", firstLine(stmt), err)
				}
			}
			_, err := tx.ExecContext(ctx, db.q(`INSERT INTO schema_migrations (version) VALUES (?)`), version)
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %d: %w", version, err)
		}
	}
	return db.backfillTextHashes(ctx)
}

// backfillTextHashes sets the text hash of chunks stored before chunks had
// one, so their cached vectors are found. Once every chunk has a text hash,
// it costs one indexed query at startup.
func (db *DB) backfillTextHashes(ctx context.Context) error {
	for {
		rows, err := db.db.QueryContext(ctx, `SELECT id, content FROM chunks WHERE text_hash = '' LIMIT 500`)
		if err != nil {
			return fmt.Errorf("find chunks without a text hash: %w", err)
		}
		hashes := map[string]string{}
		for rows.Next() {
			var id, content string
			if err := rows.Scan(&id, &content); err != nil {
				rows.Close()
				return fmt.Errorf("read chunk without a text hash: %w", err)
			}
			hashes[id] = gnd.TextHash(content)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("find chunks without a text hash: %w", err)
		}
		if len(hashes) == 0 {
			return nil
		}
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			for id, h := range hashes {
				if _, err := db.exec(ctx, tx, `UPDATE chunks SET text_hash = ? WHERE id = ?`, h, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store text hashes: %w", err)
		}
	}
}

func (db *DB) dialect(sqlText string) string {
	blob := "BLOB"
	if db.backend == Postgres {
		blob = "BYTEA"
	}
	return strings.ReplaceAll(sqlText, "{blob}", blob)
}

func splitStatements(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
