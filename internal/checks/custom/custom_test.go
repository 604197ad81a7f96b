package custom_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/config"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// rule is one custom check of the tests, on its own custom item so that its verdict is the
// item's status.
type rule struct {
	id, target, expr, message string
	kinds                     []string
}

func configOf(rules ...rule) string {
	var b strings.Builder
	b.WriteString("customChecks:\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "  - id: %s\n    item: custom.%s\n    title: %s\n    section: cluster\n", r.id, r.id, r.id)
		if r.target != "" {
			fmt.Fprintf(&b, "    target: %s\n", r.target)
		}
		if len(r.kinds) > 0 {
			fmt.Fprintf(&b, "    kinds: [%s]\n", strings.Join(r.kinds, ", "))
		}
		fmt.Fprintf(&b, "    expression: %q\n", r.expr)
		if r.message != "" {
			fmt.Fprintf(&b, "    message: %q\n", r.message)
		}
	}
	return b.String()
}

// run compiles the rules through the config, as a scan does, and judges the scan.
func run(t *testing.T, scan *subject.Scan, rules ...rule) *report.Report {
	t.Helper()
	cfg, err := config.Parse(".akscheck.yaml", []byte(configOf(rules...)), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cfg.Resolve(catalog.MustLoad(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Run(t.Context(), res.Catalog, res.Checks, scan, engine.Options{Settings: res.Settings, Policy: res.Policy})
}

func loadPaths(t *testing.T, paths ...string) *subject.Scan {
	t.Helper()
	scan := load.Load(t.Context(), paths, load.Options{})
	for _, e := range scan.Errors {
		t.Fatalf("loading %v: %s:%d: %s", paths, e.Source, e.Line, e.Message)
	}
	return scan
}

func item(t *testing.T, rep *report.Report, id string) report.Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.ID == "custom."+id {
			return it
		}
	}
	t.Fatalf("no item custom.%s in the report", id)
	return report.Item{}
}

// verdict is a rule's outcome on a scan: pass, fail, or not-evaluated with its reason.
func verdict(t *testing.T, rep *report.Report, id string) string {
	t.Helper()
	for _, e := range rep.Errors {
		if strings.Contains(e.Message, id) {
			return "error: " + e.Message
		}
	}
	it := item(t, rep, id)
	if it.Status == report.StatusNotEvaluated {
		return it.Status + ": " + it.Reason
	}
	return it.Status
}

// The same rules give the same verdicts on one cluster whichever input describes it: az
// JSON, an ARM template, Terraform; the Terraform module leaves the Kubernetes version a
// variable without a value, so the rules that read it are undecided there, naming it.
func TestClusterRulesAcrossInputs(t *testing.T) {
	rules := []rule{
		{id: "standard-tier", target: "cluster", expr: "cluster.sku.tier == 'Standard'"},
		{id: "free-tier", target: "cluster", expr: "cluster.sku.tier == 'Free'",
			message: "'cluster ' + cluster.name + ' runs on the ' + cluster.sku.tier + ' tier'"},
		{id: "overlay", target: "cluster", expr: "cluster.networkProfile.networkPlugin == 'azure' && cluster.networkProfile.networkPluginMode == 'overlay'"},
		{id: "team-tag", target: "cluster", expr: "'team' in cluster.tags && cluster.tags.team == 'platform'"},
		{id: "version", target: "cluster", expr: "cluster.kubernetesVersion.startsWith('1.33.')"},
		// Decided without the version: the known tier settles the conjunction.
		{id: "version-and-free", target: "cluster", expr: "cluster.sku.tier == 'Free' && cluster.kubernetesVersion.startsWith('1.33.')"},
		// has() of an unresolved setting is unknown as well: a Terraform variable may be null,
		// which leaves the setting unwritten.
		{id: "version-written", target: "cluster", expr: "has(cluster.kubernetesVersion)"},
		// An absent setting is missing: has() is false, and .? gives its default.
		{id: "no-des", target: "cluster", expr: "!has(cluster.diskEncryptionSetID) && cluster.?diskEncryptionSetID.orValue('') == ''"},
		{id: "ephemeral-os", target: "nodePool", expr: "pool.?osDiskType.orValue('Managed') == 'Ephemeral'",
			message: "'node pool ' + pool.name + ' of ' + cluster.name + ' has ' + pool.osDiskType + ' OS disks'"},
		{id: "d-series", target: "nodePool", expr: "pool.mode != 'System' || pool.vmSize.startsWith('Standard_D')"},
		{id: "autoscale-ceiling", target: "nodePool", expr: "!(has(pool.enableAutoScaling) && pool.enableAutoScaling) || pool.maxCount <= 10"},
		{id: "zones", target: "cluster", expr: "cluster.agentPoolProfiles.exists(p, p.mode == 'System' && p.availabilityZones.size() == 3)"},
		{id: "pool-version", target: "nodePool", expr: "cluster.kubernetesVersion.startsWith('1.33.') || pool.mode == 'User'"},
	}
	want := map[string]string{
		"standard-tier": "pass", "free-tier": "fail", "overlay": "pass", "team-tag": "pass", "version": "pass",
		"version-and-free": "fail", "version-written": "pass", "no-des": "pass", "ephemeral-os": "fail",
		"d-series": "pass", "autoscale-ceiling": "pass", "zones": "pass", "pool-version": "pass",
	}
	undecided := "not-evaluated: its checks could not decide without cluster.kubernetesVersion of cluster " +
		"azurerm_kubernetes_cluster.demo (kubernetes_version at testdata/terraform/main.tf:12: not resolved (a variable without a value"
	inputs := map[string]map[string]string{
		"testdata/az/aks-demo.json":           want,
		"testdata/arm/aks-demo.template.json": want,
		"testdata/terraform":                  with(want, map[string]string{"version": undecided, "pool-version": undecided, "version-written": undecided}),
	}
	for path, want := range inputs {
		t.Run(filepath.Base(path), func(t *testing.T) {
			rep := run(t, loadPaths(t, path), rules...)
			for _, r := range rules {
				got := verdict(t, rep, r.id)
				if w := want[r.id]; got != w && !(strings.HasPrefix(w, "not-evaluated") && strings.HasPrefix(got, w)) {
					t.Errorf("%s: got %q, want %q", r.id, got, w)
				}
			}
			var messages []string
			for _, f := range rep.Findings {
				messages = append(messages, f.Check+": "+f.Message)
			}
			for _, m := range []string{"free-tier: cluster aks-demo runs on the Standard tier",
				"ephemeral-os: node pool work of aks-demo has Managed OS disks"} {
				if !slices.Contains(messages, m) {
					t.Errorf("no finding %q in %q", m, messages)
				}
			}
			if len(rep.Notices) > 0 {
				t.Errorf("unexpected notices: %+v", rep.Notices)
			}
		})
	}
}

func with(m, over map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// A finding of a pool rule is at the pool, in the input that writes it.
func TestPoolFindingLocation(t *testing.T) {
	rep := run(t, loadPaths(t, "testdata/terraform"), rule{id: "ephemeral-os", target: "nodePool", expr: "pool.osDiskType == 'Ephemeral'"})
	if len(rep.Findings) != 1 {
		t.Fatalf("want one finding, got %+v", rep.Findings)
	}
	f := rep.Findings[0]
	if !strings.HasSuffix(f.Location.File, "main.tf") || f.Location.Line != 38 {
		t.Errorf("finding at %s:%d, want main.tf:38 (the work pool's resource)", f.Location.File, f.Location.Line)
	}
}

// A rule that reads an absent setting without has() is an error on the subject (its item not
// evaluated), as an object rule that reads a missing field is.
func TestAbsentReadIsError(t *testing.T) {
	rep := run(t, loadPaths(t, "testdata/az/aks-demo.json"), rule{id: "des", target: "cluster", expr: "cluster.diskEncryptionSetID != ''"})
	if got := verdict(t, rep, "des"); !strings.HasPrefix(got, "error: ") || !strings.Contains(got, "diskEncryptionSetID") {
		t.Errorf("got %q, want an error naming diskEncryptionSetID", got)
	}
}

// Registry rules read the registry model.
func TestRegistryRule(t *testing.T) {
	rep := run(t, loadPaths(t, "../../../examples/cluster/acr-contosoacr.json"),
		rule{id: "premium", target: "registry", expr: "registry.sku.name == 'Premium'"},
		rule{id: "no-admin", target: "registry", expr: "!registry.?adminUserEnabled.orValue(false)"},
		rule{id: "replicated", target: "registry", expr: "registry.replications.exists(r, r.location != registry.location)"},
	)
	for id, want := range map[string]string{"premium": "pass", "no-admin": "pass", "replicated": "fail"} {
		if got := verdict(t, rep, id); got != want {
			t.Errorf("%s: got %q, want %q", id, got, want)
		}
	}
}

// A rule that nothing of the scan matches is a notice naming it, at its line in the config.
func TestUnmatchedNotices(t *testing.T) {
	rep := run(t, loadPaths(t, "../../../examples/k8s/cart.yaml"),
		rule{id: "tier", target: "cluster", expr: "cluster.sku.tier == 'Standard'"},
		rule{id: "pools", target: "nodePool", expr: "pool.vmSize != ''"},
		rule{id: "acr", target: "registry", expr: "registry.sku.name == 'Premium'"},
		rule{id: "typo", kinds: []string{"Deploymnet"}, expr: "true"},
		rule{id: "deployments", kinds: []string{"Deployment"}, expr: "true"},
	)
	var got []string
	for _, n := range rep.Notices {
		got = append(got, fmt.Sprintf("%s:%d: %s", n.Source, n.Line, n.Message))
	}
	want := []string{
		".akscheck.yaml:2: custom check tier targets AKS clusters, and the scan holds no AKS cluster",
		".akscheck.yaml:8: custom check pools targets the node pools of AKS clusters, and the scan holds no AKS cluster",
		".akscheck.yaml:14: custom check acr targets container registries, and the scan holds none",
		".akscheck.yaml:20: custom check typo targets kinds Deploymnet, and no object of the scan is of them",
	}
	if len(got) != len(want) {
		t.Fatalf("notices %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("notice %d: %q, want prefix %q", i, got[i], want[i])
		}
	}
	// With a cluster in the scan, the cluster rule matches.
	rep = run(t, loadPaths(t, "../../../examples/k8s/cart.yaml", "testdata/az/aks-demo.json"),
		rule{id: "tier", target: "cluster", expr: "cluster.sku.tier == 'Standard'"})
	if len(rep.Notices) != 0 {
		t.Errorf("unexpected notices %+v", rep.Notices)
	}
}

// The live Azure API gives the verdicts the same documents saved as files give.
func TestLiveAzureSameVerdicts(t *testing.T) {
	srv := azuretest.NewServer()
	defer srv.Close()
	client, err := azure.New(azure.Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	live := client.Load(t.Context(), azuretest.ClusterID, []string{azuretest.RegistryHost})
	for _, e := range live.Errors {
		t.Fatalf("live: %s: %s", e.Source, e.Message)
	}
	docs, err := azuretest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range docs {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files := loadPaths(t, dir)
	rules := []rule{
		{id: "tier", target: "cluster", expr: "cluster.sku.tier == 'Standard'"},
		{id: "private", target: "cluster", expr: "cluster.?apiServerAccessProfile.?enablePrivateCluster.orValue(false)"},
		{id: "location", target: "cluster", expr: "cluster.location == 'westeurope'"},
		{id: "system-zones", target: "nodePool", expr: "pool.mode != 'System' || pool.?availabilityZones.orValue([]).size() >= 2"},
		{id: "autoscale", target: "nodePool", expr: "pool.?enableAutoScaling.orValue(false)"},
		{id: "acr-premium", target: "registry", expr: "registry.sku.name == 'Premium'"},
	}
	fromLive, fromFiles := run(t, live, rules...), run(t, files, rules...)
	for _, r := range rules {
		l, f := verdict(t, fromLive, r.id), verdict(t, fromFiles, r.id)
		if l != f {
			t.Errorf("%s: live %q, files %q", r.id, l, f)
		}
		t.Logf("%s: %s", r.id, l)
	}
}

// TestHostileQuantityText: a custom check that reads an annotation as a quantity gets an
// error, at once, for a text ParseQuantity would spend minutes on (cellib.Quantity), and
// judges the other objects.
func TestHostileQuantityText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "configmaps.yaml")
	if err := os.WriteFile(path, []byte(
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hostile, namespace: a, annotations: {budget: \"1E-5555555555\"}}\n"+
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine, namespace: a, annotations: {budget: \"2\"}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	scan := loadPaths(t, path)
	rep := run(t, scan, rule{id: "small-budget", kinds: []string{"ConfigMap"},
		expr: "!isQuantity(object.metadata.annotations.budget) || quantity(object.metadata.annotations.budget).isLessThan(quantity('1'))"},
		rule{id: "reads-budget", kinds: []string{"ConfigMap"},
			expr: "quantity(object.metadata.annotations.budget).isLessThan(quantity('1'))"})
	if got := verdict(t, rep, "small-budget"); got != report.StatusFail {
		t.Errorf("small-budget: %q, want fail (on fine, the hostile text being no quantity)", got)
	}
	if got := verdict(t, rep, "reads-budget"); !strings.HasPrefix(got, "error: ") || !strings.Contains(got, "exponent") {
		t.Errorf("reads-budget: %q, want an error saying the quantity's exponent is too long", got)
	}
}
