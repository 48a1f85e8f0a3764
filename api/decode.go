package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gndhq/gnd"
)

// maxJSONBody caps request bodies other than uploads.
const maxJSONBody = 1 << 20

// decodeJSON reads a JSON object body strictly: unknown fields, wrong types,
// trailing data and bodies over 1 MiB are rejected with a message naming the
// problem. An empty body decodes as {} when allowEmpty.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return gnd.Errorf(gnd.ETOOLARGE, "request body is larger than %d bytes", maxJSONBody)
		}
		return gnd.Errorf(gnd.EINVALID, "read request body: %v", err)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if allowEmpty {
			return nil
		}
		return gnd.Errorf(gnd.EINVALID, "request body is empty: a JSON object is required")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return gnd.Errorf(gnd.EINVALID, "invalid JSON body: unexpected data after the JSON object")
	}
	return nil
}

// jsonError turns a decoding error into a client message naming the field.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return gnd.Errorf(gnd.EINVALID, "invalid JSON body at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typ):
		// Fields of an embedded struct (the search request inside a
		// multi-hop request) carry the Go type name as a prefix.
		field := strings.TrimPrefix(typ.Field, "Request.")
		if field == "" {
			return gnd.Errorf(gnd.EINVALID, "invalid JSON body: expected a JSON object, got %s", typ.Value)
		}
		return gnd.Errorf(gnd.EINVALID, "%s must be %s, got %s", field, jsonType(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return gnd.Errorf(gnd.EINVALID, "invalid JSON body: unexpected end of input")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return gnd.Errorf(gnd.EINVALID, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return gnd.Errorf(gnd.EINVALID, "invalid JSON body: %v", err)
}

func jsonType(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "slice":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	}
	return "of type " + kind
}

// queryInt parses an integer query parameter within [lo, hi], or returns def
// when it is absent.
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		if r.URL.Query().Has(name) {
			return 0, gnd.Errorf(gnd.EINVALID, "%s must be an integer between %d and %d", name, lo, hi)
		}
		return def, nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < lo || v > hi {
		return 0, gnd.Errorf(gnd.EINVALID, "%s must be an integer between %d and %d, got %q", name, lo, hi, raw)
	}
	return v, nil
}

// queryBool parses a boolean query parameter; absent returns nil.
func queryBool(r *http.Request, name string) (*bool, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" && !r.URL.Query().Has(name) {
		return nil, nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		return nil, gnd.Errorf(gnd.EINVALID, "%s must be true or false, got %q", name, raw)
	}
	return &v, nil
}

// page reads skip and limit: skip ≥ 0 (default 0), limit 1..100 (default 50).
func page(r *http.Request) (skip, limit int, err error) {
	if skip, err = queryInt(r, "skip", 0, 0, 1<<30); err != nil {
		return 0, 0, err
	}
	if limit, err = queryInt(r, "limit", 50, 1, 100); err != nil {
		return 0, 0, err
	}
	return skip, limit, nil
}
