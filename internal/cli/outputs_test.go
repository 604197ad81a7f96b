package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/render"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

func TestParseOutputs(t *testing.T) {
	t.Parallel()
	outs, err := parseOutputs([]string{"table", "sarif=results.sarif", "HTML=report.html", "md=sum.md", "json=-"})
	if err == nil {
		t.Fatalf("table and json both on standard output accepted: %+v", outs)
	}
	outs, err = parseOutputs([]string{"table", "sarif=results.sarif", "HTML=report.html", "md=sum.md"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"table", ""}, {"sarif", "results.sarif"}, {"html", "report.html"}, {"markdown", "sum.md"}}
	if len(outs) != len(want) {
		t.Fatalf("%+v", outs)
	}
	for i := range want {
		if got := [2]string{outs[i].format.Name, outs[i].file}; got != want[i] {
			t.Errorf("output %d: %v, want %v", i, got, want[i])
		}
	}
	if outs, _ := parseOutputs(nil); len(outs) != 1 || outs[0].format.Name != "table" {
		t.Errorf("default: %+v", outs)
	}
	for _, bad := range [][]string{{"xml"}, {"sarif="}, {"=x"}, {"json", "yaml"}} {
		if _, err := parseOutputs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestOneRunWritesEveryFormat writes all formats from one scan and compares each file with
// what -o FORMAT prints alone.
func TestOneRunWritesEveryFormat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"scan", "--no-color", "-o", "table"}
	for _, f := range render.Names() {
		if f != "table" {
			args = append(args, "-o", f+"="+filepath.Join(dir, "report."+f))
		}
	}
	code, stdout, stderr := run(t, "", append(args, "../../examples")...)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, table, _ := run(t, "", "scan", "--no-color", "../../examples")
	if stdout != table {
		t.Error("the table on standard output differs from a table-only run")
	}
	for _, f := range render.Names() {
		if f == "table" {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, "report."+f))
		if err != nil {
			t.Fatal(err)
		}
		_, alone, _ := run(t, "", "scan", "--no-color", "-o", f, "../../examples")
		if string(got) != alone {
			t.Errorf("%s written to a file differs from -o %s", f, f)
		}
	}
	if code, _, _ := run(t, "", "scan", "-o", "json="+filepath.Join(dir, "missing", "r.json"), "../../examples"); code != ExitUsage {
		t.Errorf("an unwritable output file exits %d, want %d", code, ExitUsage)
	}
}

func TestFailBelowScore(t *testing.T) {
	t.Parallel()
	// One medium finding in the default namespace: a score below 100 but above 0.
	noNamespace := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	_, out, _ := run(t, noNamespace, "scan", "-o", "json", "--namespace", "default", "-")
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Score == nil || *rep.Summary.Score >= 100 || *rep.Summary.Score <= 0 {
		t.Fatalf("score %v: the test needs one between 0 and 100", rep.Summary.Score)
	}
	score := *rep.Summary.Score
	for _, tt := range []struct {
		min  string
		want int
	}{
		{"0", ExitOK}, {"1", ExitOK}, {"100", ExitFindings}, {"101", ExitUsage}, {"-1", ExitUsage}, {"x", ExitUsage},
	} {
		code, _, stderr := run(t, noNamespace, "scan", "--namespace", "default", "--fail-on", "critical", "--fail-below-score", tt.min, "-")
		if code != tt.want {
			t.Errorf("--fail-below-score %s with score %.1f: exit %d, want %d (%s)", tt.min, score, code, tt.want, stderr)
		}
		if code == ExitFindings && !strings.Contains(stderr, "below --fail-below-score") {
			t.Errorf("no reason given: %q", stderr)
		}
	}
	// Nothing scored: the gate fails.
	if code, _, stderr := run(t, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n", "scan", "--fail-below-score", "10", "-"); code != ExitFindings || !strings.Contains(stderr, "no checklist item could be scored") {
		t.Errorf("nothing scored: exit %d (%s)", code, stderr)
	}
}

// TestBaselineGatesOnNewFindingsOnly records the examples' findings, then scans again: no new
// finding, exit 0; a new object with a high finding, exit 1; an object gone, listed as fixed.
func TestBaselineGatesOnNewFindingsOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := filepath.Join(dir, "baseline.json")
	if code, _, stderr := run(t, "", "scan", "--write-baseline", base, "../../examples"); code != ExitFindings {
		t.Fatalf("writing the baseline: exit %d: %s", code, stderr)
	}
	code, out, stderr := run(t, "", "scan", "-o", "json", "--baseline", base, "../../examples")
	if code != ExitOK {
		t.Fatalf("same scan with its baseline: exit %d: %s", code, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 0 || rep.Baseline == nil || rep.Baseline.Suppressed == 0 || len(rep.Baseline.Fixed) != 0 {
		t.Errorf("findings %d, baseline %+v", len(rep.Findings), rep.Baseline)
	}
	baselined := 0
	for _, f := range rep.Suppressed {
		if f.SuppressedBy == "baseline" {
			baselined++
		}
	}
	if baselined != rep.Baseline.Suppressed {
		t.Errorf("%d suppressed by baseline, summary says %d", baselined, rep.Baseline.Suppressed)
	}
	schema := testutil.CompileSchema(t, reportSchema)
	if err := schema.Validate(mustJSON(t, out)); err != nil {
		t.Errorf("a baselined report does not match the contract: %v", err)
	}

	privileged := "apiVersion: v1\nkind: Pod\nmetadata: {name: new-debugger, namespace: shop}\nspec: {containers: [{name: c, image: x.azurecr.io/a:1, securityContext: {privileged: true}}]}\n"
	code, out, _ = run(t, privileged, "scan", "--no-color", "--baseline", base, "../../examples", "-")
	if code != ExitFindings || !strings.Contains(out, "new-debugger") || strings.Contains(out, "node-debugger [debugger]") {
		t.Errorf("a new privileged pod: exit %d, want 1 with only the new findings:\n%s", code, out)
	}

	withExtra := filepath.Join(dir, "with-extra.json")
	if code, _, _ := run(t, privileged, "scan", "--write-baseline", withExtra, "../../examples", "-"); code != ExitFindings {
		t.Fatal("writing the second baseline")
	}
	code, out, _ = run(t, "", "scan", "--no-color", "--baseline", withExtra, "../../examples")
	if code != ExitOK || !regexp.MustCompile(`(?s)Baseline.*no longer occur.*FIXED.*Pod/shop/new-debugger`).MatchString(out) {
		t.Errorf("fixed findings: exit %d:\n%s", code, out)
	}

	for _, bad := range []string{filepath.Join(dir, "nope.json"), "../../examples/k8s/cart.yaml"} {
		if code, _, stderr := run(t, "", "scan", "--baseline", bad, "../../examples"); code != ExitUsage || !strings.Contains(stderr, "baseline") {
			t.Errorf("--baseline %s: exit %d (%s)", bad, code, stderr)
		}
	}
}

func TestItemsOfReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	run(t, "", "scan", "-o", "json="+path, "../../examples")
	code, out, stderr := run(t, "", "items", "--report", path)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Scorecard", "The scan settled", "SECTION", "ITEM", "not evaluated", "dev.liveness-probe", "fail"} {
		if !strings.Contains(out, want) {
			t.Errorf("items --report lacks %q", want)
		}
	}
	data, _ := os.ReadFile(path)
	code, out, _ = run(t, string(data), "items", "--report", "-", "-o", "json")
	var items []report.Item
	if code != ExitOK || json.Unmarshal([]byte(out), &items) != nil || len(items) != 103 {
		t.Errorf("items --report - -o json: exit %d, %d items", code, len(items))
	}
	if code, _, _ := run(t, "", "items", "--report", "../../examples/k8s/cart.yaml"); code != ExitUsage {
		t.Errorf("a report that is not one: exit %d", code)
	}
	// The YAML report reads as the JSON one does.
	yamlPath := filepath.Join(dir, "report.yaml")
	run(t, "", "scan", "-o", "yaml="+yamlPath, "../../examples")
	_, fromJSON, _ := run(t, "", "items", "--report", path, "-o", "json")
	code, fromYAML, stderr := run(t, "", "items", "--report", yamlPath, "-o", "json")
	if code != ExitOK || fromYAML != fromJSON {
		t.Errorf("items --report of the YAML report: exit %d (%s), same as JSON: %v", code, stderr, fromYAML == fromJSON)
	}
}

// TestItemsJSONUsesSectionIDs: items -o json names sections by ID, as the report does, and
// gives their titles beside.
func TestItemsJSONUsesSectionIDs(t *testing.T) {
	t.Parallel()
	_, out, _ := run(t, "", "items", "-o", "json")
	var items []struct{ ID, Section, SectionTitle string }
	if err := json.Unmarshal([]byte(out), &items); err != nil || len(items) != 103 {
		t.Fatalf("%d items, %v", len(items), err)
	}
	for _, it := range items {
		if !strings.HasPrefix(it.ID, it.Section+".") || it.SectionTitle == "" || it.SectionTitle == it.Section {
			t.Errorf("item %s: section %q, title %q", it.ID, it.Section, it.SectionTitle)
		}
	}
}

// TestScorecardInHumanFormats: the table, Markdown and HTML reports state how much of the
// checklist the scan proved.
func TestScorecardInHumanFormats(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"table", "markdown", "html"} {
		_, out, _ := run(t, "", "scan", "--no-color", "-o", format, "../../examples")
		if !strings.Contains(out, "Scorecard") || !strings.Contains(out, "The scan settled") || !strings.Contains(out, "of 103 checklist items") {
			t.Errorf("%s: no scorecard", format)
		}
	}
}

// TestDocsBaseURL points the check links elsewhere.
func TestDocsBaseURL(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"sarif", "html", "markdown", "junit"} {
		_, out, _ := run(t, "", "scan", "-o", format, "--docs-base-url", "https://docs.example.com/akscheck/", "../../examples")
		if !strings.Contains(out, "https://docs.example.com/akscheck/liveness-probe.md") {
			t.Errorf("%s does not link to --docs-base-url", format)
		}
	}
}

// TestCIExamplesRun runs the akscheck commands of docs/ci.md on a copy of the examples, so the
// documented flags and outputs keep working.
func TestCIExamplesRun(t *testing.T) {
	doc, err := os.ReadFile("../../docs/ci.md")
	if err != nil {
		t.Fatal(err)
	}
	// Commands are folded YAML scalars (run: >- / script: >-) or shell lines.
	var commands []string
	lines := strings.Split(string(doc), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		line = strings.TrimPrefix(strings.TrimPrefix(line, "run: "), "- script: ")
		line = strings.TrimPrefix(line, `"$(Build.BinariesDirectory)/akscheck" `)
		if strings.HasSuffix(line, ">-") {
			var folded []string
			indent := ""
			for i++; i < len(lines); i++ {
				l := lines[i]
				if indent == "" {
					indent = l[:len(l)-len(strings.TrimLeft(l, " "))]
				}
				if strings.TrimSpace(l) == "" || !strings.HasPrefix(l, indent) {
					break
				}
				folded = append(folded, strings.TrimSpace(l))
			}
			i--
			line = strings.Join(folded, " ")
			line = strings.TrimPrefix(line, `"$(Build.BinariesDirectory)/akscheck" `)
			line = strings.TrimPrefix(line, "akscheck ")
			commands = append(commands, line)
			continue
		}
		if strings.HasPrefix(line, "akscheck scan ") {
			commands = append(commands, strings.TrimPrefix(line, "akscheck "))
		}
	}
	if len(commands) < 3 {
		t.Fatalf("found %d commands in docs/ci.md: %q", len(commands), commands)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "k8s"), os.DirFS("../../examples/k8s")); err != nil {
		t.Fatal(err)
	}
	staging := filepath.Join(dir, "staging")
	if err := os.Mkdir(staging, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, c := range commands {
		c, _, _ = strings.Cut(c, " >> ")
		c = strings.ReplaceAll(c, "$(Build.ArtifactStagingDirectory)", staging)
		args := strings.Fields(c)
		code, _, stderr := run(t, "", args...)
		if code == ExitUsage {
			t.Errorf("docs/ci.md: akscheck %s: exit %d: %s", c, code, stderr)
		}
	}
	t.Logf("ran %d commands of docs/ci.md", len(commands))
	for _, f := range []string{".akscheck-baseline.json", "akscheck.sarif", "akscheck.html", "staging/akscheck-junit.xml", "staging/akscheck.html"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("the documented commands did not write %s: %v", f, err)
		}
	}
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPreCommitHook checks which files make the hook run, and runs its command line as
// pre-commit would (no file names: it scans the repository, here the examples folder).
func TestPreCommitHook(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID, Entry, Language, Files, Exclude string
		Args                                []string
		PassFilenames                       bool `json:"pass_filenames"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 2 || hooks[0].ID != "akscheck" || hooks[0].Language != "golang" || hooks[0].PassFilenames {
		t.Fatalf("hooks: %+v (the first hook scans the repository, not the changed files)", hooks)
	}
	// The second scans the changed files, partially: the examples' cart.yaml alone exits 1
	// for its own findings, and no namespace-level check fails on what other files hold.
	changed := hooks[1]
	if changed.ID != "akscheck-changed" || !changed.PassFilenames || !strings.Contains(changed.Entry, "--partial") {
		t.Fatalf("hook %+v", changed)
	}
	cargs := append(append(strings.Fields(changed.Entry)[1:], changed.Args...), "-o", "json", "../../examples/k8s/cart.yaml")
	code, out, stderr := run(t, "", cargs...)
	var rep struct{ Findings []struct{ Check string } }
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitFindings || len(rep.Findings) == 0 {
		t.Errorf("akscheck %s: exit %d, %v, %s", strings.Join(cargs, " "), code, err, stderr)
	}
	for _, f := range rep.Findings {
		if f.Check == "network-policy-coverage" || f.Check == "default-deny-ingress" {
			t.Errorf("akscheck %s: %s failed a changed file for what others may hold", strings.Join(cargs, " "), f.Check)
		}
	}
	if cf, ce := regexp.MustCompile(changed.Files), regexp.MustCompile(changed.Exclude); !cf.MatchString("k8s/web.yaml") || !ce.MatchString(".akscheck.yaml") {
		t.Errorf("akscheck-changed runs on %q but %q", changed.Files, changed.Exclude)
	}
	h := hooks[0]
	files, exclude := regexp.MustCompile(h.Files), regexp.MustCompile(h.Exclude)
	for f, want := range map[string]bool{
		"Dockerfile": true, "images/web.Dockerfile": true, "examples/k8s/cart.yaml": true, "infra/main.tf": true,
		"infra/prod.tfvars": true, ".akscheck.yaml": true, "apps/.akscheckignore": true,
		"README.md": false, ".dockerignore": false, ".akscheck-baseline.json": false,
	} {
		if got := files.MatchString(f) && !exclude.MatchString(f); got != want {
			t.Errorf("a change to %s runs the hook: %v, want %v", f, got, want)
		}
	}
	entry := strings.Fields(h.Entry)
	if entry[0] != "akscheck" || len(h.Args) == 0 || h.Args[len(h.Args)-1] != "." {
		t.Fatalf("entry %q, args %q: want akscheck ... .", h.Entry, h.Args)
	}
	args := append(append(entry[1:], h.Args[:len(h.Args)-1]...), "../../examples")
	if code, _, stderr := run(t, "", args...); code != ExitFindings {
		t.Errorf("akscheck %s: exit %d, want 1 (the examples hold high findings): %s", strings.Join(args, " "), code, stderr)
	}
}

// TestOutputCompletion: -o completes with every format of the registry and what it is for.
func TestOutputCompletion(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, "", "__complete", "scan", "-o", "")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range render.Formats() {
		if !strings.Contains(stdout, f.Name+"\t"+f.Help+"\n") {
			t.Errorf("completion lacks %s:\n%s", f.Name, stdout)
		}
	}
}

// TestHelpListsFormats: scan's help lists every format of the registry with what it is for.
func TestHelpListsFormats(t *testing.T) {
	t.Parallel()
	_, stdout, _ := run(t, "", "scan", "--help")
	for _, f := range render.Formats() {
		if !strings.Contains(stdout, f.Name) || !strings.Contains(stdout, f.Help) {
			t.Errorf("scan --help lacks %s (%s)", f.Name, f.Help)
		}
	}
}

// TestFlagValueCompletion: --fail-on and --profile complete their values.
func TestFlagValueCompletion(t *testing.T) {
	t.Parallel()
	for flag, want := range map[string]string{"--fail-on": "none\tonly report", "--profile": "regulated\t"} {
		code, stdout, stderr := run(t, "", "__complete", "scan", flag, "")
		if code != ExitOK || !strings.Contains(stdout, want) {
			t.Errorf("%s completes %q (exit %d, %s)", flag, stdout, code, stderr)
		}
	}
}

// TestScanHelpGroupsEveryFlag: scan's help lists each flag under a group, the input kinds and
// the exit codes; root help too.
func TestScanHelpGroupsEveryFlag(t *testing.T) {
	t.Parallel()
	_, out, _ := run(t, "", "scan", "--help")
	_, other, found := strings.Cut(out, "Other flags:")
	other, _, _ = strings.Cut(other, "Global flags:")
	if !found {
		t.Fatalf("no Other flags section:\n%s", out)
	}
	if strings.Count(strings.TrimSpace(other), "\n") != 0 || !strings.Contains(other, "--help") {
		t.Errorf("flags in no group:\n%s", other)
	}
	for _, want := range []string{"Inputs:", "Running clusters:", "Outputs:", "Gates and exit codes:", "Policy and check settings:",
		"Helm charts", "Image scan reports", "Exit codes: 0 clean"} {
		if !strings.Contains(out, want) {
			t.Errorf("scan --help lacks %q", want)
		}
	}
	_, root, _ := run(t, "", "--help")
	for _, want := range []string{"Kustomize", "Terraform", "3  some inputs could not be read"} {
		if !strings.Contains(root, want) {
			t.Errorf("akscheck --help lacks %q", want)
		}
	}
}
