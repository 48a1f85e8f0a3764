package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/gndhq/gnd"
)

const jobColumns = `id, workspace_id, source_id, status, stage, progress_percent, progress_message, stage_details,
	files_processed, chunks_created, chunks_updated, chunks_deleted, items_failed, failures, error_message, error_details,
	retry_count, max_retries, attempt, run_at, lease_owner, lease_expires_at, created_at, started_at, completed_at,
	items_skipped, skipped`

func scanJob(row scanner) (*gnd.Job, error) {
	var j gnd.Job
	var status, stage string
	var details, failures, errMsg, errDetails, owner, skipped sql.NullString
	var runAt, created int64
	var lease, started, completed sql.NullInt64
	err := row.Scan(&j.ID, &j.WorkspaceID, &j.SourceID, &status, &stage, &j.ProgressPercent, &j.ProgressMessage, &details,
		&j.FilesProcessed, &j.ChunksCreated, &j.ChunksUpdated, &j.ChunksDeleted, &j.ItemsFailed, &failures, &errMsg, &errDetails,
		&j.RetryCount, &j.MaxRetries, &j.Attempt, &runAt, &owner, &lease, &created, &started, &completed,
		&j.ItemsSkipped, &skipped)
	if err != nil {
		return nil, err
	}
	j.Status, j.Stage = gnd.JobStatus(status), gnd.Stage(stage)
	j.StageDetails, j.Failures, j.ErrorDetails, j.Skipped = rawJSON(details), rawJSON(failures), rawJSON(errDetails), rawJSON(skipped)
	j.ErrorMessage = strPtr(errMsg)
	j.RunAt, j.CreatedAt = fromMicros(runAt), fromMicros(created)
	j.LeaseOwner, j.LeaseExpiresAt = owner.String, timePtr(lease)
	j.StartedAt, j.CompletedAt = timePtr(started), timePtr(completed)
	return &j, nil
}

func rawJSON(v sql.NullString) json.RawMessage {
	if !v.Valid || v.String == "" {
		return nil
	}
	return json.RawMessage(v.String)
}

func nullJSON(v json.RawMessage) sql.NullString {
	if len(v) == 0 || string(v) == "null" {
		return sql.NullString{}
	}
	return sql.NullString{String: string(v), Valid: true}
}

// NewJob returns a pending job for a source, ready to be enqueued.
func NewJob(maxRetries int) *gnd.Job {
	return &gnd.Job{ID: uuid.NewString(), Status: gnd.JobPending, Stage: gnd.StageQueued, ProgressMessage: "Queued", MaxRetries: maxRetries}
}

// insertJob enqueues job inside tx. It fails with ECONFLICT, naming the
// active job, when the source already has a pending or running job.
func (db *DB) insertJob(ctx context.Context, tx *sql.Tx, job *gnd.Job) error {
	var active string
	err := tx.QueryRowContext(ctx, db.q(`SELECT id FROM jobs WHERE source_id = ? AND status IN ('pending', 'running')`), job.SourceID).Scan(&active)
	if err == nil {
		return activeJobConflict(job.SourceID, active)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("check active job: %w", err)
	}
	now := db.now()
	job.CreatedAt, job.RunAt = now, now
	_, err = db.exec(ctx, tx, `INSERT INTO jobs (id, workspace_id, source_id, status, stage, progress_percent, progress_message,
		max_retries, run_at, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
		job.ID, job.WorkspaceID, job.SourceID, string(job.Status), string(job.Stage), job.ProgressMessage, job.MaxRetries, micros(now), micros(now))
	if err != nil {
		if isUniqueViolation(err) {
			return activeJobConflict(job.SourceID, "")
		}
		return fmt.Errorf("insert job: %w", err)
	}
	return nil
}

func activeJobConflict(sourceID, jobID string) error {
	msg := fmt.Sprintf("Source %s already has an active sync job", sourceID)
	if jobID != "" {
		msg = fmt.Sprintf("Source %s already has an active sync job %s", sourceID, jobID)
	}
	return &gnd.Error{Code: gnd.ECONFLICT, Message: msg, Fields: map[string]any{"job_id": jobID}}
}

func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "duplicate key value") || strings.Contains(s, "SQLSTATE 23505")
}

// EnqueueSync creates a pending sync job for a source of the workspace, or
// fails with ECONFLICT (and the active job's id) when one is active.
func (db *DB) EnqueueSync(ctx context.Context, workspaceID, sourceID string, maxRetries int) (*gnd.Job, error) {
	job := NewJob(maxRetries)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.getSource(ctx, tx, workspaceID, sourceID); err != nil {
			return err
		}
		job.SourceID, job.WorkspaceID = sourceID, workspaceID
		return db.insertJob(ctx, tx, job)
	})
	var conflict *gnd.Error
	if errors.As(err, &conflict) && conflict.Code == gnd.ECONFLICT && conflict.Fields["job_id"] == "" {
		// A concurrent enqueue won the unique index; name its job.
		var active string
		if db.db.QueryRowContext(ctx, db.q(`SELECT id FROM jobs WHERE source_id = ? AND status IN ('pending', 'running')`), sourceID).Scan(&active) == nil {
			return nil, activeJobConflict(sourceID, active)
		}
	}
	if err != nil {
		return nil, err
	}
	return job, nil
}

// GetJob returns a job of the workspace, or ENOTFOUND.
func (db *DB) GetJob(ctx context.Context, workspaceID, id string) (*gnd.Job, error) {
	return db.getJob(ctx, db.db, workspaceID, id)
}

func (db *DB) getJob(ctx context.Context, ex execer, workspaceID, id string) (*gnd.Job, error) {
	row := ex.QueryRowContext(ctx, db.q(`SELECT `+jobColumns+` FROM jobs WHERE id = ? AND workspace_id = ?`), id, workspaceID)
	j, err := scanJob(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gnd.Errorf(gnd.ENOTFOUND, "Job %s not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get job %s: %w", id, err)
	}
	return j, nil
}

// JobByID returns a job of any workspace; workers and tests use it.
func (db *DB) JobByID(ctx context.Context, id string) (*gnd.Job, error) {
	j, err := scanJob(db.db.QueryRowContext(ctx, db.q(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gnd.Errorf(gnd.ENOTFOUND, "Job %s not found", id)
	}
	return j, err
}

// ListJobs returns a page of the workspace's jobs, newest first, and the
// total number that match the filter.
func (db *DB) ListJobs(ctx context.Context, f gnd.JobFilter) ([]*gnd.Job, int, error) {
	where := []string{"workspace_id = ?"}
	args := []any{f.WorkspaceID}
	if f.SourceID != nil {
		where, args = append(where, "source_id = ?"), append(args, *f.SourceID)
	}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, string(*f.Status))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := db.db.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM jobs WHERE `+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count jobs: %w", err)
	}
	rows, err := db.db.QueryContext(ctx, db.q(`SELECT `+jobColumns+` FROM jobs WHERE `+cond+` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`),
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	jobs := []*gnd.Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list jobs: %w", err)
		}
		jobs = append(jobs, j)
	}
	return jobs, total, rows.Err()
}

// CancelJob moves a pending or running job to cancelled at once. The worker
// running it notices at its next checkpoint and discards its work. A job in a
// terminal status fails with ECONFLICT.
func (db *DB) CancelJob(ctx context.Context, workspaceID, id string) (*gnd.Job, error) {
	var out *gnd.Job
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		j, err := db.getJob(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		if !j.Status.Active() {
			return gnd.Errorf(gnd.ECONFLICT, "Job %s is already %s and cannot be cancelled", id, j.Status)
		}
		now := db.now()
		res, err := db.exec(ctx, tx, `UPDATE jobs SET status = 'cancelled', progress_message = 'Cancelled', stage_details = NULL,
			completed_at = ?, lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND status IN ('pending', 'running')`, micros(now), id)
		if err != nil {
			return fmt.Errorf("cancel job %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return gnd.Errorf(gnd.ECONFLICT, "Job %s is no longer active and cannot be cancelled", id)
		}
		if err := db.settleSource(ctx, tx, j.SourceID, nil); err != nil {
			return err
		}
		out, err = db.getJob(ctx, tx, workspaceID, id)
		return err
	})
	return out, err
}

// settleSource sets a source's status after its job ended without success:
// synced or pending again when it has a good index (or none yet), error with
// lastError when the job failed.
func (db *DB) settleSource(ctx context.Context, tx *sql.Tx, sourceID string, lastError *string) error {
	now := micros(db.now())
	var err error
	if lastError != nil {
		_, err = db.exec(ctx, tx, `UPDATE sources SET status = 'error', last_error = ?, updated_at = ? WHERE id = ?`, *lastError, now, sourceID)
	} else {
		_, err = db.exec(ctx, tx, `UPDATE sources SET status = CASE WHEN last_sync_completed IS NULL THEN 'pending' ELSE 'synced' END,
			updated_at = ? WHERE id = ?`, now, sourceID)
	}
	if err != nil {
		return fmt.Errorf("update source %s status: %w", sourceID, err)
	}
	return nil
}

// JobCounts returns the number of jobs by status across all workspaces.
func (db *DB) JobCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM jobs GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]int{"pending": 0, "running": 0, "completed": 0, "failed": 0, "cancelled": 0}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		out[status] = n
	}
	return out, rows.Err()
}
