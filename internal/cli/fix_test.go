package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/report"
)

// fixConfig gives every fix setting a value, so that each check's fix can be made on its
// fixtures. The probe template runs a command (no port), so that it fits every container.
const fixConfig = `checks:
  params:
    fixRunAsUser: 10001
    fixReadOnlyRootTmp: true
    fixLabels:
      app.kubernetes.io/name: ${name}
      app.kubernetes.io/instance: ${name}-prod
    fixResources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {cpu: "1", memory: 256Mi}
    fixProbes:
      liveness: {exec: {command: [/bin/health]}, periodSeconds: 10}
      readiness: {exec: {command: [/bin/ready]}, periodSeconds: 5}
      startup: {exec: {command: [/bin/health]}, failureThreshold: 30, periodSeconds: 10}
`

// findingKey names a finding without its line, which an edit above it moves.
func findingKey(f report.Finding) string {
	return strings.Join([]string{f.Check, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Container, f.Location.Path, f.Message}, "|")
}

func scanJSON(t *testing.T, cfg string, paths ...string) *report.Report {
	t.Helper()
	_, out, errOut := run(t, "", append([]string{"scan", "--config", cfg, "-o", "json", "--fail-on", "none"}, paths...)...)
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("scan: %v\n%s", err, errOut)
	}
	return &rep
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) []byte {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(data))
	return data
}

// matchGoldenFile is matchGolden for a golden file in a folder of its own.
func matchGoldenFile(t *testing.T, golden, out string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	matchGolden(t, golden, out)
}

// TestFixRoundTrip runs fix on every fail fixture of every check that offers a fix: the diff
// is the golden one (reviewed: only the fixes' lines change), the fixed findings are gone on
// a rescan, no finding appears, and every line of the fixture is still there, in order.
func TestFixRoundTrip(t *testing.T) {
	t.Parallel()
	fixedSomewhere := map[string]bool{}
	var fixable []string
	for _, c := range checks.All() {
		if c.Fix == "" || !slices.Contains(c.EvidenceKinds(), catalog.Manifest) {
			// Fixes of Azure resources are the report's to give (internal/remedy's round
			// trips apply them); akscheck fix rewrites manifests.
			continue
		}
		fixable = append(fixable, c.ID)
		var fixtures []string
		for _, pkg := range []string{"workload", "object"} {
			m, _ := filepath.Glob(filepath.Join("..", "checks", pkg, "testdata", c.ID, "fail_*.yaml"))
			fixtures = append(fixtures, m...)
		}
		if len(fixtures) == 0 {
			t.Errorf("check %s offers a fix but has no YAML fail fixture to fix", c.ID)
		}
		for _, fixture := range fixtures {
			name := c.ID + "/" + strings.TrimSuffix(filepath.Base(fixture), ".yaml")
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				cfg := filepath.Join(dir, "akscheck.yaml")
				writeFile(t, cfg, fixConfig)
				file := filepath.Join(dir, "fixture.yaml")
				orig := copyFile(t, fixture, file)
				before := scanJSON(t, cfg, file)

				code, diff, errOut := run(t, "", "fix", "--config", cfg, "--diff", file)
				if code != ExitOK {
					t.Fatalf("fix --diff: exit %d\n%s", code, errOut)
				}
				diff = strings.ReplaceAll(diff, filepath.ToSlash(dir), "fixture")
				matchGoldenFile(t, filepath.Join("testdata", "fix", name+".diff"), diff)
				if now, _ := os.ReadFile(file); string(now) != string(orig) {
					t.Fatal("fix --diff wrote the file")
				}

				code, _, errOut = run(t, "", "fix", "--config", cfg, file)
				if code != ExitOK {
					t.Fatalf("fix: exit %d\n%s", code, errOut)
				}
				after := scanJSON(t, cfg, file)
				had := map[string]bool{}
				for _, f := range before.Findings {
					had[findingKey(f)] = true
				}
				left := map[string]bool{}
				for _, f := range after.Findings {
					if !had[findingKey(f)] {
						t.Errorf("new finding after fix: %s %s", f.Check, f.Message)
					}
					left[findingKey(f)] = true
				}
				for _, f := range before.Findings {
					if f.Fix == nil {
						continue
					}
					if left[findingKey(f)] {
						t.Errorf("finding with a fix still there after fix: %s %s", f.Check, f.Message)
					}
					if f.Check == c.ID {
						fixedSomewhere[c.ID] = true
					}
				}
				fixed, _ := os.ReadFile(file)
				if diff != "" && string(fixed) == string(orig) {
					t.Error("fix printed a diff but wrote nothing")
				}
				// The diff --diff printed is exactly what fix wrote.
				if patched := applyUnifiedDiff(t, string(orig), diff); patched != string(fixed) {
					t.Errorf("the --diff output applied to the fixture gives\n%s\nbut fix wrote\n%s", patched, fixed)
				}
				// Unrelated bytes: every line of the fixture is still there, in order (the
				// fixes only insert lines or change a value in place, which the golden diff
				// shows).
				assertLinesKept(t, string(orig), string(fixed))
			})
		}
	}
	t.Cleanup(func() {
		for _, id := range fixable {
			if !fixedSomewhere[id] && !t.Failed() {
				t.Errorf("check %s offers a fix, but none of its fail fixtures got one", id)
			}
		}
	})
}

// assertLinesKept fails when a line of before that no edit replaced in place is missing from
// after, or out of order: edits insert lines, and replace a value on its own line.
func assertLinesKept(t *testing.T, before, after string) {
	t.Helper()
	a := strings.Split(after, "\n")
	i := 0
	replaced := 0
	for _, ln := range strings.Split(before, "\n") {
		j := slices.Index(a[i:], ln)
		if j < 0 {
			replaced++
			continue
		}
		i += j + 1
	}
	if replaced > 2 {
		t.Errorf("%d lines of the file changed or moved; want insertions and in-place values only", replaced)
	}
}

func TestFixHelmChartUntouched(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	chart := filepath.Join(dir, "chart")
	files := map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: web\nversion: 1.0.0\n",
		"values.yaml": "image: contoso.azurecr.io/web:1.0.0\n",
		"templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  template:
    spec:
      containers:
        - name: web
          image: {{ .Values.image | quote }}
`,
	}
	for rel, text := range files {
		writeFile(t, filepath.Join(chart, rel), text)
	}
	cfg := filepath.Join(dir, "akscheck.yaml")
	writeFile(t, cfg, fixConfig)
	code, out, errOut := run(t, "", "fix", "--config", cfg, chart)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for rel, text := range files {
		now, err := os.ReadFile(filepath.Join(chart, rel))
		if err != nil || string(now) != text {
			t.Errorf("%s changed", rel)
		}
	}
	if !strings.Contains(out, "Helm charts are not rewritten") || !strings.Contains(out, "set spec.template.spec.containers[0].securityContext") {
		t.Errorf("want the template changes printed, got:\n%s", out)
	}
	if !strings.Contains(errOut, "rendered by a Helm chart") {
		t.Errorf("want the findings left with the reason, got:\n%s", errOut)
	}
}

func TestFixKustomizePatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "examples", "kustomize", "search")
	files := map[string]string{}
	for _, rel := range []string{"base/deployment.yaml", "base/kustomization.yaml", "overlays/prod/kustomization.yaml"} {
		files[rel] = string(copyFile(t, filepath.Join(src, rel), filepath.Join(dir, rel)))
	}
	cfg := filepath.Join(dir, "akscheck.yaml")
	writeFile(t, cfg, "checks: {params: {fixReadOnlyRootTmp: true}}\n")
	overlay := filepath.Join(dir, "overlays", "prod")
	before := scanJSON(t, cfg, overlay)

	// Without --kustomize-patch nothing is written, and the findings are left with why.
	code, _, errOut := run(t, "", "fix", "--config", cfg, overlay)
	if code != ExitOK || !strings.Contains(errOut, "--kustomize-patch writes the fix") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	code, out, errOut := run(t, "", "fix", "--config", cfg, "--kustomize-patch", "--diff", overlay)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	matchGolden(t, filepath.Join("testdata", "fix", "kustomize-patch.diff"), strings.ReplaceAll(out, filepath.ToSlash(dir), "search"))
	if _, err := os.Stat(filepath.Join(overlay, "akscheck-fix-deployment-search.yaml")); err == nil {
		t.Fatal("--diff wrote the patch")
	}
	code, _, errOut = run(t, "", "fix", "--config", cfg, "--kustomize-patch", overlay)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, rel := range []string{"base/deployment.yaml", "base/kustomization.yaml"} {
		if now, _ := os.ReadFile(filepath.Join(dir, rel)); string(now) != files[rel] {
			t.Errorf("%s changed: fix must not edit the bases", rel)
		}
	}
	after := scanJSON(t, cfg, overlay)
	fixedChecks := map[string]bool{}
	for _, f := range before.Findings {
		if f.Fix != nil {
			fixedChecks[f.Check] = true
		}
	}
	if len(fixedChecks) == 0 {
		t.Fatal("the overlay has no finding with a fix: the test proves nothing")
	}
	for _, f := range after.Findings {
		if fixedChecks[f.Check] {
			t.Errorf("the built overlay still fails %s: %s", f.Check, f.Message)
		}
	}
	if len(after.Findings) >= len(before.Findings) {
		t.Errorf("findings %d before, %d after", len(before.Findings), len(after.Findings))
	}
	// A second run finds nothing to do.
	code, out, errOut = run(t, "", "fix", "--config", cfg, "--kustomize-patch", "--check", overlay)
	if code != ExitOK {
		t.Errorf("--check after the fix: exit %d\n%s%s", code, out, errOut)
	}
}

const unsafeDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # keep this comment
spec:
  template:
    spec:
      containers:
        - name: web
          image: contoso.azurecr.io/web:1.0.0
`

func TestFixCheckExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "web.yaml")
	writeFile(t, file, unsafeDeployment)
	code, out, errOut := run(t, "", "fix", "--check", file)
	if code != ExitFindings || out != "" || !strings.Contains(errOut, "pending") {
		t.Errorf("--check with fixes pending: exit %d, stdout %q\n%s", code, out, errOut)
	}
	if now, _ := os.ReadFile(file); string(now) != unsafeDeployment {
		t.Error("--check wrote the file")
	}
	if code, _, errOut := run(t, "", "fix", file); code != ExitOK {
		t.Fatalf("fix: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := run(t, "", "fix", "--check", file); code != ExitOK {
		t.Errorf("--check after fix: exit %d\n%s", code, errOut)
	}
	if now, _ := os.ReadFile(file); !strings.Contains(string(now), "name: web # keep this comment") {
		t.Errorf("the comment is gone:\n%s", now)
	}
	if code, _, _ := run(t, "", "fix", "--check", "--diff", file); code != ExitUsage {
		t.Errorf("--check --diff: exit %d, want %d", code, ExitUsage)
	}
	if code, _, _ := run(t, "", "fix", "-"); code != ExitUsage {
		t.Errorf("fix -: exit %d, want %d", code, ExitUsage)
	}
}

// TestFixBadInputs: a symlink, a read-only file, JSON and a file that does not parse are
// refused with an error naming them and left untouched; the other files are still fixed; the
// exit code is 3.
func TestFixBadInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	writeFile(t, good, unsafeDeployment)
	target := filepath.Join(t.TempDir(), "target.yaml")
	writeFile(t, target, unsafeDeployment)
	link := filepath.Join(t.TempDir(), "link.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "readonly.yaml")
	writeFile(t, readOnly, unsafeDeployment)
	if err := os.Chmod(readOnly, 0o444); err != nil {
		t.Fatal(err)
	}
	jsonFile := filepath.Join(dir, "web.json")
	jsonText := `{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "j", "image": "contoso.azurecr.io/j:1.0.0"}]}}}}`
	writeFile(t, jsonFile, jsonText)
	code, _, errOut := run(t, "", "fix", "--include", "*.yaml", "--include", "*.json", dir, link)
	if code != ExitPartial {
		t.Errorf("exit %d, want %d\n%s", code, ExitPartial, errOut)
	}
	for file, want := range map[string]string{readOnly: "read-only", jsonFile: "a JSON manifest", link: "a symlink"} {
		if !strings.Contains(errOut, file+": "+want) {
			t.Errorf("want an error naming %s (%s), got:\n%s", file, want, errOut)
		}
	}
	for file, text := range map[string]string{readOnly: unsafeDeployment, jsonFile: jsonText, target: unsafeDeployment} {
		if now, _ := os.ReadFile(file); string(now) != text {
			t.Errorf("%s changed", file)
		}
	}
	if now, _ := os.ReadFile(good); string(now) == unsafeDeployment {
		t.Error("the good file was not fixed")
	}
	if runtime.GOOS != "windows" {
		if info, _ := os.Stat(good); info.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, want the file's 0644 kept", info.Mode().Perm())
		}
	}
}

// TestWriteAtomicRefusesChangedFile: a file that changed between the read and the write is
// left as it is now.
func TestWriteAtomicRefusesChangedFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "web.yaml")
	writeFile(t, file, unsafeDeployment)
	info, err := os.Lstat(file)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, file, unsafeDeployment+"# edited meanwhile\n")
	err = writeAtomic(file, info, []byte(unsafeDeployment), []byte("fixed: true\n"))
	if err == nil || !strings.Contains(err.Error(), "changed since it was read") {
		t.Fatalf("want a refusal, got %v", err)
	}
	if now, _ := os.ReadFile(file); string(now) != unsafeDeployment+"# edited meanwhile\n" {
		t.Errorf("the file was overwritten:\n%s", now)
	}
}

// TestFixUnparsableFile: a manifest that does not parse by the time fix reads it is named,
// left untouched, and the other files still fixed.
func TestFixUnparsableFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "a.yaml")
	writeFile(t, good, unsafeDeployment)
	r := &fixRun{cmd: fixCommandForTest(t), f: &fixFlags{}}
	bad := filepath.Join(dir, "b.yaml")
	broken := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web\n"
	writeFile(t, bad, broken)
	fd := report.Finding{Check: "privilege-escalation", Object: report.Object{Kind: "Deployment", Name: "web"},
		Location: report.Location{File: bad, Line: 1},
		Fix:      &report.Fix{Input: "manifest", Edits: []report.Edit{{Op: "set", Path: "spec.hostNetwork", Value: false}}}}
	r.fixFile(fixPlan{file: bad, findings: []report.Finding{fd}})
	if len(r.failures) != 1 || !strings.Contains(r.failures[0], bad) || !strings.Contains(r.failures[0], "parsing YAML") {
		t.Errorf("failures: %v", r.failures)
	}
	if now, _ := os.ReadFile(bad); string(now) != broken {
		t.Error("the broken file changed")
	}
}

func fixCommandForTest(t *testing.T) *cobra.Command {
	t.Helper()
	cmd := &cobra.Command{}
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	return cmd
}

// applyUnifiedDiff applies a one-file unified diff to text, checking every context and removed
// line against it.
func applyUnifiedDiff(t *testing.T, text, diff string) string {
	t.Helper()
	if diff == "" {
		return text
	}
	src := strings.SplitAfter(text, "\n")
	var out []string
	at := 0 // next line of src to copy
	for _, ln := range strings.SplitAfter(diff, "\n") {
		switch {
		case ln == "" || strings.HasPrefix(ln, "--- ") || strings.HasPrefix(ln, "+++ "):
		case strings.HasPrefix(ln, "@@ "):
			var from, n int
			if _, err := fmt.Sscanf(ln, "@@ -%d,%d", &from, &n); err != nil {
				if _, err := fmt.Sscanf(ln, "@@ -%d", &from); err != nil {
					t.Fatalf("bad hunk header %q", ln)
				}
			}
			for ; at < from-1; at++ {
				out = append(out, src[at])
			}
		case ln[0] == ' ' || ln[0] == '-':
			if at >= len(src) || src[at] != ln[1:] {
				t.Fatalf("the diff's line %q is not line %d of the file", ln, at+1)
			}
			if ln[0] == ' ' {
				out = append(out, src[at])
			}
			at++
		case ln[0] == '+':
			out = append(out, ln[1:])
		default:
			t.Fatalf("bad diff line %q", ln)
		}
	}
	return strings.Join(append(out, src[at:]...), "")
}

func TestSafeFileName(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"search": true, "web.v2-a": true, "Deployment": true, "": false, "../x": false, "a/b": false, "a..b": false, `a\b`: false} {
		if got := safeFileName(s); got != want {
			t.Errorf("safeFileName(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestChecksShowFix: akscheck checks marks the checks that offer a fix, in the table and in
// JSON.
func TestChecksShowFix(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "", "checks")
	if code != ExitOK || !strings.Contains(strings.SplitN(out, "\n", 2)[0], "FIX") {
		t.Fatalf("exit %d, header %q", code, strings.SplitN(out, "\n", 2)[0])
	}
	for _, ln := range strings.Split(out, "\n") {
		fields := strings.Fields(ln)
		if len(fields) < 4 {
			continue
		}
		switch fields[0] {
		case "privilege-escalation":
			if fields[3] != "yes" {
				t.Errorf("privilege-escalation: %q", ln)
			}
		case "privileged-container":
			if fields[3] == "yes" {
				t.Errorf("privileged-container offers no fix: %q", ln)
			}
		}
	}
	code, out, _ = run(t, "", "checks", "-o", "json")
	var list []checkInfo
	if err := json.Unmarshal([]byte(out), &list); code != ExitOK || err != nil {
		t.Fatalf("exit %d: %v", code, err)
	}
	n := 0
	for _, c := range list {
		if c.Fix != "" {
			n++
		}
	}
	if n < 13 {
		t.Errorf("%d checks with a fix in checks -o json, want the 13 of docs/fix.md", n)
	}
}
