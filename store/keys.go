package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gndhq/gnd"
)

// KeyPrefix starts every API key.
const KeyPrefix = "gnd_"

// APIKey describes a stored key. The plaintext is never stored; Prefix keeps
// the first characters so a user can tell keys apart.
type APIKey struct {
	ID          string     `json:"id"`
	WorkspaceID string     `json:"-"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	CreatedAt   time.Time  `json:"created_at"`
	LastUsedAt  *time.Time `json:"last_used_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
}

// NewKey returns a fresh random key: "gnd_" and 40 base62 characters.
func NewKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	buf := make([]byte, 40)
	rnd := make([]byte, 40)
	for i := 0; i < len(buf); {
		if _, err := rand.Read(rnd); err != nil {
			panic(fmt.Sprintf("crypto/rand failed: %v", err))
		}
		for _, b := range rnd {
			// Reject bytes above the largest multiple of 62 to avoid bias.
			if b >= 248 || i >= len(buf) {
				continue
			}
			buf[i] = alphabet[int(b)%len(alphabet)]
			i++
		}
	}
	return KeyPrefix + string(buf)
}

// ValidateKeyFormat checks that key looks like a gnd key.
func ValidateKeyFormat(key string) error {
	if !strings.HasPrefix(key, KeyPrefix) {
		return fmt.Errorf("API key must start with %q", KeyPrefix)
	}
	if len(key) < len(KeyPrefix)+32 {
		return fmt.Errorf("API key must have at least 32 characters after %q", KeyPrefix)
	}
	for _, r := range key {
		if r <= ' ' || r > '~' {
			return errors.New("API key must be printable ASCII without spaces")
		}
	}
	return nil
}

// hashKey returns the stored form of a key. Keys carry 238 bits of
// randomness, so one SHA-256 round is enough; no salt or slow hash is needed.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Workspace is an isolated tenant: sources, jobs, chunks and policy.
type Workspace struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// EnsureDefaultWorkspace returns the first workspace, creating one named
// "default" on an empty database. created reports whether it was created.
func (db *DB) EnsureDefaultWorkspace(ctx context.Context) (ws Workspace, created bool, err error) {
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT id, name, created_at FROM workspaces ORDER BY created_at LIMIT 1`).Scan(&ws.ID, &ws.Name, &at)
		if err == nil {
			ws.CreatedAt = fromMicros(at)
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		ws = Workspace{ID: uuid.NewString(), Name: "default", CreatedAt: db.now()}
		created = true
		_, err = db.exec(ctx, tx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, ws.ID, ws.Name, micros(ws.CreatedAt))
		return err
	})
	if err != nil {
		return Workspace{}, false, fmt.Errorf("ensure default workspace: %w", err)
	}
	return ws, created, nil
}

// CreateWorkspace creates a workspace.
func (db *DB) CreateWorkspace(ctx context.Context, name string) (Workspace, error) {
	ws := Workspace{ID: uuid.NewString(), Name: name, CreatedAt: db.now()}
	_, err := db.exec(ctx, db.db, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, ws.ID, ws.Name, micros(ws.CreatedAt))
	if err != nil {
		return Workspace{}, fmt.Errorf("create workspace: %w", err)
	}
	return ws, nil
}

// CountKeys returns the number of keys, revoked ones included.
func (db *DB) CountKeys(ctx context.Context) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys`).Scan(&n)
	return n, err
}

// CreateKey stores the hash of plaintext as a key of the workspace.
func (db *DB) CreateKey(ctx context.Context, workspaceID, name, plaintext string) (*APIKey, error) {
	if err := ValidateKeyFormat(plaintext); err != nil {
		return nil, gnd.Errorf(gnd.EINVALID, "%v", err)
	}
	k := &APIKey{ID: uuid.NewString(), WorkspaceID: workspaceID, Name: name, Prefix: plaintext[:len(KeyPrefix)+6], CreatedAt: db.now()}
	_, err := db.exec(ctx, db.db, `INSERT INTO api_keys (id, workspace_id, name, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, workspaceID, name, k.Prefix, hashKey(plaintext), micros(k.CreatedAt))
	if err != nil {
		return nil, fmt.Errorf("create key: %w", err)
	}
	return k, nil
}

// Authenticate returns the key that plaintext belongs to, or an EUNAUTHORIZED
// error for an unknown or revoked key.
func (db *DB) Authenticate(ctx context.Context, plaintext string) (*APIKey, error) {
	var k APIKey
	var created int64
	var lastUsed, revoked sql.NullInt64
	err := db.db.QueryRowContext(ctx, db.q(`SELECT id, workspace_id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE key_hash = ?`),
		hashKey(plaintext)).Scan(&k.ID, &k.WorkspaceID, &k.Name, &k.Prefix, &created, &lastUsed, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gnd.Errorf(gnd.EUNAUTHORIZED, "Invalid API key")
	}
	if err != nil {
		return nil, fmt.Errorf("look up key: %w", err)
	}
	if revoked.Valid {
		return nil, gnd.Errorf(gnd.EUNAUTHORIZED, "API key has been revoked")
	}
	k.CreatedAt, k.LastUsedAt = fromMicros(created), timePtr(lastUsed)
	return &k, nil
}

// TouchKey records that the key was used, at most once a minute per key.
func (db *DB) TouchKey(ctx context.Context, id string) error {
	now := db.now()
	_, err := db.exec(ctx, db.db, `UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		micros(now), id, micros(now.Add(-time.Minute)))
	return err
}

// ListKeys returns the workspace's keys, newest first.
func (db *DB) ListKeys(ctx context.Context, workspaceID string) ([]*APIKey, error) {
	rows, err := db.db.QueryContext(ctx, db.q(`SELECT id, workspace_id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE workspace_id = ? ORDER BY created_at DESC`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	var keys []*APIKey
	for rows.Next() {
		var k APIKey
		var created int64
		var lastUsed, revoked sql.NullInt64
		if err := rows.Scan(&k.ID, &k.WorkspaceID, &k.Name, &k.Prefix, &created, &lastUsed, &revoked); err != nil {
			return nil, err
		}
		k.CreatedAt, k.LastUsedAt, k.RevokedAt = fromMicros(created), timePtr(lastUsed), timePtr(revoked)
		keys = append(keys, &k)
	}
	return keys, rows.Err()
}

// RevokeKey marks a key revoked. A revoked key no longer authenticates. The
// last active key of a workspace cannot be revoked (ECONFLICT), so a
// workspace is never locked out.
func (db *DB) RevokeKey(ctx context.Context, workspaceID, id string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, db.q(`SELECT revoked_at FROM api_keys WHERE id = ? AND workspace_id = ?`), id, workspaceID).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return gnd.Errorf(gnd.ENOTFOUND, "Key %s not found", id)
		}
		if err != nil {
			return fmt.Errorf("revoke key: %w", err)
		}
		if revoked.Valid {
			return gnd.Errorf(gnd.ECONFLICT, "Key %s is already revoked", id)
		}
		var active int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM api_keys WHERE workspace_id = ? AND revoked_at IS NULL`), workspaceID).Scan(&active); err != nil {
			return fmt.Errorf("count keys: %w", err)
		}
		if active <= 1 {
			return gnd.Errorf(gnd.ECONFLICT, "Key %s is the last active key of the workspace and cannot be revoked; create another key first", id)
		}
		_, err = db.exec(ctx, tx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, micros(db.now()), id)
		return err
	})
}
