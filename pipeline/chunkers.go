package pipeline

import (
	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/chunk/markdown"
	"github.com/gndhq/gnd/parse/code"
)

// markdownUnits cuts a prose document into sections by heading. The
// section's heading path is its symbol and identity.
func (c Chunker) markdownUnits(doc ParsedDoc) []Unit {
	sections := markdown.Split(doc.Title, doc.Markdown, markdown.Options{MaxTokens: c.maxTokens()})
	lang, kind := doc.Language, doc.ChunkType
	if lang == "" {
		lang = "markdown"
	}
	if kind == "" {
		kind = gnd.ChunkDocs
	}
	units := make([]Unit, 0, len(sections))
	for _, s := range sections {
		u := Unit{Path: doc.Path, Identity: s.Symbol, Symbol: s.Symbol, Language: lang, ChunkType: kind,
			Content: s.Content, VersionRef: doc.VersionRef}
		if doc.CiteLines {
			start, end := s.StartLine, s.EndLine
			u.StartLine, u.EndLine = &start, &end
		}
		units = append(units, u)
	}
	return units
}

// codeUnits cuts a source file by symbol. Parts of an oversize symbol share
// the symbol's identity and get ordinals.
func (c Chunker) codeUnits(doc ParsedDoc) ([]Unit, error) {
	pieces, err := code.Chunk(doc.Path, doc.Code, code.Options{MaxTokens: c.maxTokens()})
	if err != nil {
		return nil, err
	}
	units := make([]Unit, 0, len(pieces))
	for _, p := range pieces {
		start, end := p.StartLine, p.EndLine
		units = append(units, Unit{Path: doc.Path, Identity: p.Kind + " " + p.Symbol, Symbol: p.Symbol, StartLine: &start,
			EndLine: &end, Language: doc.Language, ChunkType: gnd.ChunkCode, Content: p.Content, VersionRef: doc.VersionRef})
	}
	return units, nil
}
