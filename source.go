package gnd

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SourceType is the kind of content a source indexes.
type SourceType string

// Source types.
const (
	SourceRepo SourceType = "repo" // a git repository
	SourceDocs SourceType = "docs" // an HTML documentation site or an OpenAPI spec
	SourcePDF  SourceType = "pdf"  // an uploaded PDF file
)

// Docs formats of a docs source.
const (
	DocsHTML    = "html"
	DocsOpenAPI = "openapi"
)

// SourceStatus is the sync state of a source.
type SourceStatus string

// Source statuses. A source is pending until its first sync starts, syncing
// while a job runs, synced after a successful sync and error after a failed
// one; a failed sync keeps the last good index searchable.
const (
	SourcePending SourceStatus = "pending"
	SourceSyncing SourceStatus = "syncing"
	SourceSynced  SourceStatus = "synced"
	SourceError   SourceStatus = "error"
)

// Source is something gnd indexes: a repository, a docs site, an OpenAPI spec
// or a PDF. Times are UTC; nil means "never".
type Source struct {
	ID                string       `json:"id"`
	WorkspaceID       string       `json:"-"`
	Name              string       `json:"name"`
	SourceType        SourceType   `json:"source_type"`
	Status            SourceStatus `json:"status"`
	URL               string       `json:"url"`
	Branch            *string      `json:"branch"`
	DocsFormat        *string      `json:"docs_format"`
	DocURLs           []string     `json:"doc_urls"`
	UseSitemap        bool         `json:"use_sitemap"`
	IncludePatterns   []string     `json:"include_patterns"`
	ExcludePatterns   []string     `json:"exclude_patterns"`
	DocVersionLabel   *string      `json:"doc_version_label"`
	FileCount         int          `json:"file_count"`
	ChunkCount        int          `json:"chunk_count"`
	VersionRef        *string      `json:"version_ref"`
	LastSyncStarted   *time.Time   `json:"last_sync_started"`
	LastSyncCompleted *time.Time   `json:"last_sync_completed"`
	LastError         *string      `json:"last_error"`
	CreatedAt         time.Time    `json:"created_at"`
	UpdatedAt         time.Time    `json:"updated_at"`

	// Settings holds per-source crawl and repository limits; zero values
	// mean the server default.
	Settings SourceSettings `json:"settings"`

	// HasToken reports whether an access token is stored for the source
	// (repositories only). The token itself is never returned.
	HasToken bool `json:"has_token"`
}

// SourceSettings are optional per-source limits and switches.
type SourceSettings struct {
	MaxPages      int   `json:"max_pages,omitempty"`      // HTML crawl page cap
	MaxDepth      int   `json:"max_depth,omitempty"`      // HTML crawl link depth cap
	RespectRobots *bool `json:"respect_robots,omitempty"` // honour robots.txt (default true)
	Concurrency   int   `json:"concurrency,omitempty"`    // parallel requests per host
}

// Key returns the policy key of the source's kind: "repo", "docs_html",
// "docs_openapi" or "pdf".
func (s *Source) Key() string {
	if s.SourceType == SourceDocs {
		if s.DocsFormat != nil && *s.DocsFormat == DocsOpenAPI {
			return "docs_openapi"
		}
		return "docs_html"
	}
	return string(s.SourceType)
}

// SourceFilter selects sources in a list request.
type SourceFilter struct {
	WorkspaceID string
	SourceType  *SourceType
	Status      *SourceStatus
	Offset      int
	Limit       int
}

// SourceUpdate is a partial update: nil fields stay as they are.
type SourceUpdate struct {
	Name            *string
	URL             *string
	Branch          *string
	DocsFormat      *string
	DocURLs         *[]string
	UseSitemap      *bool
	IncludePatterns *[]string
	ExcludePatterns *[]string
	DocVersionLabel *string
	// ClearDocVersionLabel removes the label (a PATCH with null).
	ClearDocVersionLabel bool
	Settings             *SourceSettings
}

// Apply copies the set fields of u onto s.
func (u *SourceUpdate) Apply(s *Source) {
	if u.Name != nil {
		s.Name = *u.Name
	}
	if u.URL != nil {
		s.URL = *u.URL
	}
	if u.Branch != nil {
		s.Branch = u.Branch
	}
	if u.DocsFormat != nil {
		s.DocsFormat = u.DocsFormat
	}
	if u.DocURLs != nil {
		s.DocURLs = *u.DocURLs
	}
	if u.UseSitemap != nil {
		s.UseSitemap = *u.UseSitemap
	}
	if u.IncludePatterns != nil {
		s.IncludePatterns = *u.IncludePatterns
	}
	if u.ExcludePatterns != nil {
		s.ExcludePatterns = *u.ExcludePatterns
	}
	if u.DocVersionLabel != nil {
		s.DocVersionLabel = u.DocVersionLabel
	}
	if u.ClearDocVersionLabel {
		s.DocVersionLabel = nil
	}
	if u.Settings != nil {
		s.Settings = *u.Settings
	}
}

// ValidateOptions says which URL forms the server accepts.
type ValidateOptions struct {
	// AllowLocal lets repository sources name local paths and file:// URLs.
	AllowLocal bool
	// CompileGlob checks one glob pattern; nil skips the check.
	CompileGlob func(pattern string) error
}

var scpLikeGitURL = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/].*$`)

// Validate checks a source before it is stored and fills defaults (branch
// "main" for repositories, docs_format "html" for docs). Errors have code
// EINVALID and name the field.
func (s *Source) Validate(opt ValidateOptions) error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return Errorf(EINVALID, "name is required")
	}
	if len(s.Name) > 200 {
		return Errorf(EINVALID, "name is too long: %d characters, the maximum is 200", len(s.Name))
	}
	switch s.SourceType {
	case SourceRepo, SourceDocs, SourcePDF:
	case "":
		return Errorf(EINVALID, "source_type is required: one of repo, docs, pdf")
	default:
		return Errorf(EINVALID, "source_type %q is invalid: must be one of repo, docs, pdf", s.SourceType)
	}
	if err := s.validateKind(opt); err != nil {
		return err
	}
	for _, list := range []*[]string{&s.DocURLs, &s.IncludePatterns, &s.ExcludePatterns} {
		if *list == nil {
			*list = []string{}
		}
	}
	for _, list := range []struct {
		field    string
		patterns []string
	}{{"include_patterns", s.IncludePatterns}, {"exclude_patterns", s.ExcludePatterns}} {
		for _, p := range list.patterns {
			if opt.CompileGlob == nil {
				continue
			}
			if err := opt.CompileGlob(p); err != nil {
				return Errorf(EINVALID, "%s: invalid glob %q: %v", list.field, p, err)
			}
		}
	}
	return s.Settings.validate()
}

func (s *Source) validateKind(opt ValidateOptions) error {
	switch s.SourceType {
	case SourceRepo:
		if s.DocsFormat != nil {
			return Errorf(EINVALID, "docs_format is only allowed for docs sources, not for source_type repo")
		}
		if s.Branch == nil || strings.TrimSpace(*s.Branch) == "" {
			main := "main"
			s.Branch = &main
		}
		if err := validateBranch(*s.Branch); err != nil {
			return err
		}
		return validateRepoURL(s.URL, opt.AllowLocal)
	case SourceDocs:
		if s.Branch != nil {
			return Errorf(EINVALID, "branch is only allowed for repo sources, not for source_type docs")
		}
		if s.DocsFormat == nil || *s.DocsFormat == "" {
			html := DocsHTML
			s.DocsFormat = &html
		}
		if f := *s.DocsFormat; f != DocsHTML && f != DocsOpenAPI {
			return Errorf(EINVALID, "docs_format %q is invalid: must be html or openapi", f)
		}
		if s.URL == "" && len(s.DocURLs) > 0 {
			s.URL = s.DocURLs[0]
		}
		if err := validateHTTPURL("url", s.URL); err != nil {
			return err
		}
		for i, u := range s.DocURLs {
			if err := validateHTTPURL("doc_urls["+strconv.Itoa(i)+"]", u); err != nil {
				return err
			}
		}
	case SourcePDF:
		if s.DocsFormat != nil || s.Branch != nil {
			return Errorf(EINVALID, "docs_format and branch are not allowed for pdf sources")
		}
	}
	return nil
}

func (st SourceSettings) validate() error {
	if st.MaxPages < 0 || st.MaxPages > 100000 {
		return Errorf(EINVALID, "settings.max_pages %d is out of range: 0 to 100000", st.MaxPages)
	}
	if st.MaxDepth < 0 || st.MaxDepth > 100 {
		return Errorf(EINVALID, "settings.max_depth %d is out of range: 0 to 100", st.MaxDepth)
	}
	if st.Concurrency < 0 || st.Concurrency > 16 {
		return Errorf(EINVALID, "settings.concurrency %d is out of range: 0 to 16", st.Concurrency)
	}
	return nil
}

func validateBranch(b string) error {
	if strings.HasPrefix(b, "-") || strings.ContainsAny(b, " \t\n~^:?*[\\") || strings.Contains(b, "..") {
		return Errorf(EINVALID, "branch %q is not a valid git branch name", b)
	}
	return nil
}

func validateHTTPURL(field, raw string) error {
	if strings.TrimSpace(raw) == "" {
		return Errorf(EINVALID, "%s is required", field)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Errorf(EINVALID, "%s %q is not a valid URL: %v", field, raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Errorf(EINVALID, "%s %q must be an http or https URL", field, raw)
	}
	if u.Host == "" {
		return Errorf(EINVALID, "%s %q has no host", field, raw)
	}
	return nil
}

func validateRepoURL(raw string, allowLocal bool) error {
	if strings.TrimSpace(raw) == "" {
		return Errorf(EINVALID, "url is required")
	}
	if strings.HasPrefix(raw, "-") {
		return Errorf(EINVALID, "url %q must not start with '-'", raw)
	}
	if scpLikeGitURL.MatchString(raw) {
		return nil
	}
	u, err := url.Parse(raw)
	if err == nil {
		switch u.Scheme {
		case "http", "https", "ssh", "git":
			if u.Host == "" {
				return Errorf(EINVALID, "url %q has no host", raw)
			}
			// A host starting with '-' would reach ssh as an option.
			if strings.HasPrefix(u.Hostname(), "-") || strings.HasPrefix(u.User.Username(), "-") {
				return Errorf(EINVALID, "url %q has an invalid host", raw)
			}
			if _, hasPassword := u.User.Password(); hasPassword {
				return Errorf(EINVALID, "url must not contain a password; remove the credentials from the URL")
			}
			return nil
		case "file":
			if !allowLocal {
				return Errorf(EINVALID, "url %q is a local repository; local sources are disabled (enable them with GND_ALLOW_LOCAL_SOURCES=true)", raw)
			}
			return nil
		}
	}
	if filepath.IsAbs(raw) {
		if !allowLocal {
			return Errorf(EINVALID, "url %q is a local path; local sources are disabled (enable them with GND_ALLOW_LOCAL_SOURCES=true)", raw)
		}
		return nil
	}
	return Errorf(EINVALID, "url %q must be an http(s), ssh://, git:// or git@host:path repository URL", raw)
}
