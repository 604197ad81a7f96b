package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/akscheck/akscheck/internal/render"
	"github.com/akscheck/akscheck/internal/render/planout"
	"github.com/akscheck/akscheck/internal/testutil"
)

// The upgrade plan's fixtures: a cluster at 1.32 with its az aks get-upgrades output (a
// two-step path on the tests' date), manifests with removed APIs and every drain blocker.
const (
	planCluster   = "../upgrade/testdata/two-step"
	planManifests = "../upgrade/testdata/manifests"
	planSkew      = "../upgrade/testdata/skew"
	planSchema    = "../../docs/upgrade-plan.schema.json"
)

// TestUpgradePlanGolden compares the plan in every format with golden files. Regenerate
// with go test ./internal/cli -update.
func TestUpgradePlanGolden(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"table", "json", "yaml", "sarif", "junit", "html", "markdown", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			code, out, stderr := run(t, "", "upgrade-plan", "-o", format, planCluster, planManifests)
			if code != ExitFindings {
				t.Errorf("exit %d, want %d (no-go): %s", code, ExitFindings, stderr)
			}
			matchGolden(t, filepath.Join("testdata", "upgrade-plan."+format+".golden"), out)
		})
	}
}

func TestUpgradePlanMatchesSchema(t *testing.T) {
	t.Parallel()
	schema := testutil.CompileSchema(t, planSchema)
	for name, args := range map[string][]string{
		"two-step":       {planCluster, planManifests},
		"skew":           {planSkew},
		"manifests only": {"--to", "1.33", planManifests},
		"with errors":    {"--to", "1.33", planManifests, "does-not-exist.yaml"},
	} {
		_, out, stderr := run(t, "", append([]string{"upgrade-plan", "-o", "json"}, args...)...)
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatalf("%s: output is not JSON: %v (%s)", name, err, stderr)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: the plan does not match docs/upgrade-plan.schema.json: %v", name, err)
		}
	}
}

func TestUpgradePlanExitCodes(t *testing.T) {
	t.Parallel()
	clean := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n"
	tests := []struct {
		name   string
		args   []string
		in     string
		want   int
		stderr string
	}{
		{"no-go", []string{planCluster, planManifests}, "", ExitFindings, "at or above high"},
		{"no-go reported only", []string{"--fail-on", "none", planCluster, planManifests}, "", ExitOK, ""},
		{"warnings below --fail-on", []string{"--to", "1.34", planSkew}, "", ExitOK, ""},
		{"warnings at --fail-on low", []string{"--to", "1.34", "--fail-on", "low", planSkew}, "", ExitFindings, ""},
		{"clean manifests", []string{"--to", "1.36", "-"}, clean, ExitOK, ""},
		{"malformed --to", []string{"--to", "latest", planCluster}, "", ExitUsage, "want a Kubernetes minor version"},
		{"--to with a bad minor", []string{"--to", "1.x", planCluster}, "", ExitUsage, "not a version number"},
		{"--to of another major", []string{"--to", "2.0", planCluster}, "", ExitUsage, "no major version 2"},
		{"--to older than the cluster", []string{"--to", "1.31", planCluster}, "", ExitUsage, "older than the cluster's Kubernetes 1.32"},
		{"--to unknown to the calendar", []string{"--to", "1.45", planCluster}, "", ExitUsage, "no AKS version data for Kubernetes 1.45"},
		{"no version and no --to", []string{"-"}, clean, ExitUsage, "give --to"},
		{"no paths", nil, "", ExitUsage, "needs at least one path"},
		{"fleet", []string{"--cluster", "--all-contexts"}, "", ExitUsage, "plans one cluster"},
		{"bad output", []string{"-o", "xml", planCluster}, "", ExitUsage, "--output"},
		{"--versions-file of az aks get-versions", []string{"--versions-file", "../upgrade/testdata/region/versions.json", "--to", "1.34", planCluster}, "", ExitFindings, ""},
		{"unreadable --versions-file", []string{"--versions-file", "does-not-exist.json", planCluster}, "", ExitUsage, "--versions-file"},
		{"--versions-file that is no version data", []string{"--versions-file", "../upgrade/testdata/two-step/aks.json", planCluster}, "", ExitUsage, "--versions-file"},
		{"nothing readable", []string{"--to", "1.36", "does-not-exist.yaml"}, "", ExitUsage, "nothing could be read"},
		{"unreadable input beside a plan", []string{"--to", "1.36", planManifests, "does-not-exist.yaml"}, "", ExitPartial, "error(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, tt.in, append([]string{"upgrade-plan"}, tt.args...)...)
			if code != tt.want {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q, want it to say %q", stderr, tt.stderr)
			}
		})
	}
}

// TestUpgradePlanHasScanFormats: the plan is written in every format scan writes its report in.
func TestUpgradePlanHasScanFormats(t *testing.T) {
	t.Parallel()
	for _, name := range render.Names() {
		if _, ok := planout.Lookup(name); !ok {
			t.Errorf("upgrade-plan has no -o %s", name)
		}
	}
}

// TestUpgradePlanHostileNames: names read from the inputs reach no output with their control
// or bidi characters.
func TestUpgradePlanHostileNames(t *testing.T) {
	t.Parallel()
	in := "apiVersion: v1\nkind: Pod\nmetadata: {name: \"evil\\e[31m\\u202e\", namespace: shop}\nspec: {containers: [{name: c, image: x}]}\n"
	for _, format := range planFormatNames() {
		_, out, stderr := run(t, in, "upgrade-plan", "--to", "1.36", "-o", format, "-")
		if !strings.Contains(out, "evil") {
			t.Fatalf("%s: the pod is not in the plan: %s %s", format, out, stderr)
		}
		if strings.ContainsAny(out, "\x1b\u202e") {
			t.Errorf("%s: a control or bidi character reached the output", format)
		}
	}
}
