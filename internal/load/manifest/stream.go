package manifest

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// parseStream parses a whole YAML file with one parser and gives each non-blank document of
// docs (splitDocuments' cut of the same data) its node tree, with file lines. A parser per
// document costs about 2 KB of set-up each; one per file saves 37-40% of the parse's bytes
// (BenchmarkDecode). It does so only where the result is what the per-document parse
// gives, and otherwise leaves docs untouched for the per-document path, which reports
// each document's problems at its own line and goes on with the next:
//   - the file is valid UTF-8 without a byte-order mark past its start, a directive, a
//     "--- content" line or a line break other than \n and \r\n (the parser counts lines
//     at \r, NEL, LS and PS, splitDocuments at \n only);
//   - the stream parses without error (one malformed document stops a stream);
//   - each stream document starts in the line range of the next non-blank document, and
//     every non-blank document gets exactly one; blank ones parse to an empty null;
//   - every alias points into its own document (a stream's anchors outlive their document,
//     a document parsed alone does not see the ones before it).
func parseStream(data []byte, docs []document) {
	if !plainStream(data) {
		return
	}
	nodes, ok := streamNodes(data, docs)
	if !ok {
		return
	}
	for i, n := range nodes {
		docs[i].node = n
	}
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

// streamNodes parses data as one stream and returns the root node of each non-blank
// document of docs, by index, or false when the stream and docs do not match one for one.
func streamNodes(data []byte, docs []document) (nodes []*yaml.Node, ok bool) {
	defer func() {
		// A parser panic is reported by the per-document path, for its document only.
		if recover() != nil {
			nodes, ok = nil, false
		}
	}()
	nodes = make([]*yaml.Node, len(docs))
	hasAlias := bytes.IndexByte(data, '*') >= 0
	dec := yaml.NewDecoder(bytes.NewReader(data))
	next := 0 // the first document not yet given a node
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || len(root.Content) != 1 {
			return nil, false
		}
		n := root.Content[0]
		if emptyNull(n) {
			continue
		}
		for next < len(docs) && isBlank(docs[next].text) {
			next++
		}
		if next == len(docs) || n.Line < docs[next].line || n.Line > lastLine(docs[next]) {
			return nil, false
		}
		if hasAlias && !aliasesWithin(n) {
			return nil, false
		}
		nodes[next] = n
		next++
	}
	for ; next < len(docs); next++ {
		if !isBlank(docs[next].text) {
			return nil, false
		}
	}
	return nodes, true
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
