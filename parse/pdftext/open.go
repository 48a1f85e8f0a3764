package pdftext

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ledongthuc/pdf"
)

// headerSearchLimit is how far into the data a reader looks for the %PDF- header.
const headerSearchLimit = 1024

// readerHeader is the header line that the PDF reader library accepts: it rejects
// versions after 1.7 and header lines that go on after the version. The header is
// a comment that nothing else refers to, so it can be replaced.
var readerHeader = []byte("%PDF-1.7\n")

// view is the part of an upload that is passed to the PDF reader: the bytes from the
// %PDF- header to the last %%EOF marker, with the header line rewritten when needed.
// It counts the bytes read and raises errReadLimit past maxRead, which ends reading a
// damaged file whose references form a loop.
type view struct {
	data    []byte
	header  []byte // replaces the start of data, or nil
	read    int64
	maxRead int64
}

// errReadLimit is raised from ReadAt when the reader has read more than maxRead bytes.
var errReadLimit = errors.New("reading stopped after too many bytes; the file's cross-references probably form a loop")

func (v *view) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read at negative offset %d", off)
	}
	if off >= int64(len(v.data)) {
		return 0, io.EOF
	}
	n := copy(p, v.data[off:])
	if off < int64(len(v.header)) {
		copy(p[:n], v.header[off:])
	}
	v.read += int64(n)
	if v.read > v.maxRead {
		panic(errReadLimit)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// newView finds the PDF inside data. CheckHeader must have accepted data.
func newView(data []byte) *view {
	start := headerOffset(data)
	data = data[start:]
	if end := bytes.LastIndex(data, []byte("%%EOF")); end >= 0 {
		data = data[:end+len("%%EOF")]
	}
	v := &view{data: data, maxRead: readBudget(len(data))}
	ok := len(data) > 8 && bytes.HasPrefix(data, []byte("%PDF-1.")) &&
		data[7] >= '0' && data[7] <= '7' && (data[8] == '\r' || data[8] == '\n')
	if !ok && len(data) > len(readerHeader) {
		v.header = readerHeader
	}
	return v
}

// readBudget returns how many bytes the reader may read from a file of n bytes. The
// reader decompresses an object stream again for every object it takes from it, so
// healthy files are read several times over: extracting all 311 pages of the gnuplot
// 5.4 manual (1.3 MB, pdfTeX) reads 9.2 times its size.
func readBudget(n int) int64 {
	return 256<<20 + 200*int64(n)
}

// openReader opens the PDF with the reader library and maps its errors to ErrEncrypted
// and ErrMalformed.
func openReader(data []byte) (r *pdf.Reader, err error) {
	if err := checkObjectCounts(data); err != nil {
		return nil, err
	}
	v := newView(data)
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("%w: the reader failed: %v", ErrMalformed, p)
		}
	}()
	r, err = pdf.NewReader(v, int64(len(v.data)))
	if err == nil {
		return r, nil
	}
	if errors.Is(err, pdf.ErrInvalidPassword) {
		return nil, fmt.Errorf("%w: the document needs a password to open; upload a copy saved without a password", ErrEncrypted)
	}
	if bytes.Contains(data, []byte("/Encrypt")) {
		return nil, fmt.Errorf("%w: the document uses encryption that cannot be read (%v); upload a copy saved without a password", ErrEncrypted, err)
	}
	if !bytes.Contains(data, []byte("%%EOF")) {
		return nil, fmt.Errorf("%w: no %%%%EOF marker, the file is probably truncated (%v)", ErrMalformed, err)
	}
	return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
}
