package gnd

import (
	"encoding/json"
	"time"
)

// JobStatus is the lifecycle state of a job:
//
//	pending ──claim──▶ running ──▶ completed
//	   ▲                  │  └────▶ failed     (last attempt failed, or the error cannot succeed on retry)
//	   └──retry/release───┘  └────▶ cancelled  (set by the API at any time while pending or running)
//
// Only the API moves a job to cancelled. Only the worker that holds the lease
// moves a running job on, and each of its writes is conditional on the job
// still being running and leased to it, so a cancelled job never changes
// status again. The rescuer moves a running job whose lease expired back to
// pending (or to failed when no retries are left), counting it as a failed
// attempt ("worker lost").
type JobStatus string

// Job statuses.
const (
	JobPending   JobStatus = "pending"   // waiting for a worker: new, between retries, or released at shutdown
	JobRunning   JobStatus = "running"   // leased by one worker, which renews the lease while it works
	JobCompleted JobStatus = "completed" // the sync applied its changes; terminal
	JobFailed    JobStatus = "failed"    // every attempt failed; terminal; the index is unchanged by this job
	JobCancelled JobStatus = "cancelled" // cancelled through the API; terminal; the index is unchanged by this job
)

// Active reports whether the status is pending or running.
func (s JobStatus) Active() bool { return s == JobPending || s == JobRunning }

// Stage is the pipeline step a job is in.
type Stage string

// Stages in pipeline order, with the progress_percent each one starts at.
const (
	StageQueued   Stage = "queued"   // 0: waiting for a worker
	StageFetch    Stage = "fetch"    // 10: download or clone the content
	StageParse    Stage = "parse"    // 25: extract text and structure
	StageChunk    Stage = "chunk"    // 40: split into chunks with identities and hashes
	StageEmbed    Stage = "embed"    // 60: compute embeddings for new and changed chunks
	StageIndex    Stage = "index"    // 80: apply creates, updates and deletes atomically
	StageFinalize Stage = "finalize" // 95: update source metadata and counters
)

// Stages lists the stages in order.
var Stages = []Stage{StageQueued, StageFetch, StageParse, StageChunk, StageEmbed, StageIndex, StageFinalize}

// StartPercent returns the progress_percent a job shows on entering the stage.
func (s Stage) StartPercent() int {
	switch s {
	case StageFetch:
		return 10
	case StageParse:
		return 25
	case StageChunk:
		return 40
	case StageEmbed:
		return 60
	case StageIndex:
		return 80
	case StageFinalize:
		return 95
	}
	return 0
}

// EndPercent returns the highest progress_percent a job may show while in the
// stage: one below the next stage's start (99 in finalize until done).
func (s Stage) EndPercent() int {
	for i, st := range Stages {
		if st == s && i+1 < len(Stages) {
			return Stages[i+1].StartPercent() - 1
		}
	}
	return 99
}

// Order returns the position of the stage in the pipeline, or -1.
func (s Stage) Order() int {
	for i, st := range Stages {
		if st == s {
			return i
		}
	}
	return -1
}

// Job is a sync job. It is both the API object and the queue row. Fields
// that are not set yet are nil and encode as JSON null.
type Job struct {
	ID              string          `json:"id"`
	SourceID        string          `json:"source_id"`
	WorkspaceID     string          `json:"-"`
	Status          JobStatus       `json:"status"`
	Stage           Stage           `json:"stage"`
	ProgressPercent int             `json:"progress_percent"`
	ProgressMessage string          `json:"progress_message"`
	StageDetails    json.RawMessage `json:"stage_details"`
	FilesProcessed  int             `json:"files_processed"`
	ChunksCreated   int             `json:"chunks_created"`
	ChunksUpdated   int             `json:"chunks_updated"`
	ChunksDeleted   int             `json:"chunks_deleted"`
	ErrorMessage    *string         `json:"error_message"`
	ErrorDetails    json.RawMessage `json:"error_details"`
	RetryCount      int             `json:"retry_count"`
	MaxRetries      int             `json:"max_retries"`
	// ItemsFailed and Failures describe items (pages) that failed while the
	// job as a whole succeeded; Failures lists the first 100.
	ItemsFailed int             `json:"items_failed"`
	Failures    json.RawMessage `json:"failures"`
	// ItemsSkipped and Skipped describe items left out on purpose (not
	// HTML, excluded, disallowed by robots.txt, over the page cap), with
	// the first 100 and their reasons.
	ItemsSkipped int             `json:"items_skipped"`
	Skipped      json.RawMessage `json:"skipped"`
	CreatedAt    time.Time       `json:"created_at"`
	StartedAt    *time.Time      `json:"started_at"`
	CompletedAt  *time.Time      `json:"completed_at"`

	// Queue fields, not part of the API object.

	// RunAt is the earliest time a pending job may be claimed (later than
	// now between retries).
	RunAt time.Time `json:"-"`
	// LeaseOwner is the id of the worker running the job; "" when not running.
	LeaseOwner string `json:"-"`
	// LeaseExpiresAt is when another worker may take the job over; nil when
	// not running.
	LeaseExpiresAt *time.Time `json:"-"`
	// Attempt counts claims of this job, including the current one.
	Attempt int `json:"attempts"`
}

// JobFilter selects jobs in a list request; newest first.
type JobFilter struct {
	WorkspaceID string
	SourceID    *string
	Status      *JobStatus
	Offset      int
	Limit       int
}

// Failure is one item (page, file) that could not be processed while the job
// as a whole went on.
type Failure struct {
	URL        string `json:"url"`
	StatusCode int    `json:"status_code,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Skip is one item left out on purpose, with the reason.
type Skip struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
}

// ErrorDetails are the machine-readable facts of a failed attempt. Stage and
// Retryable are always set.
type ErrorDetails struct {
	Stage      Stage  `json:"stage"`
	Retryable  bool   `json:"retryable"`
	URL        string `json:"url,omitempty"`
	StatusCode int    `json:"status_code,omitempty"`
	Path       string `json:"path,omitempty"`
	Line       int    `json:"line,omitempty"`
	Cause      string `json:"cause,omitempty"`
}
