package manifest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// A large file is read a batch of documents at a time (LoadReader): while a 51 MB file of
// 105,000 documents was decoded, its bytes were 51 of the 206 MB the heap held, and the
// collector's goal is twice what is held.
const (
	// batchDocuments and batchBytes bound a batch: enough documents for every core, few
	// enough bytes to matter little beside the objects decoded from them.
	batchDocuments = 256
	batchBytes     = 4 << 20
)

// ErrNotStreamed is LoadReader declining a file that is not a YAML stream (a binary file, JSON
// or a flow mapping at its start): read it whole with LoadBytes, which says what it is.
var ErrNotStreamed = errors.New("not a YAML stream")

// LoadReader loads a YAML file read from r a batch of documents at a time, with the result
// LoadBytes gives for its whole content: the documents are cut at the same markers, each
// keeps its lines, and each is decoded alone, as LoadBytes decodes the documents of a file
// too large for one parser. At most limit bytes are read (--max-file-size); size says how many
// were. It returns ErrNotStreamed for a file whose first 8 KiB hold a NUL byte or whose
// content starts like JSON (or does not start within them), having read from r: the caller
// reads the file again, whole. It returns the context's error when it ends the reading
// (checked between batches).
func LoadReader(ctx context.Context, source string, r io.Reader, limit int64, opts Options) (scan *subject.Scan, size int64, err error) {
	return LoadBuffered(ctx, source, bufio.NewReaderSize(r, 64<<10), limit, opts)
}

// LoadBuffered is LoadReader for a reader the caller keeps: when it declines the input
// (ErrNotStreamed), nothing has been consumed from r, which the caller reads on, whole
// (standard input cannot be read again). r must buffer at least 8 KiB.
func LoadBuffered(ctx context.Context, source string, r *bufio.Reader, limit int64, opts Options) (scan *subject.Scan, size int64, err error) {
	if r.Size() < headSize {
		return nil, 0, ErrNotStreamed
	}
	head, _ := r.Peek(headSize) // an error comes again at the first read
	if bytes.IndexByte(head, 0) >= 0 || looksLikeJSON(head) {
		return nil, 0, ErrNotStreamed
	}
	return loadBatches(ctx, source, r, limit, opts, batchDocuments, batchBytes)
}

// headSize is how much of a file LoadBytes looks at for a NUL byte.
const headSize = 8192

// looksLikeJSON is a start that LoadBytes may read as JSON (isJSON) or that another loader
// may claim (load's JSON sniffing): an object or an array, or a head of white space only
// (which cannot tell).
func looksLikeJSON(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	return len(t) == 0 && len(head) == headSize || len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// loadBatches is LoadReader with the batch bounds given (tests make them small).
func loadBatches(ctx context.Context, source string, r *bufio.Reader, limit int64, opts Options,
	maxDocs, maxBytes int) (*subject.Scan, int64, error) {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	b := &batcher{source: source, opts: opts, scan: scan, maxDocs: maxDocs, maxBytes: maxBytes}
	var (
		size      int64
		lineNo    = 1
		startLine = 1
		docStart  = 0 // where the current document starts in b.text
	)
	for first := true; ; first = false {
		line, readErr := readLine(r)
		size += int64(len(line))
		if size > limit {
			return nil, size, fmt.Errorf("input is larger than the %d-byte limit (--max-file-size)", limit)
		}
		if first {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		// splitDocuments' cut, a line at a time.
		if ends, inline := documentMarker(line); ends {
			b.add(docStart, startLine)
			if err := b.flushIfFull(ctx); err != nil {
				return nil, size, err
			}
			docStart, startLine = len(b.text), lineNo+1
			if inline {
				startLine = lineNo
				b.text = append(b.text, line[3:]...)
			}
		} else if len(line) > 0 {
			b.text = append(b.text, line...)
		}
		lineNo++
		if errors.Is(readErr, io.EOF) {
			break
		}
		if readErr != nil {
			return nil, size, fmt.Errorf("reading: %w", readErr)
		}
	}
	b.add(docStart, startLine)
	if err := b.flush(ctx); err != nil {
		return nil, size, err
	}
	scan.Inputs = append(scan.Inputs, subject.Input{Kind: opts.input(), Source: source, Objects: len(scan.Objects)})
	return scan, size, nil
}

// readLine reads up to and including the next \n, or to the end (io.EOF with what is left).
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	long := append([]byte(nil), line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = r.ReadSlice('\n')
		long = append(long, line...)
	}
	return long, err
}

// batcher gathers documents and decodes them a batch at a time, on every core.
type batcher struct {
	source            string
	opts              Options
	scan              *subject.Scan
	maxDocs, maxBytes int
	// text holds the batch's documents one after the other; spans says where each is.
	text  []byte
	spans []docSpan
}

type docSpan struct{ start, end, line int }

// add ends the document that starts at start in b.text.
func (b *batcher) add(start, line int) {
	b.spans = append(b.spans, docSpan{start: start, end: len(b.text), line: line})
}

func (b *batcher) flushIfFull(ctx context.Context) error {
	if len(b.spans) < b.maxDocs && len(b.text) < b.maxBytes {
		return nil
	}
	return b.flush(ctx)
}

// flush decodes the batch's documents, adds what they gave to the scan in their order, and
// starts a batch with text of its own (nothing decoded keeps the text, which is let go).
func (b *batcher) flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	docs := make([]document, len(b.spans))
	for i, s := range b.spans {
		docs[i] = document{text: b.text[s.start:s.end:s.end], line: s.line}
	}
	parts := make([]*subject.Scan, len(docs))
	parseDocs(len(docs), func(i int) {
		parts[i] = &subject.Scan{}
		l := &docLoader{source: b.source, opts: b.opts, scan: parts[i]}
		l.document(docs[i])
	})
	for _, p := range parts {
		b.scan.Objects = append(b.scan.Objects, p.Objects...)
		b.scan.Errors = append(b.scan.Errors, p.Errors...)
		b.scan.Skipped += p.Skipped
	}
	b.text, b.spans = make([]byte, 0, min(cap(b.text), b.maxBytes+b.maxBytes/4)), b.spans[:0]
	return nil
}
