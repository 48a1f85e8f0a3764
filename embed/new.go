package embed

import (
	"errors"
	"fmt"
	"strings"
)

// Config selects and configures an embedding provider.
type Config struct {
	// Provider is "none" (or empty) for no embeddings, "openai" or "static".
	Provider string
	// OpenAI configures the "openai" provider.
	OpenAI OpenAIConfig
	// StaticPath is the model folder of the "static" provider.
	StaticPath string
}

// New returns the Embedder that cfg selects, or nil and no error for the
// provider "none". An OpenAI embedder sends no request until it is used. A
// static model is loaded from disk before New returns.
func New(cfg Config) (Embedder, error) {
	switch strings.TrimSpace(cfg.Provider) {
	case "", "none":
		return nil, nil
	case "openai":
		if strings.TrimSpace(cfg.OpenAI.URL) == "" || strings.TrimSpace(cfg.OpenAI.Model) == "" {
			return nil, errors.New(`embedding provider "openai" needs a URL and a model name (GND_EMBEDDING_URL and GND_EMBEDDING_MODEL)`)
		}
		o, err := NewOpenAI(cfg.OpenAI)
		if err != nil {
			return nil, err
		}
		return o, nil
	case "static":
		if strings.TrimSpace(cfg.StaticPath) == "" {
			return nil, errors.New(`embedding provider "static" needs the model folder (GND_EMBEDDING_MODEL_PATH)`)
		}
		s, err := LoadStatic(cfg.StaticPath)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("embedding provider %q is unknown; want none, openai or static", cfg.Provider)
}
