package audit

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/scan"
)

// The hand-written monitoring files of deploy/ (internal/chart.HandWritten).
const monitoringDir = "../../deploy/monitoring"

// exported returns the metrics the audit exports, each with its label names and the
// values seen, from its collectors after one audit with a finding and one change: a metric
// renamed in metrics.go is missing here.
func exported(t *testing.T) map[string]map[string][]string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, true)
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	// With the Azure pass, whose metrics exist only when it is on.
	srv := azuretest.NewServer()
	t.Cleanup(srv.Close)
	client, err := azure.New(azure.Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{Scan: scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All(), Version: "test"},
		Cluster: &fileCluster{t: t, dir: dir}, Store: store, Context: "test",
		Azure: &AzureOptions{Client: client, ResourceID: azuretest.ClusterID}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RefreshAzure(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Audit(t.Context()); err != nil {
		t.Fatal(err)
	}
	a.Changed("Deployment")
	reg := prometheus.NewRegistry()
	reg.MustRegister(a.Collectors()...)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string][]string{}
	for _, mf := range mfs {
		labels := map[string][]string{}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if !slices.Contains(labels[lp.GetName()], lp.GetValue()) {
					labels[lp.GetName()] = append(labels[lp.GetName()], lp.GetValue())
				}
			}
		}
		out[mf.GetName()] = labels
	}
	for _, want := range []string{"akscheck_score", "akscheck_findings", "akscheck_item_status", "akscheck_informer_synced",
		"akscheck_audits_total", "akscheck_audit_errors_total", "akscheck_audit_duration_seconds", "akscheck_audit_cluster_changes_total"} {
		if _, ok := out[want]; !ok {
			t.Fatalf("the audit exports no %s after an audit (got %v): renamed? deploy/monitoring uses it", want, slices.Sorted(maps.Keys(out)))
		}
	}
	return out
}

// promqlWords are the functions, aggregations and keywords the files may use.
var promqlWords = []string{"sum", "count", "max", "min", "avg", "topk", "bottomk", "by", "without", "on", "ignoring",
	"group_left", "group_right", "and", "or", "unless", "offset", "rate", "increase", "delta", "max_over_time",
	"min_over_time", "avg_over_time", "absent", "absent_over_time", "changes", "resets", "vector", "time", "timestamp"}

var (
	strLit     = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	matcher    = regexp.MustCompile(`([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")`)
	grouping   = regexp.MustCompile(`\b(by|without|on|ignoring)\s*\(([^)]*)\)`)
	rangeSel   = regexp.MustCompile(`\[[0-9smhdwy:]+\]`)
	number     = regexp.MustCompile(`\b\d+(\.\d+)?[smhdwy]?\b`)
	ident      = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	labelTmpl  = regexp.MustCompile(`\{\{\s*\$labels\.(\w+)\s*\}\}`)
	legendTmpl = regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`)
)

// checkExpr checks a PromQL expression without a PromQL parser (the module has none): its
// brackets balance, every metric it names is exported, every label it matches or groups by
// is one of those metrics' labels (with a value the audit uses, for severity and stage), and
// every other word is a PromQL function or keyword. It returns the labels of its metrics.
func checkExpr(t *testing.T, where, expr string, metrics map[string]map[string][]string) map[string]bool {
	t.Helper()
	depth := map[rune]int{}
	pairs := map[rune]rune{')': '(', '}': '{', ']': '['}
	for _, r := range strLit.ReplaceAllString(expr, `""`) {
		switch r {
		case '(', '{', '[':
			depth[r]++
		case ')', '}', ']':
			if depth[pairs[r]]--; depth[pairs[r]] < 0 {
				t.Errorf("%s: %q: unbalanced %c", where, expr, r)
			}
		}
	}
	for r, n := range depth {
		if n != 0 {
			t.Errorf("%s: %q: unbalanced %c", where, expr, r)
		}
	}

	labels := map[string]bool{}
	rest := expr
	used := 0
	for _, w := range ident.FindAllString(strLit.ReplaceAllString(expr, `""`), -1) {
		if strings.HasPrefix(w, "akscheck_") {
			m, ok := metrics[w]
			if !ok {
				t.Errorf("%s: %q uses %s, which the audit does not export", where, expr, w)
				continue
			}
			used++
			for l := range m {
				labels[l] = true
			}
		}
	}
	if used == 0 {
		t.Errorf("%s: %q uses no metric of the audit", where, expr)
	}
	for _, m := range matcher.FindAllStringSubmatch(rest, -1) {
		name, op, value := m[1], m[2], strings.Trim(m[3], `"`)
		if !labels[name] {
			t.Errorf("%s: %q matches label %s, which its metrics do not have", where, expr, name)
			continue
		}
		if op != "=" && op != "=~" {
			continue
		}
		for _, v := range strings.Split(value, "|") {
			switch name {
			case "severity":
				if _, err := check.ParseSeverity(v); err != nil {
					t.Errorf("%s: %q: severity %q: %v", where, expr, v, err)
				}
			case "stage":
				if !slices.Contains(metrics["akscheck_audit_errors_total"]["stage"], v) {
					t.Errorf("%s: %q: stage %q is none of %v", where, expr, v, metrics["akscheck_audit_errors_total"]["stage"])
				}
			}
		}
	}
	rest = matcher.ReplaceAllString(rest, "")
	for _, g := range grouping.FindAllStringSubmatch(rest, -1) {
		for l := range strings.SplitSeq(g[2], ",") {
			if l = strings.TrimSpace(l); l != "" && !labels[l] {
				t.Errorf("%s: %q groups %s %s, a label its metrics do not have", where, expr, g[1], l)
			}
		}
	}
	rest = grouping.ReplaceAllString(rest, "$1 ")
	rest = number.ReplaceAllString(rangeSel.ReplaceAllString(strLit.ReplaceAllString(rest, ""), ""), "")
	for _, w := range ident.FindAllString(rest, -1) {
		if !strings.HasPrefix(w, "akscheck_") && !slices.Contains(promqlWords, w) {
			t.Errorf("%s: %q: unknown word %q (not a PromQL function or keyword this test knows)", where, expr, w)
		}
	}
	return labels
}

// TestGrafanaDashboard: deploy/monitoring/grafana-dashboard.json is a dashboard whose
// queries use the audit's metrics and labels, with unique panel ids.
func TestGrafanaDashboard(t *testing.T) {
	t.Parallel()
	metrics := exported(t)
	data, err := os.ReadFile(filepath.Join(monitoringDir, "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title, UID string
		Panels     []struct {
			ID      int
			Title   string
			Targets []struct {
				Expr         string
				LegendFormat string
			}
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	if d.Title == "" || d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("the dashboard has title %q, uid %q, %d panels", d.Title, d.UID, len(d.Panels))
	}
	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			where := "panel " + p.Title
			labels := checkExpr(t, where, q.Expr, metrics)
			for _, m := range legendTmpl.FindAllStringSubmatch(q.LegendFormat, -1) {
				if !labels[m[1]] {
					t.Errorf("%s: legend %q names label %s, which %q does not have", where, q.LegendFormat, m[1], q.Expr)
				}
			}
			for _, w := range ident.FindAllString(q.Expr, -1) {
				used[w] = true
			}
		}
	}
	// The dashboard shows every metric the audit exports.
	for name := range metrics {
		if !used[name] {
			t.Errorf("no panel shows %s", name)
		}
	}
}

// TestPrometheusRules: deploy/monitoring/prometheus-rules.yaml is a PrometheusRule whose
// alerts use the audit's metrics and labels and cover what docs/audit.md promises.
func TestPrometheusRules(t *testing.T) {
	t.Parallel()
	metrics := exported(t)
	data, err := os.ReadFile(filepath.Join(monitoringDir, "prometheus-rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pr struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string            `json:"name"`
			Namespace string            `json:"namespace"`
			Labels    map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			Groups []struct {
				Name  string `json:"name"`
				Rules []struct {
					Alert       string            `json:"alert"`
					Expr        string            `json:"expr"`
					For         string            `json:"for"`
					Labels      map[string]string `json:"labels"`
					Annotations map[string]string `json:"annotations"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"spec"`
	}
	if err := yaml.UnmarshalStrict(data, &pr); err != nil {
		t.Fatalf("prometheus-rules.yaml: %v", err)
	}
	if pr.APIVersion != "monitoring.coreos.com/v1" || pr.Kind != "PrometheusRule" || pr.Metadata.Name == "" {
		t.Errorf("%s %s %q, want a monitoring.coreos.com/v1 PrometheusRule", pr.APIVersion, pr.Kind, pr.Metadata.Name)
	}
	alerts := map[string]string{}
	waits := map[string]string{}
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				t.Errorf("group %s: a rule without alert", g.Name)
			}
			if _, dup := alerts[r.Alert]; dup {
				t.Errorf("alert %s twice", r.Alert)
			}
			alerts[r.Alert], waits[r.Alert] = r.Expr, r.For
			labels := checkExpr(t, "alert "+r.Alert, r.Expr, metrics)
			if r.For != "" {
				if d, err := time.ParseDuration(r.For); err != nil || d <= 0 {
					t.Errorf("alert %s: for %q: %v", r.Alert, r.For, err)
				}
			}
			if !slices.Contains([]string{"info", "warning", "critical"}, r.Labels["severity"]) || r.Annotations["summary"] == "" {
				t.Errorf("alert %s: severity %q, summary %q; want info, warning or critical and a summary", r.Alert, r.Labels["severity"], r.Annotations["summary"])
			}
			for _, text := range r.Annotations {
				for _, m := range labelTmpl.FindAllStringSubmatch(text, -1) {
					if !labels[m[1]] {
						t.Errorf("alert %s: an annotation names $labels.%s, which %q does not have", r.Alert, m[1], r.Expr)
					}
				}
			}
		}
	}
	// What the rules are for: a score drop over an hour, critical findings, failing,
	// stopped or absent audits, an informer unsynced for 10 minutes.
	for _, want := range []struct{ alert, uses string }{
		{"AkscheckScoreDropped", "akscheck_score offset 1h"},
		{"AkscheckCriticalFinding", `akscheck_findings{severity="critical"}`},
		{"AkscheckAuditFailing", "akscheck_audit_errors_total"},
		{"AkscheckAuditStopped", "increase(akscheck_audits_total"},
		{"AkscheckAuditAbsent", "absent(akscheck_audits_total)"},
		{"AkscheckInformerUnsynced", "akscheck_informer_synced == 0"},
		{"AkscheckAzurePassFailing", "akscheck_azure_pass_success == 0"},
	} {
		if !strings.Contains(alerts[want.alert], want.uses) {
			t.Errorf("alert %s: expr %q, want one with %s", want.alert, alerts[want.alert], want.uses)
		}
	}
	if waits["AkscheckInformerUnsynced"] != "10m" {
		t.Errorf("AkscheckInformerUnsynced waits %q, want 10m", waits["AkscheckInformerUnsynced"])
	}
}
