package openapi

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseCorpus(t *testing.T) {
	tests := []struct {
		file     []string
		format   string
		title    string
		version  string
		ops      int
		webhooks int
		firstKey string
	}{
		{[]string{"discord", "openapi.json"}, FormatOpenAPI31, "Discord HTTP API (Preview)", "10", 242, 0, ""},
		{[]string{"openai", "openapi.yaml"}, FormatOpenAPI30, "OpenAI API", "2.3.0", 122, 0, ""},
		{[]string{"go-admin", "admin_swagger.json"}, FormatSwagger20, "go-admin API", "2.0.0", 76, 0, "GET /api/v1/app-config"},
		{[]string{"go-admin", "admin_swagger.yaml"}, FormatSwagger20, "go-admin API", "2.0.0", 76, 0, "GET /api/v1/app-config"},
		{[]string{"kubernetes-apiextensions-v1", "v1.json"}, FormatOpenAPI30, "Kubernetes", "v1.24.0", 13, 0, ""},
		{[]string{"oai-petstore-separate", "spec", "swagger.json"}, FormatSwagger20, "Swagger Petstore", "1.0.0", 4, 0, "GET /pets"},
		{[]string{"oai-uspto", "uspto.yaml"}, FormatOpenAPI30, "USPTO Data Set API", "1.0.0", 3, 0, "GET /"},
		{[]string{"redocly-museum", "openapi.yaml"}, FormatOpenAPI31, "Redocly Museum API", "1.2.1", 9, 1, "GET /museum-hours"},
		{[]string{"oai-webhook-example", "webhook-example.yaml"}, FormatOpenAPI31, "Webhook Example", "1.0.0", 1, 1, "POST webhook:newPet"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.file, "/"), func(t *testing.T) {
			spec := parseCorpus(t, tt.file...)
			if spec.Format != tt.format {
				t.Errorf("Format = %q, want %q", spec.Format, tt.format)
			}
			if spec.Title != tt.title {
				t.Errorf("Title = %q, want %q", spec.Title, tt.title)
			}
			if spec.Version != tt.version {
				t.Errorf("Version = %q, want %q", spec.Version, tt.version)
			}
			if len(spec.Operations) != tt.ops {
				t.Errorf("got %d operations, want %d", len(spec.Operations), tt.ops)
			}
			if tt.firstKey != "" && len(spec.Operations) > 0 && spec.Operations[0].Key != tt.firstKey {
				t.Errorf("first operation is %q, want %q (document order)", spec.Operations[0].Key, tt.firstKey)
			}
			if len(spec.Warnings) != 0 {
				t.Errorf("got warnings for a corpus file whose refs all resolve: %q", spec.Warnings)
			}
			webhooks := 0
			seen := map[string]bool{}
			for _, op := range spec.Operations {
				checkOperation(t, op)
				if op.Webhook {
					webhooks++
				}
				if seen[op.Key] {
					t.Errorf("operation key %q appears twice", op.Key)
				}
				seen[op.Key] = true
			}
			if webhooks != tt.webhooks {
				t.Errorf("got %d webhooks, want %d", webhooks, tt.webhooks)
			}
		})
	}
}

// checkOperation checks the fields that every operation must have.
func checkOperation(t *testing.T, op Operation) {
	t.Helper()
	if op.Method != strings.ToUpper(op.Method) || op.Method == "" {
		t.Errorf("%s: Method %q is not upper case", op.Key, op.Method)
	}
	wantKey := op.Method + " " + op.Path
	if op.Webhook {
		wantKey = op.Method + " webhook:" + op.Path
	}
	if op.Key != wantKey {
		t.Errorf("Key = %q, want %q", op.Key, wantKey)
	}
	if !strings.HasPrefix(op.Markdown, "# "+op.Key+"\n") {
		t.Errorf("%s: Markdown does not start with the key heading: %.80q", op.Key, op.Markdown)
	}
	if len(op.SchemaHash) != 64 || strings.Trim(op.SchemaHash, "0123456789abcdef") != "" {
		t.Errorf("%s: SchemaHash %q is not 64 hex digits", op.Key, op.SchemaHash)
	}
}

func TestParseDeterministic(t *testing.T) {
	for _, file := range [][]string{{"discord", "openapi.json"}, {"kubernetes-apiextensions-v1", "v1.json"}} {
		path, body := corpusFile(t, file...)
		first := parseCorpus(t, file...)
		second, err := Parse(context.Background(), fileURL(path), body, fileLoader)
		if err != nil {
			t.Fatalf("second Parse: %v", err)
		}
		if len(first.Operations) != len(second.Operations) {
			t.Fatalf("%s: operation counts differ: %d and %d", path, len(first.Operations), len(second.Operations))
		}
		for i := range first.Operations {
			a, b := first.Operations[i], second.Operations[i]
			if a.Key != b.Key || a.Markdown != b.Markdown || a.SchemaHash != b.SchemaHash {
				t.Errorf("%s: operation %d (%s) differs between two parses of the same bytes", path, i, a.Key)
			}
		}
	}
}

func TestParseCircularSpecsFinish(t *testing.T) {
	// The limit is CPU time of the whole test process, so that it also
	// holds under the race detector (about ten times slower) and on a busy
	// machine. Without the race detector discord needs about 0.2 s.
	const limit = 20 * time.Second
	for _, tt := range []struct {
		file   []string
		key    string
		marker string
	}{
		{[]string{"discord", "openapi.json"}, "GET /applications/{application_id}", "ErrorDetails"},
		{[]string{"go-admin", "admin_swagger.json"}, "GET /api/v1/dept/{deptId}", ""},
		{[]string{"kubernetes-apiextensions-v1", "v1.json"}, "POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions", "JSONSchemaProps"},
	} {
		path, body := corpusFile(t, tt.file...)
		start := processCPUTime()
		spec, err := Parse(context.Background(), fileURL(path), body, fileLoader)
		used := processCPUTime() - start
		if err != nil {
			t.Fatalf("Parse %s: %v", path, err)
		}
		if used > limit {
			t.Errorf("%s: Parse used %v of CPU time, want under %v", path, used, limit)
		}
		op := operation(t, spec, tt.key)
		if tt.marker != "" {
			assertContains(t, op.Markdown, tt.marker, tt.key+" Markdown")
		}
	}
}

func TestGoAdminJSONAndYAMLMatch(t *testing.T) {
	fromJSON := parseCorpus(t, "go-admin", "admin_swagger.json")
	fromYAML := parseCorpus(t, "go-admin", "admin_swagger.yaml")
	if len(fromJSON.Operations) != len(fromYAML.Operations) {
		t.Fatalf("JSON has %d operations, YAML %d", len(fromJSON.Operations), len(fromYAML.Operations))
	}
	for i, j := range fromJSON.Operations {
		y := fromYAML.Operations[i]
		if j.Key != y.Key {
			t.Errorf("operation %d: JSON key %q, YAML key %q", i, j.Key, y.Key)
			continue
		}
		if j.SchemaHash != y.SchemaHash {
			t.Errorf("%s: SchemaHash differs between JSON (%s) and YAML (%s)", j.Key, j.SchemaHash, y.SchemaHash)
		}
		if j.Markdown == y.Markdown {
			continue
		}
		// The two files list the properties of models.SysMenu in different
		// orders ("isFrame" and "is_select" swap places), and the Markdown
		// keeps document order. Any other difference is a bug.
		if !strings.Contains(j.Markdown, "models.SysMenu") {
			t.Errorf("%s: Markdown differs between JSON and YAML:\nJSON:\n%s\nYAML:\n%s", j.Key, j.Markdown, y.Markdown)
			continue
		}
		jl, yl := strings.Split(j.Markdown, "\n"), strings.Split(y.Markdown, "\n")
		slices.Sort(jl)
		slices.Sort(yl)
		if !slices.Equal(jl, yl) {
			t.Errorf("%s: Markdown lines differ between JSON and YAML, not only in order:\nJSON:\n%s\nYAML:\n%s", j.Key, j.Markdown, y.Markdown)
		}
	}
}

func TestGoAdminPropertyOrderDiffers(t *testing.T) {
	// Documents the one difference between the twins that
	// TestGoAdminJSONAndYAMLMatch allows.
	order := func(file string) []string {
		_, body := corpusFile(t, "go-admin", file)
		root, err := decode(body, &document{})
		if err != nil {
			t.Fatalf("decode %s: %v", file, err)
		}
		return root.get("definitions").get("models.SysMenu").get("properties").keys
	}
	fromJSON, fromYAML := order("admin_swagger.json"), order("admin_swagger.yaml")
	if slices.Equal(fromJSON, fromYAML) {
		t.Fatal("models.SysMenu lists its properties in the same order in both files; tighten TestGoAdminJSONAndYAMLMatch")
	}
	slices.Sort(fromJSON)
	slices.Sort(fromYAML)
	if !slices.Equal(fromJSON, fromYAML) {
		t.Errorf("models.SysMenu has different property names in the two files: %q and %q", fromJSON, fromYAML)
	}
}

func TestGoAdminChineseText(t *testing.T) {
	spec := parseCorpus(t, "go-admin", "admin_swagger.json")
	op := operation(t, spec, "GET /api/v1/captcha")
	if op.Summary != "获取验证码" {
		t.Errorf("Summary = %q, want %q", op.Summary, "获取验证码")
	}
	assertContains(t, op.Markdown, "**Summary:** 获取验证码\n", "captcha Markdown")
	assertContains(t, op.Markdown, "Tags: 登陆", "captcha Markdown")
	config := operation(t, spec, "GET /api/v1/app-config")
	assertContains(t, config.Markdown, "获取系统前台配置信息，主要注意这里不在验证权限", "app-config Markdown")
}

func TestGoAdminRecursiveChildren(t *testing.T) {
	spec := parseCorpus(t, "go-admin", "admin_swagger.json")
	var found bool
	for _, op := range spec.Operations {
		if strings.Contains(op.Markdown, "`children` (array of object `models.SysDept`, recursive)") ||
			strings.Contains(op.Markdown, "`children` (array of object `models.SysMenu`, recursive)") {
			found = true
		}
	}
	if !found {
		t.Error("no operation shows the self-referencing children array of models.SysDept or models.SysMenu as recursive")
	}
}

func TestWebhookOnlySpec(t *testing.T) {
	spec := parseCorpus(t, "oai-webhook-example", "webhook-example.yaml")
	if len(spec.Operations) != 1 {
		t.Fatalf("got %d operations, want 1", len(spec.Operations))
	}
	op := spec.Operations[0]
	if !op.Webhook || op.Method != "POST" || op.Path != "newPet" {
		t.Errorf("got Webhook=%v Method=%q Path=%q, want a POST webhook named newPet", op.Webhook, op.Method, op.Path)
	}
	want := "# POST webhook:newPet\n" +
		"\n## Request body (application/json)\n" +
		"\nInformation about a new pet in the system\n" +
		"\nSchema: object `Pet`\n" +
		"\n- `id` (integer (int64), required)\n" +
		"- `name` (string, required)\n" +
		"- `tag` (string)\n" +
		"\n## Responses\n" +
		"\n### 200 OK\n" +
		"\nReturn a 200 status to indicate that the data was received successfully\n"
	if op.Markdown != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", op.Markdown, want)
	}
}

func TestMuseumWebhookComesLast(t *testing.T) {
	spec := parseCorpus(t, "redocly-museum", "openapi.yaml")
	last := spec.Operations[len(spec.Operations)-1]
	if !last.Webhook {
		t.Errorf("last operation %q is not the webhook; webhooks must follow all paths", last.Key)
	}
	for _, op := range spec.Operations[:len(spec.Operations)-1] {
		if op.Webhook {
			t.Errorf("operation %q is a webhook but comes before a path operation", op.Key)
		}
	}
}
