package code

import (
	"bytes"
	"strings"
)

// extLanguages maps lower-case file extensions to language names.
var extLanguages = map[string]string{
	".go": "go",
	".py": "python", ".pyi": "python", ".pyw": "python",
	".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
	".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
	".java": "java",
	".rs":   "rust",
	".c":    "c", ".h": "c",
	".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hh": "cpp", ".hpp": "cpp",
	".hxx": "cpp", ".h++": "cpp", ".ipp": "cpp", ".inl": "cpp",
	".rb": "ruby", ".rake": "ruby", ".gemspec": "ruby", ".ru": "ruby",
	".cs": "csharp",
	".kt": "kotlin", ".kts": "kotlin",
	".swift": "swift",
	".php":   "php",
	".scala": "scala", ".sc": "scala",
	".dart": "dart",
	".sh":   "shell", ".bash": "shell", ".zsh": "shell", ".ksh": "shell",
	".md": "markdown", ".markdown": "markdown", ".mdx": "markdown",
	".rst":  "rst",
	".txt":  "text",
	".yaml": "yaml", ".yml": "yaml",
	".json": "json", ".jsonc": "json", ".json5": "json",
	".toml":    "toml",
	".sql":     "sql",
	".proto":   "protobuf",
	".graphql": "graphql", ".gql": "graphql",
	".html": "html", ".htm": "html",
	".css": "css", ".scss": "scss", ".less": "less",
	".xml": "xml",
	".lua": "lua",
	".pl":  "perl", ".pm": "perl",
	".r":  "r",
	".ex": "elixir", ".exs": "elixir",
	".erl": "erlang",
	".hs":  "haskell",
	".ml":  "ocaml", ".mli": "ocaml",
	".zig": "zig",
	".tf":  "terraform", ".hcl": "hcl",
	".ini": "ini", ".cfg": "ini",
	".vue":    "vue",
	".svelte": "svelte",
	".clj":    "clojure",
	".groovy": "groovy", ".gradle": "groovy",
	".ps1":        "powershell",
	".cmake":      "cmake",
	".nix":        "nix",
	".jl":         "julia",
	".dockerfile": "dockerfile",
}

// nameLanguages maps exact base names without a telling extension.
var nameLanguages = map[string]string{
	"Makefile": "make", "makefile": "make", "GNUmakefile": "make",
	"Dockerfile": "dockerfile", "Containerfile": "dockerfile",
	"CMakeLists.txt": "cmake",
	"Rakefile":       "ruby", "Gemfile": "ruby", "Vagrantfile": "ruby", "Podfile": "ruby",
	"Jenkinsfile": "groovy",
	"BUILD":       "starlark", "BUILD.bazel": "starlark", "WORKSPACE": "starlark",
	"README": "text",
}

// Language returns the language name for a path, from its base name or its
// extension: "go", "python", "typescript", "javascript", "java", "rust", "c",
// "cpp", "ruby", "csharp", "kotlin", "swift", "php", "scala", "dart", "shell",
// "markdown", "rst", "text", "yaml", "json", "toml", "sql" and others, or ""
// when the file type is not indexed. ".h" files count as C.
func Language(path string) string {
	base := baseName(path)
	if lang, ok := nameLanguages[base]; ok {
		return lang
	}
	if strings.HasPrefix(base, "Dockerfile.") {
		return "dockerfile"
	}
	dot := strings.LastIndexByte(base, '.')
	if dot < 0 {
		return ""
	}
	return extLanguages[strings.ToLower(base[dot:])]
}

// IsDocs reports whether the language is prose (markdown, rst, text) that a
// section chunker handles rather than Chunk.
func IsDocs(lang string) bool {
	switch lang {
	case "markdown", "rst", "text":
		return true
	}
	return false
}

// cppLineStarts open lines that only C++ has.
var cppLineStarts = []string{"namespace ", "template<", "template <", "class ", "public:", "private:", "protected:", "extern \"C++\""}

// looksLikeCpp reports whether any line of a C file starts with a C++-only
// declaration such as `namespace x {` or `template <typename T>`.
func looksLikeCpp(src []byte) bool {
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		line = bytes.TrimLeft(line, " \t")
		for _, p := range cppLineStarts {
			if bytes.HasPrefix(line, []byte(p)) {
				return true
			}
		}
	}
	return false
}
