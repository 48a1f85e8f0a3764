package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Embeddings are cached by model and the hash of the text (Chunk.TextHash,
// stored in the column content_hash of the embeddings table), so the same
// text is embedded once per model however many chunks or sources contain
// it. The cache is not part of a source's index: writing it needs no lease,
// and an unused entry is harmless.

// encodeVector stores float32 values little-endian.
func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("stored vector has %d bytes, not a multiple of 4", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// Embeddings returns the cached vectors of model for the given text hashes.
func (db *DB) Embeddings(ctx context.Context, model string, hashes []string) (map[string][]float32, error) {
	out := make(map[string][]float32, len(hashes))
	for start := 0; start < len(hashes); start += 500 {
		batch := hashes[start:min(start+500, len(hashes))]
		args := []any{model}
		for _, h := range batch {
			args = append(args, h)
		}
		rows, err := db.db.QueryContext(ctx, db.q(`SELECT content_hash, vector FROM embeddings WHERE model = ? AND content_hash IN (`+placeholders(len(batch))+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("read embeddings: %w", err)
		}
		for rows.Next() {
			var hash string
			var blob []byte
			if err := rows.Scan(&hash, &blob); err != nil {
				rows.Close()
				return nil, err
			}
			v, err := decodeVector(blob)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[hash] = v
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PutEmbeddings caches vectors of model by text hash. Existing entries are
// kept.
func (db *DB) PutEmbeddings(ctx context.Context, model string, vecs map[string][]float32) error {
	now := micros(db.now())
	for hash, v := range vecs {
		_, err := db.exec(ctx, db.db, `INSERT INTO embeddings (model, content_hash, dim, vector, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (model, content_hash) DO NOTHING`, model, hash, len(v), encodeVector(v), now)
		if err != nil {
			return fmt.Errorf("store embedding: %w", err)
		}
	}
	return nil
}

// EmbeddingDim returns the dimension of the cached vectors of model, or 0
// when none is cached.
func (db *DB) EmbeddingDim(ctx context.Context, model string) (int, error) {
	var dim int
	err := db.db.QueryRowContext(ctx, db.q(`SELECT dim FROM embeddings WHERE model = ? LIMIT 1`), model).Scan(&dim)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the dimension of model %s: %w", model, err)
	}
	return dim, nil
}

// EachChunkVector calls fn with the id and cached vector of model of every
// chunk of the given sources (all sources when ids is empty) that has one.
func (db *DB) EachChunkVector(ctx context.Context, model string, sourceIDs []string, fn func(chunkID string, v []float32) error) error {
	query := `SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.model = ? AND e.content_hash = c.text_hash`
	args := []any{model}
	if len(sourceIDs) > 0 {
		query += ` WHERE c.source_id IN (` + placeholders(len(sourceIDs)) + `)`
		for _, id := range sourceIDs {
			args = append(args, id)
		}
	}
	rows, err := db.db.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return fmt.Errorf("read chunk vectors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var blob []byte
		if err := rows.Scan(&id, &blob); err != nil {
			return err
		}
		v, err := decodeVector(blob)
		if err != nil {
			return err
		}
		if err := fn(id, v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ChunkContents returns the content of stored chunks by id.
func (db *DB) ChunkContents(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := db.db.QueryContext(ctx, db.q(`SELECT id, content FROM chunks WHERE id IN (`+placeholders(len(batch))+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("read chunk contents: %w", err)
		}
		for rows.Next() {
			var id, content string
			if err := rows.Scan(&id, &content); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = content
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
