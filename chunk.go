package gnd

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Chunk types.
const (
	ChunkCode    = "code"
	ChunkDocs    = "docs"
	ChunkOpenAPI = "openapi"
)

// Chunk is one indexed piece of a source with its citation facts. Key is the
// chunk's stable identity within its source (path, symbol or section, and an
// ordinal for repeats); ContentHash covers the content and every citation
// field, so a re-sync can tell unchanged, changed, new and removed chunks apart.
type Chunk struct {
	ID          string
	WorkspaceID string
	SourceID    string
	Key         string
	Path        string
	Symbol      string
	StartLine   *int
	EndLine     *int
	VersionRef  string
	Language    string
	ChunkType   string
	Content     string
	ContentHash string
	// TextHash is the SHA-256 of Content alone. It keys the chunk's vector
	// in the embedding cache, so the same text at several places is
	// embedded once.
	TextHash string
	// SchemaHash is the hash of an OpenAPI operation's parameters, request
	// body and responses; EndpointKey is its "METHOD /path". Both are empty
	// for other chunk types.
	SchemaHash  string
	EndpointKey string
	TokenCount  int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TextHash returns the hex SHA-256 of a chunk's text, its key in the
// embedding cache.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// ChunkRef is the identity and hash of a stored chunk, enough to diff a new
// sync against the index.
type ChunkRef struct {
	ID          string
	Key         string
	Path        string
	ContentHash string
	TextHash    string
}

// ChangeSet is what one sync applies to a source's index: all of it in one
// transaction or none of it.
type ChangeSet struct {
	Create []Chunk
	Update []Chunk    // matched to stored chunks by Key; ID is the stored id
	Delete []ChunkRef // stored chunks that no longer exist
}

// Empty reports whether the change set changes nothing.
func (c *ChangeSet) Empty() bool { return len(c.Create)+len(c.Update)+len(c.Delete) == 0 }
