package openapi

import (
	"fmt"
	"strings"
	"testing"
)

func TestSwaggerOperationMarkdown(t *testing.T) {
	spec := mustParse(t, `swagger: '2.0'
info: {title: Pets, version: '1.0'}
consumes: [application/json]
produces: [application/json]
paths:
  x-internal:
    get: {responses: {'200': {description: hidden}}}
  /pets/{id}:
    parameters:
      - {name: id, in: path, required: true, type: string, description: path-level id}
      - {name: verbose, in: query, type: boolean}
    put:
      operationId: updatePet
      tags: [pets, admin]
      summary: Update a pet
      description: |
        Replaces the pet.

        Fields that are left out are cleared.
      deprecated: true
      consumes: [application/xml]
      parameters:
        - {name: id, in: path, required: true, type: integer, format: int64, description: operation-level id}
        - {name: body, in: body, required: true, description: The pet, schema: {$ref: '#/definitions/Pet'}}
        - {name: photo, in: formData, type: file, description: 'A photo | any format'}
      responses:
        '200':
          description: The updated pet
          headers:
            X-Rate-Limit: {type: integer, format: int32, description: Calls left}
          schema: {$ref: '#/definitions/Pet'}
        default: {description: Unexpected error}
      x-code-samples: [{lang: go}]
definitions:
  Pet:
    type: object
    required: [name]
    properties:
      name: {type: string, description: The pet's name}
      status: {type: string, enum: [available, sold], default: available}
      tags: {type: array, items: {type: string}}
`)
	if len(spec.Operations) != 1 {
		t.Fatalf("got %d operations, want 1 (x- path keys are not paths)", len(spec.Operations))
	}
	op := spec.Operations[0]
	if !op.Deprecated || op.OperationID != "updatePet" || strings.Join(op.Tags, ",") != "pets,admin" {
		t.Errorf("got Deprecated=%v OperationID=%q Tags=%q", op.Deprecated, op.OperationID, op.Tags)
	}
	if op.Description != "Replaces the pet.\n\nFields that are left out are cleared." {
		t.Errorf("Description = %q", op.Description)
	}
	want := "# PUT /pets/{id}\n" +
		"\nOperation ID: `updatePet` · Tags: pets, admin\n" +
		"\n**Deprecated.**\n" +
		"\n**Summary:** Update a pet\n" +
		"\nReplaces the pet.\n\nFields that are left out are cleared.\n" +
		"\n## Parameters\n\n" +
		"| Name | In | Required | Type | Description |\n" +
		"| --- | --- | --- | --- | --- |\n" +
		"| `verbose` | query | no | boolean |  |\n" +
		"| `id` | path | yes | integer (int64) | operation-level id |\n" +
		"| `photo` | formData | no | file | A photo \\| any format |\n" +
		"\n## Request body (application/xml)\n" +
		"\nRequired. The pet\n" +
		"\nSchema: object `Pet`\n" +
		"\n- `name` (string, required): The pet's name\n" +
		"- `status` (string, enum: `available`, `sold`, default: `available`)\n" +
		"- `tags` (array of string)\n" +
		"\n## Responses\n" +
		"\n### 200 OK\n" +
		"\nThe updated pet\n" +
		"\nHeaders:\n\n- `X-Rate-Limit` (integer (int32)): Calls left\n" +
		"\nContent (application/json): object `Pet`, fields listed above\n" +
		"\n### default\n" +
		"\nUnexpected error\n"
	if op.Markdown != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", op.Markdown, want)
	}
}

func TestMethodOrder(t *testing.T) {
	spec := mustParse(t, `openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /b:
    trace: {responses: {}}
    x-get: {responses: {}}
    post: {responses: {}}
    get: {responses: {}}
    delete: {responses: {}}
    parameters: []
  /a:
    patch: {responses: {}}
    head: {responses: {}}
    options: {responses: {}}
    put: {responses: {}}
webhooks:
  ignored:
    post: {responses: {}}
`)
	var keys []string
	for _, op := range spec.Operations {
		keys = append(keys, op.Key)
	}
	want := "GET /b,POST /b,DELETE /b,TRACE /b,PUT /a,OPTIONS /a,HEAD /a,PATCH /a"
	if got := strings.Join(keys, ","); got != want {
		t.Errorf("operations %s, want %s (paths in document order, methods in fixed order, no webhooks before 3.1)", got, want)
	}
}

func TestOpenAPI32QueryMethod(t *testing.T) {
	spec := mustParse(t, `openapi: 3.2.0
info: {title: t, version: '1'}
paths:
  /search:
    query: {responses: {}}
    get: {responses: {}}
    additionalOperations:
      LINK: {responses: {}}
`)
	var keys []string
	for _, op := range spec.Operations {
		keys = append(keys, op.Key)
	}
	if got := strings.Join(keys, ","); got != "GET /search,QUERY /search,LINK /search" {
		t.Errorf("operations %s, want GET, QUERY, then additionalOperations", got)
	}
}

// responseMarkdown parses a 3.1 document whose only operation returns schema
// (YAML flow or block text indented for a media type) and returns its Markdown.
func responseMarkdown(t *testing.T, schema string, components string) string {
	t.Helper()
	doc := `openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /r:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
` + schema + `
components:
  schemas:
` + components
	spec := mustParse(t, doc)
	if len(spec.Warnings) != 0 {
		t.Errorf("unexpected warnings: %q", spec.Warnings)
	}
	return spec.Operations[0].Markdown
}

func TestTypeLabels(t *testing.T) {
	md := responseMarkdown(t, `                type: object
                properties:
                  nullableString: {type: [string, "null"], format: email, maxLength: 80}
                  union: {type: [integer, string]}
                  legacyNullable: {type: integer, nullable: true, minimum: 1}
                  wrapped: {oneOf: [{type: "null"}, {$ref: '#/components/schemas/Pet'}]}
                  pets: {type: array, items: {$ref: '#/components/schemas/Pet'}}
                  matrix: {type: array, items: {type: array, items: {type: number}}}
                  dict: {type: object, additionalProperties: {type: integer}}
                  status: {$ref: '#/components/schemas/Status'}
                  choice: {oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]}
                  pattern: {type: string, pattern: '^[a-z]+$'}
                  fixed: {const: v1}
                  anything: {}
                  manyValues: {type: integer, enum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]}`,
		`    Pet: {type: object, properties: {name: {type: string}}}
    Status: {type: string, enum: [on, off]}
    Cat: {type: object, properties: {meow: {type: boolean}}}
    Dog: {type: object, properties: {bark: {type: boolean}}}
`)
	for _, want := range []string{
		"- `nullableString` (string (email) or null, max length 80)\n",
		"- `union` (integer or string)\n",
		"- `legacyNullable` (integer or null, minimum 1)\n",
		"- `wrapped` (object `Pet` or null)\n  - `name` (string)\n",
		"- `pets` (array of object `Pet`, fields listed above)\n",
		"- `matrix` (array of array of number)\n",
		"- `dict` (map of string to integer)\n",
		"- `status` (string `Status`, enum: `on`, `off`)\n",
		"- `choice` (one of: object `Cat` | object `Dog`)\n  - oneOf option 1: object `Cat`\n    - `meow` (boolean)\n  - oneOf option 2: object `Dog`\n    - `bark` (boolean)\n",
		"- `pattern` (string, pattern `^[a-z]+$`)\n",
		"- `fixed` (constant `v1`)\n",
		"- `anything` (any)\n",
		"- `manyValues` (integer, enum: `1`, `2`, `3`, `4`, `5`, `6`, `7`, `8`, `9`, `10`, `11`, `12`, `13`, `14`, `15`, `16`, `17`, `18`, `19`, `20`, …)\n",
	} {
		assertContains(t, md, want, "Markdown")
	}
}

func TestAllOfIsMerged(t *testing.T) {
	md := responseMarkdown(t, `                $ref: '#/components/schemas/Dog'`, `    Animal:
      type: object
      required: [id]
      properties:
        id: {type: integer}
        name: {type: string}
    Dog:
      allOf:
        - $ref: '#/components/schemas/Animal'
        - type: object
          required: [name]
          properties:
            bark: {type: boolean}
`)
	assertContains(t, md, "Content (application/json): `Dog` (all of: object `Animal` & object)\n\n"+
		"- `id` (integer, required)\n- `name` (string, required)\n- `bark` (boolean)\n", "Markdown")
}

// nestedObjects returns a YAML schema of depth objects nested through a
// property named "child", indented for responseMarkdown.
func nestedObjects(depth int) string {
	var b strings.Builder
	indent := "                "
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "%stype: object\n%sproperties:\n%s  level%d:\n", indent, indent, indent, i)
		indent += "    "
	}
	fmt.Fprintf(&b, "%stype: string", indent)
	return b.String()
}

func TestSchemaDepthLimit(t *testing.T) {
	md := responseMarkdown(t, nestedObjects(8), "    Unused: {}\n")
	for i := 1; i <= maxSchemaDepth; i++ {
		want := strings.Repeat("  ", i-1) + fmt.Sprintf("- `level%d` (object)\n", i)
		assertContains(t, md, want, "Markdown")
	}
	if strings.Contains(md, "level5") {
		t.Errorf("Markdown lists level5, deeper than the limit of %d levels:\n%s", maxSchemaDepth, md)
	}
}

func TestPropertyLimits(t *testing.T) {
	var props strings.Builder
	for i := range 55 {
		fmt.Fprintf(&props, "                  p%02d: {type: string}\n", i)
	}
	md := responseMarkdown(t, "                type: object\n                properties:\n"+strings.TrimSuffix(props.String(), "\n"), "    Unused: {}\n")
	assertContains(t, md, "- `p39` (string)\n- … 15 more properties not shown\n", "Markdown")
	if strings.Contains(md, "`p40`") {
		t.Errorf("Markdown lists p40, beyond the limit of %d properties", maxProperties)
	}

	// Ten objects with 40 properties each exceed the line budget of one
	// schema. A YAML alias repeats the same inline object, which, unlike a
	// $ref, is listed again each time.
	var wide strings.Builder
	for i := range 40 {
		if i > 0 {
			wide.WriteString(", ")
		}
		fmt.Fprintf(&wide, "f%02d: {type: string}", i)
	}
	var outer strings.Builder
	outer.WriteString("                type: object\n                properties:\n")
	fmt.Fprintf(&outer, "                  w0: &wide {type: object, properties: {%s}}\n", wide.String())
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&outer, "                  w%d: *wide\n", i)
	}
	md = responseMarkdown(t, strings.TrimSuffix(outer.String(), "\n"), "    Unused: {}\n")
	assertContains(t, md, "- `w3` (object)\n  - `f00` (string)\n", "Markdown")
	assertContains(t, md, "- … further fields not shown\n", "Markdown")
	if strings.Contains(md, "`w4`") {
		t.Errorf("Markdown lists w4 although the budget of %d lines ends inside w3", maxSchemaLines)
	}
	if lines := strings.Count(md, "- "); lines > maxSchemaLines+1 {
		t.Errorf("Markdown has %d list lines, want at most %d", lines, maxSchemaLines+1)
	}
}

func TestLongPropertyDescriptionIsCut(t *testing.T) {
	long := strings.Repeat("word ", 200)
	md := responseMarkdown(t, "                type: object\n                properties:\n                  note: {type: string, description: '"+long+"'}", "    Unused: {}\n")
	line := md[strings.Index(md, "- `note`"):]
	line = line[:strings.IndexByte(line, '\n')]
	if !strings.HasSuffix(line, "word…") {
		t.Errorf("long description does not end with an ellipsis: %q", line[len(line)-20:])
	}
	if n := len([]rune(line)); n > maxDescriptionRunes+40 {
		t.Errorf("property line has %d characters, want about %d", n, maxDescriptionRunes)
	}
}
