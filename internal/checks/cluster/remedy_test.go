package cluster

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/remedy"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestFixesMendTheirFindings: for every check that offers a fix, each of its fail fixtures,
// in each shape it can be written in (az CLI JSON, REST JSON, an ARM template made of the
// REST resources and the same as compiled Bicep, the Terraform module as azurerm v4 and as v3), has its findings' edits made
// as the report spells them for that input (JSON at the property path, Terraform with
// hclwrite, then re-parsed with hcl), and is scanned again: the fixed findings are gone, the
// check has no finding left that its fix could mend (a fix may take a second round: the Key
// Vault add-on, then its rotation), and no check finds anything new. Each fix is shaped as its
// input asks: a deployed resource gets an az command of documented parameters, a template
// edits with file and line, a module edits with the provider version of its names.
func TestFixesMendTheirFindings(t *testing.T) {
	cat := catalog.MustLoad()
	fixedBy := map[string]map[string]int{}
	for _, c := range Checks() {
		if c.Fix == "" {
			continue
		}
		fixedBy[c.ID] = map[string]int{}
		dir := filepath.Join("testdata", c.ID)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "fail_") {
				continue
			}
			fixture := materialise(t, filepath.Join(dir, e.Name()))
			for shape, path := range shapes(t, fixture) {
				t.Run(c.ID+"/"+e.Name()+"/"+shape, func(t *testing.T) {
					fixedBy[c.ID][shape] += roundTrip(t, cat, c, path, shape)
				})
			}
		}
	}
	for id, by := range fixedBy {
		total := 0
		for _, n := range by {
			total += n
		}
		if total == 0 {
			t.Errorf("%s offers a fix, but none of its fail fixtures' findings carries one", id)
		}
		t.Logf("%s: fixed findings by input: %v", id, by)
	}
}

// shapes writes a fixture in each shape it can take, in a temporary folder of its own.
func shapes(t *testing.T, fixture string) map[string]string {
	t.Helper()
	out := map[string]string{}
	info, err := os.Stat(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if info.IsDir() {
		out["folder"] = copyTree(t, fixture)
		return out
	}
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	switch filepath.Ext(fixture) {
	case ".tf":
		out["terraform-v4"] = writeTemp(t, filepath.Base(fixture), data)
		v3 := bytes.Replace(data, []byte(`version = "~> 4.0"`), []byte(`version = "~> 3.117"`), 1)
		if !bytes.Equal(v3, data) {
			out["terraform-v3"] = writeTemp(t, filepath.Base(fixture), v3)
		}
	case ".json":
		var doc []any
		if json.Unmarshal(data, &doc) != nil || len(doc) == 0 {
			out["json"] = writeTemp(t, filepath.Base(fixture), data)
			return out
		}
		first, _ := doc[0].(map[string]any)
		rest := data
		if _, ok := first["properties"]; !ok {
			rest, err = os.ReadFile(otherShape(t, fixture))
			if err != nil {
				t.Fatal(err)
			}
			out["az"] = writeTemp(t, filepath.Base(fixture), data)
		} else {
			az, err := os.ReadFile(otherShape(t, fixture))
			if err != nil {
				t.Fatal(err)
			}
			out["az"] = writeTemp(t, filepath.Base(fixture), az)
		}
		out["rest"] = writeTemp(t, filepath.Base(fixture), rest)
		out["template"] = writeTemp(t, filepath.Base(fixture), asTemplate(t, rest, false))
		out["bicep"] = writeTemp(t, filepath.Base(fixture), asTemplate(t, rest, true))
	}
	return out
}

// asTemplate writes REST resources as an ARM template of the same resources (as az bicep
// build marks it, if bicep).
func asTemplate(t *testing.T, rest []byte, bicep bool) []byte {
	t.Helper()
	var resources []map[string]any
	if err := json.Unmarshal(rest, &resources); err != nil {
		t.Fatal(err)
	}
	for _, r := range resources {
		if _, ok := r["apiVersion"]; !ok {
			r["apiVersion"] = "2025-10-01"
		}
	}
	tmpl := map[string]any{
		"$schema":        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
		"contentVersion": "1.0.0.0",
		"resources":      resources,
	}
	if bicep {
		tmpl["metadata"] = map[string]any{"_generator": map[string]any{"name": "bicep", "version": "0.38.5.1644"}}
	}
	out, err := json.MarshalIndent(tmpl, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func copyTree(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.CopyFS(out, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkFindings runs one check on the subjects of path: its findings, with their fixes.
func checkFindings(t *testing.T, c *check.Check, path string) []check.Finding {
	t.Helper()
	scan := load.Load(t.Context(), []string{path}, load.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("%s does not load: %+v", path, scan.Errors)
	}
	env := &check.Env{Settings: params(t, c.ID), Index: subject.NewIndexOf(scan), Now: scanDate}
	var out []check.Finding
	for _, s := range scan.Others {
		if reflect.TypeOf(s) != c.SubjectType() {
			continue
		}
		r := check.NewResult(&c.Meta, s)
		c.Run(t.Context(), env, s, r)
		out = append(out, r.Findings()...)
	}
	return out
}

// allFindings are the findings of every check on path, as "check: message".
func allFindings(t *testing.T, cat *catalog.Catalog, id, path string) map[string]bool {
	t.Helper()
	scan := load.Load(t.Context(), []string{path}, load.Options{})
	rep := engine.Run(t.Context(), cat, Checks(), scan, engine.Options{Settings: params(t, id), Now: func() time.Time { return scanDate }})
	out := map[string]bool{}
	for _, f := range rep.Findings {
		out[f.Check+": "+f.Message] = true
	}
	return out
}

// mendable reports whether a finding's fix has edits to make.
func mendable(f check.Finding) bool { return f.Fix != nil && len(f.Fix.Edits) > 0 }

// roundTrip makes the edits of the check's findings on path until none is left to make
// (three rounds at most), checking each fix's shape, and returns how many findings it
// mended.
func roundTrip(t *testing.T, cat *catalog.Catalog, c *check.Check, path, shape string) int {
	t.Helper()
	before := allFindings(t, cat, c.ID, path)
	first := checkFindings(t, c, path)
	if len(first) == 0 {
		// A fixture some shape cannot carry (the dashboard add-on in a template of REST
		// resources is there; a plan-only setting is not).
		t.Skipf("no finding of %s in the %s shape", c.ID, shape)
	}
	unmendable := map[string]bool{}
	for _, f := range first {
		if !mendable(f) {
			unmendable[f.Message] = true
		}
	}
	mended := 0
	for round := 0; round < 3; round++ {
		var todo []check.Finding
		for _, f := range checkFindings(t, c, path) {
			if mendable(f) {
				todo = append(todo, f)
			}
		}
		if len(todo) == 0 {
			break
		}
		for _, f := range todo {
			checkShape(t, f, shape)
			edits := remedy.Edits(f)
			var err error
			if strings.HasSuffix(f.Location.File, ".tf") {
				err = applyHCLEdits(f.Location.File, f.Location.Line, edits)
			} else {
				err = applyJSONEdits(f.Location.File, f.Location.Line, edits)
			}
			if err != nil {
				t.Fatalf("%s: applying %+v at %s:%d: %v", f.Message, edits, f.Location.File, f.Location.Line, err)
			}
			mended++
		}
		reparse(t, path)
	}
	for _, f := range checkFindings(t, c, path) {
		switch {
		case mendable(f):
			t.Errorf("still a finding to mend after three rounds: %s (%+v)", f.Message, remedy.Edits(f))
		case !unmendable[f.Message]:
			t.Errorf("a finding the fixes left: %s", f.Message)
		}
	}
	var added []string
	for k := range allFindings(t, cat, c.ID, path) {
		if !before[k] {
			added = append(added, k)
		}
	}
	sort.Strings(added)
	for _, k := range added {
		t.Errorf("the fix brought a new finding: %s", k)
	}
	return mended
}

// reparse parses the Terraform files under path with hcl: an edit must leave valid HCL.
func reparse(t *testing.T, path string) {
	t.Helper()
	err := filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tf") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, diags := hclparse.NewParser().ParseHCL(data, p); diags.HasErrors() {
			return hcl.Diagnostics(diags)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkShape checks the report's fix of a finding against its input's form.
func checkShape(t *testing.T, f check.Finding, shape string) {
	t.Helper()
	rf := remedy.Shape(f)
	if rf == nil {
		// A deployed resource takes only a command (or a note): a fix without either has
		// nothing to say about it.
		if deployed := shape == "az" || shape == "rest"; !deployed || len(f.Fix.Az) > 0 || f.Fix.Note != "" {
			t.Errorf("%s: a fix with edits gives no remedy in the report", f.Message)
		}
		return
	}
	switch shape {
	case "az", "rest":
		if len(rf.Edits) > 0 || rf.File != "" {
			t.Errorf("%s: a deployed resource's remedy has edits: %+v", f.Message, rf)
		}
		if len(f.Fix.Az) > 0 && !remedy.Creates(f.Fix.Az) && rf.Command == "" {
			t.Errorf("%s: no command for az %v", f.Message, f.Fix.Az)
		}
		if rf.Command != "" {
			args := strings.Fields(rf.Command)
			if args[0] != "az" {
				t.Fatalf("%s: command %q", f.Message, rf.Command)
			}
			if err := remedy.AzParams().Validate(args[1:]); err != nil {
				t.Errorf("%s: %v", f.Message, err)
			}
		}
	case "template", "bicep", "terraform-v4", "terraform-v3":
		if shape == "bicep" && !strings.Contains(rf.Note, ".bicep source") {
			t.Errorf("%s: compiled Bicep's remedy does not name the source: %+v", f.Message, rf)
		}
		if len(rf.Edits) == 0 || rf.File != f.Location.File || rf.Line <= 0 || rf.Command != "" {
			t.Errorf("%s: %s remedy %+v", f.Message, shape, rf)
		}
		// A module that writes an attribute only azurerm v3 has is a v3 module.
		switch {
		case shape == "terraform-v3" && rf.Provider != subject.AzurermV3,
			shape == "terraform-v4" && rf.Provider != subject.AzurermV4 && rf.Provider != subject.AzurermV3,
			(shape == "template" || shape == "bicep") && rf.Provider != "":
			t.Errorf("%s: %s remedy names provider %q", f.Message, shape, rf.Provider)
		}
	}
	if len(f.Fix.Az) > 0 {
		if err := remedy.AzParams().Validate(f.Fix.Az); err != nil {
			t.Errorf("%s: %v", f.Message, err)
		}
	}
}

var updateFixGoldens = flag.Bool("update", false, "rewrite testdata/fixes/*.golden.json")

// TestFixGoldens: the report's remedies of a few findings, in each form of input, as the
// JSON report writes them (testdata/fixes/<shape>.golden.json; review with -update): the az
// commands of a cluster, a node pool and a registry; the same fixes as template property
// edits; as azurerm v4 attributes, and as v3 ones (automatic_channel_upgrade).
func TestFixGoldens(t *testing.T) {
	cat := catalog.MustLoad()
	fixtures := map[string]string{
		"auto-upgrade-channel": "fail_channel_unset",
		"node-pool-max-surge":  "fail_no_surge",
		"acr-admin-user":       "fail_admin_on",
		"acr-private-network":  "fail_public",
		"managed-prometheus":   "fail_metrics_off",
		"system-node-pool":     "fail_no_taint",
	}
	ids := make([]string, 0, len(fixtures))
	for id := range fixtures {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	type entry struct {
		Check   string      `json:"check"`
		Fixture string      `json:"fixture"`
		Path    string      `json:"path"`
		Fix     *report.Fix `json:"fix"`
	}
	got := map[string][]entry{}
	for _, id := range ids {
		var c *check.Check
		for _, x := range Checks() {
			if x.ID == id {
				c = x
			}
		}
		dir := filepath.Join("testdata", id)
		matches, err := filepath.Glob(filepath.Join(dir, fixtures[id]+".*"))
		if err != nil || len(matches) == 0 {
			t.Fatalf("%s: no fixture %s", id, fixtures[id])
		}
		for _, m := range matches {
			for shape, path := range shapes(t, materialise(t, m)) {
				scan := load.Load(t.Context(), []string{path}, load.Options{})
				rep := engine.Run(t.Context(), cat, []*check.Check{c}, scan, engine.Options{Settings: params(t, id), Now: func() time.Time { return scanDate }})
				for _, f := range rep.Findings {
					fix := f.Fix
					if fix != nil && fix.File != "" {
						// The temporary folder is not part of the golden.
						cp := *fix
						cp.File = filepath.Base(fix.File)
						fix = &cp
					}
					got[shape] = append(got[shape], entry{Check: f.Check, Fixture: filepath.Base(m), Path: f.Location.Path, Fix: fix})
				}
			}
		}
	}
	for shape, entries := range got {
		sort.SliceStable(entries, func(i, j int) bool { return entries[i].Check < entries[j].Check })
		data, err := json.MarshalIndent(entries, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, '\n')
		golden := filepath.Join("testdata", "fixes", shape+".golden.json")
		if *updateFixGoldens {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(want, data) {
			t.Errorf("%s differs from the report (run with -update and review):\n%s", golden, data)
		}
	}
}

// TestCommandsUseDocumentedParameters: every az command a check's fix gives on its fail
// fixtures names a command of the shipped parameter list (internal/remedy/azparams.txt, from
// the az CLI reference) and uses only its documented parameters; every command of the list
// is one some check gives, so that the list holds what remedies print and no more.
func TestCommandsUseDocumentedParameters(t *testing.T) {
	used := map[string]bool{}
	for _, c := range Checks() {
		dir := filepath.Join("testdata", c.ID)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "fail_") {
				continue
			}
			for _, path := range shapes(t, materialise(t, filepath.Join(dir, e.Name()))) {
				for _, f := range checkFindings(t, c, path) {
					if f.Fix == nil || len(f.Fix.Az) == 0 {
						continue
					}
					if c.Fix == "" {
						t.Errorf("%s gives a fix but declares none (Meta.Fix)", c.ID)
					}
					if err := remedy.AzParams().Validate(f.Fix.Az); err != nil {
						t.Errorf("%s: %v", c.ID, err)
					}
					var words []string
					for _, a := range f.Fix.Az {
						if strings.HasPrefix(a, "-") {
							break
						}
						words = append(words, a)
					}
					used[strings.Join(words, " ")] = true
				}
			}
		}
	}
	for cmd := range remedy.AzParams() {
		if !used[cmd] {
			t.Errorf("az %s is listed but no check's fix gives it", cmd)
		}
	}
}

// TestRemediesDocListsEveryCheck: docs/remedies.md names each cluster check in the list of
// those with a fix or in that of those without, as its metadata says.
func TestRemediesDocListsEveryCheck(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "remedies.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	start := strings.Index(doc, "## Checks with a fix")
	split := strings.Index(doc, "Checks whose remedy is no value")
	end := strings.Index(doc, "## The az parameters")
	if start < 0 || split < start || end < split {
		t.Fatal("docs/remedies.md: the sections of checks with and without a fix are not where expected")
	}
	with, without := doc[start:split], doc[split:end]
	for _, c := range Checks() {
		name := "`" + c.ID + "`"
		switch {
		case c.Fix != "" && !strings.Contains(with, name):
			t.Errorf("docs/remedies.md does not list %s among the checks with a fix", c.ID)
		case c.Fix == "" && !strings.Contains(without, name):
			t.Errorf("docs/remedies.md does not list %s among the checks without a fix", c.ID)
		}
	}
}
