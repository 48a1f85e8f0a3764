package openapi

import (
	"fmt"
	"strings"
)

// Format values of Spec.Format.
const (
	FormatSwagger20 = "swagger-2.0"
	FormatOpenAPI30 = "openapi-3.0"
	FormatOpenAPI31 = "openapi-3.1"
	// FormatOpenAPI32 is read with the 3.1 rules plus the QUERY method and
	// additionalOperations.
	FormatOpenAPI32 = "openapi-3.2"
)

// detectFormat reads the "swagger" or "openapi" field of the top-level value.
func detectFormat(root *node) (string, error) {
	if root.kind != kindObject {
		return "", fmt.Errorf("%w: the top-level value is %s, expected an object with an \"openapi\" or \"swagger\" field",
			ErrNotOpenAPI, kindName(root.kind))
	}
	if v := root.get("openapi"); v != nil {
		return openAPIFormat(v)
	}
	if v := root.get("swagger"); v != nil {
		text := versionText(v)
		if text == "2.0" {
			return FormatSwagger20, nil
		}
		return "", fmt.Errorf("%w: swagger %q (supported: swagger 2.0 and openapi 3.0, 3.1, 3.2)", ErrUnsupportedVersion, text)
	}
	if v := root.get("swaggerVersion"); v != nil {
		return "", fmt.Errorf("%w: Swagger %s (\"swaggerVersion\" field); convert it to Swagger 2.0 or OpenAPI 3",
			ErrUnsupportedVersion, versionText(v))
	}
	return "", fmt.Errorf("%w: missing top-level \"openapi\" field (OpenAPI 3) or \"swagger\" field (Swagger 2.0)", ErrNotOpenAPI)
}

func openAPIFormat(v *node) (string, error) {
	text := versionText(v)
	major, rest, _ := strings.Cut(text, ".")
	minor, _, _ := strings.Cut(rest, ".")
	if major == "3" {
		switch minor {
		case "0":
			return FormatOpenAPI30, nil
		case "1":
			return FormatOpenAPI31, nil
		case "2":
			return FormatOpenAPI32, nil
		}
	}
	return "", fmt.Errorf("%w: openapi %q (supported: swagger 2.0 and openapi 3.0, 3.1, 3.2)", ErrUnsupportedVersion, text)
}

// versionText returns a version field as text. A YAML number such as
// "openapi: 3.0" or "swagger: 2" reads as its literal, and "2" or "3" gets a
// ".0" so that it compares like the string form.
func versionText(v *node) string {
	text := v.scalarText()
	if v.kind == kindNumber && !strings.Contains(text, ".") {
		text += ".0"
	}
	return text
}

func kindName(k kind) string {
	switch k {
	case kindNull:
		return "null"
	case kindBool:
		return "a boolean"
	case kindNumber:
		return "a number"
	case kindString:
		return "a string"
	case kindArray:
		return "an array"
	}
	return "an object"
}
