package manifest

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// loadStream parses a whole YAML file with one parser and calls load for each document of
// docs (splitDocuments' cut of the same data) in order, non-blank ones with their node tree
// (with file lines) in document.node for the time of the call. A parser per document costs
// about 2 KB of set-up each; one per file saves a third of the loader's bytes
// (BenchmarkDecode). Each document is loaded as soon as it is parsed, so that only one tree
// is held at a time. It returns false, and the caller loads the whole file again with a
// parser per document (which reports each document's problems at its own line and goes on
// with the next), unless the result is what the per-document parse gives:
//   - the file is valid UTF-8 without a byte-order mark past its start, a directive, a
//     "--- content" line or a line break other than \n and \r\n (the parser counts lines
//     at \r, NEL, LS and PS, splitDocuments at \n only);
//   - the stream parses without error (one malformed document stops a stream);
//   - each stream document starts in the line range of the next non-blank document, and
//     every non-blank document gets exactly one; blank ones parse to an empty null;
//   - every alias points into its own document (a stream's anchors outlive their document,
//     a document parsed alone does not see the ones before it).
func loadStream(data []byte, docs []document, load func(i int)) (ok bool) {
	if !plainStream(data) {
		return false
	}
	defer func() {
		// A parser panic is reported by the per-document path, for its document only.
		if recover() != nil {
			ok = false
		}
	}()
	// An alias needs an anchor: without both, no tree is walked ("*/5 * * * *" is common).
	hasAlias := bytes.IndexByte(data, '*') >= 0 && bytes.IndexByte(data, '&') >= 0
	dec := yaml.NewDecoder(bytes.NewReader(data))
	next := 0 // the first document not yet loaded
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || len(root.Content) != 1 {
			return false
		}
		n := root.Content[0]
		if emptyNull(n) {
			continue
		}
		for next < len(docs) && isBlank(docs[next].text) {
			load(next)
			next++
		}
		if next == len(docs) || n.Line < docs[next].line || n.Line > lastLine(docs[next]) {
			return false
		}
		if hasAlias && !aliasesWithin(n) {
			return false
		}
		docs[next].node = n
		load(next)
		docs[next].node = nil
		next++
	}
	for ; next < len(docs); next++ {
		if !isBlank(docs[next].text) {
			return false
		}
		load(next)
	}
	return true
}

// plainStream reports whether data holds nothing that parses differently as one stream than
// as documents cut at their markers.
func plainStream(data []byte) bool {
	if !utf8.Valid(data) || bytes.Contains(data, []byte("\ufeff")) ||
		bytes.Contains(data, []byte("\u0085")) || bytes.Contains(data, []byte("\u2028")) || bytes.Contains(data, []byte("\u2029")) {
		return false
	}
	for pos := 0; pos < len(data); {
		next := len(data)
		if end := bytes.IndexByte(data[pos:], '\n'); end >= 0 {
			next = pos + end + 1
		}
		line := data[pos:next]
		if len(line) > 0 && line[0] == '%' {
			return false
		}
		if (isMarker(line, "---") || isMarker(line, "...")) && len(bytes.TrimSpace(line)) > 3 {
			return false
		}
		if i := bytes.IndexByte(line, '\r'); i >= 0 && (i+1 >= len(line) || line[i+1] != '\n' || bytes.IndexByte(line[i+1:], '\r') >= 0) {
			return false
		}
		pos = next
	}
	return true
}

// emptyNull reports the node of a blank document: a plain empty null, no tag, no anchor.
func emptyNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "" && n.Tag == "!!null" && n.Style == 0 && n.Anchor == ""
}

func lastLine(d document) int {
	return d.line + bytes.Count(bytes.TrimSuffix(d.text, []byte("\n")), []byte("\n"))
}

// aliasesWithin reports whether every alias in the tree of n points to a node of that tree.
func aliasesWithin(n *yaml.Node) bool {
	own := map[*yaml.Node]bool{}
	var aliases []*yaml.Node
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		own[n] = true
		if n.Kind == yaml.AliasNode {
			aliases = append(aliases, n)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	for _, a := range aliases {
		if !own[a.Alias] {
			return false
		}
	}
	return true
}
