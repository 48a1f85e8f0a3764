package openapi

import (
	"context"
	"os"
	"testing"

	"github.com/gndhq/gnd/internal/testcorpus"
)

func benchmarkParse(b *testing.B, elem ...string) {
	path := testcorpus.Path(b, elem...)
	body, err := os.ReadFile(path)
	if err != nil {
		b.Fatalf("read corpus file: %v", err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	// CPU time per parse is reported next to wall time because other
	// processes on a shared machine stretch only the wall time.
	start := processCPUTime()
	for b.Loop() {
		spec, err := Parse(context.Background(), "file://"+path, body, nil)
		if err != nil {
			b.Fatalf("Parse: %v", err)
		}
		if len(spec.Operations) == 0 {
			b.Fatal("Parse returned no operations")
		}
	}
	b.ReportMetric(float64(processCPUTime()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkParseDiscord(b *testing.B) {
	benchmarkParse(b, "openapi", "discord", "openapi.json")
}

func BenchmarkParseOpenAI(b *testing.B) {
	benchmarkParse(b, "openapi", "openai", "openapi.yaml")
}
