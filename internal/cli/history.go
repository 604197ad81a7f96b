package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

type historyFlags struct {
	database, databaseURL, server string
	since, output                 string
	timeout                       time.Duration
	// cluster chooses a cluster of a shared history; fleet prints the fleet instead.
	cluster string
	fleet   bool
}

// historyAudits bounds the audits akscheck history shows (the latest ones), as the dashboard's.
const historyAudits = audit.DashboardAudits

func (a *app) historyCommand() *cobra.Command {
	f := &historyFlags{}
	cmd := &cobra.Command{
		Use:   "history --database FILE | --database-url URL | --server URL",
		Short: "Print the audit's score over time and the findings new and fixed since a time",
		Long: `history reads the history of akscheck serve --audit, from its database (--database,
an SQLite file opened read-only; or --database-url, PostgreSQL, default
$AKSCHECK_DATABASE_URL) or from its API (--server, the audit's --listen address), and prints
the score of each audit since --since with the score of each checklist section, then the
findings first seen since then and still open, and the findings fixed since then.
It never creates nor migrates a database.

When several clusters' audits share the history (a fleet on one PostgreSQL), --cluster
chooses one (default: the server's own through --server; from a database, its only
cluster), and --fleet prints the fleet instead: the clusters ranked by the score of their
latest audit, worst first, the checklist items failing across them, and the worst open
findings.`,
		Example: `  akscheck history --database ./akscheck-history.db --since 7d
  akscheck history --server http://localhost:8090 --since 2026-12-01T00:00:00Z -o json
  akscheck history --database-url "$AKSCHECK_DATABASE_URL" --fleet
  akscheck history --server http://localhost:8090 --cluster /subscriptions/.../managedClusters/prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runHistory(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.database, "database", "", "the audit's SQLite history file")
	// Not defaulted from the environment here: --help would print the password.
	fl.StringVar(&f.databaseURL, "database-url", "", "the audit's history in PostgreSQL: postgres://user:password@host:port/database (default: $AKSCHECK_DATABASE_URL)")
	fl.StringVar(&f.server, "server", "", "the audit's API instead of its database: the URL of akscheck serve --audit's --listen, such as http://localhost:8090")
	fl.StringVar(&f.since, "since", audit.DefaultSince, "a duration back from now such as 24h or 7d, or an RFC 3339 time")
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table, json, csv or markdown")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "budget of the whole read (database or server)")
	fl.StringVar(&f.cluster, "cluster", "", "the cluster of a shared history to print (its ARM resource ID or configured name; default: the server's, or the database's only cluster)")
	fl.BoolVar(&f.fleet, "fleet", false, "print the fleet of a shared history: clusters ranked by score, the items failing across them, the worst open findings")
	return cmd
}

// historyDoc is what akscheck history prints: -o json prints it as is.
type historyDoc struct {
	Since  time.Time         `json:"since"`
	Scores []historyPoint    `json:"scores"`
	New    []history.Finding `json:"new"`
	Fixed  []history.Finding `json:"fixed"`
}

// historyPoint is one audit's scores. Started is the audit's start in the database, the
// report's generatedAt through the API (which does not give the start).
type historyPoint struct {
	Started  time.Time              `json:"started"`
	Score    *float64               `json:"score,omitempty"`
	Sections []history.SectionScore `json:"sections,omitempty"`
}

func (a *app) runHistory(cmd *cobra.Command, f *historyFlags) error {
	if !slices.Contains([]string{"table", "json", "csv", "markdown"}, f.output) {
		return usageErr("--output %q: want table, json, csv or markdown", f.output)
	}
	if f.timeout <= 0 {
		return usageErr("--timeout %s: want a positive duration", f.timeout)
	}
	if f.databaseURL == "" && f.database == "" && f.server == "" {
		f.databaseURL = os.Getenv("AKSCHECK_DATABASE_URL")
	}
	given := 0
	for _, v := range []string{f.database, f.databaseURL, f.server} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return usageErr("history reads one history: give exactly one of --database, --database-url (or $AKSCHECK_DATABASE_URL) and --server")
	}
	if f.fleet && f.cluster != "" {
		return usageErr("--fleet prints every cluster: leave out --cluster")
	}
	if f.fleet && cmd.Flags().Changed("since") {
		return usageErr("--fleet prints each cluster's latest audit: leave out --since")
	}
	if f.cluster != "" {
		if err := audit.ValidateClusterName(f.cluster); err != nil {
			return usageErr("--cluster: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
	defer cancel()
	if f.fleet {
		return a.runFleet(ctx, cmd.OutOrStdout(), f)
	}
	since, err := audit.ParseSince(f.since, a.now())
	if err != nil {
		return usageErr("--%v", err)
	}
	var doc historyDoc
	if f.server != "" {
		doc, err = historyFromServer(ctx, f.server, f.cluster, since)
	} else {
		doc, err = historyFromStore(ctx, f, since)
	}
	if err != nil {
		// Nothing could be read: exit 2, as scan when every input fails.
		return &exitError{code: ExitUsage, err: err}
	}
	doc.Since = since.UTC()
	return writeHistory(cmd.OutOrStdout(), f.output, doc)
}

func historyFromStore(ctx context.Context, f *historyFlags, since time.Time) (historyDoc, error) {
	store, err := openHistory(ctx, f)
	if err != nil {
		return historyDoc{}, err
	}
	defer store.Close()
	cluster, err := chooseCluster(ctx, store, f.cluster)
	if err != nil {
		return historyDoc{}, err
	}
	store = store.ForCluster(cluster)
	points, err := store.History(ctx, since, historyAudits)
	if err != nil {
		return historyDoc{}, err
	}
	doc := historyDoc{Scores: []historyPoint{}}
	for _, p := range points {
		doc.Scores = append(doc.Scores, historyPoint{Started: p.Started, Score: p.Score, Sections: p.Sections})
	}
	if doc.New, err = store.FindingsNewSince(ctx, since, audit.MaxLimit); err != nil {
		return historyDoc{}, err
	}
	if doc.Fixed, err = store.FindingsFixedSince(ctx, since, audit.MaxLimit); err != nil {
		return historyDoc{}, err
	}
	return doc, nil
}

// historyFromServer reads the history from the audit's API: the reports since (following
// its next-since header, keeping the latest historyAudits) and the findings.
func historyFromServer(ctx context.Context, server, cluster string, since time.Time) (historyDoc, error) {
	base, err := serverURL(server)
	if err != nil {
		return historyDoc{}, err
	}
	// The server's own cluster unless --cluster names another.
	withCluster := func(q url.Values) url.Values {
		if cluster != "" {
			q.Set("cluster", cluster)
		}
		return q
	}
	doc := historyDoc{Scores: []historyPoint{}}
	from := since
	for {
		var reports []report.Report
		next, err := apiGet(ctx, base, "/api/v1/reports", withCluster(url.Values{"since": {from.Format(time.RFC3339Nano)},
			"limit": {fmt.Sprint(audit.MaxLimit)}}), &reports)
		if err != nil {
			return historyDoc{}, err
		}
		for i := range reports {
			rep := &reports[i]
			started, _ := time.Parse(time.RFC3339, rep.GeneratedAt)
			doc.Scores = append(doc.Scores, historyPoint{Started: started.UTC(), Score: rep.Summary.Score, Sections: history.SectionScores(rep)})
		}
		if len(doc.Scores) > historyAudits {
			doc.Scores = slices.Delete(doc.Scores, 0, len(doc.Scores)-historyAudits)
		}
		t, err := time.Parse(time.RFC3339Nano, next)
		if next == "" || err != nil || !t.After(from) {
			break
		}
		from = t
	}
	at := since.Format(time.RFC3339Nano)
	if _, err := apiGet(ctx, base, "/api/v1/findings", withCluster(url.Values{"new-since": {at}, "limit": {fmt.Sprint(audit.MaxLimit)}}), &doc.New); err != nil {
		return historyDoc{}, err
	}
	if _, err := apiGet(ctx, base, "/api/v1/findings", withCluster(url.Values{"fixed-since": {at}, "limit": {fmt.Sprint(audit.MaxLimit)}}), &doc.Fixed); err != nil {
		return historyDoc{}, err
	}
	return doc, nil
}

// apiGet decodes the JSON answer of GET base+path?q into v and returns its next-since header.
func apiGet(ctx context.Context, base *url.URL, path string, q url.Values, v any) (string, error) {
	u := *base
	u.Path += path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "", fmt.Errorf("the audit at %s did not answer within --timeout: %w", base, err)
		}
		return "", fmt.Errorf("the audit at %s could not be reached (is akscheck serve --audit listening there?): %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = "not the audit's API"
		}
		return "", fmt.Errorf("the audit at %s answered %s to %s: %s", base, resp.Status, path, e.Error)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return "", fmt.Errorf("the audit at %s: reading %s: %w", base, path, err)
	}
	return resp.Header.Get(audit.NextSinceHeader), nil
}

func writeHistory(w io.Writer, format string, doc historyDoc) error {
	return writeDoc(w, format, doc, historyTable, historyCSV, historyMarkdown)
}

// writeDoc writes a document of history's in a format: JSON as is, the others by their
// writers (the table by default).
func writeDoc[T any](w io.Writer, format string, doc T, table, csv, markdown func(io.Writer, T) error) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	case "csv":
		return csv(w, doc)
	case "markdown":
		return markdown(w, doc)
	}
	return table(w, doc)
}

// historySections is every section any audit scored, in name order: the columns.
func historySections(doc historyDoc) []string {
	var out []string
	for _, p := range doc.Scores {
		for _, s := range p.Sections {
			if !slices.Contains(out, s.ID) {
				out = append(out, s.ID)
			}
		}
	}
	slices.Sort(out)
	return out
}

func scoreText(s *float64) string {
	if s == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *s)
}

func sectionScore(p historyPoint, id string) *float64 {
	for _, s := range p.Sections {
		if s.ID == id {
			return s.Score
		}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func findingObject(f history.Finding) string {
	s := f.Object.Kind + " " + f.Object.Name
	if f.Object.Namespace != "" {
		s = f.Object.Kind + " " + f.Object.Namespace + "/" + f.Object.Name
	}
	if f.Container != "" {
		s += " (container " + f.Container + ")"
	}
	return s
}

func fixedAt(f history.Finding) time.Time {
	if f.FixedAt != nil {
		return *f.FixedAt
	}
	return time.Time{}
}

func historyTable(w io.Writer, doc historyDoc) error {
	sections := historySections(doc)
	fmt.Fprintf(w, "Scores since %s: %d audits\n", stamp(doc.Since), len(doc.Scores))
	if len(doc.Scores) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "TIME\tSCORE\t%s\n", strings.ToUpper(strings.Join(sections, "\t")))
		for _, p := range doc.Scores {
			cols := []string{stamp(p.Started), scoreText(p.Score)}
			for _, id := range sections {
				cols = append(cols, scoreText(sectionScore(p, id)))
			}
			fmt.Fprintln(tw, strings.Join(cols, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	list := func(title string, fs []history.Finding, at func(history.Finding) time.Time) error {
		fmt.Fprintf(w, "\n%s since %s: %d\n", title, stamp(doc.Since), len(fs))
		if len(fs) == 0 {
			return nil
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range fs {
			// Values from the cluster: escaped for the terminal, one line each.
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", stamp(at(f)), f.Severity, sanitize.Text(f.Check),
				sanitize.Text(findingObject(f)), sanitize.Text(f.Message))
		}
		return tw.Flush()
	}
	if err := list("New", doc.New, func(f history.Finding) time.Time { return f.FirstSeen }); err != nil {
		return err
	}
	return list("Fixed", doc.Fixed, fixedAt)
}

// historyCSV writes one table: a row per audit score (record score), per section score
// (record section, subject the section), per new finding (record new, at its first
// sighting) and per fixed finding (record fixed, at its fix).
func historyCSV(w io.Writer, doc historyDoc) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"record", "time", "subject", "score", "check", "severity", "object", "message"})
	for _, p := range doc.Scores {
		_ = cw.Write([]string{"score", stamp(p.Started), "", scoreText(p.Score), "", "", "", ""})
		for _, s := range p.Sections {
			_ = cw.Write([]string{"section", stamp(p.Started), s.ID, scoreText(s.Score), "", "", "", ""})
		}
	}
	row := func(record string, at time.Time, f history.Finding) {
		_ = cw.Write([]string{record, stamp(at), "", "", defuseCell(f.Check), f.Severity,
			defuseCell(findingObject(f)), defuseCell(f.Message)})
	}
	for _, f := range doc.New {
		row("new", f.FirstSeen, f)
	}
	for _, f := range doc.Fixed {
		row("fixed", fixedAt(f), f)
	}
	cw.Flush()
	return cw.Error()
}

// defuseCell escapes a value from the cluster for a CSV cell: no control characters, and
// no formula a spreadsheet would run (as csvout does).
func defuseCell(s string) string {
	s = sanitize.Text(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func mdCell(s string) string {
	return strings.ReplaceAll(sanitize.Text(s), "|", `\|`)
}

func historyMarkdown(w io.Writer, doc historyDoc) error {
	var b strings.Builder
	sections := historySections(doc)
	fmt.Fprintf(&b, "## Scores since %s\n\n", stamp(doc.Since))
	if len(doc.Scores) == 0 {
		b.WriteString("No audit.\n")
	} else {
		b.WriteString("| Time | Score |")
		for _, id := range sections {
			b.WriteString(" " + mdCell(id) + " |")
		}
		b.WriteString("\n|---|---|" + strings.Repeat("---|", len(sections)) + "\n")
		for _, p := range doc.Scores {
			fmt.Fprintf(&b, "| %s | %s |", stamp(p.Started), scoreText(p.Score))
			for _, id := range sections {
				b.WriteString(" " + scoreText(sectionScore(p, id)) + " |")
			}
			b.WriteString("\n")
		}
	}
	list := func(title string, fs []history.Finding, at func(history.Finding) time.Time) {
		fmt.Fprintf(&b, "\n## %s since %s: %d\n\n", title, stamp(doc.Since), len(fs))
		if len(fs) == 0 {
			return
		}
		b.WriteString("| Time | Severity | Check | Object | Message |\n|---|---|---|---|---|\n")
		for _, f := range fs {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", stamp(at(f)), mdCell(f.Severity), mdCell(f.Check),
				mdCell(findingObject(f)), mdCell(f.Message))
		}
	}
	list("New", doc.New, func(f history.Finding) time.Time { return f.FirstSeen })
	list("Fixed", doc.Fixed, fixedAt)
	_, err := io.WriteString(w, b.String())
	return err
}
