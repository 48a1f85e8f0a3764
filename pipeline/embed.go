package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/embed"
)

// embedBatch is the number of texts handed to the embedder at once; the
// provider splits it into requests and runs them concurrently.
const embedBatch = 256

// embed computes the vectors that the source's index will need and that the
// cache lacks: for new and changed chunks, and for unchanged chunks whose
// text was never embedded with the current model (after a model change).
// chunks are the chunks of this sync; refs the stored chunks, of which those
// not deleted by cs stay in the index.
func (r *Runner) embed(ctx context.Context, t *Task, chunks []gnd.Chunk, refs []gnd.ChunkRef, cs gnd.ChangeSet) error {
	if r.Embedder == nil {
		need := len(cs.Create) + len(cs.Update)
		t.Progress.Update(ctx, map[string]int{"chunks_embedded": 0, "total_chunks": 0, "chunks_reused": 0},
			fmt.Sprintf("Embeddings are off: %d new or changed chunks are indexed for text search only", need), 0, 1)
		return ctx.Err()
	}
	model := r.Embedder.Model()

	// Every text the index will hold after this sync, by text hash.
	text := map[string]string{}
	for _, c := range chunks {
		text[c.TextHash] = c.Content
	}
	// Deleted chunks and the old text of updated ones leave the index.
	replaced := map[string]bool{}
	for _, d := range cs.Delete {
		replaced[d.ID] = true
	}
	for _, u := range cs.Update {
		replaced[u.ID] = true
	}
	storedOnly := map[string]string{} // text hash → id of a stored chunk with that text
	for _, ref := range refs {
		if _, ok := text[ref.TextHash]; !ok && !replaced[ref.ID] {
			storedOnly[ref.TextHash] = ref.ID
		}
	}
	hashes := make([]string, 0, len(text)+len(storedOnly))
	for h := range text {
		hashes = append(hashes, h)
	}
	for h := range storedOnly {
		hashes = append(hashes, h)
	}

	// Look up the cache, then load the text of stored chunks that need a vector.
	have, err := r.Store.Embeddings(ctx, model, hashes)
	if err != nil {
		return err
	}
	var missing []string
	var loadIDs []string
	for _, h := range hashes {
		if _, ok := have[h]; ok {
			continue
		}
		missing = append(missing, h)
		if _, ok := text[h]; !ok {
			loadIDs = append(loadIDs, storedOnly[h])
		}
	}
	if len(loadIDs) > 0 {
		contents, err := r.Store.ChunkContents(ctx, loadIDs)
		if err != nil {
			return err
		}
		for h, id := range storedOnly {
			if c, ok := contents[id]; ok {
				text[h] = c
			}
		}
	}
	changed := map[string]bool{}
	for _, list := range [][]gnd.Chunk{cs.Create, cs.Update} {
		for _, c := range list {
			changed[c.TextHash] = true
		}
	}
	if err := r.embedMissing(ctx, t, model, missing, text, len(have)); err != nil {
		return err
	}
	for _, h := range missing {
		if !changed[h] {
			t.EmbeddedUnchanged = true
		}
	}
	return nil
}

// embedMissing embeds the texts of missing hashes in batches, checks every
// batch and stores it in the cache, reporting progress after each batch.
func (r *Runner) embedMissing(ctx context.Context, t *Task, model string, missing []string, text map[string]string, reused int) error {
	total := len(missing)
	details := func(done int) map[string]int {
		return map[string]int{"chunks_embedded": done, "total_chunks": total, "chunks_reused": reused}
	}
	t.Progress.Update(ctx, details(0), fmt.Sprintf("Generating embeddings for %d distinct texts (%d reused)...", total, reused), 0, 0)
	for start := 0; start < total; start += embedBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := missing[start:min(start+embedBatch, total)]
		texts := make([]string, len(batch))
		for i, h := range batch {
			texts[i] = text[h]
		}
		if len(texts) == 1 {
			// embed.Check cannot tell a provider that returns one vector for
			// every text from a single response, so a probe text goes along.
			texts = append(texts, probeText(texts[0]))
		}
		vecs, err := r.Embedder.Embed(ctx, texts)
		if err != nil {
			return embedError(model, r.hideEndpoint(err))
		}
		if err := embed.Check(texts, vecs, r.Embedder.Dim()); err != nil {
			return Permanent(fmt.Errorf("embedding model %s: %w", model, err))
		}
		vecs = vecs[:len(batch)]
		out := make(map[string][]float32, len(batch))
		for i, h := range batch {
			out[h] = vecs[i]
		}
		if err := r.Store.PutEmbeddings(ctx, model, out); err != nil {
			return err
		}
		done := start + len(batch)
		t.Progress.Update(ctx, details(done), "", 0, float64(done)/float64(total))
	}
	t.Progress.Update(ctx, details(total), fmt.Sprintf("Embedded %d distinct texts, reused %d", total, reused), 0, 1)
	return nil
}

// probeText is a text that differs from text, embedded beside a lone text.
func probeText(text string) string {
	probe := "gnd checks that different texts get different vectors"
	if text == probe {
		probe += "."
	}
	return probe
}

// hideEndpoint replaces the provider's address in err's message with "the
// embedding provider": job errors are shown to every API key of the
// workspace, while the address is the operator's setting. The log keeps it.
func (r *Runner) hideEndpoint(err error) error {
	ep, ok := r.Embedder.(interface{ Endpoint() string })
	if !ok || ep.Endpoint() == "" {
		return err
	}
	msg := err.Error()
	u, perr := url.Parse(ep.Endpoint())
	hidden := strings.ReplaceAll(msg, ep.Endpoint(), "the embedding provider")
	if perr == nil && u.Host != "" {
		hidden = strings.ReplaceAll(hidden, u.Host, "the provider's host")
	}
	if hidden == msg {
		return err
	}
	r.logger().Warn("embedding provider failed", "endpoint", ep.Endpoint(), "err", err)
	return &hiddenError{msg: hidden, err: err}
}

// hiddenError is an error with a rewritten message that still unwraps to
// the original.
type hiddenError struct {
	msg string
	err error
}

func (e *hiddenError) Error() string { return e.msg }
func (e *hiddenError) Unwrap() error { return e.err }

// embedError marks provider errors that cannot succeed on retry (refused
// requests, unusable vectors) as permanent.
func embedError(model string, err error) error {
	wrapped := fmt.Errorf("embed with model %s: %w", model, err)
	var api *embed.APIError
	if errors.Is(err, embed.ErrBadVectors) || (errors.As(err, &api) && !api.Temporary()) {
		return Permanent(wrapped)
	}
	return wrapped
}
