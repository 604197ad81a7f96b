// Package testutil holds what the tests of several packages share: the date they scan on,
// fuzz seeds, schema validation and the judging of check fixtures. Only tests import it; it
// imports no loader and no check, so that any package's own tests can use it.
package testutil

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// ScanDate is the date the tests scan on: support windows and report ages are measured from
// it.
var ScanDate = time.Date(2026, time.November, 24, 12, 0, 0, 0, time.UTC)

// Now returns ScanDate, for engine.Options.Now and check.Env.Now.
func Now() time.Time { return ScanDate }

// CompileSchema compiles the JSON schema in file (with format assertions on).
func CompileSchema(t testing.TB, file string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	name := filepath.Base(file)
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// AddSeeds adds seeds and the content of every file that matches one of globs to a fuzz
// test's corpus.
func AddSeeds(f *testing.F, seeds []string, globs ...string) {
	for _, glob := range globs {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				seeds = append(seeds, string(data))
			}
		}
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}

// CheckLoadErrors fails t on a load error that does not name source, has no message or a
// negative line, or is a recovered panic ("internal error").
func CheckLoadErrors(t testing.TB, source string, errs []subject.LoadError) {
	t.Helper()
	for _, e := range errs {
		if e.Source != source || e.Message == "" || e.Line < 0 {
			t.Fatalf("bad error entry %+v", e)
		}
		if strings.Contains(e.Message, "internal error") {
			t.Fatalf("the parser panicked: %s", e.Message)
		}
	}
}

// FixtureFiles returns the fixtures of each check in testdata/<check-id>/: the files
// pass_<glob> and fail_<glob>. It fails t when a check lacks either kind, or when a folder of
// testdata belongs to no check.
func FixtureFiles(t testing.TB, checks []*check.Check, glob string) map[*check.Check][]string {
	t.Helper()
	out := map[*check.Check][]string{}
	known := map[string]bool{}
	for _, c := range checks {
		known[c.ID] = true
		passes, _ := filepath.Glob(filepath.Join("testdata", c.ID, "pass_"+glob))
		fails, _ := filepath.Glob(filepath.Join("testdata", c.ID, "fail_"+glob))
		if len(passes) == 0 || len(fails) == 0 {
			t.Errorf("check %s needs at least one pass_ and one fail_ fixture in testdata/%s (has %d and %d)", c.ID, c.ID, len(passes), len(fails))
		}
		out[c] = append(passes, fails...)
	}
	dirs, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, d := range dirs {
		if !known[filepath.Base(d)] {
			t.Errorf("%s holds fixtures of no check", d)
		}
	}
	return out
}

// WantFail reports whether a fixture is a fail_ one.
func WantFail(fixture string) bool { return strings.HasPrefix(filepath.Base(fixture), "fail_") }

// Expect judges the report of check c on a fixture: a fail_ fixture must give at least one
// finding; a pass_ one none, and c's item must pass (the check must apply to the fixture).
func Expect(t testing.TB, cat *catalog.Catalog, c *check.Check, fixture string, rep *report.Report) {
	t.Helper()
	if WantFail(fixture) {
		if len(rep.Findings) == 0 {
			t.Errorf("%s: want a finding of %s, got none (item %s)", fixture, c.ID, rep.Items[cat.ItemIndex(c.Item)].Status)
		}
		return
	}
	for _, fd := range rep.Findings {
		t.Errorf("%s: want no finding, got %s (%s:%d)", fixture, fd.Message, fd.Location.File, fd.Location.Line)
	}
	if st := rep.Items[cat.ItemIndex(c.Item)].Status; st != report.StatusPass {
		t.Errorf("%s: item %s is %s, want pass (does the check apply to the fixture?)", fixture, c.Item, st)
	}
}

// Item returns the item of a report with an ID (the zero Item when there is none).
func Item(rep *report.Report, id string) report.Item {
	for _, it := range rep.Items {
		if it.ID == id {
			return it
		}
	}
	return report.Item{}
}

// Outcomes runs check c on each subject of its type and kinds in env's index, and counts
// those it passes (applied and decided without a finding) and those it fails.
func Outcomes(ctx context.Context, c *check.Check, env *check.Env) (passed, failed int) {
	for _, s := range env.Index.Subjects(c.SubjectType()) {
		if !c.AppliesToKind(s.Identity().Kind) {
			continue
		}
		r := check.NewResult(&c.Meta, s)
		c.Run(ctx, env, s, r)
		switch {
		case len(r.Findings()) > 0:
			failed++
		case len(r.Missing()) > 0:
			// Undecided: neither passed nor failed.
		case r.Applied():
			passed++
		}
	}
	return passed, failed
}
