package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gndhq/gnd"
)

// Upload is the stored file of a pdf source.
type Upload struct {
	Filename string
	SHA256   string
	Data     []byte
}

// CreateUploadSource stores a pdf source with its file, and its first job
// when job is not nil, in one transaction.
func (db *DB) CreateUploadSource(ctx context.Context, s *gnd.Source, filename string, data []byte, job *gnd.Job) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.createSource(ctx, tx, s, job); err != nil {
			return err
		}
		return db.putUpload(ctx, tx, s.ID, filename, data)
	})
}

func (db *DB) putUpload(ctx context.Context, ex execer, sourceID, filename string, data []byte) error {
	sum := sha256.Sum256(data)
	_, err := db.exec(ctx, ex, `INSERT INTO uploads (source_id, filename, sha256, data, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (source_id) DO UPDATE SET filename = excluded.filename, sha256 = excluded.sha256, data = excluded.data,
		created_at = excluded.created_at`, sourceID, filename, hex.EncodeToString(sum[:]), data, micros(db.now()))
	if err != nil {
		return fmt.Errorf("store upload of source %s: %w", sourceID, err)
	}
	return nil
}

// ReplaceUpload replaces the file of a pdf source of the workspace.
func (db *DB) ReplaceUpload(ctx context.Context, workspaceID, sourceID, filename string, data []byte) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.getSource(ctx, tx, workspaceID, sourceID); err != nil {
			return err
		}
		if err := db.putUpload(ctx, tx, sourceID, filename, data); err != nil {
			return err
		}
		_, err := db.exec(ctx, tx, `UPDATE sources SET url = ?, updated_at = ? WHERE id = ?`, "upload://"+filename, micros(db.now()), sourceID)
		return err
	})
}

// GetUpload returns the stored file of a pdf source.
func (db *DB) GetUpload(ctx context.Context, sourceID string) (*Upload, error) {
	var u Upload
	err := db.db.QueryRowContext(ctx, db.q(`SELECT filename, sha256, data FROM uploads WHERE source_id = ?`), sourceID).Scan(&u.Filename, &u.SHA256, &u.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gnd.Errorf(gnd.ENOTFOUND, "Upload of source %s not found", sourceID)
	}
	if err != nil {
		return nil, fmt.Errorf("read upload of source %s: %w", sourceID, err)
	}
	return &u, nil
}
