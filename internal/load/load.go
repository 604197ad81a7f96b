// Package load reads the inputs of a scan: it walks the given paths, tells each file's kind by
// its name and content (never by its folder), and hands it to the loader of that kind. Every
// loader returns a subject.Scan; this package merges them into one.
package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// Options tune every loader.
type Options struct {
	// Manifest tunes the Kubernetes manifest loader; its Stdin is read for "-".
	Manifest manifest.Options
}

// FileKind is the kind of input a file holds.
type FileKind int

// File kinds.
const (
	// KindManifest is Kubernetes YAML or JSON (and any YAML/JSON that is nothing else: its
	// documents are skipped and counted).
	KindManifest FileKind = iota
	// KindIgnored files are not read (no known extension or name).
	KindIgnored
)

// Load reads every path: files, directories (recursively) and "-" for standard input.
func Load(ctx context.Context, paths []string, opts Options) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: p, Message: err.Error()})
			break
		}
		switch info, err := os.Stat(p); {
		case p == manifest.Stdin:
			scan.Merge(loadStdin(opts))
		case err != nil:
			scan.Errors = append(scan.Errors, subject.LoadError{Source: p, Message: describeFSError(err)})
		case info.IsDir():
			scan.Merge(loadDir(ctx, p, opts))
		default:
			scan.Merge(loadFiles(ctx, []string{p}, opts, true))
		}
	}
	return scan
}

func loadStdin(opts Options) *subject.Scan {
	data, err := readLimited(opts.Manifest.Stdin, maxSize(opts))
	if err != nil {
		return &subject.Scan{Errors: []subject.LoadError{{Source: "<stdin>", Message: err.Error()}}}
	}
	return loadContent("<stdin>", data, KindManifest, opts)
}

// loadDir walks a directory. Folders whose name starts with "." (.git, .github) are skipped.
func loadDir(ctx context.Context, root string, opts Options) *subject.Scan {
	scan := &subject.Scan{}
	var files []string
	walkErr := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: path, Message: describeFSError(err)})
			return nil
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	if walkErr != nil {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: root, Message: walkErr.Error()})
	}
	sort.Strings(files)
	scan.Merge(loadFiles(ctx, files, opts, false))
	return scan
}

// loadFiles loads files by kind. explicit files (named on the command line) are read even
// without a known extension, as manifests.
func loadFiles(ctx context.Context, files []string, opts Options, explicit bool) *subject.Scan {
	scan := &subject.Scan{}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		kind := kindByName(f)
		if kind == KindIgnored {
			if !explicit {
				continue
			}
			kind = KindManifest
		}
		data, err := readFile(f, maxSize(opts))
		if err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: f, Message: err.Error()})
			continue
		}
		scan.Merge(loadContent(f, data, kind, opts))
	}
	return scan
}

// kindByName tells a file's kind from its name alone.
func kindByName(path string) FileKind {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return KindManifest
	}
	return KindIgnored
}

// loadContent hands a file's content to the loader of its kind, looking at the content of
// JSON to tell the kinds that share the extension apart.
func loadContent(source string, data []byte, kind FileKind, opts Options) *subject.Scan {
	if kind == KindManifest && looksLikeJSON(data) {
		kind = sniffJSON(data)
	}
	switch kind {
	case KindManifest:
		s := manifest.LoadBytes(source, data, opts.Manifest)
		s.Evidence = map[catalog.Evidence]bool{catalog.Manifest: true}
		return s
	}
	return &subject.Scan{}
}

func looksLikeJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// jsonShape is the top level of a JSON document: its keys, or those of its first element when
// it is an array or a {"value": [...]} list.
type jsonShape map[string]json.RawMessage

func (s jsonShape) has(keys ...string) bool {
	for _, k := range keys {
		if _, ok := s[k]; !ok {
			return false
		}
	}
	return true
}

func (s jsonShape) str(key string) string {
	var v string
	_ = json.Unmarshal(s[key], &v)
	return v
}

func shapeOf(data []byte) jsonShape {
	var top jsonShape
	if json.Unmarshal(data, &top) == nil {
		if v, ok := top["value"]; ok && len(top) <= 2 {
			var list []jsonShape
			if json.Unmarshal(v, &list) == nil && len(list) > 0 {
				return list[0]
			}
		}
		return top
	}
	var list []jsonShape
	if json.Unmarshal(data, &list) == nil && len(list) > 0 {
		return list[0]
	}
	return nil
}

// sniffJSON tells the kind of a JSON document by its keys. Kubernetes objects, and JSON that
// is nothing akscheck knows, are manifests.
func sniffJSON(data []byte) FileKind {
	shape := shapeOf(data)
	if shape == nil || shape.has("apiVersion", "kind") {
		return KindManifest
	}
	return KindManifest
}

func maxSize(opts Options) int64 {
	if opts.Manifest.MaxFileSize > 0 {
		return opts.Manifest.MaxFileSize
	}
	return manifest.DefaultMaxFileSize
}

func readFile(path string, limit int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, errors.New(describeFSError(err))
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("file is %d bytes, larger than the %d-byte limit (--max-file-size); not read", info.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.New(describeFSError(err))
	}
	defer f.Close()
	return readLimited(f, limit)
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no standard input")
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("input is larger than the %d-byte limit (--max-file-size)", limit)
	}
	return data, nil
}

func describeFSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot read: %v", pe.Err)
	}
	return err.Error()
}
