package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/checks/dockerfile"
	"github.com/akscheck/akscheck/internal/checks/network"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/checks/vuln"
	"github.com/akscheck/akscheck/internal/checks/workload"
	"github.com/akscheck/akscheck/internal/enforce"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

const issueExample = `checks:
  disable: [cpu-limits, dev.startup-probe]
  severity: {dev.prestop-hook: info}
  params:
    allowedRegistries: ["*.azurecr.io", mcr.microsoft.com]
    requiredLabels: [app.kubernetes.io/name, app.kubernetes.io/instance, team]
    ingressDomains: [contoso.com]
    systemNamespaces: [kube-system, gatekeeper-system]
    startupProbeDelaySeconds: 30
exemptions:
  - check: dev.replicas
    kind: Deployment
    namespace: tools
    name: batch-*
    reason: "one consumer by design"
    expires: 2026-12-31
attestations:
  - item: dr.multiregion
    by: jane@contoso.com
    date: 2026-10-01
    evidence: "https://wiki.contoso.com/dr-plan"
customChecks:
  - id: require-team-label
    item: ops.labels
    severity: medium
    kinds: [Deployment, StatefulSet]
    expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: "'no team label on ' + object.metadata.name"
`

func resolve(t *testing.T, doc string) (*Resolved, error) {
	t.Helper()
	settings, err := check.SettingsOf(checks.All())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(".akscheck.yaml", []byte(doc), settings)
	if err != nil {
		return nil, err
	}
	return cfg.Resolve(catalog.MustLoad(), checks.All())
}

func TestIssueExampleIsValid(t *testing.T) {
	t.Parallel()
	r, err := resolve(t, issueExample)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Policy.Disabled["cpu-limits"] || !r.Policy.Disabled["dev.startup-probe"] {
		t.Errorf("disabled = %v", r.Policy.Disabled)
	}
	if r.Policy.Severity["dev.prestop-hook"] != check.Info {
		t.Errorf("severity = %v", r.Policy.Severity)
	}
	env := &check.Env{Settings: r.Settings}
	if got := workload.RequiredLabelsSetting.Get(env); len(got) != 3 || got[2] != "team" {
		t.Errorf("requiredLabels = %v", got)
	}
	if len(scope.SystemNamespaces.Get(env)) != 2 || workload.StartupProbeDelaySetting.Get(env) != 30 {
		t.Errorf("settings = %+v", r.Settings)
	}
	if len(r.Policy.Exemptions) != 1 || r.Policy.Exemptions[0].Line != 11 {
		t.Errorf("exemptions = %+v", r.Policy.Exemptions)
	}
	if len(r.Checks) != len(checks.All())+1 {
		t.Errorf("custom check not added: %d checks", len(r.Checks))
	}
}

func TestParamsKeepDefaultsForKeysNotGiven(t *testing.T) {
	t.Parallel()
	r, err := resolve(t, "checks:\n  params:\n    ingressDomains: [contoso.com]\n")
	if err != nil {
		t.Fatal(err)
	}
	env := &check.Env{Settings: r.Settings}
	if len(r.Settings) != 1 || len(network.IngressDomainsSetting.Get(env)) != 1 {
		t.Errorf("settings = %+v", r.Settings)
	}
	if len(workload.AllowedRegistriesSetting.Get(env)) != 2 || workload.StartupProbeDelaySetting.Get(env) != 30 || len(scope.SystemNamespaces.Get(env)) != 8 {
		t.Errorf("the defaults are not kept: %+v", r.Settings)
	}
}

func TestErrorsNameFileLineAndKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		want      []string // each error's "file:line: message" must contain one, in order
	}{
		{"unknown top-level key with suggestion", "check:\n  disable: []\n",
			[]string{`.akscheck.yaml:1: unknown key "check" in the config (did you mean "checks"?)`}},
		{"unknown nested key", "checks:\n  disabel: [cpu-limits]\n  params:\n    allowedRegistry: [x]\n",
			[]string{`.akscheck.yaml:2: unknown key "disabel" in checks (did you mean "disable"?)`,
				`.akscheck.yaml:4: unknown key "allowedRegistry" in checks.params (did you mean "allowedRegistries"?)`}},
		{"unknown key in a list entry", "exemptions:\n  - check: dev.replicas\n    reasons: x\n",
			[]string{`.akscheck.yaml:3: unknown key "reasons" in exemptions[0] (did you mean "reason"?)`}},
		{"wrong type", "checks:\n  params:\n    startupProbeDelaySeconds: soon\n",
			[]string{`.akscheck.yaml:3: cannot unmarshal`}},
		{"bad date", "exemptions:\n  - check: dev.replicas\n    reason: r\n    expires: next year\n",
			[]string{`.akscheck.yaml:4: "next year" is not a date`}},
		{"unknown check ID", "checks:\n  disable: [cpu-limit]\n",
			[]string{`.akscheck.yaml:2: checks.disable: "cpu-limit" is no check or item ID (did you mean "cpu-limits"?)`}},
		{"unknown check ID to enable", "checks:\n  enable: [cpu-limit]\n",
			[]string{`.akscheck.yaml:2: checks.enable: "cpu-limit" is no check or item ID (did you mean "cpu-limits"?)`}},
		{"enabled and disabled", "checks:\n  disable: [cpu-limits]\n  enable:\n    - cpu-limits\n",
			[]string{`.akscheck.yaml:4: checks.enable: "cpu-limits" is also in checks.disable`}},
		{"invalid setting value", "checks:\n  params:\n    profile: strict\n",
			[]string{`.akscheck.yaml:3: checks.params.profile: profile "strict": want "" or "regulated"`}},
		{"bad severity", "checks:\n  severity:\n    replicas: urgent\n",
			[]string{`.akscheck.yaml:3: checks.severity.replicas: unknown severity "urgent"`}},
		{"exemption without reason", "exemptions:\n  - check: replicas\n    name: web\n",
			[]string{`.akscheck.yaml:2: exemptions[0]: reason is required`}},
		{"attestation of unknown item", "attestations:\n  - item: dr.multi-region\n    by: me\n    date: 2026-01-01\n",
			[]string{`.akscheck.yaml:2: attestations[0]: item "dr.multi-region" is not in the catalog (did you mean "dr.multiregion"?)`}},
		{"custom check compile error with position", "customChecks:\n  - id: bad\n    item: ops.labels\n    expression: \"object.metadata.labels.team ==\"\n",
			[]string{`.akscheck.yaml:2: custom check bad: expression: ERROR: <input>:1:`}},
		{"custom check of wrong type", "customChecks:\n  - id: not-bool\n    item: ops.labels\n    expression: \"'a' + 'b'\"\n",
			[]string{`.akscheck.yaml:2: custom check not-bool: expression: the expression is of type string, want bool`}},
		{"custom item without section", "customChecks:\n  - id: x\n    item: custom.mine\n    expression: \"true\"\n",
			[]string{`.akscheck.yaml:2: customChecks[0] (x): the new item custom.mine needs a title and a section`}},
		{"admission: unknown severity, action and check", "admission:\n  enforce:\n    urgent: deny\n    high: block\n  checks:\n    cpu-limit: deny\n",
			[]string{`.akscheck.yaml:4: admission.enforce.high: unknown action "block" (want deny, warn or off)`,
				`.akscheck.yaml:3: admission.enforce: unknown severity "urgent"`,
				`.akscheck.yaml:6: admission.checks: "cpu-limit" is no check or item ID (did you mean "cpu-limits"?)`}},
		{"custom check with kinds and a target", "customChecks:\n  - id: both\n    item: ops.labels\n    target: cluster\n    kinds: [Deployment]\n    expression: \"true\"\n",
			[]string{`.akscheck.yaml:2: customChecks[0] (both): kinds and target cluster exclude each other`}},
		{"custom check with an unknown target", "customChecks:\n  - id: pools\n    item: ops.labels\n    target: nodepool\n    expression: \"true\"\n",
			[]string{`.akscheck.yaml:2: customChecks[0] (pools): target "nodepool" is none of cluster, nodePool, registry (leave it out, with kinds, for Kubernetes objects) (did you mean "nodePool"?)`}},
		{"cluster check reading object", "customChecks:\n  - id: tier\n    item: ops.labels\n    target: cluster\n    expression: \"object.sku.tier == 'Standard'\"\n",
			[]string{`.akscheck.yaml:2: custom check tier: expression: ERROR: <input>:1:1: undeclared reference to 'object'`}},
		{"pool check message reading an undeclared variable", "customChecks:\n  - id: vm\n    item: ops.labels\n    target: nodePool\n    expression: \"pool.vmSize != ''\"\n    message: \"pools.name\"\n",
			[]string{`.akscheck.yaml:2: custom check vm: message: ERROR: <input>:1:1: undeclared reference to 'pools'`}},
		{"custom check reusing a built-in ID", "customChecks:\n  - id: replicas\n    item: dev.replicas\n    expression: \"true\"\n",
			[]string{`.akscheck.yaml:2: customChecks[0]: id "replicas" is already taken`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := resolve(t, tt.doc)
			if err == nil {
				t.Fatal("no error")
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if len(es) != len(tt.want) {
				t.Fatalf("errors:\n%v\nwant %d", err, len(tt.want))
			}
			for i, e := range es {
				if !strings.Contains(e.Error(), tt.want[i]) {
					t.Errorf("error %d = %q\nwant it to contain %q", i, e.Error(), tt.want[i])
				}
			}
		})
	}
}

func TestAdmissionSection(t *testing.T) {
	t.Parallel()
	r, err := resolve(t, "admission:\n  enforce: {medium: deny, info: off}\n  checks: {cpu-limits: off, dev.replicas: deny}\n  excludeNamespaces: [kube-system, tools]\n")
	if err != nil {
		t.Fatal(err)
	}
	p := r.Admission
	for _, tt := range []struct {
		check, item string
		sev         check.Severity
		want        enforce.Action
	}{
		{"x", "y", check.Critical, enforce.Deny}, // the default stays for severities not named
		{"x", "y", check.Medium, enforce.Deny},
		{"x", "y", check.Low, enforce.Warn},
		{"x", "y", check.Info, enforce.Off},
		{"cpu-limits", "dev.resources", check.High, enforce.Off}, // a check ID wins over severity
		{"replicas", "dev.replicas", check.Low, enforce.Deny},    // and an item ID too
	} {
		if got := p.For(tt.check, tt.item, tt.sev); got != tt.want {
			t.Errorf("For(%s, %s, %s) = %s, want %s", tt.check, tt.item, tt.sev, got, tt.want)
		}
	}
	if !p.Excluded("tools") || !p.Excluded("kube-system") || p.Excluded("shop") {
		t.Errorf("excluded namespaces = %v", p.ExcludeNamespaces)
	}
	d, err := resolve(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Admission.For("x", "y", check.High) != enforce.Deny || d.Admission.For("x", "y", check.Medium) != enforce.Warn || !d.Admission.Excluded("kube-system") {
		t.Errorf("default admission policy = %+v", d.Admission)
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]string{"disabel": "disable", "Severity": "severity", "zzzzzz": "", "parms": "params"} {
		if got := suggest(s, []string{"disable", "severity", "params", "strict"}); got != want {
			t.Errorf("suggest(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestStarterConfigIsValid(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteStarter(&b, checks.All()); err != nil {
		t.Fatal(err)
	}
	if _, err := resolve(t, b.String()); err != nil {
		t.Fatalf("starter config does not validate: %v\n%s", err, b.String())
	}
	for _, c := range checks.All() {
		if !strings.Contains(b.String(), c.ID) {
			t.Errorf("starter config does not list %s", c.ID)
		}
	}
}

// scanWith runs the built-in and config checks on manifests under a config.
func scanWith(t *testing.T, doc, manifests string, now time.Time) *report.Report {
	t.Helper()
	r, err := resolve(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	scan := manifest.LoadBytes("m.yaml", []byte(manifests), manifest.Options{})
	scan.Evidence[catalog.Manifest] = true
	return engine.Run(t.Context(), r.Catalog, r.Checks, scan, engine.Options{Settings: r.Settings, Policy: r.Policy, Now: func() time.Time { return now }})
}

func findings(rep *report.Report, checkID string) (active, suppressed []report.Finding) {
	for _, f := range rep.Findings {
		if f.Check == checkID {
			active = append(active, f)
		}
	}
	for _, f := range rep.Suppressed {
		if f.Check == checkID {
			suppressed = append(suppressed, f)
		}
	}
	return active, suppressed
}

const deployments = `apiVersion: apps/v1
kind: Deployment
metadata: {name: batch-nightly, namespace: tools}
spec:
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: c, image: x.azurecr.io/b:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: tools
  labels: {team: payments}
  annotations:
    akscheck.io/exempt: "replicas, dev.liveness-probe"
    akscheck.io/exempt-reason: "leader-elected singleton"
spec:
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: c, image: x.azurecr.io/a:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: tools
  annotations: {akscheck.io/exempt: replicas}
spec:
  template:
    metadata: {labels: {app: w}}
    spec: {containers: [{name: c, image: x.azurecr.io/w:1}]}
`

func TestExemptionsAndAttestations(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	rep := scanWith(t, issueExample, deployments, now)

	active, suppressed := findings(rep, "replicas")
	if len(active) != 1 || active[0].Object.Name != "worker" {
		t.Errorf("active replicas findings = %+v, want worker only (annotation without reason)", active)
	}
	if len(suppressed) != 2 {
		t.Fatalf("suppressed = %+v", suppressed)
	}
	bySuppressor := map[string]string{}
	for _, f := range suppressed {
		bySuppressor[f.Object.Name] = f.SuppressedBy
	}
	if !strings.Contains(bySuppressor["batch-nightly"], "one consumer by design") || !strings.Contains(bySuppressor["batch-nightly"], ".akscheck.yaml:11") {
		t.Errorf("config exemption = %q", bySuppressor["batch-nightly"])
	}
	if !strings.Contains(bySuppressor["api"], "leader-elected singleton") {
		t.Errorf("annotation exemption = %q", bySuppressor["api"])
	}
	if _, sup := findings(rep, "liveness-probe"); len(sup) != 1 {
		t.Errorf("item ID in the annotation should exempt liveness-probe on api: %+v", sup)
	}
	if !hasNotice(rep, "without akscheck.io/exempt-reason") {
		t.Errorf("no notice for the annotation without reason: %+v", rep.Notices)
	}

	// Disabled checks do not run; a disabled item is not evaluated.
	if a, _ := findings(rep, "cpu-limits"); len(a) != 0 {
		t.Error("cpu-limits ran while disabled")
	}
	if it := testutil.Item(rep, "dev.startup-probe"); it.Status != report.StatusNotEvaluated {
		t.Errorf("disabled item dev.startup-probe = %s", it.Status)
	}
	// Attestation.
	if it := testutil.Item(rep, "dr.multiregion"); it.Status != report.StatusAttested || !strings.Contains(it.Reason, "jane@contoso.com") {
		t.Errorf("dr.multiregion = %+v", it)
	}
	// Custom check: api has a team label, the other two do not.
	if a, _ := findings(rep, "require-team-label"); len(a) != 2 || a[0].Message != "no team label on batch-nightly" {
		t.Errorf("custom findings = %+v", a)
	}

	// After the expiry date the exemption no longer applies, and a notice says so.
	later := scanWith(t, issueExample, deployments, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if a, _ := findings(later, "replicas"); len(a) != 2 {
		t.Errorf("expired exemption still applies: %+v", a)
	}
	if !hasNotice(later, "expired on 2026-12-31") {
		t.Errorf("no notice for the expired exemption: %+v", later.Notices)
	}
	// 2026-10-01 to 2027-01-01 is under 365 days: still attested, not stale; a year later it is.
	if it := testutil.Item(later, "dr.multiregion"); it.Status != report.StatusAttested || strings.Contains(it.Reason, "stale") {
		t.Errorf("attestation after 3 months = %+v, want attested and not stale", it)
	}
	stale := scanWith(t, issueExample, deployments, time.Date(2027, 11, 1, 0, 0, 0, 0, time.UTC))
	if it := testutil.Item(stale, "dr.multiregion"); !strings.Contains(it.Reason, "stale") || !hasNotice(stale, "older than 365 days") {
		t.Errorf("stale attestation not reported: %+v %+v", it, stale.Notices)
	}
}

func TestStrictIgnoresAnnotations(t *testing.T) {
	t.Parallel()
	rep := scanWith(t, "checks:\n  strict: true\n", deployments, time.Now())
	if _, sup := findings(rep, "replicas"); len(sup) != 0 {
		t.Errorf("strict mode applied annotation exemptions: %+v", sup)
	}
}

func TestSeverityOverride(t *testing.T) {
	t.Parallel()
	rep := scanWith(t, "checks:\n  severity: {dev.replicas: critical}\n", deployments, time.Now())
	for _, f := range rep.Findings {
		if f.Check == "replicas" && f.Severity != check.Critical {
			t.Errorf("severity = %s", f.Severity)
		}
	}
}

func TestCustomItem(t *testing.T) {
	t.Parallel()
	doc := "customChecks:\n  - id: no-host-port\n    item: custom.no-host-port\n    title: Containers do not bind host ports\n    section: network\n" +
		"    severity: high\n    kinds: [Deployment]\n" +
		"    expression: \"!object.spec.template.spec.containers.exists(c, has(c.ports) && c.ports.exists(p, has(p.hostPort)))\"\n"
	m := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x, ports: [{containerPort: 80, hostPort: 80}]}]\n"
	rep := scanWith(t, doc, m, time.Now())
	it := testutil.Item(rep, "custom.no-host-port")
	if it.Status != report.StatusFail || it.Section != "network" {
		t.Errorf("custom item = %+v", it)
	}
	if a, _ := findings(rep, "no-host-port"); len(a) != 1 || a[0].Severity != check.High {
		t.Errorf("findings = %+v", a)
	}
}

func TestCustomCheckRuntimeErrorIsNotAPass(t *testing.T) {
	t.Parallel()
	doc := "customChecks:\n  - id: needs-field\n    item: ops.labels\n    kinds: [ConfigMap]\n    expression: \"object.data.missing == 'x'\"\n"
	rep := scanWith(t, doc, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\ndata: {a: b}\n", time.Now())
	if len(rep.Errors) == 0 {
		t.Fatal("a failing evaluation must be an error entry")
	}
	if it := testutil.Item(rep, "ops.labels"); it.Status == report.StatusPass {
		t.Errorf("ops.labels passed although its custom check failed to evaluate")
	}
}

func hasNotice(rep *report.Report, s string) bool {
	for _, n := range rep.Notices {
		if strings.Contains(n.Message, s) {
			return true
		}
	}
	return false
}

// TestDocExamples runs the two worked examples of docs/config.md, as written there.
func TestDocExamples(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	var blocks []string
	for _, part := range strings.Split(doc, "### Example")[1:] {
		start := strings.Index(part, "```yaml\n") + len("```yaml\n")
		end := strings.Index(part[start:], "```")
		blocks = append(blocks, part[start:start+end])
	}
	if len(blocks) != 4 {
		t.Fatalf("found %d examples in docs/config.md", len(blocks))
	}
	// The cluster and node pool examples are run on the example clusters by
	// TestExampleConfigFires; here only the object examples.
	blocks = blocks[:2]
	m := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x, ports: [{containerPort: 80, hostPort: 8080}]}]\n---\n" +
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ok, namespace: shop, labels: {team: shop}}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n"
	want := map[string]string{"require-team-label": "no team label on Deployment web", "no-host-port": "web binds a port of the node"}
	for _, b := range blocks {
		rep := scanWith(t, b, m, time.Now())
		found := 0
		for id, msg := range want {
			a, _ := findings(rep, id)
			for _, f := range a {
				found++
				if f.Message != msg || f.Object.Name != "web" {
					t.Errorf("%s: finding %q on %s, want %q on web", id, f.Message, f.Object.Name, msg)
				}
			}
		}
		if found != 1 {
			t.Errorf("example gives %d findings, want 1:\n%s", found, b)
		}
	}
}

func TestVulnerabilityParamsAndIgnoreList(t *testing.T) {
	t.Parallel()
	r, err := resolve(t, "checks:\n  params:\n    vulnThreshold: critical\n    vulnUnfixedSeverity: low\n    reportMaxAge: 3d\n    distrolessBases: [myacr.azurecr.io/base/*]\n"+
		"vulnerabilities:\n  ignore:\n    - id: CVE-2024-6119\n      package: libssl3\n      reason: not reachable from the app\n      expires: 2027-01-31\n")
	if err != nil {
		t.Fatal(err)
	}
	env := &check.Env{Settings: r.Settings}
	if vuln.VulnThresholdSetting.Get(env) != check.Critical || vuln.VulnUnfixedSeveritySetting.Get(env) != check.Low ||
		len(dockerfile.DistrolessBasesSetting.Get(env)) != 1 || vuln.ReportMaxAgeSetting.Get(env).String() != "3d" {
		t.Errorf("settings = %+v", r.Settings)
	}
	if ig := vuln.VulnIgnoreSetting.Get(env); len(ig) != 1 || ig[0].Package != "libssl3" || ig[0].Expires.Year() != 2027 {
		t.Errorf("ignore list = %+v", ig)
	}
	if _, err := resolve(t, "vulnerabilities:\n  ignore:\n    - id: CVE-2024-6119\n"); err == nil || !strings.Contains(err.Error(), ".akscheck.yaml:3: vulnerabilities.ignore[0]") {
		t.Errorf("an ignore entry without reason: %v", err)
	}
}

// The IDs of the live-* checks that cluster checks replaced still work in a config, as the
// check that replaced them, with a notice that says so.
func TestFormerCheckIDs(t *testing.T) {
	t.Parallel()
	r, err := resolve(t, `checks:
  disable: [live-node-zones]
  severity: {live-system-node-pool: low}
exemptions:
  - check: live-node-version-skew
    kind: Node
    reason: "the legacy pool is retired next month"
`)
	if err != nil {
		t.Fatal(err)
	}
	p := r.Policy
	if !p.Disabled["availability-zones"] || p.Disabled["live-node-zones"] {
		t.Errorf("disabled = %v, want availability-zones", p.Disabled)
	}
	if sev, ok := p.Severity["system-node-pool"]; !ok || sev != check.Low {
		t.Errorf("severity = %v, want system-node-pool low", p.Severity)
	}
	if len(p.Exemptions) != 1 || p.Exemptions[0].Check != "node-pool-version-skew" {
		t.Errorf("exemptions = %+v, want one of node-pool-version-skew", p.Exemptions)
	}
	var msgs []string
	for _, n := range p.Notices {
		msgs = append(msgs, n.Message)
		if n.Source != ".akscheck.yaml" || n.Line == 0 {
			t.Errorf("notice without its place: %+v", n)
		}
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"checks.disable: live-node-zones is now availability-zones",
		"checks.severity: live-system-node-pool is now system-node-pool", "live-node-version-skew is now node-pool-version-skew"} {
		if !strings.Contains(all, want) {
			t.Errorf("notices %q lack %q", all, want)
		}
	}
	if _, err := resolve(t, "checks:\n  severity: {live-node-zones: low, availability-zones: high}\n"); err == nil || !strings.Contains(err.Error(), "name the same check") {
		t.Errorf("a former ID and its check both set: err = %v", err)
	}
}

// TestFindWalksUpToTheRepositoryRoot: a run from a subfolder finds the repository's config;
// nothing above the repository's root is read, and outside a repository only the working
// directory counts.
func TestFindWalksUpToTheRepositoryRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	sub := filepath.Join(repo, "apps", "shop")
	for _, d := range []string{filepath.Join(repo, ".git"), sub} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(dir string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte("checks: {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(root) // above the repository: never read
	if got := FindFrom(sub); got != "" {
		t.Errorf("a config above the repository's root was found: %q", got)
	}
	write(repo)
	if got := FindFrom(sub); got != filepath.Join("..", "..", FileName) {
		t.Errorf("from a subfolder: %q, want the repository's", got)
	}
	write(sub)
	if got := FindFrom(sub); got != FileName {
		t.Errorf("the nearest config: %q", got)
	}
	outside := filepath.Join(root, "plain", "dir")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := FindFrom(outside); got != "" {
		t.Errorf("outside a repository a parent's config was found: %q", got)
	}
}

// TestExampleConfigFires runs examples/.akscheck.yaml (and so the cluster and node pool
// examples of docs/config.md, which it holds) on the examples: each of its checks fires, on
// the ARM and the Terraform description of the cluster alike, and nothing is left unmatched.
func TestExampleConfigFires(t *testing.T) {
	t.Parallel()
	settings, err := check.SettingsOf(checks.All())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile("../../examples/.akscheck.yaml", settings)
	if err != nil {
		t.Fatal(err)
	}
	r, err := cfg.Resolve(catalog.MustLoad(), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	scan := load.Load(t.Context(), []string{"../../examples"}, load.Options{})
	rep := engine.Run(t.Context(), r.Catalog, r.Checks, scan, engine.Options{Settings: r.Settings, Policy: r.Policy})
	if len(cfg.CustomChecks) == 0 {
		t.Fatal("examples/.akscheck.yaml has no custom checks")
	}
	for _, cc := range cfg.CustomChecks {
		inputs := map[string]bool{}
		a, _ := findings(rep, cc.ID)
		for _, f := range a {
			inputs[filepath.Ext(f.Location.File)] = true
		}
		if !inputs[".json"] || !inputs[".tf"] {
			t.Errorf("%s fires on %v, want the ARM (.json) and the Terraform (.tf) examples", cc.ID, inputs)
		}
	}
	for _, n := range rep.Notices {
		if strings.Contains(n.Message, "custom check") {
			t.Errorf("notice %q", n.Message)
		}
	}
	// The docs' cluster examples are the config's checks.
	data, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, cc := range cfg.CustomChecks {
		if !strings.Contains(string(data), "- id: "+cc.ID) {
			t.Errorf("docs/config.md has no example %s", cc.ID)
		}
	}
}
