package cluster

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/arm"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

// scanDate pins the clock of the fixtures (the support windows of Kubernetes versions
// depend on it).
var scanDate = testutil.ScanDate

// Checks whose evidence cannot be written in one of the shapes.
var (
	// azurerm has no node image version: the check needs the pool's upgrade profile.
	// azurerm has no node image version: the image checks read the pools' nodeImageVersion.
	jsonOnly = map[string]bool{"node-image-current": true, "node-image-age": true, "windows-node-image-age": true}
	// azurerm v3 and v4 cannot enable the dashboard add-on.
	noTerraformFail = map[string]bool{"kube-dashboard-addon": true}
)

// params are the settings of a check's fixtures: settings.yaml in its fixtures folder.
func params(t *testing.T, id string) check.Settings {
	t.Helper()
	for _, c := range Checks() {
		if c.ID == id {
			return checktest.DirSettings(t, c, filepath.Join("testdata", id))
		}
	}
	return nil
}

// TestFixtures runs each check on its fixtures, in testdata/<check-id>/: pass_* must give no
// finding and the check must apply; fail_* must give at least one. Fixtures are az or REST
// JSON (each is also run in the other shape, and must give the same findings), Terraform
// (.tf, one module each) or folders read as a whole (a cluster with manifests).
//
// A fixture states only what it changes in the hardened cluster of testdata/base, which
// passes every check: cluster.json (REST shape, with the registry, diagnostic settings,
// maintenance configurations, Defender pricing and pool upgrade profiles the checks read)
// and main.tf (the same in azurerm v4).
//   - <name>.patch.json is an RFC 6902 JSON Patch of base/cluster.json; <name>.az.patch.json
//     one of the base in az CLI shape (flattened, CLI key casing, as otherShape writes it,
//     then base/az.patch.json: IDs with "resourcegroups" and a resourceGroup field).
//   - <name>.override.tf is a Terraform override file of base/main.tf, merged as Terraform
//     merges override files, except that a single nested block (default_node_pool) is
//     merged too rather than replaced (see mergeOverride): `attr = null` removes an
//     attribute, `dynamic "x" { for_each = [] ... }` the nested x blocks (a dynamic block
//     over a list written out is expanded), `count = 0` a resource.
//   - Layers of testdata/base named between the two dots come first, in order:
//     <name>.windows.patch.json applies base/windows.patch.json (a Windows node pool), then
//     the fixture's patch; <name>.windows.override.tf likewise base/windows.override.tf.
//   - In a folder fixture, the cluster file may be such a patch too (aks.patch.json,
//     main.override.tf).
//
// The runner writes each fixture in full as <name>.json or <name>.tf (in a folder, the
// folder with its patches applied) in a temporary folder and runs the check on that, so
// findings still carry a file and line. A fixture may still be a whole file. To turn whole
// files into patches, see TestRewriteFixtures.
//
// An undecided_ fixture leaves a value the check needs unknown or missing (a Terraform
// variable without a value, az output without the maintenance configurations): it must give
// no finding, and the check's item must be not evaluated, with a reason that names the
// missing evidence (check.Result.Undecided), never pass.
func TestFixtures(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	known := map[string]bool{}
	for _, c := range Checks() {
		known[c.ID] = true
		dir := filepath.Join("testdata", c.ID)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Errorf("check %s has no fixtures folder %s", c.ID, dir)
			continue
		}
		count := map[string]int{}
		for _, e := range entries {
			name := e.Name()
			if name == "settings.yaml" {
				continue // the settings of every fixture of the check
			}
			kind := strings.SplitN(name, "_", 2)[0]
			if kind != "pass" && kind != "fail" && kind != "undecided" {
				t.Errorf("%s/%s: fixture names start with pass_, fail_ or undecided_", dir, name)
				continue
			}
			ext := filepath.Ext(name)
			if e.IsDir() {
				ext = "dir"
			}
			count[kind+ext]++
			c, file := c, filepath.Join(dir, name)
			t.Run(c.ID+"/"+name, func(t *testing.T) {
				t.Parallel()
				full := materialise(t, file)
				rep := runFixture(t, cat, c, full)
				expect(t, cat, c, file, rep)
				if ext == ".json" {
					other := otherShape(t, full)
					rep2 := runFixture(t, cat, c, other)
					expect(t, cat, c, file+" (in the other shape)", rep2)
					if len(rep.Findings) != len(rep2.Findings) {
						t.Errorf("%s: %d findings, but %d in the other shape", file, len(rep.Findings), len(rep2.Findings))
					}
				}
			})
		}
		dirs := count["passdir"] + count["faildir"]
		if count["pass.json"]+count["passdir"] == 0 || count["fail.json"]+count["faildir"] == 0 {
			t.Errorf("check %s needs pass_ and fail_ JSON fixtures (has %d and %d)", c.ID, count["pass.json"], count["fail.json"])
		}
		if !jsonOnly[c.ID] && dirs == 0 && (count["pass.tf"] == 0 || (count["fail.tf"] == 0 && !noTerraformFail[c.ID])) {
			t.Errorf("check %s needs pass_ and fail_ Terraform fixtures (has %d and %d)", c.ID, count["pass.tf"], count["fail.tf"])
		}
	}
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		// base is the hardened cluster the fixtures patch; fixes the remedies' goldens.
		if !known[e.Name()] && e.Name() != "base" && e.Name() != "fixes" {
			t.Errorf("testdata/%s holds fixtures of no check", e.Name())
		}
	}
}

// expect judges a fixture's report (testutil.Expect); a fail_ fixture's findings must also
// have a file and line; an undecided_ one must leave the item not evaluated for want of
// evidence.
func expect(t *testing.T, cat *catalog.Catalog, c *check.Check, file string, rep *report.Report) {
	t.Helper()
	if strings.HasPrefix(filepath.Base(file), "undecided_") {
		for _, fd := range rep.Findings {
			t.Errorf("%s: want no finding, got %s (%s:%d)", file, fd.Message, fd.Location.File, fd.Location.Line)
		}
		it := rep.Items[cat.ItemIndex(c.Item)]
		if it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "could not decide without") ||
			!strings.Contains(it.Reason, "("+c.ID+")") {
			t.Errorf("%s: item %s is %s (%s), want not-evaluated for want of evidence", file, c.Item, it.Status, it.Reason)
		}
		return
	}
	testutil.Expect(t, cat, c, file, rep)
	if !testutil.WantFail(file) {
		return
	}
	for _, f := range rep.Findings {
		if f.Location.File == "" || f.Location.Line == 0 {
			t.Errorf("%s: finding without file and line: %+v", file, f)
		}
	}
}

func runFixture(t *testing.T, cat *catalog.Catalog, c *check.Check, file string) *report.Report {
	t.Helper()
	scan := load.Load(t.Context(), []string{file}, load.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("fixture %s does not load: %+v", file, scan.Errors)
	}
	if len(scan.Others) == 0 {
		t.Fatalf("fixture %s holds no Azure resource", file)
	}
	return engine.Run(t.Context(), cat, []*check.Check{c}, scan, engine.Options{Settings: params(t, c.ID), Now: func() time.Time { return scanDate }})
}

// otherShape writes a JSON fixture in the other shape: REST resources (settings under
// "properties") flattened as the Azure CLI prints them, with its key casing; CLI resources
// nested under "properties".
func otherShape(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	switch d := doc.(type) {
	case []any:
		for i, r := range d {
			d[i] = convert(r)
		}
	default:
		doc = convert(d)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(file))
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// topLevel are the keys ARM keeps outside "properties".
var topLevel = map[string]bool{"id": true, "name": true, "type": true, "location": true, "tags": true, "sku": true,
	"identity": true, "etag": true, "systemData": true, "kind": true, "zones": true, "extendedLocation": true,
	"apiVersion": true, "plan": true, "managedBy": true, "resourceGroup": true}

// userKeys hold maps whose keys are data, not field names: the CLI prints them as they are.
var userKeys = map[string]bool{"tags": true, "config": true, "addonProfiles": true, "userAssignedIdentities": true,
	"patchVersions": true, "nodeLabels": true, "identityProfile": true}

func convert(r any) any {
	m, ok := r.(map[string]any)
	if !ok {
		return r
	}
	if props, ok := m["properties"].(map[string]any); ok {
		out := map[string]any{}
		for k, v := range m {
			if k != "properties" {
				out[k] = v
			}
		}
		for k, v := range props {
			if k == "type" && out["type"] != nil {
				out["typePropertiesType"] = v
				continue
			}
			out[k] = v
		}
		return cliKeys(out, false)
	}
	out := map[string]any{}
	props := map[string]any{}
	for k, v := range m {
		switch {
		case topLevel[k]:
			out[k] = v
		case k == "typePropertiesType":
			props["type"] = v
		default:
			props[k] = v
		}
	}
	out["properties"] = props
	return out
}

func cliKeys(v any, keep bool) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			nk := k
			if !keep {
				nk = cliKey(k)
			}
			out[nk] = cliKeys(x, userKeys[k] && !keep)
		}
		return out
	case []any:
		for i, x := range t {
			t[i] = cliKeys(x, false)
		}
	}
	return v
}

// cliKey spells a REST key as the Azure CLI does (arm.CLIKey), and a kebab-case key of a
// settings map in camel case: scan-interval → scanInterval.
func cliKey(k string) string {
	if strings.Contains(k, "-") {
		parts := strings.Split(k, "-")
		for i := 1; i < len(parts); i++ {
			if parts[i] != "" {
				parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
			}
		}
		return strings.Join(parts, "")
	}
	return arm.CLIKey(k)
}
