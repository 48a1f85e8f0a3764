package api

import (
	"net/http"
	"strings"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/store"
)

// handleKeyCreate handles POST /keys: it creates a key in the caller's
// workspace and shows its plaintext once.
func (s *Server) handleKeyCreate(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &req, true); err != nil {
		s.Error(w, r, err)
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = "unnamed"
	}
	if len(name) > 100 {
		s.Error(w, r, gnd.Errorf(gnd.EINVALID, "name is too long: %d characters, the maximum is 100", len(name)))
		return
	}
	plaintext := store.NewKey()
	k, err := s.DB.CreateKey(r.Context(), key.WorkspaceID, name, plaintext)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Log.Info("key created", "key_id", k.ID, "workspace_id", key.WorkspaceID)
	s.JSON(w, r, http.StatusCreated, struct {
		*store.APIKey
		Key string `json:"key"`
	}{k, plaintext})
}

// handleKeyIndex handles GET /keys.
func (s *Server) handleKeyIndex(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	keys, err := s.DB.ListKeys(r.Context(), key.WorkspaceID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if keys == nil {
		keys = []*store.APIKey{}
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"keys": keys, "total": len(keys)})
}

// handleKeyDelete handles DELETE /keys/{id}: the key stops working at once.
func (s *Server) handleKeyDelete(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	if err := s.DB.RevokeKey(r.Context(), key.WorkspaceID, r.PathValue("id")); err != nil {
		s.Error(w, r, err)
		return
	}
	s.keys.forget()
	s.Log.Info("key revoked", "key_id", r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
}
