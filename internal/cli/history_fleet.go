package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/render/sanitize"
)

// fleetDoc is what akscheck history --fleet prints: -o json prints it as is.
type fleetDoc struct {
	// Clusters are ranked by the score of their latest audit, worst first.
	Clusters []history.ClusterScore `json:"clusters"`
	Items    []history.FleetItem    `json:"items"`
	Findings []history.Finding      `json:"findings"`
}

func openHistory(ctx context.Context, f *historyFlags) (*history.Store, error) {
	if f.database != "" {
		return history.OpenReadOnly(ctx, f.database)
	}
	return history.OpenURLReadOnly(ctx, f.databaseURL)
}

// chooseCluster returns the cluster of the history to print: the one given, else the
// database's only cluster. A history of several clusters needs --cluster (or --fleet).
func chooseCluster(ctx context.Context, store *history.Store, given string) (string, error) {
	clusters, err := store.Clusters(ctx)
	if err != nil {
		return "", err
	}
	switch {
	case given != "":
		for _, c := range clusters {
			if c == given {
				return given, nil
			}
		}
		return "", fmt.Errorf("no cluster %q in the history %s (it holds %s)", given, store.File(), listClusters(clusters))
	case len(clusters) == 1:
		return clusters[0], nil
	case len(clusters) == 0:
		return "", nil // no audit yet: an empty history
	}
	return "", usageErr("the history %s holds %d clusters (%s): give --cluster, or --fleet", store.File(), len(clusters), listClusters(clusters))
}

// listClusters names the clusters for a message, the first ten.
func listClusters(clusters []string) string {
	if len(clusters) == 0 {
		return "none"
	}
	quoted := make([]string, 0, min(len(clusters), 10))
	for i, c := range clusters {
		if i == 10 {
			quoted = append(quoted, fmt.Sprintf("and %d more", len(clusters)-10))
			break
		}
		if c == "" {
			c = "(unnamed)"
		}
		quoted = append(quoted, fmt.Sprintf("%q", c))
	}
	return strings.Join(quoted, ", ")
}

// serverURL parses --server, never echoing a URL that holds a user or password.
func serverURL(server string) (*url.URL, error) {
	base, err := url.Parse(strings.TrimRight(server, "/"))
	if strings.Contains(server, "@") {
		// Not echoed: it holds a user and perhaps a password. The audit's API takes none.
		return nil, usageErr("--server: the audit's API takes no user or password in its URL")
	}
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, usageErr("--server %q: want the audit's address such as http://localhost:8090", server)
	}
	return base, nil
}

func (a *app) runFleet(ctx context.Context, w io.Writer, f *historyFlags) error {
	var doc fleetDoc
	var err error
	if f.server != "" {
		doc, err = fleetFromServer(ctx, f.server)
	} else {
		doc, err = fleetFromStore(ctx, f)
	}
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	return writeFleet(w, f.output, doc)
}

func fleetFromStore(ctx context.Context, f *historyFlags) (fleetDoc, error) {
	store, err := openHistory(ctx, f)
	if err != nil {
		return fleetDoc{}, err
	}
	defer store.Close()
	var doc fleetDoc
	if doc.Clusters, err = store.Fleet(ctx); err != nil {
		return fleetDoc{}, err
	}
	if doc.Items, err = store.FleetItems(ctx, audit.FleetItems); err != nil {
		return fleetDoc{}, err
	}
	if doc.Findings, err = store.FleetFindings(ctx, audit.FleetFindings); err != nil {
		return fleetDoc{}, err
	}
	return doc, nil
}

func fleetFromServer(ctx context.Context, server string) (fleetDoc, error) {
	base, err := serverURL(server)
	if err != nil {
		return fleetDoc{}, err
	}
	var doc fleetDoc
	if _, err := apiGet(ctx, base, "/api/v1/fleet", url.Values{}, &doc.Clusters); err != nil {
		return fleetDoc{}, err
	}
	if _, err := apiGet(ctx, base, "/api/v1/fleet/items", url.Values{"limit": {fmt.Sprint(audit.FleetItems)}}, &doc.Items); err != nil {
		return fleetDoc{}, err
	}
	if _, err := apiGet(ctx, base, "/api/v1/fleet/findings", url.Values{"limit": {fmt.Sprint(audit.FleetFindings)}}, &doc.Findings); err != nil {
		return fleetDoc{}, err
	}
	return doc, nil
}

func writeFleet(w io.Writer, format string, doc fleetDoc) error {
	return writeDoc(w, format, doc, fleetTable, fleetCSV, fleetMarkdown)
}

func fleetTable(w io.Writer, doc fleetDoc) error {
	fmt.Fprintf(w, "Clusters by score, worst first: %d\n", len(doc.Clusters))
	if len(doc.Clusters) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RANK\tCLUSTER\tSCORE\tCRITICAL\tHIGH\tFINDINGS\tITEMS FAILING\tNOT EVALUATED\tLATEST AUDIT")
		for i, c := range doc.Clusters {
			// Names are anybody's text: escaped for the terminal.
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", i+1, clusterText(c.Cluster), scoreText(c.Score), c.Critical, c.High,
				c.Findings, c.ItemsFailing, c.ItemsNotEvaluated, stamp(c.Started))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nItems failing across the fleet: %d\n", len(doc.Items))
	if len(doc.Items) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, it := range doc.Items {
			fmt.Fprintf(tw, "  %s\t%d of %d\t%s\n", it.Item, it.Failing, it.Clusters, clustersText(it.FailingIn))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nWorst open findings: %d\n", len(doc.Findings))
	if len(doc.Findings) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range doc.Findings {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", f.Severity, clusterText(f.Cluster), sanitize.Text(f.Check),
				sanitize.Text(findingObject(f)), stamp(f.FirstSeen), sanitize.Text(f.Message))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// fleetCSV writes one table: a row per cluster (record cluster, at its latest audit), per
// failing item (record item, subject the item, the clusters failing it) and per worst
// finding (record finding, at its first sighting).
func fleetCSV(w io.Writer, doc fleetDoc) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"record", "time", "cluster", "subject", "score", "failing", "check", "severity", "object", "message"})
	for _, c := range doc.Clusters {
		_ = cw.Write([]string{"cluster", stamp(c.Started), defuseCell(c.Cluster), "", scoreText(c.Score), fmt.Sprint(c.ItemsFailing),
			"", "", "", ""})
	}
	for _, it := range doc.Items {
		_ = cw.Write([]string{"item", "", defuseCell(strings.Join(it.FailingIn, ", ")), it.Item, "",
			fmt.Sprintf("%d/%d", it.Failing, it.Clusters), "", "", "", ""})
	}
	for _, f := range doc.Findings {
		_ = cw.Write([]string{"finding", stamp(f.FirstSeen), defuseCell(f.Cluster), "", "", "", defuseCell(f.Check), f.Severity,
			defuseCell(findingObject(f)), defuseCell(f.Message)})
	}
	cw.Flush()
	return cw.Error()
}

func fleetMarkdown(w io.Writer, doc fleetDoc) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Clusters by score, worst first: %d\n\n", len(doc.Clusters))
	if len(doc.Clusters) == 0 {
		b.WriteString("No audit.\n")
	} else {
		b.WriteString("| Rank | Cluster | Score | Critical | High | Findings | Items failing | Not evaluated | Latest audit |\n|---|---|---|---|---|---|---|---|---|\n")
		for i, c := range doc.Clusters {
			fmt.Fprintf(&b, "| %d | %s | %s | %d | %d | %d | %d | %d | %s |\n", i+1, mdCell(clusterText(c.Cluster)), scoreText(c.Score),
				c.Critical, c.High, c.Findings, c.ItemsFailing, c.ItemsNotEvaluated, stamp(c.Started))
		}
	}
	fmt.Fprintf(&b, "\n## Items failing across the fleet: %d\n\n", len(doc.Items))
	if len(doc.Items) > 0 {
		b.WriteString("| Item | Failing in | Clusters |\n|---|---|---|\n")
		for _, it := range doc.Items {
			fmt.Fprintf(&b, "| %s | %d of %d | %s |\n", mdCell(it.Item), it.Failing, it.Clusters, mdCell(clustersText(it.FailingIn)))
		}
	}
	fmt.Fprintf(&b, "\n## Worst open findings: %d\n\n", len(doc.Findings))
	if len(doc.Findings) > 0 {
		b.WriteString("| Severity | Cluster | Check | Object | First seen | Message |\n|---|---|---|---|---|---|\n")
		for _, f := range doc.Findings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdCell(f.Severity), mdCell(clusterText(f.Cluster)), mdCell(f.Check),
				mdCell(findingObject(f)), stamp(f.FirstSeen), mdCell(f.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clusterText is a cluster's name for the terminal: escaped, "(unnamed)" for the cluster of
// a history written before clusters had names and migrated without one.
func clusterText(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return sanitize.Text(name)
}

func clustersText(names []string) string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, clusterText(n))
	}
	return strings.Join(out, ", ")
}
