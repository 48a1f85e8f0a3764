package embed

import (
	"strings"
	"testing"
)

func TestNewNoneReturnsNil(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{"none", ""} {
		e, err := New(Config{Provider: provider})
		if err != nil {
			t.Errorf("New(%q): %v", provider, err)
		}
		if e != nil {
			t.Errorf("New(%q) = %v, want nil", provider, e)
		}
	}
}

func TestNewOpenAI(t *testing.T) {
	t.Parallel()
	e, err := New(Config{Provider: "openai", OpenAI: OpenAIConfig{URL: "http://127.0.0.1:1/v1", Model: "m", Dim: 384}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	if _, ok := e.(*OpenAI); !ok {
		t.Errorf("New returned %T, want *OpenAI", e)
	}
	if e.Model() != "openai:m" {
		t.Errorf("Model() = %q, want openai:m", e.Model())
	}
	if e.Dim() != 384 {
		t.Errorf("Dim() = %d, want 384", e.Dim())
	}
}

func TestNewStatic(t *testing.T) {
	t.Parallel()
	e, err := New(Config{Provider: "static", StaticPath: writeTestModel(t, "F32")})
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	if _, ok := e.(*Static); !ok {
		t.Errorf("New returned %T, want *Static", e)
	}
	if e.Dim() != testDim {
		t.Errorf("Dim() = %d, want %d", e.Dim(), testDim)
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown provider", Config{Provider: "ollama"}, `embedding provider "ollama" is unknown; want none, openai or static`},
		{"openai without URL", Config{Provider: "openai", OpenAI: OpenAIConfig{Model: "m"}}, "needs a URL and a model name"},
		{"openai without model", Config{Provider: "openai", OpenAI: OpenAIConfig{URL: "http://127.0.0.1/v1"}}, "needs a URL and a model name"},
		{"openai with invalid URL", Config{Provider: "openai", OpenAI: OpenAIConfig{URL: "127.0.0.1", Model: "m"}}, "URL is invalid"},
		{"static without folder", Config{Provider: "static"}, "needs the model folder"},
		{"static with missing folder", Config{Provider: "static", StaticPath: "/nonexistent/model"}, "no such file"},
	}
	for _, c := range cases {
		e, err := New(c.cfg)
		if err == nil {
			t.Errorf("%s: New returned no error", c.name)
			continue
		}
		if e != nil {
			t.Errorf("%s: New returned %v with its error, want nil", c.name, e)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
	}
}
