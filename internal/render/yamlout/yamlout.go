// Package yamlout renders the report as YAML: the same document as the JSON contract.
package yamlout

import (
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/report"
)

// Render writes the report as YAML.
func Render(w io.Writer, rep *report.Report) error {
	data, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	out, err := yaml.JSONToYAML(data)
	if err != nil {
		return fmt.Errorf("converting report to YAML: %w", err)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("writing YAML report: %w", err)
	}
	return nil
}
