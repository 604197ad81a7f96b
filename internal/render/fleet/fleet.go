// Package fleet renders the summary that ends a run over several clusters (every kube
// context, every AKS cluster of a subscription): one line per cluster with its score, its
// findings by severity, its failed items and its errors.
package fleet

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

// Cluster is one cluster's report in a fleet.
type Cluster struct {
	Name   string
	Report *report.Report
}

// line is one cluster of the JSON summary.
type line struct {
	Cluster  string         `json:"cluster"`
	Score    *float64       `json:"score,omitempty"`
	Findings map[string]int `json:"findings"`
	Items    map[string]int `json:"items"`
	Errors   int            `json:"errors"`
}

func lines(clusters []Cluster) []line {
	out := make([]line, len(clusters))
	for i, c := range clusters {
		s := c.Report.Summary
		out[i] = line{Cluster: c.Name, Score: s.Score, Findings: s.Findings, Items: s.Items, Errors: len(c.Report.Errors)}
	}
	return out
}

// JSON writes the summary as one line {"fleetSummary": [...]}, the last line of a JSON Lines
// stream of reports (the only line that is not a report).
func JSON(w io.Writer, clusters []Cluster) error {
	b, err := json.Marshal(map[string]any{"fleetSummary": lines(clusters)})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", sanitize.JSON(b))
	return err
}

// Table writes the summary as a table after the clusters' tables.
func Table(w io.Writer, clusters []Cluster) error {
	fmt.Fprintf(w, "\n== summary of %d clusters\n\n", len(clusters))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tSCORE\tCRITICAL\tHIGH\tMEDIUM\tLOW\tFAILED ITEMS\tERRORS")
	for _, s := range lines(clusters) {
		score := "-"
		if s.Score != nil {
			score = fmt.Sprintf("%.1f", *s.Score)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", sanitize.Text(s.Cluster), score, s.Findings["critical"], s.Findings["high"],
			s.Findings["medium"], s.Findings["low"], s.Items[report.StatusFail], s.Errors)
	}
	return tw.Flush()
}
