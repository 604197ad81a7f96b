// Package yamlout renders the report as YAML: the same document as the JSON contract, with its
// fields in the contract's order.
package yamlout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	yaml "go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/report"
)

// Render writes the report as YAML. The JSON document is read as YAML (JSON is YAML) into
// nodes, which keep its key order, and written in block style.
func Render(w io.Writer, rep *report.Report) error {
	data, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
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
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("writing YAML report: %w", err)
	}
	return nil
}

// blockStyle drops the flow style and the quotes that the JSON spelling gave every node;
// the encoder quotes the strings that need it.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
