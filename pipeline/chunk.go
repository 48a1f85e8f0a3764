package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strconv"

	"golang.org/x/sync/errgroup"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/tokens"
)

// Chunker cuts parsed documents into chunks. Zero values take defaults.
type Chunker struct {
	// MaxTokens caps prose sections and code symbols; default 800.
	MaxTokens int
}

func (c Chunker) maxTokens() int {
	if c.MaxTokens > 0 {
		return c.MaxTokens
	}
	return 800
}

// chunk turns every parsed document into units, then gives each unit its
// identity key, content hash and token count.
func (c Chunker) chunk(ctx context.Context, t *Task, p *Parsed) ([]gnd.Chunk, error) {
	var out []gnd.Chunk
	seen := map[string]int{}
	total := len(p.Docs)
	for i, doc := range p.Docs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		units, err := c.units(doc)
		if err != nil {
			return nil, fmt.Errorf("chunk %s: %w", doc.Path, err)
		}
		for _, u := range units {
			out = append(out, newChunk(t.Source, u, seen))
		}
		t.Progress.Update(ctx, map[string]int{"files_chunked": i + 1, "total_files": total, "chunks_found": len(out)},
			"", 0, float64(i+1)/float64(max(total, 1)))
	}
	t.Progress.Update(ctx, map[string]int{"files_chunked": total, "total_files": total, "chunks_found": len(out)},
		fmt.Sprintf("Found %d chunks", len(out)), 0, 1)
	return out, nil
}

func (c Chunker) units(doc ParsedDoc) ([]Unit, error) {
	switch {
	case doc.Units != nil:
		return doc.Units, nil
	case doc.Code != nil:
		return c.codeUnits(doc)
	default:
		return c.markdownUnits(doc), nil
	}
}

// countTokens fills the token count of every chunk the change set writes,
// spread over the available cores; unchanged chunks keep their stored count.
func countTokens(ctx context.Context, cs *gnd.ChangeSet) error {
	var lists [][]gnd.Chunk
	lists = append(lists, cs.Create, cs.Update)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, list := range lists {
		for i := range list {
			c := &list[i]
			g.Go(func() error {
				if err := ctx.Err(); err != nil {
					return err
				}
				c.TokenCount = tokens.Count(c.Content)
				return nil
			})
		}
	}
	return g.Wait()
}

// newChunk assigns the chunk its identity key: path, identity and an
// ordinal when the same identity repeats within the path.
func newChunk(src *gnd.Source, u Unit, seen map[string]int) gnd.Chunk {
	identity := u.Identity
	if identity == "" {
		identity = u.Symbol
	}
	key := u.Path + "#" + identity
	if n := seen[key]; n > 0 {
		seen[key] = n + 1
		key += "#" + strconv.Itoa(n+1)
	} else {
		seen[key] = 1
	}
	ch := gnd.Chunk{
		WorkspaceID: src.WorkspaceID, SourceID: src.ID, Key: key, Path: u.Path, Symbol: u.Symbol,
		StartLine: u.StartLine, EndLine: u.EndLine, VersionRef: u.VersionRef, Language: u.Language,
		ChunkType: u.ChunkType, Content: u.Content, SchemaHash: u.SchemaHash, EndpointKey: u.EndpointKey,
	}
	ch.ContentHash = contentHash(&ch, u.VersionInHash)
	ch.TextHash = gnd.TextHash(u.Content)
	return ch
}

// contentHash covers the content and the citation fields, so a changed line
// range counts as an update. The version counts only when withVersion is set:
// otherwise an unchanged chunk keeps the version at which it was written.
func contentHash(c *gnd.Chunk, withVersion bool) string {
	version := ""
	if withVersion {
		version = c.VersionRef
	}
	h := sha256.New()
	for _, s := range []string{c.Content, c.Path, c.Symbol, lineString(c.StartLine), lineString(c.EndLine),
		version, c.Language, c.ChunkType, c.SchemaHash, c.EndpointKey} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func lineString(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

// Diff compares new chunks with the stored ones by identity key: new keys
// are created, keys whose hash changed are updated, and stored keys that are
// gone are deleted unless their path is in keep.
func Diff(stored []gnd.ChunkRef, chunks []gnd.Chunk, keep []string) gnd.ChangeSet {
	byKey := make(map[string]gnd.ChunkRef, len(stored))
	for _, r := range stored {
		byKey[r.Key] = r
	}
	kept := make(map[string]bool, len(keep))
	for _, p := range keep {
		kept[p] = true
	}
	var cs gnd.ChangeSet
	present := make(map[string]bool, len(chunks))
	for _, c := range chunks {
		present[c.Key] = true
		old, ok := byKey[c.Key]
		switch {
		case !ok:
			cs.Create = append(cs.Create, c)
		case old.ContentHash != c.ContentHash:
			c.ID = old.ID
			cs.Update = append(cs.Update, c)
		}
	}
	for _, r := range stored {
		if !present[r.Key] && !kept[r.Path] {
			cs.Delete = append(cs.Delete, r)
		}
	}
	return cs
}
