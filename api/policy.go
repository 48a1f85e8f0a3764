package api

import (
	"io"
	"net/http"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/store"
)

// handlePolicyView handles GET /policy.
func (s *Server) handlePolicyView(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	p, err := s.DB.Policy(r.Context(), key.WorkspaceID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, p)
}

// handlePolicyUpdate handles PUT /policy: a partial update; unknown fields
// and invalid values are rejected and nothing is stored.
func (s *Server) handlePolicyUpdate(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		s.Error(w, r, gnd.Errorf(gnd.EINVALID, "read request body: %v", err))
		return
	}
	cur, err := s.DB.Policy(r.Context(), key.WorkspaceID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	next, err := gnd.ApplyPolicyPatch(cur, body)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.DB.SetPolicy(r.Context(), key.WorkspaceID, next); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Search.ForgetPolicy(key.WorkspaceID)
	s.Log.Info("policy updated", "workspace_id", key.WorkspaceID)
	s.JSON(w, r, http.StatusOK, next)
}

// handlePolicyReset handles POST /policy/reset.
func (s *Server) handlePolicyReset(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	if err := s.DB.ResetPolicy(r.Context(), key.WorkspaceID); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Search.ForgetPolicy(key.WorkspaceID)
	s.JSON(w, r, http.StatusOK, gnd.DefaultPolicy())
}
