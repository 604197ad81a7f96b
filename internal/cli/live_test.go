package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

// writeKubeconfig writes a kubeconfig whose clusters listen nowhere (a closed loopback port).
func writeKubeconfig(t *testing.T, contexts ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Config\nclusters:\n- name: nowhere\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n")
	for _, c := range contexts {
		b.WriteString("- name: " + c + "\n  context: {cluster: nowhere, user: u}\n")
	}
	b.WriteString("current-context: " + contexts[0] + "\n")
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLiveFlags(t *testing.T) {
	t.Parallel()
	kc := writeKubeconfig(t, "prod")
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"--context needs --cluster", []string{"scan", "--context", "prod", "-"}, ExitUsage},
		{"--all-contexts excludes --context", []string{"scan", "--cluster", "--all-contexts", "--context", "prod", "--kubeconfig", kc}, ExitUsage},
		{"an unknown context", []string{"scan", "--cluster", "--context", "staging", "--kubeconfig", kc}, ExitUsage},
		{"an unreachable cluster is nothing read", []string{"scan", "--cluster", "--kubeconfig", kc}, ExitUsage},
		{"a missing kubeconfig", []string{"scan", "--cluster", "--kubeconfig", filepath.Join(t.TempDir(), "none")}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if code, _, stderr := run(t, "", tt.args...); code != tt.want {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.want, stderr)
			}
		})
	}
}

// An unreachable cluster is an error entry naming the context, with the reason.
func TestLiveUnreachable(t *testing.T) {
	t.Parallel()
	kc := writeKubeconfig(t, "prod")
	_, out, _ := run(t, "", "scan", "--cluster", "--kubeconfig", kc, "-o", "json")
	var rep struct {
		Inputs []struct{ Kind, Source string }
		Errors []struct{ Source, Message string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rep.Inputs) != 1 || rep.Inputs[0].Kind != "cluster" || rep.Inputs[0].Source != "prod" {
		t.Errorf("inputs = %+v", rep.Inputs)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Source != "prod" || !strings.Contains(rep.Errors[0].Message, "127.0.0.1:1") {
		t.Errorf("errors = %+v", rep.Errors)
	}
}

// --all-contexts writes one JSON report per line, then the summary line.
func TestAllContextsJSONLines(t *testing.T) {
	t.Parallel()
	kc := writeKubeconfig(t, "b", "a")
	code, out, _ := run(t, "", "scan", "--cluster", "--all-contexts", "--kubeconfig", kc, "-o", "json")
	if code != ExitUsage {
		t.Errorf("exit %d, want 2: no cluster could be read", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), out)
	}
	for i, want := range []string{`"source":"a"`, `"source":"b"`, `"fleetSummary"`} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d lacks %s", i+1, want)
		}
	}
}

func TestPerClusterFile(t *testing.T) {
	t.Parallel()
	for in, want := range map[[2]string]string{
		{"report.json", "prod"}:       "report.prod.json",
		{"out/r.sarif", "aks/west:1"}: "out/r.aks_west_1.sarif",
		{"report", "sub/rg/cluster"}:  "report.sub_rg_cluster",
	} {
		if got := perClusterFile(in[0], in[1]); got != want {
			t.Errorf("perClusterFile(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func runAzure(t *testing.T, srv *azuretest.Server, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(t.Context(), args, IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut,
		Azure: &azure.Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()}}, testNow)
	return code, out.String(), errOut.String()
}

func TestAzureInputFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"scan", "--azure"},
		{"scan", "--subscription", "s"},
		{"scan", "--aks-resource-id", "/subscriptions/s"},
		{"scan", "--azure", "--subscription", "s", "--cluster"},
		{"scan", "--azure", "--cluster", "--all-contexts", "--aks-resource-id", "/subscriptions/s"},
	} {
		if code, _, _ := run(t, "", args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// --azure --aks-resource-id: the cluster's checks run on what ARM answered.
func TestAzureOneCluster(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	code, out, stderr := runAzure(t, srv, "scan", "--azure", "--aks-resource-id", azuretest.ClusterID, "-o", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors = %+v", rep.Errors)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Check == "private-cluster" && f.Object.Name == "aks-shop" {
			found = true
		}
	}
	if !found {
		t.Error("no private-cluster finding on aks-shop")
	}
	// Azure Policy through the API: the baseline initiative assigned in Audit, and the
	// resources Policy Insights found non-compliant, said to come from Azure Policy.
	policy := map[string]int{}
	for _, f := range rep.Findings {
		if f.Check == "policy-assignments-deny" || (f.Check == "policy-noncompliant-resources" && strings.Contains(f.Message, "(source: Azure Policy)")) {
			policy[f.Check]++
		}
		if f.Check == "allowed-images-policy-deny" {
			t.Errorf("allowed images is assigned in Deny at the resource group: %s", f.Message)
		}
	}
	if policy["policy-assignments-deny"] != 2 || policy["policy-noncompliant-resources"] != 2 {
		t.Errorf("policy findings %v, want 2 assignments that do not deny and 2 non-compliant states", policy)
	}
	for _, in := range rep.Inputs {
		if in.Kind != "arm" || !strings.HasPrefix(in.Source, azuretest.ClusterID) && !strings.HasPrefix(in.Source, "/subscriptions/"+azuretest.Subscription+"/providers/") {
			t.Errorf("input %+v: want ARM resources named by their ID", in)
		}
	}
}

// --azure --subscription: every cluster of the subscription through Resource Graph, one
// report per line, then the summary; what ARM refuses of a cluster (all of aks-locked) is an
// error entry each, and the cluster is judged on what Resource Graph showed.
func TestAzureFleet(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	code, out, _ := runAzure(t, srv, "scan", "--azure", "--subscription", azuretest.Subscription, "-o", "json")
	if code != ExitPartial {
		t.Errorf("exit %d, want 3: one of the two clusters could not be read", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 2 reports and the summary", len(lines))
	}
	var first, second report.Report
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if len(first.Findings) == 0 || len(first.Errors) > 0 {
		t.Errorf("aks-shop: %d findings, errors %+v", len(first.Findings), first.Errors)
	}
	if len(second.Errors) != 6 {
		t.Errorf("aks-locked: errors %+v, want its pool's upgrade profile, maintenance configurations, diagnostic settings, policy assignments, extensions and Flux configurations", second.Errors)
	}
	for _, e := range second.Errors {
		if !strings.Contains(e.Message, "forbidden") || !strings.HasPrefix(e.Source, azuretest.LockedClusterID+"/") {
			t.Errorf("aks-locked: error %+v", e)
		}
	}
	if it := testutil.Item(&second, "cluster.upgrade-channel"); it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "maintenance configurations") {
		t.Errorf("aks-locked: cluster.upgrade-channel is %s (%s), want not evaluated for want of its maintenance configurations", it.Status, it.Reason)
	}
	if !strings.Contains(lines[2], `"cluster":"rg-shop/aks-shop"`) || !strings.Contains(lines[2], `"cluster":"rg-team/aks-locked"`) {
		t.Errorf("summary = %s", lines[2])
	}
	for _, r := range srv.Requests() {
		if strings.EqualFold(r, "GET "+azuretest.ClusterID) {
			t.Errorf("%s: the fleet read the cluster through ARM; Resource Graph's row holds it", r)
		}
	}
	// The table: both reports, then the summary table.
	_, table, _ := runAzure(t, srv, "scan", "--azure", "--subscription", azuretest.Subscription, "--no-color")
	for _, want := range []string{"== rg-shop/aks-shop", "== rg-team/aks-locked", "== summary of 2 clusters", "CLUSTER"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q", want)
		}
	}
}

// TestContextCompletion: --context completes with the kubeconfig's contexts.
func TestContextCompletion(t *testing.T) {
	t.Parallel()
	kc := writeKubeconfig(t, "prod", "dev")
	code, out, stderr := run(t, "", "__complete", "scan", "--cluster", "--kubeconfig", kc, "--context", "")
	if code != ExitOK || !strings.Contains(out, "dev\nprod\n") {
		t.Errorf("exit %d: %q %s", code, out, stderr)
	}
}

// TestProgressAndQuiet: -v reports what was read and checked on stderr (for a fleet, each
// cluster as it is done), and -q silences warnings but not the reason for the exit.
func TestProgressAndQuiet(t *testing.T) {
	t.Parallel()
	_, _, stderr := run(t, "", "scan", "-v", "--fail-on", "none", "../../examples")
	if !strings.Contains(stderr, "akscheck: read ") || !strings.Contains(stderr, "akscheck: checked ") || !strings.Contains(stderr, "subjects/s") {
		t.Errorf("-v: %q", stderr)
	}
	// The first input read is reported at once; -vv names every input.
	if !strings.Contains(stderr, "akscheck: reading: 1 inputs, ") {
		t.Errorf("-v reports no reading progress: %q", stderr)
	}
	_, _, each := run(t, "", "scan", "-vv", "--fail-on", "none", "../../examples")
	if !strings.Contains(each, "akscheck: read ../../examples/k8s/cart.yaml (") || !strings.Contains(each, "akscheck: read ../../examples/helm/catalog (") {
		t.Errorf("-vv does not name each input: %q", each)
	}
	if _, _, quiet := run(t, "", "scan", "--fail-on", "none", "../../examples"); quiet != "" {
		t.Errorf("without -v stderr holds %q", quiet)
	}
	srv := azuretest.NewServer()
	defer srv.Close()
	_, _, fleet := runAzure(t, srv, "scan", "-v", "--azure", "--subscription", azuretest.Subscription, "-o", "json")
	if !strings.Contains(fleet, "akscheck: cluster 1/2 ") || !strings.Contains(fleet, "akscheck: cluster 2/2 ") {
		t.Errorf("fleet progress: %q", fleet)
	}
	malformed := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n---\n: bad: [\n"
	if code, _, stderr := run(t, malformed, "scan", "-q", "--fail-on", "none", "--allow-errors", "-"); code != ExitOK || stderr != "" {
		t.Errorf("-q with an allowed error: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run(t, malformed, "scan", "-q", "--fail-on", "none", "-"); code != ExitPartial || !strings.Contains(stderr, "1 error(s)") {
		t.Errorf("-q keeps the exit's reason: exit %d, stderr %q", code, stderr)
	}
}
