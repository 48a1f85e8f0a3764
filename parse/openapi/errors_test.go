package openapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// expectedPosition computes the 1-based line and character column of a
// byte offset independently of lineColumn.
func expectedPosition(data []byte, offset int) (int, int) {
	prefix := data[:offset]
	line := bytes.Count(prefix, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(prefix, '\n') + 1
	return line, utf8.RuneCount(prefix[lineStart:]) + 1
}

func parseBytes(body []byte) error {
	_, err := Parse(context.Background(), "", body, nil)
	return err
}

func TestTruncatedJSONReportsPosition(t *testing.T) {
	_, body := corpusFile(t, "discord", "openapi.json")
	for _, cut := range []int{len(body) / 2, len(body) - 2, 1000} {
		prefix := body[:cut]
		err := parseBytes(prefix)
		var syn *SyntaxError
		if !errors.As(err, &syn) {
			t.Fatalf("cut at %d: got %v (%T), want *SyntaxError", cut, err, err)
		}
		line, col := expectedPosition(prefix, len(prefix))
		if syn.Line != line || syn.Column != col {
			t.Errorf("cut at %d: position %d:%d, want %d:%d (end of input)", cut, syn.Line, syn.Column, line, col)
		}
		want := fmt.Sprintf("invalid spec: line %d, column %d: ", line, col)
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("cut at %d: message %q does not start with %q", cut, err.Error(), want)
		}
		if !strings.Contains(syn.Msg, "end of input") {
			t.Errorf("cut at %d: message %q does not mention the end of input", cut, syn.Msg)
		}
	}
}

func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		line, col int
		msg       string
	}{
		{"JSON missing comma", "{\"openapi\": \"3.0.0\",\n  \"info\": {\"title\": \"x\" \"version\": \"1\"}}", 2, 25, "expected ',' or '}'"},
		{"JSON bad literal", "{\n  \"openapi\": tru\n}", 2, 14, "expected a value"},
		{"JSON after CJK text", "{\"summary\": \"获取验证码\", x}", 1, 22, "expected a string key"},
		{"JSON trailing data", "{\"openapi\": \"3.0.0\"}\n}", 2, 1, "after the top-level value"},
		{"JSON bad escape", "{\"a\": \"\\q\"}", 1, 8, "invalid escape"},
		{"YAML tab indentation", "openapi: 3.0.0\ninfo:\n  title: x\n\tversion: 1\n", 4, 1, "tab character"},
		{"YAML unclosed flow", "openapi: 3.0.0\ninfo: [1, 2\n", 2, 1, "did not find expected"},
		{"YAML bad indentation", "openapi: 3.0.0\ninfo: x\n  title: y\n", 3, 3, "mapping values are not allowed"},
		{"empty", "", 1, 1, "empty document"},
		{"blank", " \n\t\n", 1, 1, "empty document"},
		{"YAML comments only", "# nothing here\n", 1, 1, "empty document"},
		{"NUL bytes", "\x00\x01\x02garbage", 1, 1, "control character 0x00"},
		{"PNG header", "\x89PNG\r\n\x1a\n", 1, 1, "not valid UTF-8"},
		{"invalid UTF-8 later", "openapi: 3.0.0\ninfo: \xff\xfe\n", 2, 7, "not valid UTF-8"},
		{"YAML self alias", "openapi: 3.0.0\nx: &a [*a]\n", 2, 8, "refers to a node that contains it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseBytes([]byte(tt.body))
			var syn *SyntaxError
			if !errors.As(err, &syn) {
				t.Fatalf("got %v (%T), want *SyntaxError", err, err)
			}
			if syn.Line != tt.line {
				t.Errorf("Line = %d, want %d (error %q)", syn.Line, tt.line, err)
			}
			if syn.Column != tt.col {
				t.Errorf("Column = %d, want %d (error %q)", syn.Column, tt.col, err)
			}
			if !strings.Contains(syn.Msg, tt.msg) {
				t.Errorf("Msg = %q, want it to contain %q", syn.Msg, tt.msg)
			}
			if errors.Is(err, ErrNotOpenAPI) {
				t.Errorf("a syntax error must not match ErrNotOpenAPI")
			}
		})
	}
}

func TestDeepNestingFails(t *testing.T) {
	tests := []struct {
		name string
		body string
		msg  string
	}{
		{"JSON arrays", strings.Repeat("[", 200_000), "nesting deeper than 1000 levels"},
		{"JSON objects", strings.Repeat(`{"a":`, 50_000), "nesting deeper than 1000 levels"},
		{"YAML flow", "openapi: " + strings.Repeat("[", 20_000), "exceeded max depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseBytes([]byte(tt.body))
			var syn *SyntaxError
			if !errors.As(err, &syn) {
				t.Fatalf("got %v (%T), want *SyntaxError", err, err)
			}
			if !strings.Contains(syn.Msg, tt.msg) {
				t.Errorf("Msg = %q, want it to contain %q", syn.Msg, tt.msg)
			}
		})
	}
}

func TestYAMLAliasExpansionLimit(t *testing.T) {
	// Nine levels that each repeat the previous one ten times expand to
	// 10^9 nodes if every alias is copied.
	var b strings.Builder
	b.WriteString("openapi: 3.0.0\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	err := parseBytes([]byte(b.String()))
	var syn *SyntaxError
	if !errors.As(err, &syn) {
		t.Fatalf("got %v (%T), want *SyntaxError", err, err)
	}
	if !strings.Contains(syn.Msg, "aliases expand to more than") {
		t.Errorf("Msg = %q, want the alias expansion limit", syn.Msg)
	}
}

func TestNotOpenAPI(t *testing.T) {
	tests := []struct {
		name string
		body string
		msg  string
	}{
		{"JSON array", `[{"openapi": "3.0.0"}]`, "top-level value is an array"},
		{"JSON string", `"openapi"`, "top-level value is a string"},
		{"YAML scalar", "just some text\n", "top-level value is a string"},
		{"no version field", `{"info": {"title": "x", "version": "1"}, "paths": {}}`, `missing top-level "openapi" field (OpenAPI 3) or "swagger" field (Swagger 2.0)`},
		{"YAML without version", "info:\n  title: x\npaths: {}\n", `missing top-level "openapi" field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseBytes([]byte(tt.body))
			if !errors.Is(err, ErrNotOpenAPI) {
				t.Fatalf("got %v, want ErrNotOpenAPI", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.msg)
			}
		})
	}
}

func TestUnsupportedVersion(t *testing.T) {
	tests := []struct {
		name string
		body string
		msg  string
	}{
		{"openapi 4.0", "openapi: 4.0.0\ninfo: {title: x, version: '1'}\n", `openapi "4.0.0"`},
		{"openapi 2.0", `{"openapi": "2.0"}`, `openapi "2.0"`},
		{"openapi 3.9", `{"openapi": "3.9.0"}`, `openapi "3.9.0"`},
		{"swagger 1.2", `{"swagger": "1.2"}`, `swagger "1.2"`},
		{"swaggerVersion 1.2", `{"swaggerVersion": "1.2", "apis": []}`, "Swagger 1.2"},
		{"openapi not a string", `{"openapi": {"v": 3}}`, `openapi ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseBytes([]byte(tt.body))
			if !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("got %v, want ErrUnsupportedVersion", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.msg)
			}
		})
	}
}

func TestVersionDetection(t *testing.T) {
	tests := []struct {
		body   string
		format string
	}{
		{"openapi: 3.0.3\n", FormatOpenAPI30},
		{"openapi: 3.0\n", FormatOpenAPI30}, // a YAML float
		{"openapi: '3.1.0'\n", FormatOpenAPI31},
		{"openapi: 3.1.1\n", FormatOpenAPI31},
		{"openapi: 3.2.0\n", FormatOpenAPI32},
		{`{"openapi": "3.0.0-rc2"}`, FormatOpenAPI30},
		{"swagger: '2.0'\n", FormatSwagger20},
		{"swagger: 2.0\n", FormatSwagger20}, // a YAML float
		{`{"swagger": "2.0"}`, FormatSwagger20},
		{"{openapi: 3.1.0}", FormatOpenAPI31}, // YAML flow mapping, not JSON
	}
	for _, tt := range tests {
		spec, err := Parse(context.Background(), "", []byte(tt.body), nil)
		if err != nil {
			t.Errorf("%q: %v", tt.body, err)
			continue
		}
		if spec.Format != tt.format {
			t.Errorf("%q: Format = %q, want %q", tt.body, spec.Format, tt.format)
		}
		if len(spec.Operations) != 0 {
			t.Errorf("%q: got %d operations from a document without paths", tt.body, len(spec.Operations))
		}
	}
}

func TestInfoVersionKeepsLiteral(t *testing.T) {
	spec := mustParse(t, "openapi: 3.0.0\ninfo:\n  title: Numbers\n  version: 1.10\n")
	if spec.Version != "1.10" {
		t.Errorf("Version = %q, want %q as written, not a float", spec.Version, "1.10")
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, body := corpusFile(t, "oai-uspto", "uspto.yaml")
	_, err := Parse(ctx, "", body, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
