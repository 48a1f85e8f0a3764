package openapi

import (
	"context"
	"errors"
	"testing"
)

// FuzzParse checks that no input makes Parse panic and that every failure
// is one of the documented errors.
func FuzzParse(f *testing.F) {
	for _, file := range [][]string{
		{"oai-webhook-example", "webhook-example.yaml"},
		{"oai-uspto", "uspto.yaml"},
		{"oai-petstore-separate", "spec", "swagger.json"},
		{"redocly-museum", "openapi.yaml"},
	} {
		_, body := corpusFile(f, file...)
		f.Add(body)
	}
	f.Add([]byte(`{"openapi": "3.1.0", "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/x~1y/%7e0"}}}}}}`))
	f.Add([]byte("swagger: 2.0\npaths:\n  /a:\n    parameters: [{$ref: '#/parameters/p'}]\n    get: {parameters: [{in: body, schema: {allOf: [{$ref: '#'}]}}]}\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		spec, err := Parse(context.Background(), "http://127.0.0.1/spec.yaml", body, nil)
		if err == nil {
			if spec == nil {
				t.Fatal("Parse returned neither a Spec nor an error")
			}
			return
		}
		var syn *SyntaxError
		if !errors.As(err, &syn) && !errors.Is(err, ErrNotOpenAPI) && !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("Parse returned an undocumented error: %v", err)
		}
	})
}
