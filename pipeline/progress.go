package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/store"
)

// ProgressWriter stores progress under the worker's lease. *store.DB
// implements it.
type ProgressWriter interface {
	SetProgress(ctx context.Context, id, owner string, p store.Progress) error
}

// Reporter tracks a running job's stage and progress and writes it to the
// store, at most every interval except on stage changes. It guarantees that
// stages only move forward and progress_percent never decreases within an
// attempt. A write that finds the lease lost calls onLost, which stops the job.
type Reporter struct {
	mu       sync.Mutex
	w        ProgressWriter
	jobID    string
	owner    string
	interval time.Duration
	onLost   func()
	cur      store.Progress
	last     time.Time
	dirty    bool
	// trailing is set while a delayed write of the latest state is
	// scheduled, so progress skipped by the interval still lands.
	trailing bool
}

// NewReporter returns a Reporter for a claimed job.
func NewReporter(w ProgressWriter, job *gnd.Job, interval time.Duration, onLost func()) *Reporter {
	return &Reporter{w: w, jobID: job.ID, owner: job.LeaseOwner, interval: interval, onLost: onLost,
		cur: store.Progress{Stage: gnd.StageQueued, Message: "Starting"}}
}

// Enter moves the job to stage with a message, writing at once. A stage that
// is not after the current one is ignored.
func (r *Reporter) Enter(ctx context.Context, stage gnd.Stage, message string) {
	r.mu.Lock()
	if stage.Order() <= r.cur.Stage.Order() {
		r.mu.Unlock()
		return
	}
	r.cur.Stage, r.cur.Message, r.cur.Details = stage, message, nil
	if p := stage.StartPercent(); p > r.cur.Percent {
		r.cur.Percent = p
	}
	r.mu.Unlock()
	r.flush(ctx, true)
}

// Update sets the current stage's details, message (when not empty), files
// processed and the fraction of the stage done (0..1), writing when the
// interval has passed.
func (r *Reporter) Update(ctx context.Context, details any, message string, filesProcessed int, fraction float64) {
	r.mu.Lock()
	r.cur.Details = details
	if message != "" {
		r.cur.Message = message
	}
	if filesProcessed > r.cur.FilesProcessed {
		r.cur.FilesProcessed = filesProcessed
	}
	if fraction > 1 {
		fraction = 1
	}
	start, end := r.cur.Stage.StartPercent(), r.cur.Stage.EndPercent()
	if p := start + int(fraction*float64(end-start)); p > r.cur.Percent && p <= end {
		r.cur.Percent = p
	}
	r.dirty = true
	wait := r.interval - time.Since(r.last)
	schedule := wait > 0 && !r.trailing
	if schedule {
		r.trailing = true
	}
	r.mu.Unlock()
	switch {
	case wait <= 0:
		r.flush(ctx, false)
	case schedule:
		time.AfterFunc(wait, func() {
			r.mu.Lock()
			r.trailing = false
			r.mu.Unlock()
			r.flush(ctx, false)
		})
	}
}

// Flush writes pending progress now.
func (r *Reporter) Flush(ctx context.Context) { r.flush(ctx, true) }

func (r *Reporter) flush(ctx context.Context, force bool) {
	r.mu.Lock()
	if !force && !r.dirty {
		r.mu.Unlock()
		return
	}
	p := r.cur
	r.dirty, r.last = false, time.Now()
	r.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	if err := r.w.SetProgress(ctx, r.jobID, r.owner, p); err == store.ErrLeaseLost && r.onLost != nil {
		r.onLost()
	}
}
