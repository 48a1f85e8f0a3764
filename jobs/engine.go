// Package jobs runs sync jobs from the durable queue in the jobs table.
//
// Guarantees, on both storage backends:
//   - At least once: a claimed job runs under a lease that its worker renews.
//     If the worker dies, the rescuer of any process takes the job over after
//     the lease expires, counting the lost attempt as failed ("worker lost"),
//     so a job that kills its worker cannot loop forever.
//   - Exactly one outcome: every worker write is conditional on the job still
//     being running under that worker's lease, so a cancelled job never
//     changes status again and its uncommitted work is discarded.
//   - Retries: a failed attempt is retried up to the job's max_retries with
//     exponential backoff and jitter; errors marked not retryable fail at once.
//   - Cancellation reaches the running stage within about a second: the
//     worker polls the job's status every CancelPoll (default 250ms), and
//     in-process cancels are delivered at once through Cancel.
//   - Graceful shutdown releases running jobs back to the queue without
//     counting an attempt.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/pipeline"
	"github.com/gndhq/gnd/store"
)

// Runner executes one attempt of a claimed job; *pipeline.Runner implements it.
type Runner interface {
	Run(ctx context.Context, job *gnd.Job, onLost func()) error
}

// Config sets the engine's timing. Zero values take the defaults.
type Config struct {
	// WorkerID names this process's lease owner; default a random id.
	WorkerID string
	// Workers is the number of jobs run at once; default 2.
	Workers int
	// Lease is how long a claim lasts without a heartbeat; default 30s.
	Lease time.Duration
	// Poll is how often idle workers look for due jobs; default 500ms.
	Poll time.Duration
	// CancelPoll is how often a running job checks for cancellation; default 250ms.
	CancelPoll time.Duration
	// BackoffBase and BackoffMax bound the retry delay: base·2^retry with
	// jitter, capped at max; defaults 2s and 5m.
	BackoffBase time.Duration
	BackoffMax  time.Duration
}

// Engine claims and runs jobs and rescues jobs of lost workers.
type Engine struct {
	db     *store.DB
	runner Runner
	cfg    Config
	log    *slog.Logger
	wake   chan struct{}

	mu      sync.Mutex
	running map[string]context.CancelCauseFunc
}

// errCancelled is the cause of a job context cancelled through the API.
var errCancelled = errors.New("job cancelled")

// NewEngine returns an engine; call Run to start it.
func NewEngine(db *store.DB, runner Runner, cfg Config, log *slog.Logger) *Engine {
	if cfg.WorkerID == "" {
		cfg.WorkerID = "worker-" + uuid.NewString()[:8]
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	if cfg.CancelPoll <= 0 {
		cfg.CancelPoll = 250 * time.Millisecond
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = 2 * time.Second
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 5 * time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	return &Engine{db: db, runner: runner, cfg: cfg, log: log.With("worker_id", cfg.WorkerID),
		wake: make(chan struct{}, 1), running: map[string]context.CancelCauseFunc{}}
}

// Wake makes an idle worker look for jobs now (after an enqueue).
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Cancel stops a job this process is running, at once. Jobs running in other
// processes stop at their next status poll.
func (e *Engine) Cancel(jobID string) {
	e.mu.Lock()
	cancel := e.running[jobID]
	e.mu.Unlock()
	if cancel != nil {
		cancel(errCancelled)
	}
}

// Run starts the workers and the rescuer and blocks until ctx is done. Jobs
// still running then are released to the queue before Run returns.
func (e *Engine) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := 0; i < e.cfg.Workers; i++ {
		owner := fmt.Sprintf("%s/%d", e.cfg.WorkerID, i+1)
		wg.Go(func() { e.work(ctx, owner) })
	}
	wg.Go(func() { e.rescue(ctx) })
	e.log.Info("job engine started", "workers", e.cfg.Workers, "lease", e.cfg.Lease.String())
	wg.Wait()
	e.log.Info("job engine stopped")
}

func (e *Engine) work(ctx context.Context, owner string) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-e.wake:
		}
		for ctx.Err() == nil {
			job, err := e.db.Claim(ctx, owner, e.cfg.Lease)
			if err != nil {
				if ctx.Err() == nil {
					e.log.Error("claim job", "err", err)
				}
				break
			}
			if job == nil {
				break
			}
			e.execute(ctx, job)
		}
		timer.Reset(e.cfg.Poll)
	}
}

// execute runs one claimed attempt and records its outcome.
func (e *Engine) execute(parent context.Context, job *gnd.Job) {
	log := e.log.With("job_id", job.ID, "source_id", job.SourceID, "attempt", job.Attempt)
	log.Info("job started", "retry_count", job.RetryCount)
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(parent))
	defer cancel(nil)
	e.mu.Lock()
	e.running[job.ID] = cancel
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.running, job.ID)
		e.mu.Unlock()
	}()

	// Stop the attempt when the engine stops, the lease is lost or the job
	// is cancelled.
	watchDone := make(chan struct{})
	var watch sync.WaitGroup
	watch.Go(func() { e.watch(parent, ctx, cancel, job, watchDone) })
	start := time.Now()
	err := e.runSafely(ctx, job, cancel)
	close(watchDone)
	watch.Wait()

	e.settle(parent, ctx, job, err, time.Since(start), log)
}

// runSafely runs the attempt and turns a panic in a pipeline stage into a
// failed attempt that is not retried, so one bad document cannot crash the
// process or loop forever.
func (e *Engine) runSafely(ctx context.Context, job *gnd.Job, cancel context.CancelCauseFunc) (err error) {
	defer func() {
		if v := recover(); v != nil {
			e.log.Error("job panicked", "job_id", job.ID, "source_id", job.SourceID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = pipeline.Permanent(fmt.Errorf("internal error while processing the source: %v", v))
		}
	}()
	return e.runner.Run(ctx, job, func() { cancel(store.ErrLeaseLost) })
}

// watch renews the lease and polls for cancellation until done is closed.
func (e *Engine) watch(parent, ctx context.Context, cancel context.CancelCauseFunc, job *gnd.Job, done <-chan struct{}) {
	// Tick often enough both to see cancels and to renew the lease every
	// third of its length.
	poll := time.NewTicker(min(e.cfg.CancelPoll, e.cfg.Lease/3))
	defer poll.Stop()
	lastBeat := time.Now()
	for {
		select {
		case <-done:
			return
		case <-parent.Done():
			cancel(context.Cause(parent))
			return
		case <-poll.C:
		}
		if ctx.Err() != nil {
			continue
		}
		if time.Since(lastBeat) >= e.cfg.Lease/3 {
			if err := e.db.Heartbeat(ctx, job.ID, job.LeaseOwner, e.cfg.Lease); errors.Is(err, store.ErrLeaseLost) {
				cancel(store.ErrLeaseLost)
				continue
			} else if err == nil {
				lastBeat = time.Now()
			}
		}
		current, err := e.db.JobByID(ctx, job.ID)
		switch {
		case gnd.ErrorCode(err) == gnd.ENOTFOUND:
			cancel(store.ErrLeaseLost)
		case err == nil && current.Status == gnd.JobCancelled:
			cancel(errCancelled)
		case err == nil && (current.Status != gnd.JobRunning || current.LeaseOwner != job.LeaseOwner):
			cancel(store.ErrLeaseLost)
		}
	}
}

// settle records the outcome of an attempt.
func (e *Engine) settle(parent, ctx context.Context, job *gnd.Job, err error, took time.Duration, log *slog.Logger) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(parent), 10*time.Second)
	defer cancel()
	switch {
	case err == nil:
		log.Info("job completed", "duration", took.String())
		return
	case parent.Err() != nil:
		if rerr := e.db.Release(bg, job.ID, job.LeaseOwner); rerr != nil && !errors.Is(rerr, store.ErrLeaseLost) {
			log.Error("release job at shutdown", "err", rerr)
			return
		}
		log.Info("job released at shutdown")
		return
	case ctx.Err() != nil || errors.Is(err, store.ErrLeaseLost):
		cause := context.Cause(ctx)
		if errors.Is(cause, errCancelled) {
			log.Info("job cancelled", "duration", took.String())
		} else {
			log.Warn("job stopped: lease lost", "cause", fmt.Sprint(cause))
		}
		return
	}

	se := pipeline.Classify(gnd.StageFetch, err)
	f := store.Failure{Message: se.Message, Details: se.Details}
	if se.Details.Retryable && job.RetryCount < job.MaxRetries {
		at := time.Now().Add(e.Backoff(job.RetryCount))
		f.RetryAt = &at
		log.Warn("job attempt failed, will retry", "stage", se.Details.Stage, "err", se.Message, "retry_at", at.Format(time.RFC3339Nano))
	} else {
		log.Error("job failed", "stage", se.Details.Stage, "err", se.Message, "retryable", se.Details.Retryable)
	}
	if ferr := e.db.Fail(bg, job.ID, job.LeaseOwner, f); ferr != nil && !errors.Is(ferr, store.ErrLeaseLost) {
		log.Error("record job failure", "err", ferr)
	}
}

// Backoff returns the delay before retry number retry+1: base·2^retry capped
// at the maximum, with jitter taking it down by up to half.
func (e *Engine) Backoff(retry int) time.Duration {
	d := e.cfg.BackoffBase
	for i := 0; i < retry && d < e.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, e.cfg.BackoffMax)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// rescue takes over jobs whose worker stopped renewing its lease.
func (e *Engine) rescue(ctx context.Context) {
	interval := max(e.cfg.Lease/4, 100*time.Millisecond)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		jobs, err := e.db.ExpiredLeases(ctx)
		if err != nil {
			if ctx.Err() == nil {
				e.log.Error("find expired leases", "err", err)
			}
			continue
		}
		for _, j := range jobs {
			e.rescueOne(ctx, j)
		}
	}
}

func (e *Engine) rescueOne(ctx context.Context, j *gnd.Job) {
	stage := j.Stage
	if stage == gnd.StageQueued {
		stage = gnd.StageFetch
	}
	f := store.Failure{
		Message: fmt.Sprintf("Worker lost: worker %s stopped renewing its lease during the %s stage", j.LeaseOwner, stage),
		Details: gnd.ErrorDetails{Stage: stage, Retryable: true, Cause: "worker lost"},
	}
	if j.RetryCount < j.MaxRetries {
		at := time.Now().Add(e.Backoff(j.RetryCount))
		f.RetryAt = &at
	}
	err := e.db.Rescue(ctx, j, f)
	switch {
	case errors.Is(err, store.ErrLeaseLost):
		return
	case err != nil:
		e.log.Error("rescue job", "job_id", j.ID, "err", err)
		return
	}
	e.log.Warn("rescued job of a lost worker", "job_id", j.ID, "source_id", j.SourceID, "lost_worker", j.LeaseOwner, "retry", f.RetryAt != nil)
	e.Wake()
}
