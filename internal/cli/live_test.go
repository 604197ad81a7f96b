package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
