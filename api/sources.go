package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/parse/pdftext"
	"github.com/gndhq/gnd/store"
)

// sourceCreateRequest is the body of POST /sources.
type sourceCreateRequest struct {
	Name            string              `json:"name"`
	SourceType      gnd.SourceType      `json:"source_type"`
	URL             string              `json:"url"`
	Branch          *string             `json:"branch"`
	DocsFormat      *string             `json:"docs_format"`
	DocURLs         []string            `json:"doc_urls"`
	UseSitemap      bool                `json:"use_sitemap"`
	IncludePatterns []string            `json:"include_patterns"`
	ExcludePatterns []string            `json:"exclude_patterns"`
	DocVersionLabel *string             `json:"doc_version_label"`
	Settings        *gnd.SourceSettings `json:"settings"`
	Sync            bool                `json:"sync"`
	MaxRetries      *int                `json:"max_retries"`
	// Token is an access token for a private repository; it is stored and
	// used by git but never returned.
	Token string `json:"token"`
}

// checkToken validates a repository access token.
func checkToken(src *gnd.Source, token string) error {
	if token == "" {
		return nil
	}
	if src.SourceType != gnd.SourceRepo {
		return gnd.Errorf(gnd.EINVALID, "token is only allowed for repo sources")
	}
	if len(token) > 4096 || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return gnd.Errorf(gnd.EINVALID, "token is invalid: it must be at most 4096 characters without spaces or control characters")
	}
	return nil
}

// sourceResponse is a Source with the job id of a sync started with it.
type sourceResponse struct {
	*gnd.Source
	JobID string `json:"job_id,omitempty"`
}

func (s *Server) validateOptions() gnd.ValidateOptions {
	return gnd.ValidateOptions{AllowLocal: s.Config.AllowLocalSources, CompileGlob: s.Config.CompileGlob}
}

// handleSourceCreate handles POST /sources.
func (s *Server) handleSourceCreate(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	// Parse and validate the body.
	var req sourceCreateRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		s.Error(w, r, err)
		return
	}
	if req.SourceType == gnd.SourcePDF {
		s.Error(w, r, gnd.Errorf(gnd.EINVALID, "source_type pdf is created by uploading the file to POST /sources/upload"))
		return
	}
	src := &gnd.Source{WorkspaceID: key.WorkspaceID, Name: req.Name, SourceType: req.SourceType, URL: req.URL,
		Branch: req.Branch, DocsFormat: req.DocsFormat, DocURLs: req.DocURLs, UseSitemap: req.UseSitemap,
		IncludePatterns: req.IncludePatterns, ExcludePatterns: req.ExcludePatterns, DocVersionLabel: req.DocVersionLabel}
	if req.Settings != nil {
		src.Settings = *req.Settings
	}
	if err := src.Validate(s.validateOptions()); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := checkToken(src, req.Token); err != nil {
		s.Error(w, r, err)
		return
	}
	maxRetries, err := s.maxRetries(req.MaxRetries)
	if err != nil {
		s.Error(w, r, err)
		return
	}

	// Store the source, and its first job in the same transaction.
	var job *gnd.Job
	if req.Sync {
		job = store.NewJob(maxRetries)
	}
	if err := s.DB.CreateSource(r.Context(), src, job); err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Token != "" {
		if err := s.DB.SetSourceToken(r.Context(), src.ID, req.Token); err != nil {
			s.Error(w, r, err)
			return
		}
		src.HasToken = true
	}
	s.Search.ForgetSources()
	resp := sourceResponse{Source: src}
	if job != nil {
		resp.JobID = job.ID
		s.Jobs.Wake()
		s.Log.Info("sync enqueued", "job_id", job.ID, "source_id", src.ID)
	}
	s.Log.Info("source created", "source_id", src.ID, "source_type", src.SourceType)
	s.JSON(w, r, http.StatusCreated, resp)
}

func (s *Server) maxRetries(v *int) (int, error) {
	if v == nil {
		return s.Config.MaxRetries, nil
	}
	if *v < 0 || *v > 10 {
		return 0, gnd.Errorf(gnd.EINVALID, "max_retries %d is out of range: must be between 0 and 10", *v)
	}
	return *v, nil
}

// handleSourceUpload handles POST /sources/upload: a multipart form with the
// PDF in field "file" and an optional "name".
func (s *Server) handleSourceUpload(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	// Read the file within the size cap.
	data, filename, err := s.readUpload(w, r)
	defer removeForm(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}

	// Create the source and keep the file with it.
	name := strings.TrimSpace(r.FormValue("name"))
	if name == "" {
		name = filename
	}
	src := &gnd.Source{WorkspaceID: key.WorkspaceID, Name: name, SourceType: gnd.SourcePDF, URL: "upload://" + filename}
	if err := src.Validate(s.validateOptions()); err != nil {
		s.Error(w, r, err)
		return
	}
	var job *gnd.Job
	if sync, _ := queryBool(r, "sync"); (sync != nil && *sync) || r.FormValue("sync") == "true" {
		job = store.NewJob(s.Config.MaxRetries)
	}
	if err := s.DB.CreateUploadSource(r.Context(), src, filename, data, job); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Search.ForgetSources()
	resp := sourceResponse{Source: src}
	if job != nil {
		resp.JobID = job.ID
		s.Jobs.Wake()
	}
	s.Log.Info("pdf uploaded", "source_id", src.ID, "bytes", len(data))
	s.JSON(w, r, http.StatusCreated, resp)
}

// removeForm deletes the temporary files of a parsed multipart form.
func removeForm(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

// readUpload reads the multipart field "file" within the size cap and checks
// that it is a PDF. The caller removes the form's temporary files.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) ([]byte, string, error) {
	tooLarge := gnd.Errorf(gnd.ETOOLARGE, "upload is larger than the limit of %d bytes", s.Config.MaxUploadBytes)
	r.Body = http.MaxBytesReader(w, r.Body, s.Config.MaxUploadBytes+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, "", tooLarge
		}
		return nil, "", gnd.Errorf(gnd.EINVALID, "invalid multipart form: %v", err)
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		return nil, "", gnd.Errorf(gnd.EINVALID, "file is required: send the PDF in the multipart field \"file\"")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, s.Config.MaxUploadBytes+1))
	if err != nil {
		return nil, "", gnd.Errorf(gnd.EINVALID, "read upload: %v", err)
	}
	if int64(len(data)) > s.Config.MaxUploadBytes {
		return nil, "", tooLarge
	}
	if err := pdftext.CheckHeader(data); err != nil {
		return nil, "", gnd.Errorf(gnd.EINVALID, "file %q is not a PDF: it does not start with a %%PDF- header", header.Filename)
	}
	return data, header.Filename, nil
}

// handleSourceIndex handles GET /sources.
func (s *Server) handleSourceIndex(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	skip, limit, err := page(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f := gnd.SourceFilter{WorkspaceID: key.WorkspaceID, Offset: skip, Limit: limit}
	if v := r.URL.Query().Get("source_type"); v != "" {
		t := gnd.SourceType(v)
		if t != gnd.SourceRepo && t != gnd.SourceDocs && t != gnd.SourcePDF {
			s.Error(w, r, gnd.Errorf(gnd.EINVALID, "source_type %q is invalid: must be one of repo, docs, pdf", v))
			return
		}
		f.SourceType = &t
	}
	if v := r.URL.Query().Get("status"); v != "" {
		st := gnd.SourceStatus(v)
		switch st {
		case gnd.SourcePending, gnd.SourceSyncing, gnd.SourceSynced, gnd.SourceError:
		default:
			s.Error(w, r, gnd.Errorf(gnd.EINVALID, "status %q is invalid: must be one of pending, syncing, synced, error", v))
			return
		}
		f.Status = &st
	}
	sources, total, err := s.DB.ListSources(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"sources": sources, "total": total})
}

// handleSourceView handles GET /sources/{id}.
func (s *Server) handleSourceView(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	src, err := s.DB.GetSource(r.Context(), key.WorkspaceID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, src)
}

// sourceUpdateRequest is the body of PATCH /sources/{id}.
type sourceUpdateRequest struct {
	Name            *string             `json:"name"`
	SourceType      *gnd.SourceType     `json:"source_type"`
	URL             *string             `json:"url"`
	Branch          *string             `json:"branch"`
	DocsFormat      *string             `json:"docs_format"`
	DocURLs         *[]string           `json:"doc_urls"`
	UseSitemap      *bool               `json:"use_sitemap"`
	IncludePatterns *[]string           `json:"include_patterns"`
	ExcludePatterns *[]string           `json:"exclude_patterns"`
	DocVersionLabel optionalString      `json:"doc_version_label"`
	Settings        *gnd.SourceSettings `json:"settings"`
	// Token replaces the stored access token; "" removes it.
	Token *string `json:"token"`
}

// optionalString distinguishes an absent field from a null one, so a PATCH
// with null clears the field.
type optionalString struct {
	Set   bool
	Value *string
}

// UnmarshalJSON records that the field was present.
func (o *optionalString) UnmarshalJSON(b []byte) error {
	o.Set = true
	return json.Unmarshal(b, &o.Value)
}

// handleSourceUpdate handles PATCH /sources/{id}; it does not start a sync.
func (s *Server) handleSourceUpdate(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		s.handleUploadReplace(w, r, key)
		return
	}
	var req sourceUpdateRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		s.Error(w, r, err)
		return
	}
	id := r.PathValue("id")
	upd := gnd.SourceUpdate{Name: req.Name, URL: req.URL, Branch: req.Branch, DocsFormat: req.DocsFormat, DocURLs: req.DocURLs,
		UseSitemap: req.UseSitemap, IncludePatterns: req.IncludePatterns, ExcludePatterns: req.ExcludePatterns,
		DocVersionLabel: req.DocVersionLabel.Value, ClearDocVersionLabel: req.DocVersionLabel.Set && req.DocVersionLabel.Value == nil,
		Settings: req.Settings}
	src, err := s.DB.UpdateSource(r.Context(), key.WorkspaceID, id, upd, func(src *gnd.Source) error {
		if req.SourceType != nil && *req.SourceType != src.SourceType {
			return gnd.Errorf(gnd.EINVALID, "source_type cannot be changed (source is %s); create a new source instead", src.SourceType)
		}
		if src.SourceType == gnd.SourcePDF && req.URL != nil {
			return gnd.Errorf(gnd.EINVALID, "url of a pdf source cannot be changed; upload a new file with PATCH as multipart")
		}
		if req.Token != nil {
			if err := checkToken(src, *req.Token); err != nil {
				return err
			}
		}
		return src.Validate(s.validateOptions())
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Token != nil {
		if err := s.DB.SetSourceToken(r.Context(), id, *req.Token); err != nil {
			s.Error(w, r, err)
			return
		}
		src.HasToken = *req.Token != ""
	}
	s.Search.ForgetSources()
	s.JSON(w, r, http.StatusOK, src)
}

// handleUploadReplace handles PATCH /sources/{id} with a multipart body: it
// replaces the file of a pdf source.
func (s *Server) handleUploadReplace(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	id := r.PathValue("id")
	src, err := s.DB.GetSource(r.Context(), key.WorkspaceID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if src.SourceType != gnd.SourcePDF {
		s.Error(w, r, gnd.Errorf(gnd.EINVALID, "only pdf sources accept a file; source %s is %s", id, src.SourceType))
		return
	}
	data, filename, err := s.readUpload(w, r)
	defer removeForm(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.DB.ReplaceUpload(r.Context(), key.WorkspaceID, id, filename, data); err != nil {
		s.Error(w, r, err)
		return
	}
	if name := strings.TrimSpace(r.FormValue("name")); name != "" {
		if _, err := s.DB.UpdateSource(r.Context(), key.WorkspaceID, id, gnd.SourceUpdate{Name: &name}, func(src *gnd.Source) error {
			return src.Validate(s.validateOptions())
		}); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	src, err = s.DB.GetSource(r.Context(), key.WorkspaceID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, src)
}

// handleSourceDelete handles DELETE /sources/{id}: it cancels the active job
// and removes the source and all of its indexed content.
func (s *Server) handleSourceDelete(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	id := r.PathValue("id")
	jobs, _, err := s.DB.ListJobs(r.Context(), gnd.JobFilter{WorkspaceID: key.WorkspaceID, SourceID: &id, Limit: 5})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.DB.DeleteSource(r.Context(), key.WorkspaceID, id); err != nil {
		s.Error(w, r, err)
		return
	}
	for _, j := range jobs {
		if j.Status.Active() {
			s.Jobs.Cancel(j.ID)
		}
	}
	s.Search.DropSource(id)
	s.Log.Info("source deleted", "source_id", id)
	w.WriteHeader(http.StatusNoContent)
}

// syncRequest is the optional body of POST /sources/{id}/sync.
type syncRequest struct {
	MaxRetries *int `json:"max_retries"`
}

// handleSourceSync handles POST /sources/{id}/sync.
func (s *Server) handleSourceSync(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	var req syncRequest
	if err := decodeJSON(w, r, &req, true); err != nil {
		s.Error(w, r, err)
		return
	}
	maxRetries, err := s.maxRetries(req.MaxRetries)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	job, err := s.DB.EnqueueSync(r.Context(), key.WorkspaceID, r.PathValue("id"), maxRetries)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Jobs.Wake()
	s.Log.Info("sync enqueued", "job_id", job.ID, "source_id", job.SourceID)
	s.JSON(w, r, http.StatusAccepted, map[string]any{"job_id": job.ID, "status": job.Status, "source_id": job.SourceID})
}
