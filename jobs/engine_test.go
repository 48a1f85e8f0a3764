package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/jobs"
	"github.com/gndhq/gnd/pipeline"
	"github.com/gndhq/gnd/store"
)

// waitLimit bounds every wait for a job to reach a state. It is generous
// because the machine running the tests may be heavily loaded. A passing run
// takes a small fraction of it.
const waitLimit = 30 * time.Second

// fakeRunner runs each attempt through run, which a test sets.
type fakeRunner struct {
	run      func(ctx context.Context, job *gnd.Job, onLost func()) error
	attempts atomic.Int64
}

func (f *fakeRunner) Run(ctx context.Context, job *gnd.Job, onLost func()) error {
	f.attempts.Add(1)
	return f.run(ctx, job, onLost)
}

// completeJob does what the real pipeline does at the end of a good attempt.
func completeJob(ctx context.Context, db *store.DB, job *gnd.Job) error {
	return db.Complete(ctx, job.ID, job.LeaseOwner, job.SourceID, store.Completion{FileCount: 1, VersionRef: "v1"})
}

// testLogger sends engine logs to the test log. The engine must stop before
// the test ends, which startEngine's cleanup ensures.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// enqueue creates a source with a pending job and returns the job.
func enqueue(t *testing.T, db *store.DB, maxRetries int) *gnd.Job {
	t.Helper()
	ws, _, err := db.EnsureDefaultWorkspace(t.Context())
	if err != nil {
		t.Fatalf("ensure default workspace: %v", err)
	}
	format := gnd.DocsHTML
	src := &gnd.Source{WorkspaceID: ws.ID, Name: "docs", SourceType: gnd.SourceDocs, DocsFormat: &format, URL: "http://127.0.0.1/docs/"}
	job := store.NewJob(maxRetries)
	if err := db.CreateSource(t.Context(), src, job); err != nil {
		t.Fatalf("create source with job: %v", err)
	}
	return job
}

// engineHandle is a running engine that a test can stop early.
type engineHandle struct {
	*jobs.Engine
	stop func()
	done chan struct{}
}

// startEngine runs an engine until the test ends or stop is called. The
// timing is fast so tests finish quickly, and cfg fields that are set win.
func startEngine(t *testing.T, db *store.DB, runner jobs.Runner, cfg jobs.Config) *engineHandle {
	t.Helper()
	if cfg.Workers == 0 {
		cfg.Workers = 1
	}
	if cfg.Poll == 0 {
		cfg.Poll = 20 * time.Millisecond
	}
	if cfg.CancelPoll == 0 {
		cfg.CancelPoll = 50 * time.Millisecond
	}
	if cfg.Lease == 0 {
		cfg.Lease = 5 * time.Second
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = time.Millisecond
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = 5 * time.Millisecond
	}

	e := jobs.NewEngine(db, runner, cfg, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	h := &engineHandle{Engine: e, done: make(chan struct{})}
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			<-h.done
		})
	}

	go func() {
		defer close(h.done)
		e.Run(ctx)
	}()
	t.Cleanup(h.stop)
	return h
}

// waitForStatus polls the job until it reaches one of statuses.
func waitForStatus(t *testing.T, db *store.DB, id string, statuses ...gnd.JobStatus) *gnd.Job {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		j, err := db.JobByID(context.Background(), id)
		if err != nil {
			t.Fatalf("read job %s: %v", id, err)
		}
		for _, s := range statuses {
			if j.Status == s {
				return j
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is still %s after %s, expected one of %v", id, j.Status, waitLimit, statuses)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func errorDetails(t *testing.T, j *gnd.Job) gnd.ErrorDetails {
	t.Helper()
	var d gnd.ErrorDetails
	if err := json.Unmarshal(j.ErrorDetails, &d); err != nil {
		t.Fatalf("decode error_details %q: %v", j.ErrorDetails, err)
	}
	return d
}

func TestEngineCompletesJob(t *testing.T) {
	db := openDB(t)
	job := enqueue(t, db, 2)
	runner := &fakeRunner{run: func(ctx context.Context, j *gnd.Job, _ func()) error {
		return completeJob(ctx, db, j)
	}}
	startEngine(t, db, runner, jobs.Config{})

	j := waitForStatus(t, db, job.ID, gnd.JobCompleted, gnd.JobFailed)
	if j.Status != gnd.JobCompleted {
		t.Fatalf("job ended %s (error %v), expected completed", j.Status, j.ErrorMessage)
	}
	if j.RetryCount != 0 {
		t.Errorf("completed job has retry_count %d, expected 0", j.RetryCount)
	}
	if n := runner.attempts.Load(); n != 1 {
		t.Errorf("runner ran %d attempts, expected 1", n)
	}
	src, err := db.SourceByID(t.Context(), j.SourceID)
	if err != nil {
		t.Fatalf("read source: %v", err)
	}
	if src.Status != gnd.SourceSynced {
		t.Errorf("source status is %s after a completed job, expected synced", src.Status)
	}
}

func TestEngineRetriesThenFails(t *testing.T) {
	db := openDB(t)
	const maxRetries = 3
	job := enqueue(t, db, maxRetries)
	var retryCounts []int
	var mu sync.Mutex
	runner := &fakeRunner{run: func(ctx context.Context, j *gnd.Job, _ func()) error {
		mu.Lock()
		retryCounts = append(retryCounts, j.RetryCount)
		mu.Unlock()
		return &pipeline.StageError{Message: "embedding endpoint unavailable",
			Details: gnd.ErrorDetails{Stage: gnd.StageEmbed, Retryable: true, Cause: "connection refused"}}
	}}
	startEngine(t, db, runner, jobs.Config{})

	j := waitForStatus(t, db, job.ID, gnd.JobCompleted, gnd.JobFailed)
	if j.Status != gnd.JobFailed {
		t.Fatalf("job ended %s, expected failed", j.Status)
	}
	if j.RetryCount != maxRetries {
		t.Errorf("failed job has retry_count %d, expected max_retries %d", j.RetryCount, maxRetries)
	}
	if n := runner.attempts.Load(); n != maxRetries+1 {
		t.Errorf("runner ran %d attempts, expected %d (one plus %d retries)", n, maxRetries+1, maxRetries)
	}
	mu.Lock()
	seen := fmt.Sprint(retryCounts)
	mu.Unlock()
	if seen != "[0 1 2 3]" {
		t.Errorf("attempts saw retry_count %s, expected [0 1 2 3]", seen)
	}
	if j.Stage != gnd.StageEmbed {
		t.Errorf("failed job stage is %s, expected embed from the error's details", j.Stage)
	}
	d := errorDetails(t, j)
	if d.Stage != gnd.StageEmbed {
		t.Errorf("error_details.stage is %s, expected embed", d.Stage)
	}
	if !d.Retryable {
		t.Errorf("error_details.retryable is false for a retryable error that ran out of retries")
	}
	if j.ErrorMessage == nil || *j.ErrorMessage != "embedding endpoint unavailable" {
		t.Errorf("error_message is %v, expected the stage error's message", j.ErrorMessage)
	}
	if j.Attempt != maxRetries+1 {
		t.Errorf("attempts counted %d, expected %d", j.Attempt, maxRetries+1)
	}
}

func TestEnginePlainErrorIsRetryableFetch(t *testing.T) {
	db := openDB(t)
	job := enqueue(t, db, 1)
	runner := &fakeRunner{run: func(ctx context.Context, j *gnd.Job, _ func()) error {
		return errors.New("connection reset by peer")
	}}
	startEngine(t, db, runner, jobs.Config{})

	j := waitForStatus(t, db, job.ID, gnd.JobCompleted, gnd.JobFailed)
	if n := runner.attempts.Load(); n != 2 {
		t.Errorf("runner ran %d attempts, expected 2 (a plain error is retryable)", n)
	}
	if j.RetryCount != 1 {
		t.Errorf("retry_count is %d, expected 1", j.RetryCount)
	}
	if d := errorDetails(t, j); d.Stage != gnd.StageFetch {
		t.Errorf("error_details.stage for a plain error is %s, expected fetch", d.Stage)
	}
}

func TestEnginePermanentErrorFailsAtOnce(t *testing.T) {
	db := openDB(t)
	job := enqueue(t, db, 3)
	runner := &fakeRunner{run: func(ctx context.Context, j *gnd.Job, _ func()) error {
		return pipeline.Permanent(errors.New("invalid spec: unexpected end of JSON input"))
	}}
	startEngine(t, db, runner, jobs.Config{})

	j := waitForStatus(t, db, job.ID, gnd.JobCompleted, gnd.JobFailed)
	if j.Status != gnd.JobFailed {
		t.Fatalf("job ended %s, expected failed", j.Status)
	}
	if n := runner.attempts.Load(); n != 1 {
		t.Errorf("runner ran %d attempts for a permanent error, expected 1", n)
	}
	if j.RetryCount != 0 {
		t.Errorf("retry_count is %d after a permanent error, expected 0", j.RetryCount)
	}
	d := errorDetails(t, j)
	if d.Retryable {
		t.Errorf("error_details.retryable is true for a permanent error")
	}
	if j.ErrorMessage == nil || !strings.Contains(*j.ErrorMessage, "invalid spec") {
		t.Errorf("error_message is %v, expected the permanent error's message", j.ErrorMessage)
	}
}

func TestBackoffBounds(t *testing.T) {
	for _, c := range []struct {
		name      string
		base, max time.Duration
	}{
		{"seconds", 2 * time.Second, 5 * time.Minute},
		{"milliseconds", 10 * time.Millisecond, 50 * time.Millisecond},
		{"max equals base", time.Second, time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := jobs.NewEngine(nil, nil, jobs.Config{BackoffBase: c.base, BackoffMax: c.max}, slog.New(slog.DiscardHandler))
			for retry := range 40 {
				nominal := c.max
				if retry < 30 {
					nominal = min(c.base<<retry, c.max)
				}
				lo, hi := nominal/2, nominal
				for range 50 {
					d := e.Backoff(retry)
					if d < lo || d > hi {
						t.Fatalf("Backoff(%d) = %v, outside [%v, %v]", retry, d, lo, hi)
					}
					if d > c.max {
						t.Fatalf("Backoff(%d) = %v exceeds the maximum %v", retry, d, c.max)
					}
				}
			}
		})
	}
}

func TestBackoffGrowsExponentially(t *testing.T) {
	e := jobs.NewEngine(nil, nil, jobs.Config{BackoffBase: time.Second, BackoffMax: time.Hour}, slog.New(slog.DiscardHandler))
	// The lower bound of retry n+1 equals the upper bound of retry n, so the
	// smallest delay of n+1 is never below the largest of n.
	for retry := range 10 {
		lowest := time.Duration(1<<62 - 1)
		highest := time.Duration(0)
		for range 50 {
			lowest = min(lowest, e.Backoff(retry+1))
			highest = max(highest, e.Backoff(retry))
		}
		if lowest < highest {
			t.Errorf("Backoff(%d) reached %v but Backoff(%d) went down to %v", retry, highest, retry+1, lowest)
		}
	}
}

// blockingRunner blocks each attempt until its context ends and reports the
// context and when it ended.
type blockingRunner struct {
	started chan context.Context
	stopped chan time.Time
	result  func(ctx context.Context) error
}

func newBlockingRunner() *blockingRunner {
	return &blockingRunner{started: make(chan context.Context, 8), stopped: make(chan time.Time, 8),
		result: func(ctx context.Context) error { return ctx.Err() }}
}

func (b *blockingRunner) Run(ctx context.Context, job *gnd.Job, onLost func()) error {
	b.started <- ctx
	<-ctx.Done()
	b.stopped <- time.Now()
	return b.result(ctx)
}

func waitStarted(t *testing.T, b *blockingRunner) context.Context {
	t.Helper()
	select {
	case ctx := <-b.started:
		return ctx
	case <-time.After(waitLimit):
		t.Fatalf("no attempt started within %s", waitLimit)
		return nil
	}
}

func TestCancelThroughStoreStopsJob(t *testing.T) {
	db := openDB(t)
	job := enqueue(t, db, 2)
	runner := newBlockingRunner()
	startEngine(t, db, runner, jobs.Config{CancelPoll: 250 * time.Millisecond})
	waitStarted(t, runner)

	cancelled := time.Now()
	if _, err := db.CancelJob(t.Context(), job.WorkspaceID, job.ID); err != nil {
		t.Fatalf("cancel job: %v", err)
	}
	var stopped time.Time
	select {
	case stopped = <-runner.stopped:
	case <-time.After(waitLimit):
		t.Fatalf("the running attempt did not stop within %s of the cancel", waitLimit)
	}
	// The guarantee is "within about a second", and 3s leaves room for a loaded machine.
	if took := stopped.Sub(cancelled); took > 3*time.Second {
		t.Errorf("the attempt stopped %v after the cancel, expected within about a second", took)
	}
	j := waitForStatus(t, db, job.ID, gnd.JobCancelled)
	if j.RetryCount != 0 {
		t.Errorf("cancelled job has retry_count %d, expected 0", j.RetryCount)
	}
	select {
	case <-runner.started:
		t.Errorf("a cancelled job was run again")
	case <-time.After(200 * time.Millisecond):
	}
}

func TestEngineCancelIsImmediate(t *testing.T) {
	db := openDB(t)
	job := enqueue(t, db, 2)
	runner := newBlockingRunner()
	// A status poll this slow cannot be what stops the attempt.
	h := startEngine(t, db, runner, jobs.Config{CancelPoll: time.Hour})
	ctx := waitStarted(t, runner)

	if _, err := db.CancelJob(t.Context(), job.WorkspaceID, job.ID); err != nil {
		t.Fatalf("cancel job: %v", err)
	}
	h.Cancel(job.ID)
	select {
	case <-ctx.Done():
	default:
		t.Fatalf("the attempt's context is still live right after Engine.Cancel returned")
	}
	if cause := context.Cause(ctx); cause == nil || errors.Is(cause, store.ErrLeaseLost) {
		t.Errorf("the attempt's context cause is %v, expected the cancellation", cause)
	}
	j := waitForStatus(t, db, job.ID, gnd.JobCancelled)
	if j.Status != gnd.JobCancelled {
		t.Errorf("job status is %s, expected cancelled", j.Status)
	}
}

func TestEngineCancelUnknownJobIsNoop(t *testing.T) {
	db := openDB(t)
	e := jobs.NewEngine(db, &fakeRunner{}, jobs.Config{}, slog.New(slog.DiscardHandler))
	e.Cancel("no-such-job")
}

func TestShutdownReleasesRunningJob(t *testing.T) {
	db := openDB(t)
	job := enqueue(t, db, 2)
	runner := newBlockingRunner()
	h := startEngine(t, db, runner, jobs.Config{})
	ctx := waitStarted(t, runner)

	stopped := make(chan struct{})
	go func() {
		h.stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(waitLimit):
		t.Fatalf("Engine.Run did not return within %s of its context ending", waitLimit)
	}
	if ctx.Err() == nil {
		t.Errorf("the running attempt's context is still live after shutdown")
	}
	j, err := db.JobByID(t.Context(), job.ID)
	if err != nil {
		t.Fatalf("read job: %v", err)
	}
	if j.Status != gnd.JobPending {
		t.Errorf("job status after shutdown is %s, expected pending (released)", j.Status)
	}
	if j.RetryCount != 0 {
		t.Errorf("shutdown changed retry_count to %d, expected 0", j.RetryCount)
	}
	if j.LeaseOwner != "" {
		t.Errorf("released job keeps lease owner %q", j.LeaseOwner)
	}
	if j.ErrorMessage != nil {
		t.Errorf("released job has error_message %q, expected none", *j.ErrorMessage)
	}
}

func TestRescueDeadWorkerJob(t *testing.T) {
	db := openDB(t)
	job := enqueue(t, db, 2)
	// A worker that claims the job and then dies: it never heartbeats.
	claimed, err := db.Claim(t.Context(), "dead-worker/1", 300*time.Millisecond)
	if err != nil || claimed == nil || claimed.ID != job.ID {
		t.Fatalf("dead worker claim returned %v, err %v; expected job %s", claimed, err, job.ID)
	}

	runner := &fakeRunner{run: func(ctx context.Context, j *gnd.Job, _ func()) error {
		return completeJob(ctx, db, j)
	}}
	// A 2s lease makes the rescuer scan every 500ms.
	startEngine(t, db, runner, jobs.Config{Lease: 2 * time.Second})

	j := waitForStatus(t, db, job.ID, gnd.JobCompleted, gnd.JobFailed)
	if j.Status != gnd.JobCompleted {
		t.Fatalf("rescued job ended %s (error %v), expected completed", j.Status, j.ErrorMessage)
	}
	if j.RetryCount != 1 {
		t.Errorf("rescued job has retry_count %d, expected 1 (the lost attempt)", j.RetryCount)
	}
	if j.Attempt != 2 {
		t.Errorf("rescued job counts %d attempts, expected 2", j.Attempt)
	}
	if n := runner.attempts.Load(); n != 1 {
		t.Errorf("the engine ran %d attempts, expected 1", n)
	}
}

func TestRescueFailsWithoutRetriesLeft(t *testing.T) {
	db := openDB(t)
	job := enqueue(t, db, 0)
	if claimed, err := db.Claim(t.Context(), "dead-worker/1", 200*time.Millisecond); err != nil || claimed == nil {
		t.Fatalf("dead worker claim returned %v, err %v", claimed, err)
	}
	runner := &fakeRunner{run: func(ctx context.Context, j *gnd.Job, _ func()) error {
		return completeJob(ctx, db, j)
	}}
	startEngine(t, db, runner, jobs.Config{Lease: 2 * time.Second})

	j := waitForStatus(t, db, job.ID, gnd.JobCompleted, gnd.JobFailed)
	if j.Status != gnd.JobFailed {
		t.Fatalf("job ended %s, expected failed because max_retries is 0", j.Status)
	}
	if j.ErrorMessage == nil || !strings.Contains(*j.ErrorMessage, "dead-worker/1") {
		t.Errorf("error_message is %v, expected it to name the lost worker", j.ErrorMessage)
	}
	if d := errorDetails(t, j); d.Cause != "worker lost" {
		t.Errorf("error_details.cause is %q, expected \"worker lost\"", d.Cause)
	}
	if n := runner.attempts.Load(); n != 0 {
		t.Errorf("the engine ran %d attempts of a failed job, expected 0", n)
	}
}

func TestLostLeaseStopsAttempt(t *testing.T) {
	db := openDB(t)
	job := enqueue(t, db, 2)
	runner := newBlockingRunner()
	startEngine(t, db, runner, jobs.Config{CancelPoll: 50 * time.Millisecond})
	ctx := waitStarted(t, runner)

	// Another worker takes the job over: release it and claim it elsewhere.
	j, err := db.JobByID(t.Context(), job.ID)
	if err != nil {
		t.Fatalf("read job: %v", err)
	}
	if err := db.Release(t.Context(), j.ID, j.LeaseOwner); err != nil {
		t.Fatalf("release: %v", err)
	}
	other, err := db.Claim(t.Context(), "other-process/1", time.Hour)
	if err != nil || other == nil {
		t.Fatalf("claim by another process returned %v, err %v", other, err)
	}
	select {
	case <-runner.stopped:
	case <-time.After(waitLimit):
		t.Fatalf("the attempt did not stop within %s of losing its lease", waitLimit)
	}
	if cause := context.Cause(ctx); !errors.Is(cause, store.ErrLeaseLost) {
		t.Errorf("the attempt's context cause is %v, expected ErrLeaseLost", cause)
	}
	// The engine must leave the job to its new owner.
	time.Sleep(200 * time.Millisecond)
	after, err := db.JobByID(t.Context(), job.ID)
	if err != nil {
		t.Fatalf("read job: %v", err)
	}
	if after.Status != gnd.JobRunning || after.LeaseOwner != "other-process/1" {
		t.Errorf("job is %s under %q, expected running under other-process/1", after.Status, after.LeaseOwner)
	}
	if after.RetryCount != 0 {
		t.Errorf("a lost lease changed retry_count to %d", after.RetryCount)
	}
}

func TestPanicFailsJobAndEngineGoesOn(t *testing.T) {
	db := openDB(t)
	first := enqueue(t, db, 3)
	var calls atomic.Int64
	runner := &fakeRunner{run: func(ctx context.Context, j *gnd.Job, _ func()) error {
		if calls.Add(1) == 1 {
			panic("parser bug on a malformed document")
		}
		return completeJob(ctx, db, j)
	}}
	startEngine(t, db, runner, jobs.Config{})

	j := waitForStatus(t, db, first.ID, gnd.JobCompleted, gnd.JobFailed)
	if j.Status != gnd.JobFailed {
		t.Fatalf("a job whose attempt panicked ended %s, expected failed", j.Status)
	}
	if j.RetryCount != 0 {
		t.Errorf("a panicked attempt was retried: retry_count %d, expected 0", j.RetryCount)
	}
	if j.ErrorMessage == nil || !strings.Contains(*j.ErrorMessage, "parser bug") {
		t.Errorf("error_message is %v, expected it to carry the panic value", j.ErrorMessage)
	}

	// The engine still runs jobs after the panic.
	second, err := db.EnqueueSync(t.Context(), first.WorkspaceID, first.SourceID, 0)
	if err != nil {
		t.Fatalf("enqueue a second sync: %v", err)
	}
	if j := waitForStatus(t, db, second.ID, gnd.JobCompleted, gnd.JobFailed); j.Status != gnd.JobCompleted {
		t.Errorf("the job after a panic ended %s, expected completed", j.Status)
	}
}

func TestLeaseRenewedWhileRunning(t *testing.T) {
	// The lease is renewed every third of the lease time, also when the
	// cancellation poll is slower than that, so a live worker's lease never
	// expires. A 600ms lease leaves 400ms of slack for a loaded machine.
	db := openDB(t)
	job := enqueue(t, db, 2)
	started := make(chan context.Context, 4)
	finish := make(chan struct{})
	runner := &fakeRunner{run: func(ctx context.Context, j *gnd.Job, _ func()) error {
		started <- ctx
		select {
		case <-finish:
			return completeJob(ctx, db, j)
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	startEngine(t, db, runner, jobs.Config{Lease: 600 * time.Millisecond, CancelPoll: time.Second})
	var attemptCtx context.Context
	select {
	case attemptCtx = <-started:
	case <-time.After(waitLimit):
		t.Fatalf("no attempt started within %s", waitLimit)
	}

	// Watch the job for three lease times while the attempt is alive, the
	// way another process's rescuer would.
	deadline := time.Now().Add(3 * 600 * time.Millisecond)
	var problem string
	for time.Now().Before(deadline) && problem == "" {
		expired, err := db.ExpiredLeases(t.Context())
		if err != nil {
			t.Fatalf("expired leases: %v", err)
		}
		for _, e := range expired {
			if e.ID == job.ID {
				problem = "its lease expired"
			}
		}
		j, err := db.JobByID(t.Context(), job.ID)
		if err != nil {
			t.Fatalf("read job: %v", err)
		}
		if j.Status != gnd.JobRunning || j.RetryCount != 0 {
			msg := ""
			if j.ErrorMessage != nil {
				msg = *j.ErrorMessage
			}
			problem = fmt.Sprintf("it became %s with retry_count %d and error %q", j.Status, j.RetryCount, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if problem != "" {
		t.Errorf("the job of a live worker was taken over: %s", problem)
	}
	if attemptCtx.Err() != nil {
		t.Errorf("the live attempt was stopped: %v", context.Cause(attemptCtx))
	}
	close(finish)
	j := waitForStatus(t, db, job.ID, gnd.JobCompleted, gnd.JobFailed)
	if j.Status != gnd.JobCompleted || j.RetryCount != 0 {
		t.Errorf("job ended %s with retry_count %d, expected completed with 0", j.Status, j.RetryCount)
	}
}
