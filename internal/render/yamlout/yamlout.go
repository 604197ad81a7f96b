// Package yamlout renders the report as YAML: the same document as the JSON contract, with its
// fields in the contract's order.
package yamlout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

// Render writes the report as YAML. The JSON document is read as YAML (JSON is YAML) into
// nodes, which keep its key order, and written in block style.
func Render(w io.Writer, rep *report.Report) error {
	data, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	return FromJSON(w, data)
}

// FromJSON writes a JSON document as YAML the way Render writes the report (the upgrade plan
// is written with it too): key order kept, block style, unsafe characters escaped.
func FromJSON(w io.Writer, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(escapeDELAndC1(data), &doc); err != nil {
		return fmt.Errorf("converting report to YAML: %w", err)
	}
	blockStyle(&doc)
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("converting report to YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("converting report to YAML: %w", err)
	}
	if _, err := w.Write(escapeUnsafe(out.Bytes())); err != nil {
		return fmt.Errorf("writing YAML report: %w", err)
	}
	return nil
}

// blockStyle drops the flow style and the quotes that the JSON spelling gave every node;
// the encoder quotes the strings that need it. A string with a control, bidi or invisible
// character is double-quoted, the one style with escapes.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && strings.IndexFunc(n.Value, sanitize.Unsafe) >= 0 {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// escapeDELAndC1 writes DEL and the C1 controls, which encoding/json leaves as they are and
// the YAML parser rejects, as JSON escapes (JSON's structure is ASCII: they are in strings).
func escapeDELAndC1(data []byte) []byte {
	isC := func(r rune) bool { return r == 0x7f || (r >= 0x80 && r <= 0x9f) }
	if !bytes.ContainsFunc(data, isC) {
		return data
	}
	var b bytes.Buffer
	for _, r := range string(data) {
		if isC(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.Bytes()
}

// escapeUnsafe writes the unsafe characters that the encoder leaves as they are (it escapes
// the controls, not the bidi and format characters) as YAML escapes, \u202e: they can only be
// in the double-quoted strings of blockStyle, so the document keeps the exact values.
func escapeUnsafe(doc []byte) []byte {
	if !bytes.ContainsFunc(doc, func(r rune) bool { return r >= utf8.RuneSelf && sanitize.Unsafe(r) }) {
		return doc
	}
	var b bytes.Buffer
	for _, r := range string(doc) {
		if r >= utf8.RuneSelf && sanitize.Unsafe(r) {
			b.WriteString(sanitize.Escape(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.Bytes()
}
