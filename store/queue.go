package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gndhq/gnd"
)

// Claim leases the oldest due pending job to owner until now+lease and marks
// its source syncing. It returns nil, nil when no job is due. On PostgreSQL
// concurrent claimers skip each other's rows (FOR UPDATE SKIP LOCKED); on
// SQLite the write transaction serialises them.
func (db *DB) Claim(ctx context.Context, owner string, lease time.Duration) (*gnd.Job, error) {
	now := db.now()
	lock := ""
	if db.backend == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var job *gnd.Job
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, db.q(`UPDATE jobs SET status = 'running', stage = 'queued', progress_percent = 0,
			progress_message = 'Starting', stage_details = NULL, lease_owner = ?, lease_expires_at = ?, attempt = attempt + 1,
			started_at = COALESCE(started_at, ?)
			WHERE id = (SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ? ORDER BY run_at, created_at LIMIT 1`+lock+`)
			RETURNING `+jobColumns), owner, micros(now.Add(lease)), micros(now), micros(now))
		j, err := scanJob(row)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim job: %w", err)
		}
		_, err = db.exec(ctx, tx, `UPDATE sources SET status = 'syncing', last_sync_started = ?, updated_at = ? WHERE id = ?`,
			micros(now), micros(now), j.SourceID)
		if err != nil {
			return fmt.Errorf("mark source %s syncing: %w", j.SourceID, err)
		}
		job = j
		return nil
	})
	return job, err
}

// NextRunAt returns when the earliest pending job becomes due, or nil when
// none is pending.
func (db *DB) NextRunAt(ctx context.Context) (*time.Time, error) {
	var v sql.NullInt64
	if err := db.db.QueryRowContext(ctx, `SELECT MIN(run_at) FROM jobs WHERE status = 'pending'`).Scan(&v); err != nil {
		return nil, fmt.Errorf("next due job: %w", err)
	}
	return timePtr(v), nil
}

// leased is the condition every worker write carries.
const leased = ` WHERE id = ? AND status = 'running' AND lease_owner = ?`

func (db *DB) leasedUpdate(ctx context.Context, ex execer, set string, id, owner string, args ...any) error {
	res, err := db.exec(ctx, ex, `UPDATE jobs SET `+set+leased, append(args, id, owner)...)
	if err != nil {
		return fmt.Errorf("update job %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Heartbeat extends the lease of a running job. It returns ErrLeaseLost when
// the job was cancelled, deleted or taken over, which tells the worker to stop.
func (db *DB) Heartbeat(ctx context.Context, id, owner string, lease time.Duration) error {
	return db.leasedUpdate(ctx, db.db, `lease_expires_at = ?`, id, owner, micros(db.now().Add(lease)))
}

// Progress is a snapshot of a running job's progress.
type Progress struct {
	Stage          gnd.Stage
	Percent        int
	Message        string
	Details        any // encoded as JSON; nil stores null
	FilesProcessed int
}

// SetProgress records progress of a running job under the owner's lease.
func (db *DB) SetProgress(ctx context.Context, id, owner string, p Progress) error {
	details := sql.NullString{}
	if p.Details != nil {
		b, err := json.Marshal(p.Details)
		if err != nil {
			return fmt.Errorf("encode stage details: %w", err)
		}
		details = sql.NullString{String: string(b), Valid: true}
	}
	return db.leasedUpdate(ctx, db.db, `stage = ?, progress_percent = ?, progress_message = ?, stage_details = ?, files_processed = ?`,
		id, owner, string(p.Stage), p.Percent, p.Message, details, p.FilesProcessed)
}

// Release hands a running job back to the queue without counting an attempt,
// for a worker that shuts down gracefully.
func (db *DB) Release(ctx context.Context, id, owner string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := db.leasedUpdate(ctx, tx, `status = 'pending', stage = 'queued', progress_percent = 0, stage_details = NULL,
			progress_message = 'Queued again: the worker running it shut down', lease_owner = NULL, lease_expires_at = NULL, run_at = ?`,
			id, owner, micros(db.now()))
		if err != nil {
			return err
		}
		return db.sourceOfJobPending(ctx, tx, id)
	})
}

func (db *DB) sourceOfJobPending(ctx context.Context, tx *sql.Tx, jobID string) error {
	_, err := db.exec(ctx, tx, `UPDATE sources SET status = CASE WHEN last_sync_completed IS NULL THEN 'pending' ELSE status END
		WHERE id = (SELECT source_id FROM jobs WHERE id = ?)`, jobID)
	return err
}

// Failure describes a failed attempt for Fail.
type Failure struct {
	Message string
	Details gnd.ErrorDetails
	// RetryAt schedules another attempt; nil makes the failure final.
	RetryAt *time.Time
}

// Fail records a failed attempt of a running job under the owner's lease:
// back to pending with retry_count+1 when f.RetryAt is set, else failed with
// the failing stage kept. The error message stays visible either way.
func (db *DB) Fail(ctx context.Context, id, owner string, f Failure) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		j, err := scanJob(tx.QueryRowContext(ctx, db.q(`SELECT `+jobColumns+` FROM jobs`+leased), id, owner))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrLeaseLost
		}
		if err != nil {
			return fmt.Errorf("load job %s: %w", id, err)
		}
		return db.failJob(ctx, tx, j, f, `status = 'running' AND lease_owner = ?`, owner)
	})
}

// failJob writes a failed attempt of j; cond and condArg guard the update.
func (db *DB) failJob(ctx context.Context, tx *sql.Tx, j *gnd.Job, f Failure, cond string, condArg any) error {
	details, _ := json.Marshal(f.Details)
	now := db.now()
	var res sql.Result
	var err error
	if f.RetryAt != nil {
		msg := fmt.Sprintf("Retrying: attempt %d of %d failed", j.RetryCount+1, j.MaxRetries+1)
		res, err = db.exec(ctx, tx, `UPDATE jobs SET status = 'pending', stage = 'queued', progress_percent = 0, stage_details = NULL,
			progress_message = ?, error_message = ?, error_details = ?, retry_count = retry_count + 1, run_at = ?,
			lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND `+cond,
			msg, f.Message, string(details), micros(*f.RetryAt), j.ID, condArg)
	} else {
		res, err = db.exec(ctx, tx, `UPDATE jobs SET status = 'failed', stage = ?, progress_message = ?, error_message = ?,
			error_details = ?, stage_details = NULL, completed_at = ?, lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND `+cond,
			string(f.Details.Stage), "Failed", f.Message, string(details), micros(now), j.ID, condArg)
	}
	if err != nil {
		return fmt.Errorf("record failure of job %s: %w", j.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	if f.RetryAt != nil {
		return db.sourceOfJobPending(ctx, tx, j.ID)
	}
	return db.settleSource(ctx, tx, j.SourceID, &f.Message)
}

// ExpiredLeases returns running jobs whose lease ended before now.
func (db *DB) ExpiredLeases(ctx context.Context) ([]*gnd.Job, error) {
	rows, err := db.db.QueryContext(ctx, db.q(`SELECT `+jobColumns+` FROM jobs WHERE status = 'running' AND lease_expires_at < ?`), micros(db.now()))
	if err != nil {
		return nil, fmt.Errorf("find expired leases: %w", err)
	}
	defer rows.Close()
	var jobs []*gnd.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// Rescue records a lost worker as a failed attempt of j, provided the lease
// is still the expired one that was read; another rescuer or a late
// heartbeat wins otherwise and Rescue returns ErrLeaseLost.
func (db *DB) Rescue(ctx context.Context, j *gnd.Job, f Failure) error {
	if j.LeaseExpiresAt == nil {
		return ErrLeaseLost
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return db.failJob(ctx, tx, j, f, `status = 'running' AND lease_owner = ? AND lease_expires_at = `+fmt.Sprint(micros(*j.LeaseExpiresAt)), j.LeaseOwner)
	})
}

// Completion is what a finished sync records on its job and source.
type Completion struct {
	FileCount   int
	VersionRef  string
	ItemsFailed int
	Failures    []gnd.Failure
	Skipped     []gnd.Skip
	Message     string // progress_message; "Done" when empty
	// FetchState replaces the source's stored validators when not nil.
	FetchState []FetchState
	// VectorsChanged reports that the job cached vectors for chunks it did
	// not change (after a model change). The source's index version then
	// rises, so search indexes load them.
	VectorsChanged bool
}

// Complete marks a running job completed and updates its source (synced,
// counters, version, validators) in one transaction under the owner's lease.
func (db *DB) Complete(ctx context.Context, id, owner, sourceID string, c Completion) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.complete(ctx, tx, id, owner, sourceID, c) })
}

func (db *DB) complete(ctx context.Context, tx *sql.Tx, id, owner, sourceID string, c Completion) error {
	now := db.now()
	msg := c.Message
	if msg == "" {
		msg = "Done"
	}
	err := db.leasedUpdate(ctx, tx, `status = 'completed', stage = 'finalize', progress_percent = 100, progress_message = ?,
		stage_details = NULL, error_message = NULL, error_details = NULL, items_failed = ?, failures = ?, items_skipped = ?,
		skipped = ?, completed_at = ?, lease_owner = NULL, lease_expires_at = NULL`,
		id, owner, msg, c.ItemsFailed, firstHundred(c.Failures), len(c.Skipped), firstHundred(c.Skipped), micros(now))
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, tx, `UPDATE sources SET status = 'synced', file_count = ?, version_ref = ?, last_error = NULL,
		chunk_count = (SELECT COUNT(*) FROM chunks WHERE source_id = ?), last_sync_completed = ?, updated_at = ? WHERE id = ?`,
		c.FileCount, c.VersionRef, sourceID, micros(now), micros(now), sourceID)
	if err != nil {
		return fmt.Errorf("update source %s: %w", sourceID, err)
	}
	if c.VectorsChanged {
		if _, err := db.exec(ctx, tx, `UPDATE sources SET index_version = index_version + 1 WHERE id = ?`, sourceID); err != nil {
			return fmt.Errorf("bump index version: %w", err)
		}
	}
	if c.FetchState != nil {
		return db.replaceFetchState(ctx, tx, sourceID, c.FetchState)
	}
	return nil
}

// firstHundred encodes the first 100 entries of a list as JSON, or NULL
// for an empty list.
func firstHundred[T any](list []T) sql.NullString {
	if len(list) == 0 {
		return sql.NullString{}
	}
	b, _ := json.Marshal(list[:min(len(list), 100)])
	return sql.NullString{String: string(b), Valid: true}
}
