package upgrade

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// plan scans paths as upgrade-plan does and builds their plan.
func plan(t *testing.T, to string, paths ...string) (*Plan, error) {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	res, err := scan.Run(t.Context(), scan.Request{Paths: paths, Catalog: cat, Checks: checks.All(), Now: testutil.Now, KeepSubjects: true})
	if err != nil {
		t.Fatal(err)
	}
	cr := res.Reports[0]
	return Build(cr.Subjects, cr.Report, Options{To: to, Data: aksversion.Shipped(), Now: testutil.Now()})
}

func rules(p *Plan) map[string]int {
	out := map[string]int{}
	for _, f := range p.Findings() {
		out[f.Rule]++
	}
	return out
}

func TestTwoStepPathFromUpgradeProfile(t *testing.T) {
	t.Parallel()
	p, err := plan(t, "", "testdata/two-step")
	if err != nil {
		t.Fatal(err)
	}
	// 1.32 is on LTS only on the scan's date (2026-11-24), 1.33 too: the default target is
	// the first minor in standard support, 1.34, through 1.33.
	if p.Target != "1.34" || p.TargetFrom != "upgrade-profile" {
		t.Errorf("target %s from %s, want 1.34 from upgrade-profile", p.Target, p.TargetFrom)
	}
	var versions []string
	for _, s := range p.Path {
		versions = append(versions, s.Version+"="+s.Support+":"+s.Patch)
	}
	if got, want := strings.Join(versions, " "), "1.33=lts-only:1.33.5 1.34=supported:"; got != want {
		t.Errorf("path %s, want %s", got, want)
	}
	r := rules(p)
	for _, want := range []string{"upgrade-step-unsupported", "upgrade-pool-skew", "upgrade-pool-settings", "upgrade-surge-addresses"} {
		if r[want] == 0 {
			t.Errorf("no %s finding: %v", want, r)
		}
	}
	if p.Verdict != NoGo {
		t.Errorf("verdict %s, want no-go (the apps pool is too far behind)", p.Verdict)
	}
	for _, f := range p.Findings() {
		if f.Rule == "upgrade-surge-addresses" && strings.HasPrefix(f.Message, "node pool system") &&
			!strings.Contains(f.Message, "needs 31 free address(es)") {
			t.Errorf("system pool: 1 surge node of Azure CNI with 30 pods needs 31 addresses: %s", f.Message)
		}
	}
}

func TestAKSChangeOnUbuntu(t *testing.T) {
	t.Parallel()
	p, err := plan(t, "1.34", "testdata/skew")
	if err != nil {
		t.Fatal(err)
	}
	// At 1.34 already: no step, no change; the legacy pool is behind.
	if rules(p)["upgrade-aks-change"] != 0 || rules(p)["upgrade-aks-change-blocks"] != 0 {
		t.Errorf("a change outside the path: %v", p.Findings())
	}
	if p.Verdict != GoWithWarnings || rules(p)["upgrade-pool-behind"] != 1 || len(p.Path) != 0 {
		t.Errorf("verdict %s, findings %v, path %v; want go-with-warnings with the legacy pool behind", p.Verdict, rules(p), p.Path)
	}
	// To 1.35: the Windows Server 2022 pool blocks, the legacy pool (Ubuntu by default) moves
	// to Ubuntu 24.04.
	p, err = plan(t, "1.35", "testdata/skew")
	if err != nil {
		t.Fatal(err)
	}
	var blocks, infos []string
	for _, f := range p.Findings() {
		switch f.Rule {
		case "upgrade-aks-change-blocks":
			blocks = append(blocks, f.Message)
		case "upgrade-aks-change":
			infos = append(infos, f.Message)
		}
	}
	if len(blocks) != 1 || !strings.Contains(blocks[0], "node pools win22,") || p.Verdict != NoGo {
		t.Errorf("blocking changes %q, verdict %s", blocks, p.Verdict)
	}
	if len(infos) != 1 || !strings.Contains(infos[0], "node pools legacy,") {
		t.Errorf("changes %q", infos)
	}
	// Through 1.35, the system pool's Ubuntu moves to 24.04; the AzureLinux pool is untouched.
	p, err = plan(t, "1.35", "testdata/two-step")
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, f := range p.Findings() {
		if f.Rule == "upgrade-aks-change" {
			changes = append(changes, f.Message)
		}
	}
	if len(changes) != 1 || !strings.Contains(changes[0], "Ubuntu 24.04") || !strings.Contains(changes[0], "node pools system,") {
		t.Errorf("changes %q", changes)
	}
}

func TestRemovedAndDeprecatedAPIs(t *testing.T) {
	t.Parallel()
	p, err := plan(t, "1.33", "testdata/manifests")
	if err != nil {
		t.Fatal(err)
	}
	var removed []string
	for _, f := range p.Findings() {
		if f.Rule == "upgrade-removed-api" {
			removed = append(removed, f.Object.Kind+" "+f.Object.APIVersion+" "+f.Step)
			if !strings.Contains(f.Message, "use flowcontrol.apiserver.k8s.io/v1") && f.Object.Kind == "FlowSchema" {
				t.Errorf("no replacement named: %s", f.Message)
			}
			if f.Location.Line == 0 {
				t.Errorf("no line: %+v", f)
			}
		}
	}
	if got, want := strings.Join(removed, ", "), "FlowSchema flowcontrol.apiserver.k8s.io/v1beta3 1.32, HorizontalPodAutoscaler autoscaling/v2beta2 1.26"; got != want {
		t.Errorf("removed: %s, want %s", got, want)
	}
	// Against 1.31 the FlowSchema is only deprecated, not yet removed.
	p, err = plan(t, "1.31", "testdata/manifests/flowschema.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// (1.31 itself is past its end of standard support: the target is flagged too.)
	if r := rules(p); r["upgrade-deprecated-api"] != 1 || r["upgrade-removed-api"] != 0 || r["upgrade-target-unsupported"] != 1 {
		t.Errorf("1.31: %v, verdict %s", r, p.Verdict)
	}
}

func TestDrainBlockers(t *testing.T) {
	t.Parallel()
	p, err := plan(t, "1.36", "testdata/manifests/workloads.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := rules(p)
	for rule, n := range map[string]int{"upgrade-pdb-blocks": 2, "upgrade-single-replica-pdb": 1, "upgrade-bare-pod": 1, "upgrade-local-storage": 1} {
		if r[rule] != n {
			t.Errorf("%s: %d findings, want %d (%v)", rule, r[rule], n, p.Findings())
		}
	}
	if p.Verdict != NoGo {
		t.Errorf("verdict %s", p.Verdict)
	}
	for _, f := range p.Findings() {
		if f.Rule == "upgrade-pdb-blocks" && f.Check != "pdb-blocks-eviction" {
			t.Errorf("budget finding not tied to the engine's check: %+v", f)
		}
	}
}

func TestCleanIsGo(t *testing.T) {
	t.Parallel()
	p, err := plan(t, "1.36", "testdata/manifests/clean.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Verdict != Go || len(p.Findings()) != 0 {
		t.Errorf("verdict %s, findings %v", p.Verdict, p.Findings())
	}
}

func TestBadTargets(t *testing.T) {
	t.Parallel()
	for to, want := range map[string]string{
		"1.31": "older than the cluster's Kubernetes 1.32",
		"1.40": "no AKS version data for Kubernetes 1.40",
		"1.32": "",
	} {
		_, err := plan(t, to, "testdata/two-step")
		if want == "" {
			if err != nil {
				t.Errorf("--to %s: %v", to, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--to %s: %v, want %q", to, err, want)
		}
	}
	if _, err := plan(t, "", "testdata/manifests/clean.yaml"); err == nil || !strings.Contains(err.Error(), "give --to") {
		t.Errorf("no cluster and no --to: %v", err)
	}
}

func TestHelmAndLiveVersions(t *testing.T) {
	t.Parallel()
	s := &subject.Scan{Others: []subject.Subject{&subject.HelmRelease{Name: "web", Namespace: "shop", Revision: 2, Secret: "sh.helm.release.v1.web.v2",
		Objects: []subject.HelmObject{{APIVersion: "policy/v1beta1", Kind: "PodDisruptionBudget", Namespace: "shop", Name: "web"}}}}}
	p, err := Build(s, emptyReport(), Options{To: "1.34", Data: aksversion.Shipped(), Now: testutil.Now()})
	if err != nil {
		t.Fatal(err)
	}
	fs := p.Findings()
	if len(fs) != 1 || fs[0].Rule != "upgrade-removed-api" || fs[0].Via != "helm-release" || !strings.Contains(fs[0].Message, "Helm release shop/web (revision 2)") {
		t.Errorf("findings %+v", fs)
	}
}

func emptyReport() *report.Report { return &report.Report{} }

func TestVMCores(t *testing.T) {
	t.Parallel()
	for size, want := range map[string]int{"Standard_D4ds_v5": 4, "Standard_E8-4ds_v5": 8, "standard_nc24ads_a100_v4": 24, "Standard_B2s": 2, "custom": 0, "": 0} {
		if got := vmCores(size); got != want {
			t.Errorf("vmCores(%q) = %d, want %d", size, got, want)
		}
	}
}

func TestPatchesFromRegionVersions(t *testing.T) {
	t.Parallel()
	p, err := plan(t, "1.34", "testdata/region")
	if err != nil {
		t.Fatal(err)
	}
	// No upgrade profile: the patches are the newest of az aks get-versions, numerically.
	if len(p.Path) != 2 || p.Path[0].Patch != "1.33.10" || p.Path[1].Patch != "1.34.3" || p.Path[1].EndOfLife != "2026-11-30" {
		t.Errorf("path %+v", p.Path)
	}
}

func TestSurgeAgainstSubnet(t *testing.T) {
	t.Parallel()
	p, err := plan(t, "1.33", "testdata/subnet")
	if err != nil {
		t.Fatal(err)
	}
	// A /25 holds 128 - 5 = 123 addresses, 40 in use: 83 free. The system pool's surge node
	// needs 31 (Azure CNI, 30 pods), the apps pool's 51: each fits alone.
	var msgs []string
	for _, f := range p.Findings() {
		if f.Rule == "upgrade-surge-addresses" || f.Rule == "upgrade-surge-subnet-full" {
			msgs = append(msgs, f.Rule+": "+f.Message)
		}
	}
	if len(msgs) != 2 || !strings.Contains(msgs[0], "has 83 free") || strings.Contains(strings.Join(msgs, "\n"), "subnet-full") {
		t.Errorf("capacity findings:\n%s", strings.Join(msgs, "\n"))
	}
	// The apps pool at 100% surge adds 4 nodes of 51 addresses: more than the subnet has.
	p, err = plan(t, "1.33", "testdata/subnet-full")
	if err != nil {
		t.Fatal(err)
	}
	if r := rules(p); r["upgrade-surge-subnet-full"] != 1 || p.Verdict != NoGo {
		t.Errorf("subnet full: %v, verdict %s", r, p.Verdict)
	}
}
