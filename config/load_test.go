package config_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gndhq/gnd/config"
)

// env returns a getenv function over a fixed map, so tests never read the
// real environment.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func writeConfigFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gnd.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatalf("write config file: %v", err)
	}
	return path
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := config.Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatalf("Load with no settings: %v", err)
	}
	for _, c := range []struct {
		name     string
		got, exp any
	}{
		{"addr", cfg.Addr, "127.0.0.1:8080"},
		{"data-dir", cfg.DataDir, "./gnd-data"},
		{"database-url", cfg.DatabaseURL, ""},
		{"allow-private-networks", cfg.AllowPrivateNetworks, false},
		{"workers", cfg.Workers, 2},
		{"max-retries", cfg.MaxRetries, 3},
		{"retry-backoff", cfg.RetryBackoff, 2 * time.Second},
		{"retry-backoff-max", cfg.RetryBackoffMax, 5 * time.Minute},
		{"job-lease", cfg.JobLease, 30 * time.Second},
		{"fetch-max-bytes", cfg.FetchMaxBytes, int64(32 << 20)},
		{"rate-limit", cfg.RateLimit, 50.0},
		{"log-level", cfg.LogLevel, "info"},
	} {
		if !reflect.DeepEqual(c.got, c.exp) {
			t.Errorf("default %s is %v, expected %v", c.name, c.got, c.exp)
		}
	}
}

func TestLoadPrecedence(t *testing.T) {
	file := writeConfigFile(t, strings.Join([]string{
		"workers: 3",
		"max-retries: 4",
		"crawl-max-pages: 50",
		"retry-backoff: 3s",
		"log-level: warn",
		"allow-private-networks: true",
	}, "\n"))
	vars := map[string]string{
		"GND_CONFIG":      file,
		"GND_WORKERS":     "5",
		"GND_MAX_RETRIES": "6",
		"GND_LOG_LEVEL":   "error",
	}
	cfg, err := config.Load("serve", []string{"--workers=7", "--log-level", "debug"}, env(vars), io.Discard)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, c := range []struct {
		name     string
		got, exp any
		from     string
	}{
		{"workers", cfg.Workers, 7, "the flag over environment and file"},
		{"log-level", cfg.LogLevel, "debug", "the flag over environment and file"},
		{"max-retries", cfg.MaxRetries, 6, "the environment over the file"},
		{"crawl-max-pages", cfg.CrawlMaxPages, 50, "the file over the default"},
		{"retry-backoff", cfg.RetryBackoff, 3 * time.Second, "the file over the default"},
		{"allow-private-networks", cfg.AllowPrivateNetworks, true, "the file over the default"},
		{"crawl-max-depth", cfg.CrawlMaxDepth, 10, "the default"},
	} {
		if !reflect.DeepEqual(c.got, c.exp) {
			t.Errorf("%s is %v, expected %v from %s", c.name, c.got, c.exp, c.from)
		}
	}
}

func TestLoadConfigFlagBeatsEnvironment(t *testing.T) {
	fromEnv := writeConfigFile(t, "workers: 3\n")
	fromFlag := writeConfigFile(t, "workers: 4\n")
	cfg, err := config.Load("serve", []string{"--config", fromFlag}, env(map[string]string{"GND_CONFIG": fromEnv}), io.Discard)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Workers != 4 {
		t.Errorf("workers is %d, expected 4 from the file named by --config rather than GND_CONFIG", cfg.Workers)
	}
}

func TestLoadEmptyEnvironmentIsUnset(t *testing.T) {
	cfg, err := config.Load("serve", nil, env(map[string]string{"GND_ADDR": "", "GND_WORKERS": ""}), io.Discard)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Addr != "127.0.0.1:8080" || cfg.Workers != 2 {
		t.Errorf("empty environment variables changed addr to %q and workers to %d, expected the defaults", cfg.Addr, cfg.Workers)
	}
}

func TestLoadBareBoolFlag(t *testing.T) {
	// The README starts the server with a bare --allow-private-networks.
	cfg, err := config.Load("serve", []string{"--allow-private-networks"}, env(nil), io.Discard)
	if err != nil {
		t.Fatalf("Load with a bare boolean flag: %v", err)
	}
	if !cfg.AllowPrivateNetworks {
		t.Errorf("a bare --allow-private-networks left the setting false")
	}
}

func TestLoadValidationNamesFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		vars map[string]string
		name string
	}{
		{args: []string{"--workers=65"}, name: "--workers"},
		{args: []string{"--workers=-1"}, name: "--workers"},
		{args: []string{"--max-retries=11"}, name: "--max-retries"},
		{args: []string{"--retry-backoff=0s"}, name: "--retry-backoff"},
		{args: []string{"--retry-backoff=10m"}, name: "--retry-backoff-max"},
		{args: []string{"--job-lease=100ms"}, name: "--job-lease"},
		{args: []string{"--poll-interval=0s"}, name: "--poll-interval"},
		{args: []string{"--fetch-timeout=0s"}, name: "--fetch-timeout"},
		{args: []string{"--fetch-max-bytes=0"}, name: "--fetch-max-bytes"},
		{args: []string{"--max-upload-bytes=0"}, name: "--max-upload-bytes"},
		{args: []string{"--rate-limit=-1"}, name: "--rate-limit"},
		{args: []string{"--crawl-max-pages=0"}, name: "--crawl-max-pages"},
		{args: []string{"--crawl-max-depth=101"}, name: "--crawl-max-depth"},
		{args: []string{"--crawl-concurrency=17"}, name: "--crawl-concurrency"},
		{args: []string{"--search-refresh=0s"}, name: "--search-refresh"},
		{args: []string{"--log-format=xml"}, name: "--log-format"},
		{args: []string{"--log-level=trace"}, name: "--log-level"},
		{args: []string{"--embedder=magic"}, name: "--embedder"},
		{args: []string{"--embedder=openai"}, name: "--embedding-url"},
		{args: []string{"--embedder=static"}, name: "--embedding-model-path"},
		{args: []string{"--embedding-dim=9000"}, name: "--embedding-dim"},
		{args: []string{"--embedding-concurrency=0"}, name: "--embedding-concurrency"},
		{args: []string{"--fusion-vector-weight=2"}, name: "--fusion-vector-weight"},
		{args: []string{"--fusion-text-weight=-0.5"}, name: "--fusion-text-weight"},
		{args: []string{"--fusion-vector-weight=0", "--fusion-text-weight=0"}, name: "--fusion-vector-weight"},
		{args: []string{"--fusion=max"}, name: "--fusion"},
		{args: []string{"--query-embed-timeout=10ms"}, name: "--query-embed-timeout"},
		{vars: map[string]string{"GND_VECTOR_FAILURE_PAUSE": "2h"}, name: "--vector-failure-pause"},
		{vars: map[string]string{"GND_WORKERS": "99"}, name: "--workers"},
		{vars: map[string]string{"GND_API_KEY": "gnd_short"}, name: "GND_API_KEY"},
		{args: []string{"--workers=many"}, name: "workers"},
		{vars: map[string]string{"GND_WORKERS": "many"}, name: "GND_WORKERS"},
		{vars: map[string]string{"GND_JOB_LEASE": "30"}, name: "GND_JOB_LEASE"},
		{vars: map[string]string{"GND_ALLOW_PRIVATE_NETWORKS": "maybe"}, name: "GND_ALLOW_PRIVATE_NETWORKS"},
	} {
		label := strings.Join(c.args, " ")
		for k, v := range c.vars {
			label += " " + k + "=" + v
		}
		t.Run(strings.TrimSpace(label), func(t *testing.T) {
			var out bytes.Buffer
			_, err := config.Load("serve", c.args, env(c.vars), &out)
			if err == nil {
				t.Fatalf("Load accepted an invalid setting")
			}
			if !strings.Contains(err.Error(), c.name) {
				t.Errorf("error %q does not name %s", err, c.name)
			}
		})
	}
}

func TestLoadConfigFileErrors(t *testing.T) {
	for _, c := range []struct {
		name, body, message string
	}{
		{"unknown key", "workers: 2\nwrokers: 3\n", `unknown setting "wrokers"`},
		{"environment-only key", "api-key: gnd_abc\n", `unknown setting "api-key"`},
		{"config key", "config: other.yaml\n", `unknown setting "config"`},
		{"wrong type", "workers: many\n", "workers"},
		{"out of range", "workers: 100\n", "--workers"},
		{"not a mapping", "- workers\n- 2\n", "config file"},
		{"invalid YAML", "workers: [\n", "config file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeConfigFile(t, c.body)
			_, err := config.Load("serve", []string{"--config", path}, env(nil), io.Discard)
			if err == nil {
				t.Fatalf("Load accepted the config file %q", c.body)
			}
			if !strings.Contains(err.Error(), c.message) {
				t.Errorf("error %q does not contain %q", err, c.message)
			}
		})
	}
	_, err := config.Load("serve", []string{"--config", filepath.Join(t.TempDir(), "missing.yaml")}, env(nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "config file") {
		t.Errorf("a missing config file returned %v, expected an error about the config file", err)
	}
}

func TestLoadConfigFileEmptyValue(t *testing.T) {
	// An empty YAML value is null, which must not become the text "<nil>".
	path := writeConfigFile(t, "database-url:\nlog-format:\n")
	cfg, err := config.Load("serve", []string{"--config", path}, env(nil), io.Discard)
	if err != nil && strings.Contains(err.Error(), "<nil>") {
		t.Errorf("an empty value in the config file was read as \"<nil>\": %v", err)
	}
	if err == nil && cfg.DatabaseURL != "" {
		t.Errorf("an empty database-url in the config file set the URL to %q, expected \"\"", cfg.DatabaseURL)
	}
}

func TestLoadRejectsArguments(t *testing.T) {
	_, err := config.Load("serve", []string{"--workers=2", "extra"}, env(nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"extra"`) {
		t.Errorf("a positional argument returned %v, expected an error naming it", err)
	}
}

func TestLoadNeverShowsSecrets(t *testing.T) {
	const apiKey = "not-a-gnd-key-but-a-secret-0123456789"
	const shortKey = "gnd_tooshortsecret"
	const embeddingKey = "sk-embedding-secret-value-987654321"
	for _, c := range []struct {
		name string
		args []string
		vars map[string]string
	}{
		{"invalid API key", nil, map[string]string{"GND_API_KEY": apiKey}},
		{"short API key", nil, map[string]string{"GND_API_KEY": shortKey}},
		{"invalid API key with other errors", []string{"--workers=100"}, map[string]string{"GND_API_KEY": apiKey, "GND_EMBEDDING_API_KEY": embeddingKey}},
		{"embedding key with an invalid embedder", []string{"--embedder=openai"}, map[string]string{"GND_EMBEDDING_API_KEY": embeddingKey}},
		{"API key passed as a flag", []string{"--api-key=" + apiKey}, nil},
		{"API key with a bad environment value", nil, map[string]string{"GND_API_KEY": apiKey, "GND_WORKERS": "x"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := config.Load("serve", c.args, env(c.vars), &out)
			if err == nil {
				t.Fatalf("Load accepted the settings, expected an error")
			}
			for _, secret := range []string{apiKey, shortKey, embeddingKey} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error contains a secret: %v", err)
				}
				if strings.Contains(out.String(), secret) {
					t.Errorf("the usage output contains a secret: %s", out.String())
				}
			}
		})
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		t.Run(arg, func(t *testing.T) {
			var out bytes.Buffer
			_, err := config.Load("serve", []string{arg}, env(nil), &out)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("Load(%s) returned %v, expected flag.ErrHelp", arg, err)
			}
			lines := strings.Split(out.String(), "\n")
			typ := reflect.TypeFor[config.Config]()
			for i := 0; i < typ.NumField(); i++ {
				field := typ.Field(i)
				envName := field.Tag.Get("env")
				name := envName
				if f := field.Tag.Get("flag"); f != "" {
					name = "--" + f
				}
				def := field.Tag.Get("default")
				if def == "" {
					def = `""`
				}
				line := -1
				for j, l := range lines {
					if fields := strings.Fields(l); len(fields) > 0 && fields[0] == name {
						line = j
						break
					}
				}
				if line < 0 {
					t.Errorf("help output has no line for %s (field %s)", name, field.Name)
					continue
				}
				if !strings.Contains(lines[line], envName) {
					t.Errorf("help line for %s does not name its environment variable %s: %q", name, envName, lines[line])
				}
				if !strings.Contains(lines[line], "default "+def) {
					t.Errorf("help line for %s does not show its default %s: %q", name, def, lines[line])
				}
				help := field.Tag.Get("help")
				if line+1 >= len(lines) || !strings.Contains(lines[line+1], help) {
					t.Errorf("help for %s is not on the line after it; expected %q", name, help)
				}
			}
			if !strings.Contains(out.String(), "flag > environment > config file > default") {
				t.Errorf("help output does not state the precedence")
			}
		})
	}
}
