package search

// Response is the answer to a search.
type Response struct {
	Results            []Result         `json:"results"`
	TotalResults       int              `json:"total_results"`
	TotalTokens        int              `json:"total_tokens"`
	SourcesSearched    int              `json:"sources_searched"`
	SourcesWithResults int              `json:"sources_with_results"`
	EvidenceQuality    EvidenceQuality  `json:"evidence_quality"`
	StalenessSummary   StalenessSummary `json:"staleness_summary"`
	Conflicts          []Conflict       `json:"conflicts"`
	Warnings           []string         `json:"warnings"`
	Query              string           `json:"query"`
	SearchTimeMS       float64          `json:"search_time_ms"`
}

// Result is one cited chunk.
type Result struct {
	Content       string   `json:"content"`
	Score         float64  `json:"score"`
	TokenCount    int      `json:"token_count"`
	Citation      Citation `json:"citation"`
	FreshnessDays float64  `json:"freshness_days"`
	IsStale       bool     `json:"is_stale"`
}

// Citation says where a result comes from.
type Citation struct {
	ChunkID    string `json:"chunk_id"`
	SourceID   string `json:"source_id"`
	SourceName string `json:"source_name"`
	Path       string `json:"path"`
	Symbol     string `json:"symbol"`
	StartLine  *int   `json:"start_line"`
	EndLine    *int   `json:"end_line"`
	VersionRef string `json:"version_ref"`
	Language   string `json:"language"`
	ChunkType  string `json:"chunk_type"`
}

// EvidenceQuality rates how well the results support an answer.
type EvidenceQuality struct {
	Score            float64 `json:"score"`
	EvidenceCount    int     `json:"evidence_count"`
	AvgFreshnessDays float64 `json:"avg_freshness_days"`
	HasConflicts     bool    `json:"has_conflicts"`
	Confidence       string  `json:"confidence"`
}

// StalenessSummary counts fresh and stale sources among those searched.
type StalenessSummary struct {
	TotalSources        int      `json:"total_sources"`
	FreshSources        int      `json:"fresh_sources"`
	StaleSources        int      `json:"stale_sources"`
	StalenessBudgetDays int64    `json:"staleness_budget_days"`
	StaleSourceNames    []string `json:"stale_source_names"`
}

// Conflict is one OpenAPI endpoint whose schema differs between sources.
type Conflict struct {
	EndpointKey  string   `json:"endpoint_key"`
	Sources      []string `json:"sources"`
	SchemaHashes []string `json:"schema_hashes"`
	Description  string   `json:"description"`
}
