// Package pipeline runs one attempt of a sync job through its stages:
// fetch → parse → chunk → embed → index → finalize. Each stage is a unit with
// one input and one output type, so a document can be followed from the
// fetch stage to the index:
//
//	Ingester.Fetch: source       → *Fetched (raw documents, validators, failures)
//	Ingester.Parse: *Fetched     → *Parsed  (text and structure per document)
//	chunk:          *Parsed      → []gnd.Chunk with identities and content hashes
//	embed:          []gnd.Chunk  → embeddings for new and changed chunks
//	index:          []gnd.Chunk  → gnd.ChangeSet applied in one transaction
//	finalize:       counters and validators written to the source
//
// Only fetch and parse depend on the source type; the later stages are shared.
package pipeline

import (
	"context"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/fetch"
	"github.com/gndhq/gnd/store"
)

// Ingester fetches and parses one kind of source.
type Ingester interface {
	// Fetch downloads the source's content. It reports progress on t.
	Fetch(ctx context.Context, t *Task) (*Fetched, error)
	// Parse extracts text and structure from the fetched documents.
	Parse(ctx context.Context, t *Task, f *Fetched) (*Parsed, error)
}

// Task is one attempt of a sync job as the stages see it.
type Task struct {
	Job      *gnd.Job
	Source   *gnd.Source
	Progress *Reporter
	// PrevState holds the validators stored by the last successful sync, by URL.
	PrevState map[string]store.FetchState
	// EmbeddedUnchanged reports that the embed stage embedded the text of
	// chunks this sync did not change, as after a model change.
	EmbeddedUnchanged bool
}

// Document is one fetched unit: a spec file, a page, a repository file or an
// upload.
type Document struct {
	URL         string // the URL the bytes were downloaded from
	Path        string // the citation path: a URL or a repository path
	Body        []byte
	ContentType string
	Validators  fetch.Validators
	// Hash is the SHA-256 of Body in hex, when the fetch computed it.
	Hash string
}

// Fetched is the output of the fetch stage.
type Fetched struct {
	Documents []Document
	// Unchanged reports that nothing changed since the last successful sync,
	// such as a 304 for a spec or an unmoved commit. The job then finishes
	// with no changes and keeps the stored index and counters.
	Unchanged bool
	// Keep lists citation paths whose stored chunks stay as they are because
	// they were not modified or could not be fetched this time. KeptFiles
	// counts those that have stored chunks, for the source's file_count.
	Keep      []string
	KeptFiles int
	// Failures are items that failed without failing the job.
	Failures []gnd.Failure
	// Skipped are items left out on purpose, with the reason; the parse
	// stage may add more.
	Skipped []gnd.Skip
	// ItemNoun names the items in messages ("pages", "files"); default "items".
	ItemNoun string
	// State replaces the stored validators when the job completes.
	State []store.FetchState
	// VersionRef is the source version when the fetch determines it, such
	// as a commit SHA.
	VersionRef string
}

// Parsed is the output of the parse stage.
type Parsed struct {
	Docs []ParsedDoc
	// FileCount is the source's file_count: operations for a
	// spec, pages for a site, files for a repository.
	FileCount  int
	VersionRef string
}

// ParsedDoc is one document's extracted content in exactly one of three
// forms: Units already cut (OpenAPI operations, PDF pieces), Markdown to cut
// by section, or Code to cut by symbol.
type ParsedDoc struct {
	Path       string
	VersionRef string
	Title      string
	Markdown   string
	Code       []byte
	Language   string
	ChunkType  string
	Units      []Unit
	// CiteLines puts the section's line range into the citation (files
	// in a repository); HTML pages leave it empty.
	CiteLines bool
}

// Unit is a chunk before it gets its identity and hashes.
type Unit struct {
	Path string
	// Identity is stable across syncs for the same logical piece (an
	// endpoint key, a heading path, a qualified symbol).
	Identity    string
	Symbol      string
	StartLine   *int
	EndLine     *int
	Language    string
	ChunkType   string
	Content     string
	VersionRef  string
	SchemaHash  string
	EndpointKey string
	// VersionInHash makes a new VersionRef alone count as a change. It is
	// set for OpenAPI operations, whose version is the spec's; chunks of
	// other sources keep the version at which their text last changed.
	VersionInHash bool
}
