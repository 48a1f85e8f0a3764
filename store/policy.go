package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gndhq/gnd"
)

// Policy returns the workspace's trust policy, or the default when none is stored.
func (db *DB) Policy(ctx context.Context, workspaceID string) (gnd.Policy, error) {
	var raw string
	err := db.db.QueryRowContext(ctx, db.q(`SELECT policy FROM policies WHERE workspace_id = ?`), workspaceID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return gnd.DefaultPolicy(), nil
	}
	if err != nil {
		return gnd.Policy{}, fmt.Errorf("read policy: %w", err)
	}
	// Scalars missing from an older stored policy take their defaults; the
	// stored priorities replace the default map instead of merging into it.
	p := gnd.DefaultPolicy()
	p.SourcePriorities = nil
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return gnd.Policy{}, fmt.Errorf("decode stored policy: %w", err)
	}
	if p.SourcePriorities == nil {
		p.SourcePriorities = map[string]float64{}
	}
	return p, nil
}

// SetPolicy stores a validated policy for the workspace.
func (db *DB) SetPolicy(ctx context.Context, workspaceID string, p gnd.Policy) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, db.db, `INSERT INTO policies (workspace_id, policy, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at`,
		workspaceID, string(raw), micros(db.now()))
	if err != nil {
		return fmt.Errorf("store policy: %w", err)
	}
	return nil
}

// ResetPolicy removes the stored policy, so the default applies again.
func (db *DB) ResetPolicy(ctx context.Context, workspaceID string) error {
	_, err := db.exec(ctx, db.db, `DELETE FROM policies WHERE workspace_id = ?`, workspaceID)
	return err
}
