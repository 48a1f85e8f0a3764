package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/embed"
	"github.com/gndhq/gnd/store"
)

// Store is the storage the runner uses. *store.DB implements it.
type Store interface {
	ProgressWriter
	SourceByID(ctx context.Context, id string) (*gnd.Source, error)
	FetchStates(ctx context.Context, sourceID string) (map[string]store.FetchState, error)
	ChunkRefs(ctx context.Context, sourceID string) ([]gnd.ChunkRef, error)
	ApplyChanges(ctx context.Context, jobID, owner, sourceID string, cs gnd.ChangeSet, done *store.Completion) (*store.Applied, error)
	Complete(ctx context.Context, id, owner, sourceID string, c store.Completion) error
	Embeddings(ctx context.Context, model string, hashes []string) (map[string][]float32, error)
	PutEmbeddings(ctx context.Context, model string, vecs map[string][]float32) error
	ChunkContents(ctx context.Context, ids []string) (map[string]string, error)
}

// Hooks let tests observe or slow down stages. Nil fields do nothing.
type Hooks struct {
	// BeforeStage runs as the job enters stage; an error fails the attempt.
	BeforeStage func(ctx context.Context, job *gnd.Job, stage gnd.Stage) error
}

// Runner executes sync attempts.
type Runner struct {
	Store Store
	// Ingesters by source kind: "docs_openapi", "docs_html", "repo", "pdf".
	Ingesters map[string]Ingester
	// Chunker cuts parsed documents; zero value uses the defaults.
	Chunker Chunker
	// Embedder computes vectors for the vector leg of search; nil turns
	// embeddings off.
	Embedder embed.Embedder
	// OnApplied is called after a job's changes commit, so in-process
	// search finds the change at once.
	OnApplied func(sourceID string, a *store.Applied)
	Hooks     Hooks
	// ProgressInterval is the minimum time between progress writes within
	// a stage; default 250ms.
	ProgressInterval time.Duration
	Logger           *slog.Logger
}

// Run executes one attempt of a claimed job. It returns nil once the job is
// completed, the context's error when the job was stopped, or the error of
// the stage that failed (see Classify). onLost is called when a progress
// write finds the lease gone; the caller then cancels ctx.
func (r *Runner) Run(ctx context.Context, job *gnd.Job, onLost func()) error {
	interval := r.ProgressInterval
	if interval <= 0 {
		interval = 250 * time.Millisecond
	}
	log := r.logger().With("job_id", job.ID, "source_id", job.SourceID)
	t := &Task{Job: job, Progress: NewReporter(r.Store, job, interval, onLost)}
	stage := gnd.StageFetch
	fail := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return Classify(stage, err)
	}

	// Load the source and its stored validators.
	src, err := r.Store.SourceByID(ctx, job.SourceID)
	if err != nil {
		return fail(err)
	}
	t.Source = src
	if t.PrevState, err = r.Store.FetchStates(ctx, src.ID); err != nil {
		return fail(err)
	}
	ing, ok := r.Ingesters[src.Key()]
	if !ok {
		return fail(errUnsupported(src))
	}

	// fetch
	if err := r.enter(ctx, t, gnd.StageFetch, "Fetching content..."); err != nil {
		return fail(err)
	}
	fetched, err := ing.Fetch(ctx, t)
	if err != nil {
		return fail(err)
	}
	log.Info("fetched", "stage", stage, "documents", len(fetched.Documents), "unchanged", fetched.Unchanged, "failures", len(fetched.Failures))
	if fetched.Unchanged {
		if r.Embedder != nil {
			// Stored chunks may lack vectors of the current model.
			stage = gnd.StageEmbed
			if err := r.enter(ctx, t, stage, "Checking embeddings..."); err != nil {
				return fail(err)
			}
			refs, err := r.Store.ChunkRefs(ctx, src.ID)
			if err != nil {
				return fail(err)
			}
			if err := r.embed(ctx, t, nil, refs, gnd.ChangeSet{}); err != nil {
				return fail(err)
			}
		}
		stage = gnd.StageFinalize
		if err := r.enter(ctx, t, gnd.StageFinalize, "Unchanged since the last sync"); err != nil {
			return fail(err)
		}
		return r.finalizeUnchanged(ctx, t, fetched)
	}

	// parse
	stage = gnd.StageParse
	if err := r.enter(ctx, t, stage, "Parsing content..."); err != nil {
		return fail(err)
	}
	parsed, err := ing.Parse(ctx, t, fetched)
	if err != nil {
		return fail(err)
	}

	// chunk
	stage = gnd.StageChunk
	if err := r.enter(ctx, t, stage, "Chunking content..."); err != nil {
		return fail(err)
	}
	chunks, err := r.Chunker.chunk(ctx, t, parsed)
	if err != nil {
		return fail(err)
	}

	// diff against the stored index, then embed what is new or changed
	refs, err := r.Store.ChunkRefs(ctx, src.ID)
	if err != nil {
		return fail(err)
	}
	changes := Diff(refs, chunks, fetched.Keep)
	if err := countTokens(ctx, &changes); err != nil {
		return fail(err)
	}
	stage = gnd.StageEmbed
	if err := r.enter(ctx, t, stage, "Generating embeddings..."); err != nil {
		return fail(err)
	}
	if err := r.embed(ctx, t, chunks, refs, changes); err != nil {
		return fail(err)
	}

	// index and finalize: the changes and the source's new metadata commit
	// together at the end of finalize, so a job stopped at any stage leaves
	// the index exactly as it was.
	stage = gnd.StageIndex
	if err := r.enter(ctx, t, stage, "Updating the index..."); err != nil {
		return fail(err)
	}
	total := len(changes.Create) + len(changes.Update) + len(changes.Delete)
	t.Progress.Update(ctx, map[string]int{"chunks_indexed": 0, "total_chunks": total},
		fmt.Sprintf("Writing %d created, %d updated and %d deleted chunks", len(changes.Create), len(changes.Update), len(changes.Delete)), 0, 0)
	stage = gnd.StageFinalize
	if err := r.enter(ctx, t, stage, "Finalizing..."); err != nil {
		return fail(err)
	}
	if err := r.commit(ctx, t, changes, completion(fetched, parsed)); err != nil {
		return fail(err)
	}
	log.Info("indexed", "created", len(changes.Create), "updated", len(changes.Update), "deleted", len(changes.Delete))
	return nil
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// enter is the checkpoint between stages: it stops a cancelled job, runs the
// test hook and records the new stage.
func (r *Runner) enter(ctx context.Context, t *Task, stage gnd.Stage, message string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.Progress.Enter(ctx, stage, message)
	r.logger().Debug("stage", "job_id", t.Job.ID, "source_id", t.Job.SourceID, "stage", stage)
	if r.Hooks.BeforeStage != nil {
		if err := r.Hooks.BeforeStage(ctx, t.Job, stage); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// commit applies the change set and completes the job in one transaction.
func (r *Runner) commit(ctx context.Context, t *Task, cs gnd.ChangeSet, done store.Completion) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done.VectorsChanged = t.EmbeddedUnchanged
	applied, err := r.Store.ApplyChanges(ctx, t.Job.ID, t.Job.LeaseOwner, t.Source.ID, cs, &done)
	if err == store.ErrLeaseLost {
		return context.Canceled
	}
	if err != nil {
		return err
	}
	if r.OnApplied != nil {
		r.OnApplied(t.Source.ID, applied)
	}
	return nil
}

// completion builds the record that a successful sync writes to its job
// and source.
func completion(f *Fetched, p *Parsed) store.Completion {
	version := p.VersionRef
	if version == "" {
		version = f.VersionRef
	}
	msg := "Done"
	noun := f.ItemNoun
	if noun == "" {
		noun = "items"
	}
	if n := len(f.Failures); n > 0 {
		msg = fmt.Sprintf("Done: %d of %d %s failed", n, n+p.FileCount, noun)
	}
	return store.Completion{FileCount: p.FileCount, VersionRef: version, ItemsFailed: len(f.Failures), Failures: f.Failures,
		Skipped: f.Skipped, Message: msg, FetchState: f.State}
}

func (r *Runner) finalizeUnchanged(ctx context.Context, t *Task, f *Fetched) error {
	version := f.VersionRef
	if version == "" && t.Source.VersionRef != nil {
		version = *t.Source.VersionRef
	}
	state := f.State
	if state == nil {
		state = []store.FetchState{}
		for _, s := range t.PrevState {
			state = append(state, s)
		}
	}
	done := store.Completion{FileCount: t.Source.FileCount, VersionRef: version, Message: "Done", FetchState: state}
	if t.EmbeddedUnchanged {
		// New vectors for unchanged chunks: commit through the index path,
		// so the index version rises and search indexes load them.
		return r.commit(ctx, t, gnd.ChangeSet{}, done)
	}
	err := r.Store.Complete(ctx, t.Job.ID, t.Job.LeaseOwner, t.Source.ID, done)
	if err == store.ErrLeaseLost {
		return context.Canceled
	}
	return err
}
