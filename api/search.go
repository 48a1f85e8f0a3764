package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gndhq/gnd"
	"github.com/gndhq/gnd/search"
	"github.com/gndhq/gnd/store"
)

// handleSearchGet handles GET /search?query=&source_ids=a,b&top_k=&max_tokens=&include_stale=.
func (s *Server) handleSearchGet(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	q := r.URL.Query()
	for name := range q {
		switch name {
		case "query", "q", "source_ids", "top_k", "max_tokens", "include_stale":
		default:
			s.Error(w, r, gnd.Errorf(gnd.EINVALID, "unknown query parameter %q: allowed are query, source_ids, top_k, max_tokens, include_stale", name))
			return
		}
	}
	req := search.Request{Query: q.Get("query")}
	if req.Query == "" {
		req.Query = q.Get("q")
	}
	if !q.Has("query") && !q.Has("q") {
		s.Error(w, r, gnd.Errorf(gnd.EINVALID, "query is required"))
		return
	}
	if v := q.Get("source_ids"); v != "" {
		req.SourceIDs = strings.Split(v, ",")
	}
	var err error
	if q.Has("top_k") {
		v, err := queryInt(r, "top_k", search.DefaultTopK, 1, search.MaxTopK)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		req.TopK = &v
	}
	if q.Has("max_tokens") {
		v, err := queryInt(r, "max_tokens", search.DefaultMaxTokens, 1, search.MaxMaxTokens)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		req.MaxTokens = &v
	}
	if req.IncludeStale, err = queryBool(r, "include_stale"); err != nil {
		s.Error(w, r, err)
		return
	}
	s.search(w, r, key, req)
}

// handleSearchPost handles POST /search with a JSON body.
func (s *Server) handleSearchPost(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	var req search.Request
	if err := decodeJSON(w, r, &req, false); err != nil {
		s.Error(w, r, err)
		return
	}
	s.search(w, r, key, req)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, key *store.APIKey, req search.Request) {
	start := time.Now()
	resp, err := s.Search.Search(r.Context(), s.DB, key.WorkspaceID, req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Metrics.SearchSeconds.Observe(time.Since(start).Seconds())
	s.JSON(w, r, http.StatusOK, resp)
}

// handleSearchRMH handles POST /search/rmh: a multi-hop search.
func (s *Server) handleSearchRMH(w http.ResponseWriter, r *http.Request, key *store.APIKey) {
	var req search.RMHRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		s.Error(w, r, err)
		return
	}
	start := time.Now()
	resp, err := s.Search.SearchRMH(r.Context(), s.DB, key.WorkspaceID, req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Metrics.SearchSeconds.Observe(time.Since(start).Seconds())
	s.JSON(w, r, http.StatusOK, resp)
}
