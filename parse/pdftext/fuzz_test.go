package pdftext

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gndhq/gnd/internal/testcorpus"
)

// fuzzSeeds returns small, valid PDFs that cover the structures the reader handles:
// classic and compressed cross-reference data, simple and composite fonts, form
// XObjects and encryption dictionaries.
func fuzzSeeds(tb testing.TB) [][]byte {
	seeds := [][]byte{
		textPDF(tb, drawText(72, 700, "Hello world")+drawText(72, 688, "second line")),
		textPDF(tb, "BT /F2 12 Tf 72 700 Td <000100020003> Tj ET", "BT /F1 10 Tf 0 1 -1 0 300 300 Tm [(A) -500 (B)] TJ ET"),
		encryptedPDF(tb, "/Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O "+hex32+" /U "+hex32),
	}
	d := newTextDoc()
	d.addPage(drawText(72, 700, "compressed objects"))
	seeds = append(seeds, d.compressedBytes())
	return seeds
}

func FuzzExtract(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		pages, warnings, err := Extract(ctx, data)
		if err != nil {
			known := errors.Is(err, ErrNotPDF) || errors.Is(err, ErrEncrypted) || errors.Is(err, ErrMalformed) ||
				errors.Is(err, ErrNoText) || errors.Is(err, context.DeadlineExceeded)
			if !known {
				t.Errorf("Extract error %q wraps none of the package's errors", err)
			}
			if pages != nil {
				t.Errorf("Extract returned %d pages along with an error", len(pages))
			}
			return
		}
		if len(pages) == 0 {
			t.Errorf("Extract returned no pages and no error")
		}
		for _, p := range pages {
			if !utf8.ValidString(p.Text) {
				t.Errorf("page %d text is not valid UTF-8", p.Number)
			}
		}
		for _, w := range warnings {
			if !utf8.ValidString(w) {
				t.Errorf("warning %q is not valid UTF-8", w)
			}
		}
		for _, piece := range Chunk(pages, Options{MaxTokens: 40}) {
			if piece.Content == "" {
				t.Errorf("Chunk returned an empty piece on page %d", piece.Page)
			}
		}
	})
}

func BenchmarkExtract(b *testing.B) {
	data, err := os.ReadFile(testcorpus.Path(b, "pdf", "gnuplot.pdf"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	pages := 0
	for b.Loop() {
		result, _, err := Extract(context.Background(), data)
		if err != nil {
			b.Fatal(err)
		}
		pages += len(result)
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}

func BenchmarkChunk(b *testing.B) {
	data, err := os.ReadFile(testcorpus.Path(b, "pdf", "gnuplot.pdf"))
	if err != nil {
		b.Fatal(err)
	}
	pages, _, err := Extract(context.Background(), data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Chunk(pages, Options{})
	}
	b.ReportMetric(float64(len(pages)*b.N)/b.Elapsed().Seconds(), "pages/s")
}
