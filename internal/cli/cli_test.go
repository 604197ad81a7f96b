package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/akscheck/akscheck/internal/render"
	"github.com/akscheck/akscheck/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files and generated docs")

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = execute(t.Context(), args, IO{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}, testNow)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	// kube-system is out of scope of the namespace checks, so a ConfigMap there has no finding.
	clean := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: kube-system}\n"
	noNamespace := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	tests := []struct {
		name string
		args []string
		in   string
		want int
	}{
		{"findings at or above high", []string{"scan", "../../examples"}, "", ExitFindings},
		{"no finding at or above critical is still 1: examples hold a privileged pod", []string{"scan", "--fail-on", "critical", "../../examples"}, "", ExitFindings},
		{"clean input", []string{"scan", "-"}, clean, ExitOK},
		{"findings below --fail-on critical", []string{"scan", "-", "--namespace", "default", "--fail-on", "critical"}, noNamespace, ExitOK},
		{"medium finding at --fail-on medium", []string{"scan", "-", "--namespace", "default", "--fail-on", "medium"}, noNamespace, ExitFindings},
		{"--namespace places only objects that set none", []string{"scan", "-", "--namespace", "default", "--fail-on", "medium"}, clean, ExitOK},
		{"no paths", []string{"scan"}, "", ExitUsage},
		{"bad severity", []string{"scan", "--fail-on", "urgent", "-"}, clean, ExitUsage},
		{"bad output", []string{"scan", "-o", "xml", "-"}, clean, ExitUsage},
		{"unknown flag", []string{"scan", "--frobnicate", "-"}, clean, ExitUsage},
		{"negative --max-file-size", []string{"scan", "--max-file-size", "-1", "-"}, clean, ExitUsage},
		{"zero --max-file-size", []string{"scan", "--max-file-size", "0", "-"}, clean, ExitUsage},
		{"unknown command", []string{"frobnicate"}, "", ExitUsage},
		{"nothing readable", []string{"scan", "does-not-exist.yaml"}, "", ExitUsage},
		{"only malformed input", []string{"scan", "-"}, "kind: [", ExitUsage},
		{"empty directory", []string{"scan", t.TempDir()}, "", ExitUsage},
		{"help", []string{"--help"}, "", ExitOK},
		{"version", []string{"version"}, "", ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, tt.in, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.want, stderr)
			}
		})
	}
}

func TestHelpNamesExitCodesAndCommands(t *testing.T) {
	t.Parallel()
	_, out, _ := run(t, "", "--help")
	for _, want := range []string{"scan", "checks", "items", "version", "Exit codes", "--fail-on"} {
		if want == "--fail-on" {
			_, out, _ = run(t, "", "scan", "--help")
		}
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

// reportSchema is the JSON report's contract.
const reportSchema = "../../docs/report.schema.json"

// TestJSONReportMatchesContract validates the JSON report against the contract's schema, for
// the examples and for input that produces errors and skipped documents.
func TestJSONReportMatchesContract(t *testing.T) {
	t.Parallel()
	schema := testutil.CompileSchema(t, reportSchema)
	for name, args := range map[string][]string{
		"examples": {"scan", "-o", "json", "../../examples"},
		"errors":   {"scan", "-o", "json", "-", "does-not-exist"},
	} {
		_, out, _ := run(t, "a: b\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n---\nkind: [", args...)
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatalf("%s: output is not JSON: %v", name, err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: report does not match the contract: %v", name, err)
		}
		var rep struct {
			Items []struct{ ID, Status string }
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Items) != 103 {
			t.Errorf("%s: report lists %d items, want all 103", name, len(rep.Items))
		}
	}
}

// TestSchemaExtendsShared holds docs/report.schema.json to a compatible extension of the
// shared contract: everything the shared schema says, it says too, and what it adds are new
// optional properties (a report valid against it stays valid against the shared one).
func TestSchemaExtendsShared(t *testing.T) {
	t.Parallel()
	shared, err := os.ReadFile("../../../shared/contract/report.schema.json")
	if os.IsNotExist(err) {
		t.Skip("shared contract not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	own, err := os.ReadFile("../../docs/report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var sharedDoc, ownDoc any
	if err := json.Unmarshal(shared, &sharedDoc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(own, &ownDoc); err != nil {
		t.Fatal(err)
	}
	for _, p := range schemaBreaks("", "", sharedDoc, ownDoc) {
		t.Errorf("docs/report.schema.json breaks the shared contract at %s", p)
	}
}

// schemaBreaks returns the paths where own does not keep what shared says: a key removed or
// changed, or a key added anywhere but among an object's properties.
func schemaBreaks(path, parent string, shared, own any) []string {
	sm, sok := shared.(map[string]any)
	om, ook := own.(map[string]any)
	if !sok || !ook {
		if !reflect.DeepEqual(shared, own) {
			return []string{path}
		}
		return nil
	}
	var out []string
	for k, sv := range sm {
		ov, ok := om[k]
		if !ok {
			out = append(out, path+"/"+k+" (removed)")
			continue
		}
		out = append(out, schemaBreaks(path+"/"+k, k, sv, ov)...)
	}
	for k := range om {
		if _, ok := sm[k]; !ok && parent != "properties" {
			out = append(out, path+"/"+k+" (added outside properties)")
		}
	}
	return out
}

// TestGoldenReports compares the examples' reports in every format with golden files.
// Regenerate with `go test ./internal/cli -update` and review the diff.
func TestGoldenReports(t *testing.T) {
	t.Parallel()
	for _, format := range render.Names() {
		_, out, _ := run(t, "", "scan", "--no-color", "-o", format, "../../examples")
		if format == "wide" {
			// Off a terminal the table has no width to fit: it is the wide table.
			if _, table, _ := run(t, "", "scan", "--no-color", "-o", "table", "../../examples"); out != table {
				t.Error("-o wide differs from the table off a terminal")
			}
			continue
		}
		if format == "jsonl" {
			// The JSON golden on one line: no golden of its own.
			var line bytes.Buffer
			_, pretty, _ := run(t, "", "scan", "--no-color", "-o", "json", "../../examples")
			if err := json.Compact(&line, []byte(pretty)); err != nil {
				t.Fatal(err)
			}
			if out != line.String()+"\n" {
				t.Error("-o jsonl is not the JSON report on one line")
			}
			continue
		}
		matchGolden(t, filepath.Join("testdata", "examples."+format+".golden"), out)
	}
}

// matchGolden compares out with a golden file, or rewrites the file under -update.
func matchGolden(t *testing.T, golden, out string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update)", err)
	}
	if out != string(want) {
		t.Errorf("the output differs from %s; run go test ./internal/cli -update and review the diff", golden)
	}
}

// testNow pins the clock of the tests: reports, and checks that depend on dates, must not
// change with the day the tests run.
var testNow = testutil.Now

func TestMain(m *testing.M) {
	flag.Parse()
	version = "v0.0.0-test" // golden files must not change with the build's version
	os.Exit(m.Run())
}

// TestDocsAreGenerated fails when docs/checks.md is stale. Regenerate with go generate ./...
// or -update.
func TestDocsAreGenerated(t *testing.T) {
	t.Parallel()
	_, out, _ := run(t, "", "checks", "-o", "markdown")
	matchGolden(t, "../../docs/checks.md", out)
}

func TestChecksAndItemsCommands(t *testing.T) {
	t.Parallel()
	_, out, _ := run(t, "", "checks")
	for _, want := range []string{"liveness-probe", "dev.liveness-probe", "critical", "privileged-container"} {
		if !strings.Contains(out, want) {
			t.Errorf("checks output lacks %q", want)
		}
	}
	_, out, _ = run(t, "", "items", "-o", "json")
	var items []struct {
		ID     string
		Checks []string
	}
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 103 || items[0].ID != "cluster.logical-isolation" {
		t.Fatalf("items -o json lists %d items", len(items))
	}
	_, out, _ = run(t, "", "items")
	if !strings.Contains(out, "dev.security-context") || !strings.Contains(out, "103 items") {
		t.Errorf("items table: %s", out)
	}
}

// TestSecretValuesNeverPrinted scans credentials in every format and looks for their values.
func TestSecretValuesNeverPrinted(t *testing.T) {
	t.Parallel()
	in := "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\ndata: {password: c3VwZXJzZWNyZXQtdmFsdWU=}\nstringData: {token: supersecret-token}\n---\n" +
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: x\n        env:\n        - {name: DB_PASSWORD, value: supersecret-env}\n"
	for _, format := range render.Names() {
		_, out, errOut := run(t, in, "scan", "-o", format, "-")
		for _, secret := range []string{"supersecret", "c3VwZXJzZWNyZXQ"} {
			if strings.Contains(out+errOut, secret) {
				t.Errorf("%s output shows a secret value", format)
			}
		}
		if !strings.Contains(strings.ReplaceAll(out, `\`, ""), "DB_PASSWORD") { // Markdown escapes the _
			t.Errorf("%s output does not name the variable", format)
		}
	}
}

// TestEveryExitCode: one case per exit code and per way to reach it; every non-zero exit says
// why in one line on standard error, and an input error does not cost the report.
func TestEveryExitCode(t *testing.T) {
	t.Parallel()
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {containers: [{name: c, image: x}]}\n"
	malformed := pod + "---\n: bad: [\n"
	dir := t.TempDir()
	badValues := filepath.Join(dir, "missing-values.yaml")
	for _, tt := range []struct {
		name   string
		stdin  string
		args   []string
		want   int
		reason string // in the one line on stderr
	}{
		{"0: findings below --fail-on", pod, []string{"scan", "--fail-on", "critical", "-"}, ExitOK, ""},
		{"0: --fail-on none only reports", "", []string{"scan", "--fail-on", "none", "../../examples"}, ExitOK, ""},
		{"1: findings at or above --fail-on", "", []string{"scan", "../../examples"}, ExitFindings, "at or above high (--fail-on high)"},
		{"2: usage error", "", []string{"scan", "--fail-on", "urgent", "-"}, ExitUsage, "--fail-on"},
		{"2: empty standard input", "", []string{"scan", "-"}, ExitUsage, "nothing to check"},
		{"2: a document that is no Kubernetes object", "a: b\n", []string{"scan", "-"}, ExitUsage, "nothing to check"},
		{"2: nothing could be read", "", []string{"scan", filepath.Join(dir, "missing.yaml")}, ExitUsage, "nothing could be read"},
		{"3: a malformed document beside a valid one", malformed, []string{"scan", "--fail-on", "none", "-"}, ExitPartial, "1 error(s)"},
		{"3 wins over 1", malformed, []string{"scan", "--fail-on", "info", "-"}, ExitPartial, "1 error(s)"},
		{"3: --values that does not exist", "", []string{"scan", "--values", badValues, "../../examples"}, ExitPartial, "missing-values.yaml"},
		{"--allow-errors: 3 becomes a warning", malformed, []string{"scan", "--fail-on", "none", "--allow-errors", "-"}, ExitOK, "warning: 1 error(s)"},
		{"--allow-errors keeps the findings' exit", malformed, []string{"scan", "--fail-on", "info", "--allow-errors", "-"}, ExitFindings, "at or above info"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := run(t, tt.stdin, tt.args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\n%s", code, tt.want, stderr)
			}
			if tt.reason != "" && !strings.Contains(stderr, tt.reason) {
				t.Errorf("stderr %q does not say %q", stderr, tt.reason)
			}
			var reasons int
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if line != "" && !strings.HasPrefix(line, "akscheck: warning:") {
					reasons++
				}
			}
			if (code != ExitOK && reasons != 1) || (code == ExitOK && reasons != 0) {
				t.Errorf("want the reason in one line (besides warnings): %q", stderr)
			}
			if code == ExitPartial && !strings.Contains(stdout, "Checklist: 103 items") {
				t.Errorf("exit 3 without the report of what was read:\n%s", stdout)
			}
		})
	}
}

// TestVersion: --version and the version command say the version, commit, Go version and
// the date of the shipped AKS calendar; -v is not --version (kubectl users read it as
// verbosity).
func TestVersion(t *testing.T) {
	t.Parallel()
	_, flag, _ := run(t, "", "--version")
	_, cmd, _ := run(t, "", "version")
	if flag != cmd {
		t.Errorf("--version %q and version %q differ", flag, cmd)
	}
	for _, want := range []string{"akscheck ", "commit: ", "go: go1.", "AKS version calendar: 20"} {
		if !strings.Contains(flag, want) {
			t.Errorf("--version lacks %q:\n%s", want, flag)
		}
	}
	if code, _, _ := run(t, "", "-v"); code != ExitUsage {
		t.Errorf("-v exits %d, want 2 (no such flag)", code)
	}
}

// A size of 0 or less used to fall back to the default without a word; a size that is not one
// is refused naming the flag.
func TestMaxFileSizeMustBePositive(t *testing.T) {
	t.Parallel()
	for _, size := range []string{"-1", "0", "0.5", "12XB", "lots"} {
		code, _, stderr := run(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "scan", "--max-file-size", size, "-")
		if code != ExitUsage || !strings.Contains(stderr, `"--max-file-size"`) || !strings.Contains(stderr, size) {
			t.Errorf("--max-file-size %s: exit %d, stderr %q; want %d naming the flag", size, code, stderr, ExitUsage)
		}
	}
	// With a unit: 1Ki refuses a file of 2 KiB, 1MB reads it.
	big := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {k: " + strings.Repeat("x", 2048) + "}\n"
	if code, out, _ := run(t, big, "scan", "-o", "json", "--max-file-size", "1Ki", "-"); code != ExitUsage || !strings.Contains(out, "larger than the 1024-byte limit") {
		t.Errorf("--max-file-size 1Ki on 2 KiB: exit %d, report %.300s", code, out)
	}
	if code, _, stderr := run(t, big, "scan", "--max-file-size", "1MB", "-"); code == ExitUsage || code == ExitPartial {
		t.Errorf("--max-file-size 1MB on 2 KiB: exit %d: %s", code, stderr)
	}
}

// A Secret of any apiVersion never shows a value in the JSON report.
func TestSecretOfUnknownVersionHasNoValueInReport(t *testing.T) {
	t.Parallel()
	in := "apiVersion: example.com/v1\nkind: Secret\nmetadata: {name: s, namespace: n}\ndata: {password: aHVudGVyMg==}\nstringData: {token: hunter2}\n" +
		"---\napiVersion: v2\nkind: Secret\nmetadata: {name: t, namespace: n}\nstringData: {token: hunter2}\n"
	_, out, stderr := run(t, in, "scan", "-o", "json", "-")
	if !strings.Contains(out, `"summary"`) || !strings.Contains(out, `Secret \"t\"`) {
		t.Fatalf("no report: %s %s", out, stderr)
	}
	if strings.Contains(out+stderr, "hunter2") || strings.Contains(out+stderr, "aHVudGVyMg") {
		t.Errorf("a Secret value reached the report:\n%s\n%s", out, stderr)
	}
}

// Credentials the checks find in args, ConfigMaps and env values are named by position and
// kind in every format, and their values appear nowhere.
func TestCredentialFindingsNeverShowTheValue(t *testing.T) {
	t.Parallel()
	const secret = "Zq7Fixture9Leak"
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ" + secret + "In0.c2lnbmF0dXJl"
	in := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: shop}\ndata:\n  DB_PASSWORD: " + secret + "\n" +
		"  db: Server=db;Password=" + secret + ";\n  app.properties: |\n    api.token=" + secret + "\n" +
		"---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n  - name: c\n    image: x\n" +
		"    command: [sh, -c, 'run --client-secret=" + secret + "']\n    args: ['--password=" + secret + "', '" + jwt + "']\n" +
		"    env: [{name: AUTH, value: '" + jwt + "'}]\n"
	for _, format := range []string{"json", "table", "sarif", "junit", "markdown", "csv", "html", "yaml"} {
		_, out, stderr := run(t, in, "scan", "-o", format, "-")
		if strings.Contains(out+stderr, secret) {
			t.Errorf("-o %s shows a credential:\n%s\n%s", format, out, stderr)
		}
		if format != "json" {
			continue
		}
		for _, want := range []string{`key \"DB_PASSWORD\"`, `key \"db\" holds a connection string`, "sets api.token",
			"--client-secret in command[2]", "--password in args[0]", "a JSON Web Token in args[1]", "sets AUTH to a literal value that looks like a JSON Web Token"} {
			if !strings.Contains(out, want) {
				t.Errorf("-o json lacks %q:\n%s", want, out)
			}
		}
	}
}
