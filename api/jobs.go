package api

import (
	"net/http"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/store"
)

// handleJobIndex handles GET /jobs?source_id=&status=&skip=&limit=.
func (s *Server) handleJobIndex(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	skip, limit, err := page(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f := gnd.JobFilter{WorkspaceID: key.WorkspaceID, Offset: skip, Limit: limit}
	if v := r.URL.Query().Get("source_id"); v != "" {
		f.SourceID = &v
	}
	if v := r.URL.Query().Get("status"); v != "" {
		st := gnd.JobStatus(v)
		switch st {
		case gnd.JobPending, gnd.JobRunning, gnd.JobCompleted, gnd.JobFailed, gnd.JobCancelled:
		default:
			s.Error(w, r, gnd.Errorf(gnd.EINVALID, "status %q is invalid: must be one of pending, running, completed, failed, cancelled", v))
			return
		}
		f.Status = &st
	}
	jobs, total, err := s.DB.ListJobs(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"jobs": jobs, "total": total})
}

// handleJobView handles GET /jobs/{id}.
func (s *Server) handleJobView(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	job, err := s.DB.GetJob(r.Context(), key.WorkspaceID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, job)
}

// handleJobCancel handles POST /jobs/{id}/cancel. The response already shows
// the job cancelled; the worker stops at its next checkpoint.
func (s *Server) handleJobCancel(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	job, err := s.DB.CancelJob(r.Context(), key.WorkspaceID, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Jobs.Cancel(job.ID)
	s.Log.Info("job cancelled", "job_id", job.ID, "source_id", job.SourceID)
	s.JSON(w, r, http.StatusOK, job)
}
