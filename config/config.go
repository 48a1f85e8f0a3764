// Package config holds every setting of gnd serve and gnd worker in one
// struct. Flags, environment variables and an optional YAML config file are
// generated from the struct's tags, with the precedence flag > environment >
// file > default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the server configuration. Each field's tags name its flag, its
// environment variable, its default and a help text that gives the unit.
type Config struct {
	Addr        string `flag:"addr" env:"GND_ADDR" default:"127.0.0.1:8080" help:"address the HTTP API listens on (host:port)"`
	DataDir     string `flag:"data-dir" env:"GND_DATA_DIR" default:"./gnd-data" help:"folder of the embedded SQLite database"`
	DatabaseURL string `flag:"database-url" env:"GND_DATABASE_URL" default:"" help:"postgres:// URL; when set, PostgreSQL replaces the embedded SQLite database"`
	APIKey      string `env:"GND_API_KEY" default:"" help:"on an empty database, the first admin key (must start with gnd_); environment only" secret:"true"`

	AllowPrivateNetworks bool `flag:"allow-private-networks" env:"GND_ALLOW_PRIVATE_NETWORKS" default:"false" help:"allow fetches from loopback, private and link-local addresses"`
	AllowLocalSources    bool `flag:"allow-local-sources" env:"GND_ALLOW_LOCAL_SOURCES" default:"false" help:"let repository sources use local paths and file:// URLs"`

	Workers         int           `flag:"workers" env:"GND_WORKERS" default:"2" help:"sync jobs run at once by this process (0 in serve disables workers)"`
	MaxRetries      int           `flag:"max-retries" env:"GND_MAX_RETRIES" default:"3" help:"default retries of a failed sync attempt"`
	RetryBackoff    time.Duration `flag:"retry-backoff" env:"GND_RETRY_BACKOFF" default:"2s" help:"base delay before the first retry, doubled per retry (Go duration)"`
	RetryBackoffMax time.Duration `flag:"retry-backoff-max" env:"GND_RETRY_BACKOFF_MAX" default:"5m" help:"maximum delay between retries (Go duration)"`
	JobLease        time.Duration `flag:"job-lease" env:"GND_JOB_LEASE" default:"30s" help:"how long a worker's claim on a job lasts without a heartbeat (Go duration)"`
	PollInterval    time.Duration `flag:"poll-interval" env:"GND_POLL_INTERVAL" default:"500ms" help:"how often idle workers look for due jobs (Go duration)"`

	FetchTimeout   time.Duration `flag:"fetch-timeout" env:"GND_FETCH_TIMEOUT" default:"30s" help:"time limit of one outbound HTTP request (Go duration)"`
	FetchMaxBytes  int64         `flag:"fetch-max-bytes" env:"GND_FETCH_MAX_BYTES" default:"33554432" help:"size limit of one downloaded document, in bytes"`
	MaxUploadBytes int64         `flag:"max-upload-bytes" env:"GND_MAX_UPLOAD_BYTES" default:"104857600" help:"size limit of one uploaded PDF, in bytes"`

	CrawlMaxPages    int `flag:"crawl-max-pages" env:"GND_CRAWL_MAX_PAGES" default:"1000" help:"pages an HTML docs sync fetches at most, unless the source sets max_pages"`
	CrawlMaxDepth    int `flag:"crawl-max-depth" env:"GND_CRAWL_MAX_DEPTH" default:"10" help:"link depth an HTML crawl follows at most, unless the source sets max_depth"`
	CrawlConcurrency int `flag:"crawl-concurrency" env:"GND_CRAWL_CONCURRENCY" default:"4" help:"requests in flight to one docs site, unless the source sets concurrency"`

	RateLimit     float64       `flag:"rate-limit" env:"GND_RATE_LIMIT" default:"50" help:"sustained API requests per second per key (0 disables the limit)"`
	RateBurst     int           `flag:"rate-burst" env:"GND_RATE_BURST" default:"100" help:"API requests a key may send in a burst"`
	SearchRefresh time.Duration `flag:"search-refresh" env:"GND_SEARCH_REFRESH" default:"2s" help:"how often the search index picks up changes made by other processes (Go duration)"`

	Embedder             string        `flag:"embedder" env:"GND_EMBEDDER" default:"none" help:"embedding provider: none (text search only), openai (an OpenAI-compatible /v1/embeddings endpoint) or static (a model2vec model on disk)"`
	EmbeddingURL         string        `flag:"embedding-url" env:"GND_EMBEDDING_URL" default:"" help:"base URL of the OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (openai)"`
	EmbeddingModel       string        `flag:"embedding-model" env:"GND_EMBEDDING_MODEL" default:"" help:"model name sent to the endpoint (openai)"`
	EmbeddingAPIKey      string        `env:"GND_EMBEDDING_API_KEY" default:"" help:"bearer token for the endpoint (openai); environment only" secret:"true"`
	EmbeddingModelPath   string        `flag:"embedding-model-path" env:"GND_EMBEDDING_MODEL_PATH" default:"" help:"folder with model.safetensors and tokenizer.json (static)"`
	EmbeddingDim         int           `flag:"embedding-dim" env:"GND_EMBEDDING_DIM" default:"0" help:"expected vector dimension; 0 accepts the first one returned (openai)"`
	EmbeddingConcurrency int           `flag:"embedding-concurrency" env:"GND_EMBEDDING_CONCURRENCY" default:"2" help:"embedding requests in flight at once (openai)"`
	FusionVectorWeight   float64       `flag:"fusion-vector-weight" env:"GND_FUSION_VECTOR_WEIGHT" default:"0.7" help:"weight of the vector score in hybrid search, 0 to 1"`
	FusionTextWeight     float64       `flag:"fusion-text-weight" env:"GND_FUSION_TEXT_WEIGHT" default:"0.3" help:"weight of the text score in hybrid search, 0 to 1"`
	QueryEmbedTimeout    time.Duration `flag:"query-embed-timeout" env:"GND_QUERY_EMBED_TIMEOUT" default:"2s" help:"maximum time to embed a search query, retries included; after it the text leg returns results alone (Go duration)"`
	VectorFailurePause   time.Duration `flag:"vector-failure-pause" env:"GND_VECTOR_FAILURE_PAUSE" default:"30s" help:"how long searches skip the vector leg after embedding a query failed (Go duration)"`
	Fusion               string        `flag:"fusion" env:"GND_FUSION" default:"weighted" help:"how the two legs combine: weighted (normalised scores) or rrf (reciprocal rank fusion)"`

	LogFormat string `flag:"log-format" env:"GND_LOG_FORMAT" default:"" help:"log format: json or text (default: text on a terminal, json otherwise)"`
	LogLevel  string `flag:"log-level" env:"GND_LOG_LEVEL" default:"info" help:"log level: debug, info, warn or error"`

	ConfigFile string `flag:"config" env:"GND_CONFIG" default:"" help:"optional YAML file whose keys are the flag names above"`
}

type setting struct {
	field  reflect.StructField
	value  reflect.Value
	flag   string
	env    string
	def    string
	help   string
	secret bool
}

func settings(c *Config) []setting {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	out := make([]setting, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		out = append(out, setting{field: f, value: v.Field(i), flag: f.Tag.Get("flag"), env: f.Tag.Get("env"),
			def: f.Tag.Get("default"), help: f.Tag.Get("help"), secret: f.Tag.Get("secret") == "true"})
	}
	return out
}

// set parses raw into the setting's field.
func (s setting) set(raw string) error {
	switch s.value.Interface().(type) {
	case string:
		s.value.SetString(raw)
	case bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("must be true or false")
		}
		s.value.SetBool(b)
	case int, int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("must be an integer")
		}
		s.value.SetInt(n)
	case float64:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("must be a number")
		}
		s.value.SetFloat(f)
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("must be a Go duration such as 500ms, 2s or 5m")
		}
		s.value.SetInt(int64(d))
	default:
		return fmt.Errorf("unsupported setting type %s", s.field.Type)
	}
	return nil
}

func (s setting) name() string {
	if s.flag != "" {
		return "--" + s.flag
	}
	return s.env
}

// Load parses args (without the command name) and the environment into a
// Config. getenv is os.Getenv in production. It returns flag.ErrHelp after
// printing usage to out when args ask for help.
func Load(name string, args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	c := &Config{}
	all := settings(c)
	for _, s := range all {
		if err := s.set(s.def); err != nil {
			return nil, fmt.Errorf("default of %s: %w", s.name(), err)
		}
	}

	// Register flags on a separate set that records only what was given.
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	given := map[string]string{}
	for _, s := range all {
		if s.flag == "" {
			continue
		}
		parse := func(v string) error {
			given[s.flag] = v
			return setting{field: s.field, value: reflect.New(s.field.Type).Elem()}.set(v)
		}
		if s.field.Type.Kind() == reflect.Bool {
			// A bare --flag means true, as with the flag package's Bool.
			fs.BoolFunc(s.flag, s.help, func(v string) error { return parse(v) })
			continue
		}
		fs.Func(s.flag, s.help, parse)
	}
	fs.Usage = func() { Usage(out, name, fs) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: %s takes only flags", fs.Arg(0), name)
	}

	// Apply the config file, then the environment, then the flags.
	file := given["config"]
	if file == "" {
		file = getenv("GND_CONFIG")
	}
	if file != "" {
		if err := applyFile(all, file); err != nil {
			return nil, err
		}
	}
	for _, s := range all {
		if raw, ok := lookup(getenv, s.env); ok {
			if err := s.set(raw); err != nil {
				return nil, fmt.Errorf("environment variable %s=%q: %w", s.env, redact(s, raw), err)
			}
		}
	}
	for _, s := range all {
		if raw, ok := given[s.flag]; ok {
			if err := s.set(raw); err != nil {
				return nil, fmt.Errorf("flag --%s=%q: %w", s.flag, raw, err)
			}
		}
	}
	return c, c.Validate()
}

func lookup(getenv func(string) string, env string) (string, bool) {
	if env == "" {
		return "", false
	}
	v := getenv(env)
	return v, v != ""
}

func redact(s setting, raw string) string {
	if s.secret {
		return "…"
	}
	return raw
}

func applyFile(all []setting, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config file: %w", err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(data, &values); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	byFlag := map[string]setting{}
	for _, s := range all {
		if s.flag != "" && s.flag != "config" {
			byFlag[s.flag] = s
		}
	}
	for key, v := range values {
		s, ok := byFlag[key]
		if !ok {
			return fmt.Errorf("config file %s: unknown setting %q", path, key)
		}
		raw := ""
		if v != nil {
			raw = fmt.Sprint(v)
		}
		if err := s.set(raw); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, key, err)
		}
	}
	return nil
}

// Validate checks ranges.
func (c *Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.Workers >= 0 && c.Workers <= 64, "--workers %d is out of range: 0 to 64", c.Workers)
	check(c.MaxRetries >= 0 && c.MaxRetries <= 10, "--max-retries %d is out of range: 0 to 10", c.MaxRetries)
	check(c.RetryBackoff > 0, "--retry-backoff must be positive")
	check(c.RetryBackoffMax >= c.RetryBackoff, "--retry-backoff-max must not be below --retry-backoff")
	check(c.JobLease >= time.Second, "--job-lease must be at least 1s")
	check(c.PollInterval > 0, "--poll-interval must be positive")
	check(c.FetchTimeout > 0, "--fetch-timeout must be positive")
	check(c.FetchMaxBytes > 0, "--fetch-max-bytes must be positive")
	check(c.MaxUploadBytes > 0, "--max-upload-bytes must be positive")
	check(c.RateLimit >= 0, "--rate-limit must not be negative")
	check(c.CrawlMaxPages >= 1 && c.CrawlMaxPages <= 100000, "--crawl-max-pages %d is out of range: 1 to 100000", c.CrawlMaxPages)
	check(c.CrawlMaxDepth >= 1 && c.CrawlMaxDepth <= 100, "--crawl-max-depth %d is out of range: 1 to 100", c.CrawlMaxDepth)
	check(c.CrawlConcurrency >= 1 && c.CrawlConcurrency <= 16, "--crawl-concurrency %d is out of range: 1 to 16", c.CrawlConcurrency)
	check(c.SearchRefresh > 0, "--search-refresh must be positive")
	check(c.LogFormat == "" || c.LogFormat == "json" || c.LogFormat == "text", "--log-format %q is invalid: json or text", c.LogFormat)
	check(c.Embedder == "none" || c.Embedder == "openai" || c.Embedder == "static", "--embedder %q is invalid: none, openai or static", c.Embedder)
	check(c.Embedder != "openai" || (c.EmbeddingURL != "" && c.EmbeddingModel != ""), "--embedder openai needs --embedding-url and --embedding-model")
	check(c.Embedder != "static" || c.EmbeddingModelPath != "", "--embedder static needs --embedding-model-path")
	check(c.EmbeddingDim >= 0 && c.EmbeddingDim <= 8192, "--embedding-dim %d is out of range: 0 to 8192", c.EmbeddingDim)
	check(c.EmbeddingConcurrency >= 1 && c.EmbeddingConcurrency <= 32, "--embedding-concurrency %d is out of range: 1 to 32", c.EmbeddingConcurrency)
	check(c.FusionVectorWeight >= 0 && c.FusionVectorWeight <= 1, "--fusion-vector-weight %v is out of range: 0 to 1", c.FusionVectorWeight)
	check(c.FusionTextWeight >= 0 && c.FusionTextWeight <= 1, "--fusion-text-weight %v is out of range: 0 to 1", c.FusionTextWeight)
	check(c.FusionVectorWeight+c.FusionTextWeight > 0, "--fusion-vector-weight and --fusion-text-weight must not both be 0")
	check(c.Fusion == "weighted" || c.Fusion == "rrf", "--fusion %q is invalid: weighted or rrf", c.Fusion)
	check(c.QueryEmbedTimeout >= 100*time.Millisecond && c.QueryEmbedTimeout <= time.Minute,
		"--query-embed-timeout %s is out of range: 100ms to 1m", c.QueryEmbedTimeout)
	check(c.VectorFailurePause >= 0 && c.VectorFailurePause <= time.Hour,
		"--vector-failure-pause %s is out of range: 0s to 1h", c.VectorFailurePause)
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q is invalid: debug, info, warn or error", c.LogLevel))
	}
	if c.APIKey != "" && (!strings.HasPrefix(c.APIKey, "gnd_") || len(c.APIKey) < 36) {
		errs = append(errs, errors.New("GND_API_KEY must start with gnd_ and have at least 32 characters after it"))
	}
	return errors.Join(errs...)
}

// Usage prints every setting with its flag, environment variable, default
// and help text.
func Usage(out io.Writer, name string, _ *flag.FlagSet) {
	fmt.Fprintf(out, "Usage: gnd %s [flags]\n\nSettings (flag > environment > config file > default):\n", name)
	all := settings(&Config{})
	for _, s := range all {
		def := s.def
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(out, "  %-28s %-28s default %s\n      %s\n", s.name(), s.env, def, s.help)
	}
}
