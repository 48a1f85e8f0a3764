package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/parse/pdftext"
	"github.com/gndhq/gnd/store"
)

// PDF ingests a source of type "pdf": the uploaded file, one chunk per piece
// of a page as pdftext.Chunk cuts it, cited by file name and page number.
type PDF struct {
	// Load returns the stored file of a source, as *store.DB.GetUpload does.
	Load func(ctx context.Context, sourceID string) (*store.Upload, error)
}

// Fetch loads the uploaded file. When the last completed sync indexed a file
// with the same name and SHA-256, nothing needs to change and Fetch returns
// Unchanged. The name counts because citations show it.
func (p *PDF) Fetch(ctx context.Context, t *Task) (*Fetched, error) {
	t.Progress.Update(ctx, map[string]int{"files_fetched": 0, "total_files": 1}, "Loading the uploaded file", 0, 0)
	upload, err := p.Load(ctx, t.Source.ID)
	if err != nil {
		if gnd.ErrorCode(err) == gnd.ENOTFOUND {
			return nil, Permanent(fmt.Errorf("source %s has no uploaded file; upload one with PATCH /sources/%s as multipart: %w",
				t.Source.ID, t.Source.ID, err))
		}
		return nil, fmt.Errorf("load the uploaded file of source %s: %w", t.Source.ID, err)
	}
	name := upload.Filename
	if name == "" {
		name = t.Source.URL
	}
	t.Progress.Update(ctx, map[string]int{"files_fetched": 1, "total_files": 1},
		fmt.Sprintf("Loaded %s (%d bytes)", name, len(upload.Data)), 0, 1)

	// The fetch state of a PDF source is one entry: the file name with the
	// file's SHA-256.
	src := t.Source
	state := []store.FetchState{{URL: name, ContentHash: upload.SHA256}}
	prev, hasPrev := t.PrevState[name]
	if src.LastSyncCompleted != nil && src.VersionRef != nil && *src.VersionRef == upload.SHA256 &&
		hasPrev && prev.ContentHash == upload.SHA256 {
		return &Fetched{Unchanged: true, VersionRef: upload.SHA256, ItemNoun: "pages", State: state}, nil
	}
	doc := Document{URL: src.URL, Path: name, Body: upload.Data, ContentType: "application/pdf", Hash: upload.SHA256}
	return &Fetched{Documents: []Document{doc}, ItemNoun: "pages", VersionRef: upload.SHA256, State: state}, nil
}

// Parse extracts the text of every page and cuts it into units. Pages
// without text and extraction warnings (characters without a Unicode
// mapping, pages read only in part) are listed in f.Skipped with the page
// as the URL. A file that cannot be read fails permanently, because a retry
// reads the same bytes.
func (p *PDF) Parse(ctx context.Context, t *Task, f *Fetched) (*Parsed, error) {
	if len(f.Documents) != 1 {
		return nil, fmt.Errorf("expected one uploaded file, got %d documents", len(f.Documents))
	}
	doc := f.Documents[0]

	// Extraction takes the first half of the parse stage's progress and
	// cutting the pages the second half.
	t.Progress.Update(ctx, map[string]int{"files_parsed": 0, "total_files": 0}, "Extracting text from "+doc.Path, 0, 0)
	pages, warnings, err := pdftext.Extract(ctx, doc.Body)
	if err != nil {
		return nil, pdfError(doc.Path, err)
	}
	total := len(pages)
	t.Progress.Update(ctx, map[string]int{"files_parsed": 0, "total_files": total},
		fmt.Sprintf("Extracted text from %d pages", total), 0, 0.5)
	for _, w := range warnings {
		f.Skipped = append(f.Skipped, warningSkip(doc.Path, w))
	}

	units, pagesWithText, err := pdfUnits(ctx, t, doc, pages)
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, pdfError(doc.Path, fmt.Errorf("%w: no page produced any text to index", pdftext.ErrNoText))
	}
	for _, page := range pages {
		if !pagesWithText[page.Number] {
			f.Skipped = append(f.Skipped, gnd.Skip{URL: pageLabel(page.Number), Reason: "page has no extractable text"})
		}
	}
	t.Progress.Update(ctx, map[string]int{"files_parsed": total, "total_files": total},
		fmt.Sprintf("Parsed %d pages with text into %d chunks", len(pagesWithText), len(units)), len(pagesWithText), 1)
	parsed := ParsedDoc{Path: doc.Path, VersionRef: doc.Hash, Title: doc.Path, Language: "pdf", ChunkType: gnd.ChunkDocs, Units: units}
	return &Parsed{Docs: []ParsedDoc{parsed}, FileCount: len(pagesWithText), VersionRef: doc.Hash}, nil
}

// pdfUnits cuts the pages one at a time, so progress and cancellation are
// checked between pages, and returns the units and the set of pages that
// produced at least one unit.
func pdfUnits(ctx context.Context, t *Task, doc Document, pages []pdftext.Page) (units []Unit, withText map[int]bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			units, withText = nil, nil
			err = pdfError(doc.Path, fmt.Errorf("%w: cutting the text into chunks failed: %v", pdftext.ErrMalformed, v))
		}
	}()
	withText = map[int]bool{}
	heading := ""
	for i := range pages {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		for _, piece := range pdftext.Chunk(pages[i:i+1], pdftext.Options{}) {
			// Chunk carries a section heading across page breaks only within
			// one call, so pieces before the page's first heading get the
			// heading in force at the end of the previous page here.
			if piece.Heading == "" {
				piece.Heading = heading
			}
			heading = piece.Heading
			units = append(units, pdfUnit(doc, piece))
			withText[piece.Page] = true
		}
		done := i + 1
		t.Progress.Update(ctx, map[string]int{"files_parsed": done, "total_files": len(pages)}, "", len(withText),
			0.5+0.5*float64(done)/float64(max(len(pages), 1)))
	}
	return units, withText, nil
}

// pdfUnit turns a piece of a page into a unit. The identity holds the page
// and the section heading, so a piece keeps its identity when its text
// changes, and the chunk stage numbers repeats within the same section.
func pdfUnit(doc Document, piece pdftext.Piece) Unit {
	identity := piece.Symbol
	if piece.Heading != "" {
		identity += ": " + piece.Heading
	}
	page := piece.Page
	return Unit{Path: doc.Path, Identity: identity, Symbol: piece.Symbol, StartLine: &page, EndLine: &page,
		Language: "pdf", ChunkType: gnd.ChunkDocs, Content: piece.Content, VersionRef: doc.Hash}
}

func pageLabel(n int) string {
	return "page " + strconv.Itoa(n)
}

// warningSkip turns an extraction warning into a skip entry. A warning that
// starts with "page N: " names that page, and any other names the file.
func warningSkip(path, warning string) gnd.Skip {
	if rest, ok := strings.CutPrefix(warning, "page "); ok {
		if num, reason, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return gnd.Skip{URL: pageLabel(n), Reason: reason}
			}
		}
	}
	return gnd.Skip{URL: path, Reason: warning}
}

// pdfError turns an extraction failure into a permanent parse failure with a
// message that states what is wrong with the file and what to upload instead.
// The extractor's own message goes into error_details.cause. A cancelled or
// timed-out context is returned unchanged.
func pdfError(path string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var msg string
	switch {
	case errors.Is(err, pdftext.ErrNotPDF):
		msg = fmt.Sprintf("File %s is not a PDF: it does not start with a %%PDF- header; upload a PDF file", path)
	case errors.Is(err, pdftext.ErrEncrypted):
		msg = fmt.Sprintf("PDF is encrypted: a password is required to read %s, or its encryption is not supported; "+
			"upload a copy saved without a password", path)
	case errors.Is(err, pdftext.ErrNoText):
		msg = fmt.Sprintf("PDF %s has no extractable text: its pages are probably scanned images; "+
			"run OCR on the file and upload the result", path)
	case errors.Is(err, pdftext.ErrMalformed):
		msg = fmt.Sprintf("PDF %s is damaged or truncated and cannot be read; upload a complete copy of the file", path)
	default:
		msg = fmt.Sprintf("Reading PDF %s failed: %v", path, err)
	}
	return &StageError{Message: msg, Err: err,
		Details: gnd.ErrorDetails{Stage: gnd.StageParse, Retryable: false, Path: path, Cause: err.Error()}}
}
