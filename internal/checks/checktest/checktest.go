// Package checktest runs the fixtures of checks, whatever subjects they are read into: each
// package of checks names how its fixtures load (a Loader for its subject kind) and what else
// a finding must show, and the rules are the same everywhere. testdata/<check-id>/pass_* must
// give no finding of the check and make its item pass (the check applies to it); fail_* must
// give at least one finding. A cross-object check must decide the same on only the kinds it
// judges and its Requires (SameOnRequired). A fixture may carry settings for its check in
// <fixture>.settings.yaml beside it, settings.yaml inside a fixture folder, or settings.yaml in
// the check's fixtures folder for all of them: the keys of checks.params that the check
// declares, decoded as the config decodes them.
package checktest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// Loader reads one fixture (a file, or a folder read as a whole) into the subjects its
// check takes.
type Loader func(t *testing.T, path string) *subject.Scan

// Suite is the fixtures of a set of checks.
type Suite struct {
	// Checks are the checks whose fixtures are in Dir/<check-id>/.
	Checks []*check.Check
	// Dir is the fixtures' root (default testdata).
	Dir string
	// Pattern matches the fixtures after their pass_/fail_ prefix (default "*": files and
	// folders).
	Pattern string
	// Load reads a fixture.
	Load Loader
	// Now pins the scan clock (zero: the current time).
	Now time.Time
	// Finding, when set, checks what else each finding of a fail_ fixture must show (a line,
	// no secret value...).
	Finding func(t *testing.T, fixture string, f report.Finding)
	// Skip lists the checks whose fixtures are run elsewhere, and folders of Dir that are not
	// a check's (a base the fixtures patch).
	Skip map[string]bool
}

// Run runs every fixture, each as a subtest, and fails when a check has no pass_ or no fail_
// fixture or a folder of Dir holds the fixtures of no check.
func (s Suite) Run(t *testing.T) {
	t.Helper()
	dir, pattern := s.Dir, s.Pattern
	if dir == "" {
		dir = "testdata"
	}
	if pattern == "" {
		pattern = "*"
	}
	cat := catalog.MustLoad()
	known := map[string]bool{}
	for _, c := range s.Checks {
		known[c.ID] = true
		if s.Skip[c.ID] {
			continue
		}
		passes, _ := filepath.Glob(filepath.Join(dir, c.ID, "pass_"+pattern))
		fails, _ := filepath.Glob(filepath.Join(dir, c.ID, "fail_"+pattern))
		passes, fails = fixtures(passes), fixtures(fails)
		if len(passes) == 0 || len(fails) == 0 {
			t.Errorf("check %s needs at least one pass_ and one fail_ fixture in %s (has %d and %d)",
				c.ID, filepath.Join(dir, c.ID), len(passes), len(fails))
		}
		for _, f := range append(passes, fails...) {
			t.Run(c.ID+"/"+filepath.Base(f), func(t *testing.T) {
				t.Parallel()
				rep := s.run(t, cat, c, f)
				Expect(t, cat, c, strings.HasPrefix(filepath.Base(f), "fail_"), rep)
				if s.Finding != nil && strings.HasPrefix(filepath.Base(f), "fail_") {
					for _, fd := range rep.Findings {
						s.Finding(t, f, fd)
					}
				}
			})
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, d := range dirs {
		if !known[filepath.Base(d)] && !s.Skip[filepath.Base(d)] {
			t.Errorf("%s holds fixtures of no check", d)
		}
	}
}

// fixtures leaves out the settings files beside the fixtures.
func fixtures(paths []string) []string {
	out := paths[:0]
	for _, p := range paths {
		if !strings.HasSuffix(p, ".settings.yaml") && filepath.Base(p) != "settings.yaml" {
			out = append(out, p)
		}
	}
	return out
}

func (s Suite) run(t *testing.T, cat *catalog.Catalog, c *check.Check, fixture string) *report.Report {
	t.Helper()
	opts := engine.Options{Settings: Settings(t, c, fixture)}
	if !s.Now.IsZero() {
		opts.Now = func() time.Time { return s.Now }
	}
	scan := s.Load(t, fixture)
	rep := engine.Run(t.Context(), cat, []*check.Check{c}, scan, opts)
	SameOnRequired(t, cat, c, scan, opts, rep)
	SameOnPacked(t, cat, c, s.Load(t, fixture), opts, rep)
	if hasStatusToDrop(scan) {
		SameWithoutStatus(t, cat, c, s.Load(t, fixture), opts, rep)
	}
	return rep
}

// SameWithoutStatus runs a built-in check again on the same objects without what a live scan
// and the cluster cache keep of no status unless a custom check of the kind reads it
// (check.StatusReaders): the whole status of an object kept as JSON (an add-on's custom
// resource), and of a typed object what subject.DropUnreadStatus drops (conditions, a
// Node's images and volumes). It fails when the report differs from whole: a built-in check
// that reads those would pass or fail on a cluster otherwise than on its manifests, and must
// be said so there first.
func SameWithoutStatus(t *testing.T, cat *catalog.Catalog, c *check.Check, scan *subject.Scan, opts engine.Options, whole *report.Report) {
	t.Helper()
	if c.Declared != nil {
		return
	}
	for _, o := range scan.Objects {
		if o.Typed != nil {
			subject.DropUnreadStatus(o.Body())
			continue
		}
		if !hasStatus(o) {
			continue
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(o.Raw(), &doc); err != nil {
			t.Fatal(err)
		}
		delete(doc, "status")
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		o.Extra = subject.NewExtra(raw, o.SecretValues(), o.WrittenAs())
	}
	stripped := engine.Run(t.Context(), cat, []*check.Check{c}, scan, opts)
	sameReport(t, c, whole, stripped, "without the status a live scan drops (check.StatusReaders)")
}

// sameReport fails when other, a second run of c on the same objects changed as how says,
// reports otherwise than whole, byte for byte.
func sameReport(t *testing.T, c *check.Check, whole, other *report.Report, how string) {
	t.Helper()
	w, err := json.Marshal(whole)
	if err != nil {
		t.Fatal(err)
	}
	o, err := json.Marshal(other)
	if err != nil {
		t.Fatal(err)
	}
	if string(w) != string(o) {
		t.Errorf("%s reports otherwise %s\nwhole: %s\nthen:  %s", c.ID, how, w, o)
	}
}

// hasStatusToDrop reports whether a live scan would keep less of the scan's objects' status
// than they hold.
func hasStatusToDrop(scan *subject.Scan) bool {
	for _, o := range scan.Objects {
		if hasStatus(o) || o.Typed != nil && subject.HasUnreadStatus(o.Body()) {
			return true
		}
	}
	return false
}

// hasStatus reports whether an object kept as JSON has a status.
func hasStatus(o *subject.Object) bool {
	if o.Typed != nil || len(o.Raw()) == 0 {
		return false
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(o.Raw(), &doc) != nil {
		return false
	}
	_, ok := doc["status"]
	return ok
}

// SameOnPacked runs a check again on the same objects with their bodies packed
// (subject.Object.Pack), as a scan holds them once its checks have run and the front-ends
// that keep its subjects read them, and fails when the report differs from whole: the check
// or a lookup it uses read a body other than through subject.Object.Body, or a packed body
// decodes to something else than the loader made.
func SameOnPacked(t *testing.T, cat *catalog.Catalog, c *check.Check, scan *subject.Scan, opts engine.Options, whole *report.Report) {
	t.Helper()
	for _, o := range scan.Objects {
		o.Pack()
	}
	packed := engine.Run(t.Context(), cat, []*check.Check{c}, scan, opts)
	sameReport(t, c, whole, packed, "once the scan's bodies are packed")
}

// Expect asserts a fixture's verdict: a fail_ fixture gives at least one finding of the
// check; a pass_ fixture gives none and its item passes.
func Expect(t *testing.T, cat *catalog.Catalog, c *check.Check, wantFail bool, rep *report.Report) {
	t.Helper()
	if wantFail {
		if len(rep.Findings) == 0 {
			t.Errorf("want a finding of %s, got none (item %s is %s)", c.ID, c.Item, rep.Items[cat.ItemIndex(c.Item)].Status)
		}
		return
	}
	for _, fd := range rep.Findings {
		t.Errorf("want no finding, got %s (%s:%d)", fd.Message, fd.Location.File, fd.Location.Line)
	}
	if st := rep.Items[cat.ItemIndex(c.Item)].Status; st != report.StatusPass {
		t.Errorf("item %s is %s, want pass (does the check apply to the fixture?)", c.Item, st)
	}
}

// Settings reads the settings of a fixture: <fixture>.settings.yaml beside a file,
// settings.yaml in a fixture folder, else settings.yaml in the check's fixtures folder (for all
// of them); nil when there is none. Its keys are those of checks.params that the check
// declares, decoded as the config decodes them.
func Settings(t *testing.T, c *check.Check, fixture string) check.Settings {
	t.Helper()
	fixture = strings.TrimSuffix(fixture, string(filepath.Separator))
	candidates := []string{fixture + ".settings.yaml", filepath.Join(filepath.Dir(fixture), "settings.yaml")}
	if info, err := os.Stat(fixture); err == nil && info.IsDir() {
		candidates = append([]string{filepath.Join(fixture, "settings.yaml")}, candidates...)
	}
	for _, path := range candidates {
		if _, err := os.Stat(path); err == nil {
			return readSettings(t, c, path)
		}
	}
	return nil
}

// DirSettings reads settings.yaml of a check's fixtures folder (nil when there is none).
func DirSettings(t *testing.T, c *check.Check, dir string) check.Settings {
	t.Helper()
	path := filepath.Join(dir, "settings.yaml")
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	return readSettings(t, c, path)
}

func readSettings(t *testing.T, c *check.Check, path string) check.Settings {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	declared := map[string]check.Setting{}
	for _, st := range c.Settings {
		declared[st.Key()] = st
	}
	out := check.Settings{}
	for key, node := range doc {
		st, ok := declared[key]
		if !ok {
			t.Fatalf("%s: check %s declares no setting %q", path, c.ID, key)
		}
		v, err := st.Decode(node.Decode)
		if err != nil {
			t.Fatalf("%s: %s: %v", path, key, err)
		}
		out[key] = v
	}
	return out
}

// Manifests reads a fixture of Kubernetes manifests (one YAML file).
func Manifests(t *testing.T, path string) *subject.Scan {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := manifest.LoadBytes(path, data, manifest.Options{})
	if len(s.Errors) > 0 {
		t.Fatalf("fixture does not load: %+v", s.Errors)
	}
	s.Evidence[catalog.Manifest] = true
	return s
}

// Files reads a fixture as `akscheck scan PATH` does (any input kind; a folder as a whole),
// with opts.
func Files(opts load.Options) Loader {
	return func(t *testing.T, path string) *subject.Scan {
		t.Helper()
		s := load.Load(t.Context(), []string{path}, opts)
		if len(s.Errors) > 0 {
			t.Fatalf("fixture does not load: %+v", s.Errors)
		}
		return s
	}
}
