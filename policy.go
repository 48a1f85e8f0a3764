package gnd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Policy is a workspace's trust policy: how search weighs sources, when a
// source counts as stale, and when search returns no results.
type Policy struct {
	// StalenessBudgetSeconds is how long after its last successful sync a
	// source stays fresh; default 2592000 (30 days).
	StalenessBudgetSeconds int64 `json:"staleness_budget_seconds"`
	// SourcePriorities multiplies result scores by source kind: "repo",
	// "docs_html", "docs_openapi", "pdf"; a kind not listed gets 1.0.
	SourcePriorities map[string]float64 `json:"source_priorities"`
	// MinEvidenceCount and MinEvidenceScore are the refusal thresholds.
	MinEvidenceCount int     `json:"min_evidence_count"`
	MinEvidenceScore float64 `json:"min_evidence_score"`
	// EnforceStaleness marks stale sources in results and warns about them.
	EnforceStaleness bool `json:"enforce_staleness"`
	// EnforceRefusal makes search return no results when a threshold is unmet.
	EnforceRefusal bool `json:"enforce_refusal"`
}

// PolicyKinds are the source kinds a priority can name.
var PolicyKinds = []string{"repo", "docs_html", "docs_openapi", "pdf"}

// DefaultPolicy returns the policy a new workspace starts with.
func DefaultPolicy() Policy {
	return Policy{
		StalenessBudgetSeconds: 2592000,
		SourcePriorities:       map[string]float64{"repo": 1.0, "docs_html": 0.8, "docs_openapi": 1.2},
		MinEvidenceCount:       1,
		MinEvidenceScore:       0.3,
		EnforceStaleness:       true,
		EnforceRefusal:         false,
	}
}

// StalenessBudgetDays returns the budget in whole days, rounded down.
func (p Policy) StalenessBudgetDays() int64 { return p.StalenessBudgetSeconds / 86400 }

// Priority returns the multiplier for a source kind.
func (p Policy) Priority(kind string) float64 {
	if v, ok := p.SourcePriorities[kind]; ok {
		return v
	}
	return 1.0
}

// MarshalJSON adds the derived staleness_budget_days.
func (p Policy) MarshalJSON() ([]byte, error) {
	type plain Policy
	return json.Marshal(struct {
		plain
		StalenessBudgetDays int64 `json:"staleness_budget_days"`
	}{plain(p), p.StalenessBudgetDays()})
}

// Validate checks ranges and keys.
func (p Policy) Validate() error {
	if p.StalenessBudgetSeconds < 3600 || p.StalenessBudgetSeconds > 10*365*86400 {
		return Errorf(EINVALID, "staleness_budget_seconds %d is out of range: 3600 (1 hour) to 315360000 (10 years)", p.StalenessBudgetSeconds)
	}
	for k, v := range p.SourcePriorities {
		if !validKind(k) {
			return Errorf(EINVALID, "source_priorities key %q is invalid: must be one of %s", k, strings.Join(PolicyKinds, ", "))
		}
		if math.IsNaN(v) || v < 0 || v > 10 {
			return Errorf(EINVALID, "source_priorities.%s %v is out of range: 0 to 10", k, v)
		}
	}
	if p.MinEvidenceCount < 0 || p.MinEvidenceCount > 50 {
		return Errorf(EINVALID, "min_evidence_count %d is out of range: 0 to 50", p.MinEvidenceCount)
	}
	if math.IsNaN(p.MinEvidenceScore) || p.MinEvidenceScore < 0 || p.MinEvidenceScore > 1 {
		return Errorf(EINVALID, "min_evidence_score %v is out of range: 0 to 1", p.MinEvidenceScore)
	}
	return nil
}

func validKind(k string) bool {
	for _, v := range PolicyKinds {
		if k == v {
			return true
		}
	}
	return false
}

// ApplyPolicyPatch applies a partial JSON update to p. Unknown fields,
// wrong types and out-of-range values fail with EINVALID naming the field.
// staleness_budget_days may be given instead of staleness_budget_seconds.
func ApplyPolicyPatch(p Policy, patch []byte) (Policy, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(patch, &fields); err != nil {
		return p, Errorf(EINVALID, "invalid JSON body: a JSON object with policy fields is required")
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := p
	out.SourcePriorities = map[string]float64{}
	for k, v := range p.SourcePriorities {
		out.SourcePriorities[k] = v
	}
	for _, k := range keys {
		if err := applyPolicyField(&out, k, fields[k]); err != nil {
			return p, err
		}
	}
	return out, out.Validate()
}

func applyPolicyField(p *Policy, key string, raw json.RawMessage) error {
	var target any
	switch key {
	case "staleness_budget_seconds":
		target = &p.StalenessBudgetSeconds
	case "staleness_budget_days":
		var days int64
		if err := strictDecode(raw, &days); err != nil {
			return Errorf(EINVALID, "staleness_budget_days must be an integer number of days")
		}
		p.StalenessBudgetSeconds = days * 86400
		return nil
	case "source_priorities":
		prios := map[string]float64{}
		if err := strictDecode(raw, &prios); err != nil {
			return Errorf(EINVALID, "source_priorities must be an object that maps source kinds to numbers, e.g. {\"repo\": 1.0}")
		}
		for k, v := range prios {
			p.SourcePriorities[k] = v
		}
		return nil
	case "min_evidence_count":
		target = &p.MinEvidenceCount
	case "min_evidence_score":
		target = &p.MinEvidenceScore
	case "enforce_staleness":
		target = &p.EnforceStaleness
	case "enforce_refusal":
		target = &p.EnforceRefusal
	default:
		return Errorf(EINVALID, "unknown policy field %q: allowed fields are staleness_budget_seconds, staleness_budget_days, source_priorities, min_evidence_count, min_evidence_score, enforce_staleness, enforce_refusal", key)
	}
	if err := strictDecode(raw, target); err != nil {
		return Errorf(EINVALID, "%s must be %s", key, kindOf(target))
	}
	return nil
}

// kindOf names the JSON value a policy field takes, for error messages.
func kindOf(target any) string {
	switch target.(type) {
	case *int, *int64:
		return "an integer"
	case *float64:
		return "a number"
	case *bool:
		return "true or false"
	}
	return "a valid value"
}

func strictDecode(raw json.RawMessage, v any) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return fmt.Errorf("null is not allowed")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
