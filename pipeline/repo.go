package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/fetch/git"
	"github.com/gndhq/gnd/parse/code"
	"github.com/gndhq/gnd/store"
)

// Repo ingests a git repository: a shallow clone of the branch, one chunk
// per function, method or type of each code file, and sections of its
// markdown and text files. Only files whose blob changed since the last sync
// are read and parsed again.
type Repo struct {
	// CacheDir holds one checkout per source, reused between syncs.
	CacheDir string
	// MaxFiles, MaxFileBytes and MaxRepoBytes cap the repository; zero
	// values take 20000 files, 1 MiB per file and 1 GiB in all.
	MaxFiles     int
	MaxFileBytes int64
	MaxRepoBytes int64
	// Filter compiles a source's include and exclude patterns.
	Filter func(include, exclude []string) (func(string) bool, error)
	// Token returns the access token stored for a source, or "".
	Token func(ctx context.Context, sourceID string) (string, error)
	// CheckHost refuses hosts the address guard blocks; nil allows all.
	CheckHost func(ctx context.Context, host string) error
}

// defaultExcludes are folders that hold dependencies or build output.
var defaultExcludes = []string{".git/", "node_modules/", "vendor/", "third_party/", "dist/", "build/", "target/",
	"obj/", ".venv/", "venv/", "__pycache__/", ".next/", ".tox/"}

func (r *Repo) limits() (int, int64, int64) {
	files, fileBytes, repoBytes := r.MaxFiles, r.MaxFileBytes, r.MaxRepoBytes
	if files <= 0 {
		files = 20000
	}
	if fileBytes <= 0 {
		fileBytes = 1 << 20
	}
	if repoBytes <= 0 {
		repoBytes = 1 << 30
	}
	return files, fileBytes, repoBytes
}

// Fetch checks the branch head, and unless it is the commit of the last
// successful sync, updates the checkout and reads the files whose blob
// changed.
func (r *Repo) Fetch(ctx context.Context, t *Task) (*Fetched, error) {
	src := t.Source
	repo := git.Repo{URL: src.URL, Branch: "main"}
	if src.Branch != nil && *src.Branch != "" {
		repo.Branch = *src.Branch
	}
	if r.Token != nil {
		token, err := r.Token(ctx, src.ID)
		if err != nil {
			return nil, err
		}
		repo.Token = token
	}
	if r.CheckHost != nil {
		// NOTE: git resolves the host again itself, so a DNS answer that
		// changes between this check and the clone is not caught.
		if err := r.CheckHost(ctx, git.Host(src.URL)); err != nil {
			return nil, err
		}
	}
	t.Progress.Update(ctx, map[string]int{"files_fetched": 0, "total_files": 0}, "Checking branch "+repo.Branch, 0, 0)
	head, err := git.Head(ctx, repo)
	if err != nil {
		return nil, gitError(err, repo)
	}
	if src.VersionRef != nil && *src.VersionRef == head && src.LastSyncCompleted != nil {
		return &Fetched{Unchanged: true, VersionRef: head}, nil
	}
	dir := filepath.Join(r.CacheDir, src.ID)
	t.Progress.Update(ctx, map[string]int{"files_fetched": 0, "total_files": 0}, "Cloning "+git.Redact(src.URL), 0, 0.05)
	commit, err := git.Sync(ctx, repo, dir)
	if err != nil {
		return nil, gitError(err, repo)
	}
	files, err := git.Files(ctx, dir)
	if err != nil {
		return nil, gitError(err, repo)
	}
	return r.readChanged(ctx, t, dir, commit, files)
}

// gitError makes git failures that cannot succeed on retry permanent and
// keeps git's message in the details.
func gitError(err error, repo git.Repo) error {
	var ge *git.Error
	if !errors.As(err, &ge) {
		return err
	}
	details := gnd.ErrorDetails{Stage: gnd.StageFetch, Retryable: true, URL: git.Redact(repo.URL), Cause: ge.Error()}
	msg := fmt.Sprintf("Failed to clone repository: %s", ge.Error())
	switch {
	case ge.NotFound:
		details.Retryable = false
		msg = fmt.Sprintf("Branch %q not found in repository %s", repo.Branch, git.Redact(repo.URL))
	case ge.AuthFailed:
		details.Retryable = false
		msg = "Failed to clone repository: authentication was refused"
	case ge.NotRepository:
		details.Retryable = false
		msg = fmt.Sprintf("Failed to clone repository: %s is not a git repository that can be cloned (%s)", git.Redact(repo.URL), ge.Error())
	}
	return &StageError{Message: msg, Details: details, Err: err}
}

// readChanged applies the caps and filters, keeps files whose blob is
// unchanged, and reads the others.
func (r *Repo) readChanged(ctx context.Context, t *Task, dir, commit string, files []git.File) (*Fetched, error) {
	maxFiles, maxFileBytes, maxRepoBytes := r.limits()
	filter, err := r.filter(t.Source)
	if err != nil {
		return nil, err
	}
	f := &Fetched{VersionRef: commit, ItemNoun: "files", State: []store.FetchState{}}
	var total int64
	var todo []git.File
	for _, file := range files {
		total += file.Size
		if reason := r.skip(file, filter, maxFileBytes); reason != "" {
			f.Skipped = append(f.Skipped, gnd.Skip{URL: file.Path, Reason: reason})
			continue
		}
		todo = append(todo, file)
	}
	if total > maxRepoBytes {
		return nil, Permanent(fmt.Errorf("repository is %d bytes, over the limit of %d bytes", total, maxRepoBytes))
	}
	if len(todo) > maxFiles {
		return nil, Permanent(fmt.Errorf("repository has %d files to index, over the limit of %d files (narrow it with include_patterns or exclude_patterns)", len(todo), maxFiles))
	}
	for i, file := range todo {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f.State = append(f.State, store.FetchState{URL: file.Path, ContentHash: file.Blob})
		if prev, ok := t.PrevState[file.Path]; ok && prev.ContentHash == file.Blob {
			f.Keep = append(f.Keep, file.Path)
			f.KeptFiles++
			continue
		}
		body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file.Path)))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file.Path, err)
		}
		f.Documents = append(f.Documents, Document{URL: file.Path, Path: file.Path, Body: body, Hash: file.Blob})
		t.Progress.Update(ctx, map[string]int{"files_fetched": i + 1, "total_files": len(todo)}, "", 0, float64(i+1)/float64(len(todo)))
	}
	t.Progress.Update(ctx, map[string]int{"files_fetched": len(todo), "total_files": len(todo)},
		fmt.Sprintf("Commit %s: %d files changed, %d unchanged", shortHash(commit), len(f.Documents), len(f.Keep)), 0, 1)
	return f, nil
}

func (r *Repo) filter(src *gnd.Source) (func(string) bool, error) {
	if r.Filter == nil || (len(src.IncludePatterns) == 0 && len(src.ExcludePatterns) == 0) {
		return nil, nil
	}
	filter, err := r.Filter(src.IncludePatterns, src.ExcludePatterns)
	if err != nil {
		return nil, Permanent(fmt.Errorf("invalid include or exclude pattern: %w", err))
	}
	return filter, nil
}

// skip returns why a file is not indexed, or "".
func (r *Repo) skip(file git.File, filter func(string) bool, maxFileBytes int64) string {
	for _, dir := range defaultExcludes {
		if strings.HasPrefix(file.Path, dir) || strings.Contains(file.Path, "/"+dir) {
			return "in " + strings.TrimSuffix(dir, "/") + "/, which is excluded by default"
		}
	}
	if filter != nil && !filter(file.Path) {
		return "excluded by include_patterns or exclude_patterns"
	}
	if code.Language(file.Path) == "" {
		return "file type " + path.Ext(file.Path) + " is not indexed"
	}
	if file.Size > maxFileBytes {
		return fmt.Sprintf("file is %d bytes, over the limit of %d bytes", file.Size, maxFileBytes)
	}
	return ""
}

// Parse classifies each changed file: prose goes to the section chunker,
// code to the symbol chunker; binary, generated and minified files are
// skipped with the reason.
func (r *Repo) Parse(ctx context.Context, t *Task, f *Fetched) (*Parsed, error) {
	p := &Parsed{VersionRef: f.VersionRef}
	total := len(f.Documents)
	for i, doc := range f.Documents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if reason := code.SkipReason(doc.Path, doc.Body); reason != "" {
			f.Skipped = append(f.Skipped, gnd.Skip{URL: doc.Path, Reason: reason})
			continue
		}
		lang := code.Language(doc.Path)
		pd := ParsedDoc{Path: doc.Path, VersionRef: f.VersionRef, Language: lang, Title: doc.Path}
		if code.IsDocs(lang) {
			pd.Markdown, pd.ChunkType, pd.CiteLines = string(doc.Body), gnd.ChunkDocs, true
		} else {
			pd.Code, pd.ChunkType = doc.Body, gnd.ChunkCode
		}
		p.Docs = append(p.Docs, pd)
		t.Progress.Update(ctx, map[string]int{"files_parsed": i + 1, "total_files": total}, "", i+1, float64(i+1)/float64(max(total, 1)))
	}
	p.FileCount = len(p.Docs) + f.KeptFiles
	return p, nil
}
