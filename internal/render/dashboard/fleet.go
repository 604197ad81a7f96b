package dashboard

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/render/htmlout"
	"github.com/akscheck/akscheck/internal/render/sanitize"
)

//go:embed fleet.html.tmpl
var fleetTemplate string

// FleetData is what the fleet page (/fleet) shows: the clusters sharing the history ranked
// by score, the items failing in several of them, and the worst open findings across them.
type FleetData struct {
	// Clusters are ranked worst first (history.Store.Fleet).
	Clusters []history.ClusterScore
	Items    []history.FleetItem
	Findings []history.Finding
	// The Truncated flags say a list reached its limit.
	ItemsTruncated, FindingsTruncated bool
	// Own is the cluster of the server showing the page ("" when unknown).
	Own     string
	Catalog *catalog.Catalog
}

type fleetView struct {
	CSP                               string
	BaseStyle, Style                  template.CSS
	Own                               string
	Clusters                          []clusterView
	Items                             []itemView
	Findings                          []fleetFindingView
	ItemsTruncated, FindingsTruncated bool
}

type clusterView struct {
	Rank                                                      int
	Name, Score, Started                                      string
	Own                                                       bool
	Critical, High, Findings, ItemsFailing, ItemsNotEvaluated int
}

type itemView struct {
	Item, Title, Section string
	Failing, Clusters    int
	Everywhere           bool
	FailingIn            []string
}

type fleetFindingView struct {
	Cluster string
	changeView
}

// RenderFleet writes the fleet page. Every value read from the clusters (their names
// included: a configured name is anybody's text) is escaped.
func RenderFleet(w io.Writer, d FleetData) error {
	tmpl, err := templates()
	if err != nil {
		return err
	}
	if _, err := tmpl.New("fleet").Parse(fleetTemplate); err != nil {
		return fmt.Errorf("parsing the fleet template: %w", err)
	}
	v := fleetView{CSP: CSP(), BaseStyle: template.CSS(htmlout.Style()), Style: template.CSS(style), Own: sanitize.Text(d.Own),
		ItemsTruncated: d.ItemsTruncated, FindingsTruncated: d.FindingsTruncated}
	for i, c := range d.Clusters {
		score := "-"
		if c.Score != nil {
			score = num(*c.Score)
		}
		v.Clusters = append(v.Clusters, clusterView{Rank: i + 1, Name: sanitize.Text(c.Cluster), Score: score, Started: stamp(c.Started),
			Own: d.Own != "" && c.Cluster == d.Own, Critical: c.Critical, High: c.High, Findings: c.Findings,
			ItemsFailing: c.ItemsFailing, ItemsNotEvaluated: c.ItemsNotEvaluated})
	}
	for _, it := range d.Items {
		iv := itemView{Item: sanitize.Text(it.Item), Section: sanitize.Text(it.Section), Failing: it.Failing, Clusters: it.Clusters,
			Everywhere: it.Clusters > 1 && it.Failing == it.Clusters}
		if d.Catalog != nil {
			if ci, ok := d.Catalog.Item(it.Item); ok {
				iv.Title = ci.Title
			}
		}
		for _, c := range it.FailingIn {
			iv.FailingIn = append(iv.FailingIn, sanitize.Text(c))
		}
		v.Items = append(v.Items, iv)
	}
	for i, cv := range changes(d.Findings) {
		v.Findings = append(v.Findings, fleetFindingView{Cluster: sanitize.Text(d.Findings[i].Cluster), changeView: cv})
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "fleet", v); err != nil {
		return fmt.Errorf("rendering the fleet page: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the fleet page: %w", err)
	}
	return nil
}
