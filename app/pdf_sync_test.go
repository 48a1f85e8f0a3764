package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gndhq/gnd/config"
	"github.com/gndhq/gnd/internal/gndtest"
	"github.com/gndhq/gnd/internal/testcorpus"
)

// gnuplotTextPages is the number of pages with text in the gnuplot 5.4
// manual: all 311 pages, as pdfinfo and pdftotext of poppler 22.12 report.
const gnuplotTextPages = 311

// gnuplotPhrases are lines that occur once in the gnuplot manual, with the
// page that pdftotext (poppler 22.12) finds them on.
var gnuplotPhrases = []struct {
	phrase string
	page   int
}{
	{"one branch to predominate", 97},
	{"covariances between final parameters", 150},
	{"generate interlaced PNGs", 275},
}

// pdfSyncTimeout leaves room for extracting the 311-page manual on a busy
// machine, where the parse stage alone takes several seconds.
const pdfSyncTimeout = 3 * time.Minute

func TestPDFUploadSyncReplace(t *testing.T) {
	// One worker, so that a job runs only once the one before it stopped.
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.Workers = 1 }})
	manual := readGnuplot(t)
	manualHash := sha256Hex(manual)

	start := time.Now()
	status, created := uploadPDF(t, srv, "POST", "/sources/upload", "gnuplot.pdf", manual, map[string]string{"sync": "true"})
	if status != http.StatusCreated {
		t.Fatalf("upload: status %d, want 201: %v", status, created)
	}
	id := created["id"].(string)
	jobID, _ := created["job_id"].(string)
	if jobID == "" {
		t.Fatalf("upload with sync=true returned no job_id: %v", created)
	}
	job, _ := srv.WaitJob(jobID, pdfSyncTimeout)
	firstSync := time.Since(start)
	t.Logf("first sync of gnuplot.pdf took %s", firstSync.Round(time.Millisecond))

	t.Run("first sync", func(t *testing.T) {
		if job["status"] != "completed" {
			t.Fatalf("job status %v, want completed: %v %v", job["status"], job["error_message"], job["error_details"])
		}
		src := srv.MustDo(http.StatusOK, "GET", "/sources/"+id, nil)
		if src["version_ref"] != manualHash {
			t.Errorf("source version_ref = %v, want the file's SHA-256 %s", src["version_ref"], manualHash)
		}
		if got := int(src["file_count"].(float64)); got != gnuplotTextPages {
			t.Errorf("source file_count = %d, want %d pages with text", got, gnuplotTextPages)
		}
		if got := int(job["files_processed"].(float64)); got != gnuplotTextPages {
			t.Errorf("job files_processed = %d, want %d pages", got, gnuplotTextPages)
		}
		if job["chunks_created"] != src["chunk_count"] {
			t.Errorf("job chunks_created %v differs from source chunk_count %v", job["chunks_created"], src["chunk_count"])
		}
		if src["last_sync_completed"] == nil {
			t.Error("source last_sync_completed is null after a completed sync")
		}
		t.Logf("%v chunks, %v skipped entries: %v", src["chunk_count"], job["items_skipped"], job["skipped"])
		var skipped []map[string]any
		gndtest.Must(t, json.Unmarshal(mustJSON(t, job["skipped"]), &skipped), "decode job skipped")
		for _, s := range skipped {
			if url, _ := s["url"].(string); !strings.HasPrefix(url, "page ") {
				t.Errorf("skipped entry %v does not name a page", s)
			}
		}
	})

	t.Run("search cites pages", func(t *testing.T) {
		waitSearchFile(t, srv, id, "gnuplot.pdf", manualHash)
		for _, p := range gnuplotPhrases {
			checkPageCitation(t, srv, id, p.phrase, "gnuplot.pdf", p.page, manualHash)
		}
	})

	t.Run("resync unchanged file", func(t *testing.T) {
		before := srv.MustDo(http.StatusOK, "GET", "/sources/"+id, nil)
		start := time.Now()
		job := srv.SyncAndWait(id)
		t.Logf("re-sync of the unchanged file took %s", time.Since(start).Round(time.Millisecond))
		if job["status"] != "completed" {
			t.Fatalf("job status %v, want completed: %v", job["status"], job["error_message"])
		}
		for _, field := range []string{"chunks_created", "chunks_updated", "chunks_deleted"} {
			if job[field] != 0.0 {
				t.Errorf("%s = %v, want 0 for an unchanged file", field, job[field])
			}
		}
		after := srv.MustDo(http.StatusOK, "GET", "/sources/"+id, nil)
		if after["version_ref"] != manualHash {
			t.Errorf("version_ref = %v after the re-sync, want %s", after["version_ref"], manualHash)
		}
		if after["chunk_count"] != before["chunk_count"] {
			t.Errorf("chunk_count = %v after the re-sync, want %v", after["chunk_count"], before["chunk_count"])
		}
		if after["file_count"] != before["file_count"] {
			t.Errorf("file_count = %v after the re-sync, want %v", after["file_count"], before["file_count"])
		}
	})

	t.Run("replace file", func(t *testing.T) {
		before := srv.MustDo(http.StatusOK, "GET", "/sources/"+id, nil)
		small := textPDF("Quokka sorting orders marsupial records by tail length.", "Zebra filing uses stripes as a lookup index.")
		status, body := uploadPDF(t, srv, "PATCH", "/sources/"+id, "animals.pdf", small, nil)
		if status != http.StatusOK {
			t.Fatalf("PATCH with a new file: status %d, want 200: %v", status, body)
		}

		job := srv.SyncAndWait(id)
		if job["status"] != "completed" {
			t.Fatalf("job status %v, want completed: %v %v", job["status"], job["error_message"], job["error_details"])
		}
		if job["chunks_deleted"] != before["chunk_count"] {
			t.Errorf("chunks_deleted = %v, want all %v chunks of the old file", job["chunks_deleted"], before["chunk_count"])
		}
		if job["chunks_created"] != 2.0 {
			t.Errorf("chunks_created = %v, want 2 (one per page of the new file)", job["chunks_created"])
		}
		if job["chunks_updated"] != 0.0 {
			t.Errorf("chunks_updated = %v, want 0 because the file name and every page changed", job["chunks_updated"])
		}

		after := srv.MustDo(http.StatusOK, "GET", "/sources/"+id, nil)
		if after["version_ref"] != sha256Hex(small) {
			t.Errorf("version_ref = %v, want the new file's SHA-256 %s", after["version_ref"], sha256Hex(small))
		}
		if after["file_count"] != 2.0 {
			t.Errorf("file_count = %v, want 2 pages", after["file_count"])
		}

		// The old file's text is gone from the source, and the new file's is found.
		waitSearchFile(t, srv, id, "animals.pdf", sha256Hex(small))
		for _, r := range gndtest.Results(srv.Search(map[string]any{"query": gnuplotPhrases[0].phrase, "source_ids": []string{id}})) {
			if path := gndtest.Citation(r)["path"]; path == "gnuplot.pdf" {
				t.Errorf("search still returns a chunk of the replaced file: %v", gndtest.Citation(r))
			}
		}
		checkPageCitation(t, srv, id, "Zebra filing uses stripes", "animals.pdf", 2, sha256Hex(small))
	})

	t.Run("rename same bytes", func(t *testing.T) {
		// Citations show the file name, so the same bytes under a new name
		// are indexed again instead of finishing as unchanged.
		small := textPDF("Quokka sorting orders marsupial records by tail length.", "Zebra filing uses stripes as a lookup index.")
		status, body := uploadPDF(t, srv, "PATCH", "/sources/"+id, "renamed.pdf", small, nil)
		if status != http.StatusOK {
			t.Fatalf("PATCH with the renamed file: status %d, want 200: %v", status, body)
		}

		job := srv.SyncAndWait(id)
		if job["status"] != "completed" {
			t.Fatalf("job status %v, want completed: %v %v", job["status"], job["error_message"], job["error_details"])
		}
		if job["chunks_created"] != 2.0 {
			t.Errorf("chunks_created = %v, want 2 chunks cited under the new name", job["chunks_created"])
		}
		if job["chunks_deleted"] != 2.0 {
			t.Errorf("chunks_deleted = %v, want the 2 chunks cited under the old name", job["chunks_deleted"])
		}
		waitSearchFile(t, srv, id, "renamed.pdf", sha256Hex(small))
		checkPageCitation(t, srv, id, "Quokka sorting orders", "renamed.pdf", 1, sha256Hex(small))
	})

	t.Run("cancel during parse", func(t *testing.T) {
		// Most of the first sync was the parse stage, so a worker that ignored
		// the cancel would hold the next job back for about as long.
		checkCancelDuringParse(t, srv, manual, max(firstSync/2, 500*time.Millisecond))
	})
}

// waitSearchFile waits until a search in the source returns only chunks of
// the given file name and version, and fails the test after 10 seconds.
//
// NOTE: a job reads as completed before search returns its chunks, because
// the runner passes a commit to the in-process search index (Runner.OnApplied)
// only after the transaction that completes the job. Searches sent in that
// gap return the previous index.
func waitSearchFile(t *testing.T, srv *gndtest.Server, sourceID, path, version string) {
	t.Helper()
	start := time.Now()
	for {
		// Every chunk of a PDF source contains "page" in its symbol.
		results := gndtest.Results(srv.Search(map[string]any{"query": "page", "source_ids": []string{sourceID}, "top_k": 50}))
		current := len(results) > 0
		for _, r := range results {
			c := gndtest.Citation(r)
			if c["path"] != path || c["version_ref"] != version {
				current = false
			}
		}
		if current {
			t.Logf("search showed %s version %.12s %s after the job completed", path, version, time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("search in source %s does not show only chunks of %s version %s 10s after the job completed", sourceID, path, version)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkPageCitation searches for phrase in one source and checks that the
// first result contains it and cites the file, the page and the version.
func checkPageCitation(t *testing.T, srv *gndtest.Server, sourceID, phrase, path string, page int, version string) {
	t.Helper()
	results := gndtest.Results(srv.Search(map[string]any{"query": phrase, "source_ids": []string{sourceID}, "top_k": 5}))
	if len(results) == 0 {
		t.Errorf("search %q returned no results, want page %d", phrase, page)
		return
	}

	first := results[0]
	c := gndtest.Citation(first)
	if content, _ := first["content"].(string); !strings.Contains(content, phrase) {
		t.Errorf("search %q: first result (%v) does not contain the phrase", phrase, c["symbol"])
	}
	if want := fmt.Sprintf("page %d", page); c["symbol"] != want {
		t.Errorf("search %q: first result symbol = %v, want %q", phrase, c["symbol"], want)
	}
	if c["start_line"] != float64(page) {
		t.Errorf("search %q: start_line = %v, want page %d", phrase, c["start_line"], page)
	}
	if c["end_line"] != float64(page) {
		t.Errorf("search %q: end_line = %v, want page %d", phrase, c["end_line"], page)
	}
	if c["path"] != path {
		t.Errorf("search %q: path = %v, want the file name %q", phrase, c["path"], path)
	}
	if c["version_ref"] != version {
		t.Errorf("search %q: version_ref = %v, want the file's SHA-256 %s", phrase, c["version_ref"], version)
	}
	if c["language"] != "pdf" {
		t.Errorf("search %q: language = %v, want pdf", phrase, c["language"])
	}
	if c["chunk_type"] != "docs" {
		t.Errorf("search %q: chunk_type = %v, want docs", phrase, c["chunk_type"])
	}
}

func TestPDFUnreadableFilesFailAtParse(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{})
	manual := readGnuplot(t)
	cases := []struct {
		name, file string
		data       []byte
		message    string // a part of error_message
	}{
		{"truncated", "truncated.pdf", manual[:len(manual)*3/10], "is damaged or truncated"},
		{"garbage after header", "garbage.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("\x8a garbage ]>> obj"), 400)...), "is damaged or truncated"},
		{"encrypted", "locked.pdf", encryptedPDF(), "PDF is encrypted: a password is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, created := uploadPDF(t, srv, "POST", "/sources/upload?sync=true", c.file, c.data, nil)
			if status != http.StatusCreated {
				t.Fatalf("upload: status %d, want 201 (the file starts like a PDF): %v", status, created)
			}
			job, _ := srv.WaitJob(created["job_id"].(string), pdfSyncTimeout)
			if job["status"] != "failed" {
				t.Fatalf("job status %v, want failed", job["status"])
			}
			if job["stage"] != "parse" {
				t.Errorf("job failed at stage %v, want parse", job["stage"])
			}
			if job["retry_count"] != 0.0 {
				t.Errorf("retry_count = %v, want 0 because the same bytes cannot parse on retry", job["retry_count"])
			}
			if msg, _ := job["error_message"].(string); !strings.Contains(msg, c.message) {
				t.Errorf("error_message = %q, want it to contain %q", msg, c.message)
			}
			if msg, _ := job["error_message"].(string); !strings.Contains(msg, c.file) {
				t.Errorf("error_message = %q does not name the file %s", msg, c.file)
			}
			details, _ := job["error_details"].(map[string]any)
			if details["stage"] != "parse" {
				t.Errorf("error_details.stage = %v, want parse", details["stage"])
			}
			if details["retryable"] != false {
				t.Errorf("error_details.retryable = %v, want false", details["retryable"])
			}
			if details["path"] != c.file {
				t.Errorf("error_details.path = %v, want %s", details["path"], c.file)
			}
			if cause, _ := details["cause"].(string); cause == "" {
				t.Errorf("error_details.cause is empty, want the extractor's message: %v", details)
			}
			src := srv.MustDo(http.StatusOK, "GET", "/sources/"+created["id"].(string), nil)
			if src["status"] != "error" {
				t.Errorf("source status = %v, want error", src["status"])
			}
		})
	}

	if status, body := srv.DoRaw("GET", "/healthz", nil, nil); status != http.StatusOK {
		t.Fatalf("GET /healthz after the failed syncs: status %d, want 200: %s", status, body)
	}
	good := textPDF("Healthy upload after failures.")
	status, created := uploadPDF(t, srv, "POST", "/sources/upload", "good.pdf", good, map[string]string{"sync": "true"})
	if status != http.StatusCreated {
		t.Fatalf("good upload: status %d, want 201: %v", status, created)
	}
	if job, _ := srv.WaitJob(created["job_id"].(string), pdfSyncTimeout); job["status"] != "completed" {
		t.Errorf("good upload after failures ended %v, want completed: %v", job["status"], job["error_message"])
	}
}

// checkCancelDuringParse uploads the manual, cancels its job in the parse
// stage, and checks that the next job, on the server's only worker, completes
// within limit of the cancel.
func checkCancelDuringParse(t *testing.T, srv *gndtest.Server, manual []byte, limit time.Duration) {
	t.Helper()
	status, created := uploadPDF(t, srv, "POST", "/sources/upload", "cancelled.pdf", manual, map[string]string{"sync": "true"})
	if status != http.StatusCreated {
		t.Fatalf("upload: status %d, want 201: %v", status, created)
	}
	jobID := created["job_id"].(string)
	deadline := time.Now().Add(pdfSyncTimeout)
	for {
		job := srv.MustDo(http.StatusOK, "GET", "/jobs/"+jobID, nil)
		if job["stage"] == "parse" {
			break
		}
		if job["status"] != "pending" && job["status"] != "running" {
			t.Fatalf("job ended %v at stage %v before the parse stage could be cancelled", job["status"], job["stage"])
		}
		if time.Now().After(deadline) {
			t.Fatalf("job did not reach the parse stage within %s", pdfSyncTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}

	cancelledAt := time.Now()
	srv.MustDo(http.StatusOK, "POST", "/jobs/"+jobID+"/cancel", nil)
	status, next := uploadPDF(t, srv, "POST", "/sources/upload", "small.pdf", textPDF("Small file after a cancel."), map[string]string{"sync": "true"})
	if status != http.StatusCreated {
		t.Fatalf("second upload: status %d, want 201: %v", status, next)
	}
	job, _ := srv.WaitJob(next["job_id"].(string), pdfSyncTimeout)
	waited := time.Since(cancelledAt)
	t.Logf("the second job completed %s after the cancel", waited.Round(time.Millisecond))
	if job["status"] != "completed" {
		t.Errorf("second job ended %v, want completed: %v", job["status"], job["error_message"])
	}
	if waited > limit {
		t.Errorf("second job completed %s after the cancel, want within %s: the parse stage did not stop on the cancel", waited, limit)
	}
	if cancelled := srv.MustDo(http.StatusOK, "GET", "/jobs/"+jobID, nil); cancelled["status"] != "cancelled" {
		t.Errorf("first job status = %v after the cancel, want cancelled", cancelled["status"])
	}
	src := srv.MustDo(http.StatusOK, "GET", "/sources/"+created["id"].(string), nil)
	if src["chunk_count"] != 0.0 {
		t.Errorf("cancelled source chunk_count = %v, want 0", src["chunk_count"])
	}
}

func TestPDFUploadRejectsInvalidFiles(t *testing.T) {
	srv := gndtest.Start(t, gndtest.Options{Configure: func(c *config.Config) { c.MaxUploadBytes = 1 << 20 }})
	manual := readGnuplot(t)
	if len(manual) <= 1<<20 {
		t.Fatalf("gnuplot.pdf has %d bytes, want more than the 1 MiB limit of this test", len(manual))
	}
	cases := []struct {
		name    string
		data    []byte
		status  int
		message string // a part of the error
	}{
		{"HTML page", []byte("<!DOCTYPE html>\n<html><body><p>Not a document</p></body></html>\n"), http.StatusBadRequest, "not a PDF"},
		{"empty file", []byte{}, http.StatusBadRequest, "not a PDF"},
		{"over the limit", manual, http.StatusRequestEntityTooLarge, "larger than the limit of 1048576 bytes"},
		{"over the multipart allowance", append(bytes.Clone(manual), make([]byte, 2<<20)...), http.StatusRequestEntityTooLarge, "larger than the limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := uploadPDF(t, srv, "POST", "/sources/upload", "upload.pdf", c.data, map[string]string{"sync": "true"})
			if status != c.status {
				t.Errorf("status %d, want %d: %v", status, c.status, body)
			}
			if msg, _ := body["error"].(string); !strings.Contains(msg, c.message) {
				t.Errorf("error = %q, want it to contain %q", msg, c.message)
			}
		})
	}

	t.Run("missing file field", func(t *testing.T) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		gndtest.Must(t, w.WriteField("name", "no file"), "write name field")
		gndtest.Must(t, w.Close(), "close multipart body")
		status, raw := srv.DoRaw("POST", "/sources/upload", buf.Bytes(), map[string]string{"Content-Type": w.FormDataContentType()})
		if status != http.StatusBadRequest {
			t.Errorf("status %d, want 400: %s", status, raw)
		}
		if !strings.Contains(string(raw), "file is required") {
			t.Errorf("body %s does not say that the file is required", raw)
		}
	})

	list := srv.MustDo(http.StatusOK, "GET", "/sources", nil)
	if list["total"] != 0.0 {
		t.Errorf("GET /sources total = %v after rejected uploads, want 0", list["total"])
	}
}

// uploadPDF sends data as the multipart field "file" with the given extra
// form fields and returns the status and the decoded JSON body.
func uploadPDF(t *testing.T, srv *gndtest.Server, method, path, filename string, data []byte, fields map[string]string) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		gndtest.Must(t, w.WriteField(k, v), "write form field "+k)
	}
	part, err := w.CreateFormFile("file", filename)
	gndtest.Must(t, err, "create file part")
	_, err = part.Write(data)
	gndtest.Must(t, err, "write file part")
	gndtest.Must(t, w.Close(), "close multipart body")
	status, raw := srv.DoRaw(method, path, buf.Bytes(), map[string]string{"Content-Type": w.FormDataContentType()})
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: response is not a JSON object: %v: %s", method, path, err, raw)
	}
	return status, out
}

func readGnuplot(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(testcorpus.Path(t, "pdf", "gnuplot.pdf"))
	gndtest.Must(t, err, "read gnuplot.pdf")
	return data
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// textPDF returns a PDF with one page per string, each drawn in Courier on
// one line. The strings must not contain parentheses or backslashes.
func textPDF(pages ...string) []byte {
	return buildPDF(pages, "")
}

// encryptedPDF returns a one-page PDF whose trailer names the standard
// security handler (RC4, 128-bit) with an unknown user password.
func encryptedPDF() []byte {
	key := "<" + strings.Repeat("5a", 32) + ">"
	return buildPDF([]string{"secret text"}, "<</Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O "+key+" /U "+key+">>")
}

// buildPDF writes a PDF 1.4 file with a classic cross-reference table. When
// encrypt is not empty it becomes the /Encrypt dictionary of the trailer.
func buildPDF(pages []string, encrypt string) []byte {
	widths := strings.TrimSpace(strings.Repeat("600 ", 95))
	objects := []string{
		"<</Type /Catalog /Pages 2 0 R>>",
		"", // the page tree, filled in below
		"<</Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 126 /Widths [" + widths + "]>>",
	}
	var kids []string
	for _, text := range pages {
		content := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", text)
		objects = append(objects, fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(content), content))
		contentID := len(objects)
		objects = append(objects, fmt.Sprintf("<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources <</Font <</F1 3 0 R>>>> /Contents %d 0 R>>", contentID))
		kids = append(kids, fmt.Sprintf("%d 0 R", len(objects)))
	}
	objects[1] = fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), len(kids))
	trailer := ""
	if encrypt != "" {
		objects = append(objects, encrypt)
		id := "<0123456789abcdef0123456789abcdef>"
		trailer = fmt.Sprintf(" /Encrypt %d 0 R /ID [%s %s]", len(objects), id, id)
	}

	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, obj := range objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, obj)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<</Size %d /Root 1 0 R%s>>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, trailer, xref)
	return out.Bytes()
}
