// Package manifest loads Kubernetes objects from YAML and JSON content.
// Every object keeps its file and the line where it starts; every problem becomes an error
// entry naming the file and line, and everything else is still loaded.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/kubeapi"
	"github.com/akscheck/akscheck/internal/subject"
)

// DefaultMaxFileSize is the largest file read unless Options say otherwise.
const DefaultMaxFileSize = 32 << 20

// Stdin is the path that means standard input.
const Stdin = "-"

// Options tune loading.
type Options struct {
	// Namespace places namespaced objects that set no namespace (kubectl's --namespace).
	Namespace string
	// MaxFileSize is the largest file, in bytes, that the loaders read; 0 means
	// DefaultMaxFileSize.
	MaxFileSize int64
	// Input is the input kind recorded for the objects (manifest unless a renderer says so).
	Input subject.InputKind
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Shared, when set, gives the objects of a load one copy of the maps they hold alike
	// (subject.Shared); load.Load sets one for all its files.
	Shared *subject.Shared
	// Pack keeps the typed bodies of the kinds worth it packed once decoded
	// (subject.WorthPacking): a scan's engine decodes each again while its checks judge it.
	Pack bool
}

func (o Options) input() subject.InputKind {
	if o.Input == "" {
		return subject.InputManifest
	}
	return o.Input
}

// LoadBytes parses one file's content. source names it in locations and errors.
func LoadBytes(source string, data []byte, opts Options) *subject.Scan {
	return loadBytes(source, data, opts, true)
}

// loadBytes is LoadBytes; stream false parses every document with its own parser, as the
// files that loadStream leaves alone are (FuzzStream compares the two).
func loadBytes(source string, data []byte, opts Options, stream bool) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	in := subject.Input{Kind: opts.input(), Source: source}
	if i := bytes.IndexByte(data[:min(len(data), 8192)], 0); i >= 0 {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: source, Line: lineAt(data, i),
			Message: "binary file (NUL byte); not a YAML or JSON manifest"})
		scan.Inputs = append(scan.Inputs, in)
		return scan
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var docs []document
	var streamErr *subject.LoadError
	ok := false
	if isJSON(source, data) {
		docs, streamErr, ok = splitJSON(source, data)
	}
	if !ok {
		docs, streamErr = splitDocuments(data), nil
		stream = stream && !parallel(len(docs))
	} else {
		stream = false
	}
	parts := make([]*subject.Scan, len(docs))
	load := func(i int) {
		parts[i] = &subject.Scan{}
		l := &docLoader{source: source, opts: opts, scan: parts[i]}
		l.document(docs[i])
	}
	if !stream || !loadStream(data, docs, load) {
		parseDocs(len(docs), load)
	}
	for _, p := range parts {
		scan.Objects = append(scan.Objects, p.Objects...)
		scan.Errors = append(scan.Errors, p.Errors...)
		scan.Skipped += p.Skipped
	}
	if streamErr != nil {
		scan.Errors = append(scan.Errors, *streamErr)
	}
	in.Objects = len(scan.Objects)
	scan.Inputs = append(scan.Inputs, in)
	return scan
}

func lineAt(data []byte, offset int) int { return bytes.Count(data[:offset], []byte("\n")) + 1 }

// parallelThreshold is the number of documents from which a file is parsed on all cores.
const parallelThreshold = 64

// parallel reports whether a file of n documents is parsed on all cores.
func parallel(n int) bool { return n >= parallelThreshold && runtime.GOMAXPROCS(0) >= 2 }

// parseDocs calls parse for each document index, on GOMAXPROCS workers for large streams.
// Results are written by index, so the order of objects and errors does not change.
func parseDocs(n int, parse func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if !parallel(n) {
		for i := 0; i < n; i++ {
			parse(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				parse(i)
			}
		}()
	}
	wg.Wait()
}

// isJSON tells a JSON file: named .json, or starting with an object whose first key is quoted
// (a YAML flow mapping such as "{a: 1}" has a plain key).
func isJSON(source string, data []byte) bool {
	rest := bytes.TrimLeft(data, " \t\r\n")
	if len(rest) > 0 && rest[0] == '[' && strings.HasSuffix(strings.ToLower(source), ".json") {
		return true
	}
	if len(rest) == 0 || rest[0] != '{' {
		return false
	}
	if strings.HasSuffix(strings.ToLower(source), ".json") {
		return true
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	return len(rest) > 0 && (rest[0] == '"' || rest[0] == '}')
}

// splitJSON cuts a JSON stream (concatenated values or one per line, as kubectl reads them)
// into documents, each with its line. The stream stops at the first malformed value: that
// is the returned error, at its line. ok is false for JSON documents separated by YAML
// markers ("---"), which are a YAML stream.
func splitJSON(source string, data []byte) (docs []document, _ *subject.LoadError, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		start := int(dec.InputOffset())
		start += len(data[start:]) - len(bytes.TrimLeft(data[start:], " \t\r\n"))
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return docs, nil, true
		}
		if err != nil {
			if isMarker(data[start:], "---") || isMarker(data[start:], "...") {
				return nil, nil, false
			}
			return docs, jsonStreamError(source, data, start, len(docs), err), true
		}
		line := lineAt(data, start)
		n, err := jsonNode(raw, line-1)
		if err != nil {
			return docs, &subject.LoadError{Source: source, Line: line, Message: "malformed JSON: " + err.Error()}, true
		}
		docs = append(docs, document{text: raw, line: line, node: n})
	}
}

func jsonStreamError(source string, data []byte, start, n int, err error) *subject.LoadError {
	at := start
	var se *json.SyntaxError
	if errors.As(err, &se) {
		at = min(max(int(se.Offset)-1, start), len(data))
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "truncated: the file ends inside the JSON document that starts here"
	case n > 0 && start < len(data) && data[start] != '{' && data[start] != '[':
		msg = "trailing data after a JSON document (" + msg + ")"
	}
	return &subject.LoadError{Source: source, Line: lineAt(data, at), Message: "malformed JSON: " + msg}
}

// document is one YAML document of a stream with the line its text starts on.
type document struct {
	text []byte
	line int
	// node is the parsed JSON document, with file lines: JSON is read by a JSON parser
	// (YAML's rejects escapes such as "\/").
	node *yaml.Node
}

// splitDocuments cuts a YAML stream at its document markers ("---" and "..." at the start of a
// line), so that one malformed document does not hide the ones after it.
func splitDocuments(data []byte) []document {
	var docs []document
	start, startLine, line := 0, 1, 1
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			next = pos + end + 1
		}
		if ends, inline := documentMarker(data[pos:next]); ends {
			docs = append(docs, document{text: data[start:pos], line: startLine})
			start, startLine = next, line+1
			if inline {
				start, startLine = pos+3, line
			}
		}
		pos = next
		line++
	}
	docs = append(docs, document{text: data[start:], line: startLine})
	return docs
}

// documentMarker reports whether a line ends the document before it ("---" or "..." at its
// start; LoadReader cuts at the same lines), and whether the next document starts on that
// line, after its "---" ("--- {inline: doc}").
func documentMarker(line []byte) (ends, inline bool) {
	if !isMarker(line, "---") && !isMarker(line, "...") {
		return false, false
	}
	return true, isMarker(line, "---") && len(bytes.TrimSpace(line)) > 3
}

func isMarker(line []byte, marker string) bool {
	if !bytes.HasPrefix(line, []byte(marker)) {
		return false
	}
	rest := line[len(marker):]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

type docLoader struct {
	source string
	opts   Options
	scan   *subject.Scan
}

func (l *docLoader) fail(line int, format string, args ...any) {
	l.scan.Errors = append(l.scan.Errors, subject.LoadError{Source: l.source, Line: line, Message: fmt.Sprintf(format, args...)})
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// document parses one document; a panic in a parser becomes an error entry.
func (l *docLoader) document(d document) {
	if isBlank(d.text) {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			l.fail(d.line, "internal error while parsing this document: %v", r)
		}
	}()
	if !utf8.Valid(d.text) {
		bad := 0
		for i := 0; i < len(d.text); {
			r, size := utf8.DecodeRune(d.text[i:])
			if r == utf8.RuneError && size == 1 {
				bad = i
				break
			}
			i += size
		}
		l.fail(d.line+lineAt(d.text, bad)-1, "invalid UTF-8 in the document; not parsed")
		return
	}
	if d.node != nil {
		l.node(d.node, 0, len(d.text))
		return
	}
	var root yaml.Node
	if err := yaml.Unmarshal(d.text, &root); err != nil {
		line, msg := d.line, err.Error()
		if m := yamlLineRE.FindStringSubmatchIndex(msg); m != nil {
			n, _ := strconv.Atoi(msg[m[2]:m[3]])
			line = d.line + n - 1
			msg = msg[:m[0]] + "line " + strconv.Itoa(line) + msg[m[1]:]
		}
		l.fail(line, "malformed YAML: %s", strings.TrimPrefix(msg, "yaml: "))
		return
	}
	if len(root.Content) == 0 {
		return
	}
	l.node(root.Content[0], d.line-1, len(d.text))
}

// isBlank reports a document of blank and comment lines only. It is called twice per
// document (loadStream, then the loader), so it reads the lines in place (bytes.Split was
// 4% of a scan's allocations).
func isBlank(text []byte) bool {
	for len(text) > 0 {
		ln := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			ln, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		if t := bytes.TrimSpace(ln); len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

// node loads one object node, unpacking lists. offset turns the node's lines into file lines.
func (l *docLoader) node(n *yaml.Node, offset, docSize int) {
	line := n.Line + offset
	if n.Kind != yaml.MappingNode {
		l.scan.Skipped++
		return
	}
	apiVersion, kind := scalarField(n, "apiVersion"), scalarField(n, "kind")
	if apiVersion == "" || kind == "" {
		l.scan.Skipped++
		return
	}
	if strings.HasSuffix(kind, "List") {
		if items := field(n, "items"); items != nil && items.Kind == yaml.SequenceNode {
			for _, it := range items.Content {
				l.node(it, offset, docSize)
			}
			return
		}
	}
	if want, bad := kubeapi.Mismatch(apiVersion, kind); bad {
		// The API server would reject it: judging it as the kind it names would pass
		// what no cluster runs, and leaving it untyped would pass it in silence.
		l.fail(line, "%s %s: apiVersion %s has no kind %s (want %s); not evaluated", kind, nameOf(n), apiVersion, kind, want)
		return
	}
	if typed := l.decodeDirect(n, apiVersion, kind); typed != nil {
		l.add(&subject.Object{APIVersion: apiVersion, Kind: kind, Input: l.opts.input(),
			Source: subject.Location{File: l.source, Line: line}, Typed: typed, Meta: subject.MetaOf(typed)})
		return
	}
	budget := 16*docSize + 1<<20
	raw, err := toJSON(n, budget, offset)
	if err != nil {
		errLine := line
		var dup duplicateKeyError
		if errors.As(err, &dup) {
			errLine = dup.second
		}
		l.fail(errLine, "%s %s: %v", kind, nameOf(n), err)
		return
	}
	// What a Secret's values look like is kept (never the values) for the checks that tell
	// credentials from URLs; then a Secret of an apiVersion without a Go type, which stays
	// untyped, has its values blanked now.
	secretValues := subject.ClassifySecret(kind, raw)
	raw = subject.RedactSecretJSON(kind, raw)
	obj := &subject.Object{APIVersion: apiVersion, Kind: kind, Input: l.opts.input(),
		Source: subject.Location{File: l.source, Line: line}}
	// Objects of removed apiVersions are decoded as their replacement (APIVersion stays as
	// written, for the removed-api check to name it).
	typed, err := subject.DecodeTyped(apiVersion, kind, raw)
	if err != nil {
		var unbounded *subject.QuantityError
		if errors.As(err, &unbounded) {
			qline := line
			if found := lineOfPath(n, unbounded.Keys, func(*yaml.Node) bool { return true }); found > 0 {
				qline = found + offset
			}
			l.fail(qline, "%s %s: %v", kind, nameOf(n), unbounded)
			return
		}
		if !isQuantityError(err) {
			l.fail(lineOfError(n, err, offset, line), "%s %s: %s", kind, nameOf(n), subject.DescribeDecodeError(err))
			return
		}
		if path, value, qline, ok := badQuantity(n); ok {
			l.fail(qline+offset, "%s %s: field %s: %s is not a quantity (want a number with an optional suffix, such as 500m or 1Gi)",
				kind, nameOf(n), path, value)
			return
		}
		l.fail(lineOfError(n, err, offset, line), "%s %s: %s", kind, nameOf(n), subject.DescribeDecodeError(err))
		return
	}
	if typed != nil {
		subject.RedactSecret(typed)
		obj.Typed = typed
		obj.Meta = subject.MetaOf(typed)
		// The typed value holds everything; dropping the JSON halves the memory of a scan
		// (and a Secret's values never leave the loader).
		obj.Extra = subject.NewExtra(nil, secretValues, nil)
	} else {
		obj.Extra = subject.NewExtra(raw, secretValues, nil)
	}
	if obj.Meta == nil {
		var head struct {
			Metadata metav1.ObjectMeta `json:"metadata"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			l.fail(lineOfError(n, err, offset, line), "%s %s: %s", kind, nameOf(n), subject.DescribeDecodeError(err))
			return
		}
		obj.Meta = &head.Metadata
	}
	l.add(obj)
}

// decodeDirect decodes an object of a typed kind straight from its node tree (fromnode.go),
// and returns nil when the JSON path must decide: Secrets, whose values are classified and
// blanked from the JSON, untyped and converted kinds, which keep or rewrite the JSON,
// and whatever the direct decoder gives up on, errors included (the JSON path names them).
func (l *docLoader) decodeDirect(n *yaml.Node, apiVersion, kind string) any {
	if strings.EqualFold(kind, "Secret") {
		return nil
	}
	typed := subject.NewTyped(apiVersion, kind)
	if typed == nil || subject.MetaOf(typed) == nil {
		return nil
	}
	if decodeNode(n, typed) != nil {
		return nil
	}
	return typed
}

// add places an object in its namespace and keeps it.
func (l *docLoader) add(obj *subject.Object) {
	obj.Namespace = obj.Meta.Namespace
	obj.NamespaceExplicit = obj.Namespace != ""
	if obj.Namespace == "" && !subject.IsClusterScoped(obj.Kind) {
		obj.Namespace = l.opts.Namespace
	}
	if subject.IsClusterScoped(obj.Kind) {
		obj.Namespace = ""
	}
	l.opts.Shared.Object(obj)
	if l.opts.Pack && subject.WorthPacking(obj.Kind) {
		obj.Pack()
	}
	l.scan.Objects = append(l.scan.Objects, obj)
}

func field(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalarField(n *yaml.Node, key string) string {
	if v := field(n, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

func nameOf(n *yaml.Node) string {
	if md := field(n, "metadata"); md != nil && md.Kind == yaml.MappingNode {
		if name := scalarField(md, "name"); name != "" {
			return strconv.Quote(name)
		}
	}
	return "(unnamed)"
}

// lineOfError finds the line of the field a decoding error names, or returns fallback. The
// error's path has no list indices, so among the list elements that hold the field, the one
// whose value has the kind the error names is taken (the second container's port, not the
// first's).
func lineOfError(n *yaml.Node, err error, offset, fallback int) int {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field == "" {
		return fallback
	}
	path := strings.Split(te.Field, ".")
	if found := lineOfPath(n, path, func(leaf *yaml.Node) bool { return hasJSONKind(leaf, te.Value) }); found > 0 {
		return found + offset
	}
	if found := lineOfPath(n, path, func(*yaml.Node) bool { return true }); found > 0 {
		return found + offset
	}
	return fallback
}

// hasJSONKind reports whether a YAML value decodes to the JSON kind an UnmarshalTypeError
// names ("string", "number", "bool", "object", "array", "number -1").
func hasJSONKind(n *yaml.Node, kind string) bool {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	kind, _, _ = strings.Cut(kind, " ")
	switch n.Kind {
	case yaml.MappingNode:
		return kind == "object"
	case yaml.SequenceNode:
		return kind == "array"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return kind == "number"
		case "!!bool":
			return kind == "bool"
		case "!!null":
			return kind == "null"
		default:
			return kind == "string"
		}
	}
	return false
}

// lineOfPath follows a dotted field path without list indices through mappings; at a list it
// takes the first element in which the rest of the path exists and its value satisfies leaf.
func lineOfPath(n *yaml.Node, path []string, leaf func(*yaml.Node) bool) int {
	return lineOfPathDepth(n, path, leaf, 0)
}

func lineOfPathDepth(n *yaml.Node, path []string, leaf func(*yaml.Node) bool, depth int) int {
	for n.Kind == yaml.AliasNode && n.Alias != nil && depth <= maxDepth {
		n, depth = n.Alias, depth+1
	}
	if depth > maxDepth {
		return 0
	}
	if len(path) == 0 {
		if !leaf(n) {
			return 0
		}
		return n.Line
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == path[0] {
				return lineOfPathDepth(n.Content[i+1], path[1:], leaf, depth+1)
			}
		}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			if l := lineOfPathDepth(e, path, leaf, depth+1); l > 0 {
				return l
			}
		}
	}
	return 0
}
