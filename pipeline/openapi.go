package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/fetch"
	"github.com/gndhq/gnd/parse/openapi"
	"github.com/gndhq/gnd/store"
)

// OpenAPI ingests a docs source with docs_format "openapi": one spec URL,
// external $refs resolved on the spec's host, one chunk per operation.
type OpenAPI struct {
	Client *fetch.Client
	// AllowCrossHostRefs lets $refs load documents from other hosts.
	AllowCrossHostRefs bool
}

// Fetch downloads the spec with a conditional GET when the last successful
// sync stored validators and the source's settings are unchanged since.
func (o *OpenAPI) Fetch(ctx context.Context, t *Task) (*Fetched, error) {
	url := t.Source.URL
	fingerprint := specFingerprint(t.Source)
	var v fetch.Validators
	prev, hasPrev := t.PrevState[url]
	// A spec that loaded other documents through $refs is parsed again on
	// every sync: a referenced file can change while the spec does not.
	if len(t.PrevState) > 1 {
		hasPrev = false
	}
	if hasPrev && strings.HasSuffix(prev.ContentHash, ":"+fingerprint) && t.Source.LastSyncCompleted != nil {
		v = fetch.Validators{ETag: prev.ETag, LastModified: prev.LastModified}
	}
	t.Progress.Update(ctx, map[string]int{"files_fetched": 0, "total_files": 1}, "Fetching "+url, 0, 0)
	resp, err := o.Client.Get(ctx, url, v)
	if err != nil {
		return nil, err
	}
	t.Progress.Update(ctx, map[string]int{"files_fetched": 1, "total_files": 1}, "Fetched the spec", 0, 1)
	if resp.NotModified {
		return &Fetched{Unchanged: true, State: []store.FetchState{prev}}, nil
	}
	sum := sha256.Sum256(resp.Body)
	hash := hex.EncodeToString(sum[:]) + ":" + fingerprint
	state := []store.FetchState{{URL: url, ETag: resp.Validators.ETag, LastModified: resp.Validators.LastModified, ContentHash: hash}}
	if hasPrev && prev.ContentHash == hash && t.Source.LastSyncCompleted != nil {
		return &Fetched{Unchanged: true, State: state}, nil
	}
	doc := Document{URL: url, Path: url, Body: resp.Body, ContentType: resp.Header.Get("Content-Type"), Validators: resp.Validators}
	return &Fetched{Documents: []Document{doc}, State: state}, nil
}

// specFingerprint covers the source settings that change the chunks of an
// unchanged spec.
func specFingerprint(s *gnd.Source) string {
	label := ""
	if s.DocVersionLabel != nil {
		label = *s.DocVersionLabel
	}
	sum := sha256.Sum256([]byte("openapi\x00" + label))
	return hex.EncodeToString(sum[:8])
}

// Parse resolves the spec and renders one unit per operation and webhook.
func (o *OpenAPI) Parse(ctx context.Context, t *Task, f *Fetched) (*Parsed, error) {
	if len(f.Documents) != 1 {
		return nil, fmt.Errorf("expected one spec document, got %d", len(f.Documents))
	}
	doc := f.Documents[0]
	loaded := 0
	load := func(ctx context.Context, ref string) ([]byte, error) {
		if !o.AllowCrossHostRefs && !fetch.SameHost(ref, doc.URL) {
			return nil, Permanent(fmt.Errorf("$ref %s is on another host than the spec; only same-host references are loaded", ref))
		}
		resp, err := o.Client.Get(ctx, ref, fetch.Validators{})
		if err != nil {
			return nil, Classify(gnd.StageParse, err)
		}
		loaded++
		sum := sha256.Sum256(resp.Body)
		f.State = append(f.State, store.FetchState{URL: ref, ContentHash: hex.EncodeToString(sum[:])})
		t.Progress.Update(ctx, map[string]int{"files_parsed": 0, "total_files": 1 + loaded}, "Loaded "+ref, 0, 0)
		return resp.Body, nil
	}
	t.Progress.Update(ctx, map[string]int{"files_parsed": 0, "total_files": 1}, "Parsing the spec", 0, 0)
	spec, err := openapi.Parse(ctx, doc.URL, doc.Body, load)
	if err != nil {
		return nil, specError(doc.URL, err)
	}
	version := spec.Version
	if t.Source.DocVersionLabel != nil && *t.Source.DocVersionLabel != "" {
		version = *t.Source.DocVersionLabel
	}
	units := make([]Unit, 0, len(spec.Operations))
	for _, op := range spec.Operations {
		symbol := op.OperationID
		if symbol == "" {
			symbol = op.Key
		}
		units = append(units, Unit{Path: doc.Path, Identity: op.Key, Symbol: symbol, Language: gnd.ChunkOpenAPI,
			ChunkType: gnd.ChunkOpenAPI, Content: op.Markdown, VersionRef: version, SchemaHash: op.SchemaHash, EndpointKey: op.Key,
			VersionInHash: true})
	}
	t.Progress.Update(ctx, map[string]int{"files_parsed": 1 + loaded, "total_files": 1 + loaded},
		fmt.Sprintf("Parsed %d operations", len(units)), len(units), 1)
	return &Parsed{Docs: []ParsedDoc{{Path: doc.Path, VersionRef: version, Units: units}}, FileCount: len(units), VersionRef: version}, nil
}

// specError makes parse failures permanent and names the position.
func specError(url string, err error) error {
	var syn *openapi.SyntaxError
	var se *StageError
	switch {
	case errors.As(err, &se):
		return err
	case errors.As(err, &syn):
		return &StageError{Message: err.Error(), Err: err,
			Details: gnd.ErrorDetails{Stage: gnd.StageParse, Retryable: false, URL: url, Line: syn.Line, Cause: syn.Msg}}
	case errors.Is(err, openapi.ErrNotOpenAPI):
		return &StageError{Message: err.Error(), Err: err, Details: gnd.ErrorDetails{Stage: gnd.StageParse, Retryable: false, URL: url}}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return Permanent(fmt.Errorf("invalid spec %s: %w", url, err))
}
