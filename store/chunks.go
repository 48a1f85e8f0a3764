package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/gndhq/gnd"
)

const chunkColumns = `id, workspace_id, source_id, chunk_key, path, symbol, start_line, end_line, version_ref, language,
	chunk_type, content, content_hash, text_hash, schema_hash, endpoint_key, token_count, created_at, updated_at`

func scanChunk(row scanner) (*gnd.Chunk, error) {
	var c gnd.Chunk
	var start, end sql.NullInt64
	var created, updated int64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.SourceID, &c.Key, &c.Path, &c.Symbol, &start, &end, &c.VersionRef, &c.Language,
		&c.ChunkType, &c.Content, &c.ContentHash, &c.TextHash, &c.SchemaHash, &c.EndpointKey, &c.TokenCount, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.StartLine, c.EndLine = intPtr(start), intPtr(end)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

func intPtr(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	i := int(v.Int64)
	return &i
}

func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

// ChunkRefs returns the identity and hash of every stored chunk of a source.
func (db *DB) ChunkRefs(ctx context.Context, sourceID string) ([]gnd.ChunkRef, error) {
	rows, err := db.db.QueryContext(ctx, db.q(`SELECT id, chunk_key, path, content_hash, text_hash FROM chunks WHERE source_id = ?`), sourceID)
	if err != nil {
		return nil, fmt.Errorf("list chunks of source %s: %w", sourceID, err)
	}
	defer rows.Close()
	var refs []gnd.ChunkRef
	for rows.Next() {
		var r gnd.ChunkRef
		if err := rows.Scan(&r.ID, &r.Key, &r.Path, &r.ContentHash, &r.TextHash); err != nil {
			return nil, err
		}
		refs = append(refs, r)
	}
	return refs, rows.Err()
}

// Applied is the outcome of ApplyChanges: the stored chunks as written, for
// the search index to pick up.
type Applied struct {
	Created, Updated []gnd.Chunk
	Deleted          []string // chunk ids
	// IndexVersion is the source's index version after the change.
	IndexVersion int64
	// VectorsChanged reports that unchanged chunks got new vectors too.
	VectorsChanged bool
}

// ApplyChanges writes a job's creates, updates and deletes, adds their counts
// to the job, bumps the source's index version and, when done is not nil,
// completes the job and updates the source, all in one transaction that
// commits only while the job is running under owner's lease. Otherwise it
// returns ErrLeaseLost and the index stays exactly as it was.
func (db *DB) ApplyChanges(ctx context.Context, jobID, owner, sourceID string, cs gnd.ChangeSet, done *Completion) (*Applied, error) {
	now := db.now()
	out := &Applied{}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := db.leasedUpdate(ctx, tx, `chunks_created = chunks_created + ?, chunks_updated = chunks_updated + ?,
			chunks_deleted = chunks_deleted + ?`, jobID, owner, len(cs.Create), len(cs.Update), len(cs.Delete))
		if err != nil {
			return err
		}
		for _, d := range cs.Delete {
			if _, err := db.exec(ctx, tx, `DELETE FROM chunks WHERE id = ? AND source_id = ?`, d.ID, sourceID); err != nil {
				return fmt.Errorf("delete chunk %s: %w", d.ID, err)
			}
			out.Deleted = append(out.Deleted, d.ID)
		}
		insert, err := tx.PrepareContext(ctx, db.q(`INSERT INTO chunks (`+chunkColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
		if err != nil {
			return fmt.Errorf("prepare chunk insert: %w", err)
		}
		defer insert.Close()
		for _, c := range cs.Create {
			c.ID, c.SourceID, c.CreatedAt, c.UpdatedAt = uuid.NewString(), sourceID, now, now
			_, err := insert.ExecContext(ctx, c.ID, c.WorkspaceID, sourceID, c.Key, c.Path, c.Symbol, nullInt(c.StartLine), nullInt(c.EndLine),
				c.VersionRef, c.Language, c.ChunkType, c.Content, c.ContentHash, c.TextHash, c.SchemaHash, c.EndpointKey, c.TokenCount, micros(now), micros(now))
			if err != nil {
				return fmt.Errorf("insert chunk %q: %w", c.Key, err)
			}
			out.Created = append(out.Created, c)
		}
		for _, c := range cs.Update {
			c.SourceID, c.UpdatedAt = sourceID, now
			_, err := db.exec(ctx, tx, `UPDATE chunks SET path = ?, symbol = ?, start_line = ?, end_line = ?, version_ref = ?, language = ?,
				chunk_type = ?, content = ?, content_hash = ?, text_hash = ?, schema_hash = ?, endpoint_key = ?, token_count = ?, updated_at = ?
				WHERE source_id = ? AND chunk_key = ?`,
				c.Path, c.Symbol, nullInt(c.StartLine), nullInt(c.EndLine), c.VersionRef, c.Language, c.ChunkType, c.Content,
				c.ContentHash, c.TextHash, c.SchemaHash, c.EndpointKey, c.TokenCount, micros(now), sourceID, c.Key)
			if err != nil {
				return fmt.Errorf("update chunk %q: %w", c.Key, err)
			}
			out.Updated = append(out.Updated, c)
		}
		if !cs.Empty() {
			if _, err := db.exec(ctx, tx, `UPDATE sources SET index_version = index_version + 1 WHERE id = ?`, sourceID); err != nil {
				return fmt.Errorf("bump index version: %w", err)
			}
		}
		if done != nil {
			if err := db.complete(ctx, tx, jobID, owner, sourceID, *done); err != nil {
				return err
			}
			out.VectorsChanged = done.VectorsChanged
		}
		return tx.QueryRowContext(ctx, db.q(`SELECT index_version FROM sources WHERE id = ?`), sourceID).Scan(&out.IndexVersion)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachChunk calls fn for every stored chunk of the given sources (all
// sources when ids is empty), streaming rows.
func (db *DB) EachChunk(ctx context.Context, sourceIDs []string, fn func(*gnd.Chunk) error) error {
	query := `SELECT ` + chunkColumns + ` FROM chunks`
	var args []any
	if len(sourceIDs) > 0 {
		query += ` WHERE source_id IN (` + placeholders(len(sourceIDs)) + `)`
		for _, id := range sourceIDs {
			args = append(args, id)
		}
	}
	rows, err := db.db.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return fmt.Errorf("read chunks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanChunk(rows)
		if err != nil {
			return fmt.Errorf("read chunk: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Chunks returns the chunks of a source ordered by path and start line.
func (db *DB) Chunks(ctx context.Context, sourceID string) ([]*gnd.Chunk, error) {
	rows, err := db.db.QueryContext(ctx, db.q(`SELECT `+chunkColumns+` FROM chunks WHERE source_id = ? ORDER BY path, start_line, chunk_key`), sourceID)
	if err != nil {
		return nil, fmt.Errorf("list chunks of source %s: %w", sourceID, err)
	}
	defer rows.Close()
	var out []*gnd.Chunk
	for rows.Next() {
		c, err := scanChunk(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	b := make([]byte, 0, 2*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}

// FetchState is the stored HTTP validators and content hash of one fetched
// URL, used for conditional GET on the next sync.
type FetchState struct {
	URL          string
	ETag         string
	LastModified string
	ContentHash  string
}

// FetchStates returns the stored validators of a source by URL.
func (db *DB) FetchStates(ctx context.Context, sourceID string) (map[string]FetchState, error) {
	rows, err := db.db.QueryContext(ctx, db.q(`SELECT url, etag, last_modified, content_hash FROM fetch_state WHERE source_id = ?`), sourceID)
	if err != nil {
		return nil, fmt.Errorf("read fetch state of source %s: %w", sourceID, err)
	}
	defer rows.Close()
	out := map[string]FetchState{}
	for rows.Next() {
		var f FetchState
		if err := rows.Scan(&f.URL, &f.ETag, &f.LastModified, &f.ContentHash); err != nil {
			return nil, err
		}
		out[f.URL] = f
	}
	return out, rows.Err()
}

func (db *DB) replaceFetchState(ctx context.Context, tx *sql.Tx, sourceID string, states []FetchState) error {
	if _, err := db.exec(ctx, tx, `DELETE FROM fetch_state WHERE source_id = ?`, sourceID); err != nil {
		return fmt.Errorf("clear fetch state: %w", err)
	}
	for _, f := range states {
		_, err := db.exec(ctx, tx, `INSERT INTO fetch_state (source_id, url, etag, last_modified, content_hash) VALUES (?, ?, ?, ?, ?)`,
			sourceID, f.URL, f.ETag, f.LastModified, f.ContentHash)
		if err != nil {
			return fmt.Errorf("store fetch state of %s: %w", f.URL, err)
		}
	}
	return nil
}
