package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/report"
)

// guardrailCases are the namespaces the guardrails are generated for and scanned again: the
// examples' and fixtures of our own (no workload; a StatefulSet beside an ingress-only default
// deny; workloads without requests, placed by --namespace).
var guardrailCases = []struct {
	name, namespace string
	from            []string
}{
	{"examples-legacy", "legacy", []string{"../../examples"}},
	{"examples-dashboard", "kubernetes-dashboard", []string{"../../examples"}},
	{"examples-shop", "shop", []string{"../../examples"}},
	{"empty", "empty", []string{"testdata/guardrails/empty.yaml"}},
	{"stateful", "data", []string{"testdata/guardrails/stateful.yaml"}},
	{"norequests", "batch", []string{"testdata/guardrails/norequests.yaml"}},
}

// addressed are the checks whose namespace-level findings the guardrails answer.
var addressed = []string{"default-deny-ingress", "default-deny-egress", "block-imds", "resource-quota", "limit-range",
	"pdb-coverage", "autoscaling", "hpa-missing-requests"}

// TestGuardrailsScanClean generates each case's guardrails into a directory, scans the input
// with and without them, and holds them to akscheck's own checks: the findings they address in
// the namespace are gone (an autoscaler the command said it skipped aside), no generated
// object has a finding, and no finding appears that was not there before.
func TestGuardrailsScanClean(t *testing.T) {
	t.Parallel()
	for _, tc := range guardrailCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := []string{"generate", "guardrails", "-n", tc.namespace, "-o", dir}
			for _, p := range tc.from {
				args = append(args, "--from", p)
			}
			code, _, stderr := run(t, "", args...)
			if code != ExitOK {
				t.Fatalf("generate exit %d: %s", code, stderr)
			}
			skippedHPA := map[string]bool{}
			for _, m := range regexp.MustCompile(`skipped a HorizontalPodAutoscaler for \w+ (\S+): container`).FindAllStringSubmatch(stderr, -1) {
				skippedHPA[m[1]] = true
			}
			files, err := os.ReadDir(dir)
			if err != nil || len(files) == 0 {
				t.Fatalf("no file generated (%v): %s", err, stderr)
			}
			generated := map[string]bool{}
			for _, f := range files {
				generated[strings.TrimSuffix(f.Name(), ".yaml")] = true
			}
			before := scanFindings(t, tc.namespace, tc.from...)
			after := scanFindings(t, tc.namespace, append(slices.Clone(tc.from), dir)...)
			addressedBefore := 0
			for _, f := range before {
				if f.Object.Namespace == tc.namespace || f.Object.Name == tc.namespace {
					if slices.Contains(addressed, f.Check) {
						addressedBefore++
					}
				}
			}
			if addressedBefore == 0 {
				t.Fatal("the input has no finding the guardrails address: the case tests nothing")
			}
			was := map[string]bool{}
			for _, f := range before {
				was[workloadFindingKey(f)] = true
			}
			for _, f := range after {
				inNS := f.Object.Namespace == tc.namespace || (f.Object.Kind == "Namespace" && f.Object.Name == tc.namespace)
				switch {
				case generated[strings.ToLower(f.Object.Kind)+"-"+f.Object.Name] && f.Object.Namespace == tc.namespace:
					t.Errorf("generated %s %s has a finding: %s: %s", f.Object.Kind, f.Object.Name, f.Check, f.Message)
				case inNS && slices.Contains(addressed, f.Check) && !(f.Check == "autoscaling" && skippedHPA[f.Object.Name]):
					t.Errorf("still %s on %s %s: %s", f.Check, f.Object.Kind, f.Object.Name, f.Message)
				case !was[workloadFindingKey(f)]:
					t.Errorf("new finding %s on %s %s/%s: %s", f.Check, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Message)
				}
			}
			t.Logf("%s: %d findings before, %d after (%d addressed before)", tc.name, len(before), len(after), addressedBefore)
		})
	}
}

// workloadFindingKey names a finding by check, object and container: a guardrail changes no path.
func workloadFindingKey(f report.Finding) string {
	return f.Check + "\x00" + f.Object.Kind + "\x00" + f.Object.Namespace + "\x00" + f.Object.Name + "\x00" + f.Container
}

// scanFindings scans paths as the guardrails command reads them (objects without a namespace
// in namespace) and returns the findings.
func scanFindings(t *testing.T, namespace string, paths ...string) []report.Finding {
	t.Helper()
	args := append([]string{"scan", "-o", "json", "--fail-on", "none", "--namespace", namespace}, paths...)
	code, out, stderr := run(t, "", args...)
	if code != ExitOK {
		t.Fatalf("scan exit %d: %s", code, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Findings
}

// TestGuardrailsGolden holds each case's YAML and notes to golden files. Regenerate with
// go test ./internal/cli -run TestGuardrailsGolden -update and review the diff.
func TestGuardrailsGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range guardrailCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"generate", "guardrails", "--namespace", tc.namespace}
			for _, p := range tc.from {
				args = append(args, "--from", p)
			}
			code, out, stderr := run(t, "", args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			matchGolden(t, filepath.Join("testdata", "guardrails", tc.name+".yaml.golden"), out)
			matchGolden(t, filepath.Join("testdata", "guardrails", tc.name+".stderr.golden"), stderr)
		})
	}
}

// TestGuardrailsOutputs checks that stdout, --output-file and -o DIR hold the same objects.
func TestGuardrailsOutputs(t *testing.T) {
	t.Parallel()
	from := "testdata/guardrails/stateful.yaml"
	_, stdout, _ := run(t, "", "generate", "guardrails", "-n", "data", "--from", from)
	file := filepath.Join(t.TempDir(), "guardrails.yaml")
	if code, _, stderr := run(t, "", "generate", "guardrails", "-n", "data", "--from", from, "--output-file", file); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got, err := os.ReadFile(file); err != nil || string(got) != stdout {
		t.Errorf("--output-file differs from standard output (%v)", err)
	}
	dir := filepath.Join(t.TempDir(), "new", "dir")
	if code, out, stderr := run(t, "", "generate", "guardrails", "-n", "data", "--from", from, "-o", dir); code != ExitOK || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, stderr)
	}
	files, _ := os.ReadDir(dir)
	var joined []string
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(b), "\nkind: ") != 1 {
			t.Errorf("%s holds %d objects, want 1", f.Name(), strings.Count(string(b), "\nkind: "))
		}
		joined = append(joined, string(b))
	}
	if docs := strings.Count(stdout, "\nkind: "); docs != len(files) {
		t.Errorf("%d files, standard output has %d objects", len(files), docs)
	}
	for _, doc := range joined {
		if !strings.Contains(stdout, doc) {
			t.Errorf("a file is not in standard output:\n%s", doc)
		}
	}
}

func TestGuardrailsBadInput(t *testing.T) {
	t.Parallel()
	unreadable := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(unreadable, []byte("kind: ConfigMap\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	shop := []string{"generate", "guardrails", "-n", "shop", "--from", "../../examples"}
	kubeconfig := writeKubeconfig(t, "prod")
	tests := []struct {
		name string
		args []string
		in   string
		want string // in stderr
	}{
		{"unknown namespace", []string{"generate", "guardrails", "-n", "nope", "--from", "../../examples"}, "", "namespace nope is not in the input (its namespaces: default, kubernetes-dashboard, legacy, shop, velero)"},
		{"no namespace flag", []string{"generate", "guardrails", "--from", "../../examples"}, "", `"namespace" not set`},
		{"no input", []string{"generate", "guardrails", "-n", "shop"}, "", "needs --from PATH"},
		{"missing path", []string{"generate", "guardrails", "-n", "shop", "--from", "does-not-exist.yaml"}, "", "does-not-exist.yaml"},
		{"malformed input", []string{"generate", "guardrails", "-n", "shop", "--from", "-"}, "kind: [", "cannot be sized"},
		{"system namespace", []string{"generate", "guardrails", "-n", "kube-system", "--from", "-"}, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: kube-system}\n", "system namespace"},
		{"headroom below 1", append(slices.Clone(shop), "--headroom", "0.5"), "", "headroom 0.5"},
		{"headroom not a number", append(slices.Clone(shop), "--headroom", "lots"), "", "--headroom"},
		{"headroom NaN", append(slices.Clone(shop), "--headroom", "NaN"), "", "headroom NaN"},
		{"scale factor 1", append(slices.Clone(shop), "--scale-factor", "1"), "", "scale factor 1"},
		{"cpu utilization 0", append(slices.Clone(shop), "--cpu-utilization", "0"), "", "CPU utilization 0"},
		{"max unavailable 0", append(slices.Clone(shop), "--max-unavailable", "0"), "", "--max-unavailable"},
		{"max unavailable 100%", append(slices.Clone(shop), "--max-unavailable", "100%"), "", "from 1% to 99%"},
		{"nodes 0", append(slices.Clone(shop), "--nodes", "0"), "", "nodes 0"},
		{"both outputs", append(slices.Clone(shop), "-o", t.TempDir(), "--output-file", "x.yaml"), "", "exclude each other"},
		{"context without cluster", append(slices.Clone(shop), "--context", "prod"), "", "need --cluster"},
		{"generate alone", []string{"generate"}, "", "needs a subcommand"},
		{"unreachable cluster", []string{"generate", "guardrails", "-n", "shop", "--cluster", "--kubeconfig", kubeconfig}, "", "cannot be sized"},
		{"unknown context", []string{"generate", "guardrails", "-n", "shop", "--cluster", "--kubeconfig", kubeconfig, "--context", "staging"}, "", "staging"},
	}
	if os.Geteuid() != 0 { // root reads a file whatever its mode
		tests = append(tests, struct {
			name string
			args []string
			in   string
			want string
		}{"unreadable path", []string{"generate", "guardrails", "-n", "shop", "--from", unreadable}, "", "secret.yaml"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, stderr := run(t, tt.in, tt.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, ExitUsage, stderr)
			}
			if out != "" {
				t.Errorf("wrote to standard output on bad input:\n%s", out)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", stderr, tt.want)
			}
		})
	}
}

// TestGuardrailsNothingToDo: a namespace with every guardrail gets none, and says so.
func TestGuardrailsNothingToDo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, stderr := run(t, "", "generate", "guardrails", "-n", "data", "--from", "testdata/guardrails/stateful.yaml", "-o", dir); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, out, stderr := run(t, "", "generate", "guardrails", "-n", "data", "--from", "testdata/guardrails/stateful.yaml", "--from", dir)
	if code != ExitOK || out != "" {
		t.Fatalf("exit %d, stdout:\n%s", code, out)
	}
	if !strings.Contains(stderr, "nothing to generate") {
		t.Errorf("stderr does not say there is nothing to generate:\n%s", stderr)
	}
}
