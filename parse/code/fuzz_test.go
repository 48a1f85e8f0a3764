package code

import (
	"testing"
	"unicode/utf8"
)

// fuzzPaths gives every reader a turn: the fuzzer picks one by an index.
var fuzzPaths = []string{
	"a.go", "a.py", "a.rb", "a.ts", "a.js", "a.java", "a.rs", "a.c", "a.cc", "a.cs",
	"a.kt", "a.swift", "a.php", "a.scala", "a.dart", "a.yaml", "a.unknown",
}

func FuzzChunk(f *testing.F) {
	seeds := []string{
		goSample, pySample, tsSample, javaSample, rustSample, cSample, cppSample, rubySample,
		kotlinSample, csharpSample, swiftSample, phpSample, jsSample,
		"", "\n", "{", "}", "\"", "'", "`${`", "/*", "#if 0\n{", "r#\"", "R\"x(", "<<<A\n", "@\"",
		"class A {\n  def f\n", "def f(:\n  '''\n", "#[", "fn f<'a>(x: &'a str) {}",
	}
	for i, s := range seeds {
		f.Add(uint8(i), s, uint16(0))
		f.Add(uint8(i+3), s, uint16(20))
	}
	f.Fuzz(func(t *testing.T, which uint8, src string, maxTokens uint16) {
		path := fuzzPaths[int(which)%len(fuzzPaths)]
		// A count that needs no tokenizer keeps the fuzzer fast; it is at least
		// 1 for any non-empty text, like real token counts.
		count := func(s string) int { return (utf8.RuneCountInString(s) + 3) / 4 }
		pieces, err := Chunk(path, []byte(src), Options{MaxTokens: int(maxTokens), Count: count})
		if err != nil {
			t.Fatalf("Chunk(%s) error: %v", path, err)
		}
		checkInvariants(t, path, src, pieces)
	})
}
