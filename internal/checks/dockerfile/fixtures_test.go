package dockerfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	loaddf "github.com/akscheck/akscheck/internal/load/dockerfile"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// TestFixtures runs each check on its fixtures: testdata/<id>/pass_*.Dockerfile must give no
// finding and be something the check applies to; fail_*.Dockerfile must give at least one,
// each with the Dockerfile's path and the instruction's line, and none may show a value that
// contains "s3cr3t".
func TestFixtures(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	for c, files := range testutil.FixtureFiles(t, Checks(), "*.Dockerfile") {
		for _, f := range files {
			t.Run(c.ID+"/"+filepath.Base(f), func(t *testing.T) {
				t.Parallel()
				rep := runFixture(t, cat, c, f)
				testutil.Expect(t, cat, c, f, rep)
				if !testutil.WantFail(f) {
					return
				}
				for _, fd := range rep.Findings {
					if fd.Location.File != f || fd.Location.Line < 1 {
						t.Errorf("finding %q has location %+v, want %s and a line", fd.Message, fd.Location, f)
					}
					if strings.Contains(fd.Message, "s3cr3t") {
						t.Errorf("finding shows a secret value: %s", fd.Message)
					}
					t.Logf("%d: %s", fd.Location.Line, fd.Message)
				}
			})
		}
	}
}

func runFixture(t *testing.T, cat *catalog.Catalog, c *check.Check, file string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	scan := loaddf.LoadBytes(file, data, loaddf.Options{})
	if len(scan.Errors) > 0 || len(scan.Others) != 1 {
		t.Fatalf("fixture does not load: %+v", scan.Errors)
	}
	return engine.Run(t.Context(), cat, []*check.Check{c}, scan, engine.Options{})
}

// TestTargetStage checks that --target moves the runtime rules to the target stage.
func TestTargetStage(t *testing.T) {
	t.Parallel()
	src := "FROM ubuntu:24.04 AS debug\nEXPOSE 22\nFROM gcr.io/distroless/static-debian12:nonroot AS release\n"
	for target, want := range map[string]int{"": 0, "debug": 1, "release": 0} {
		scan := loaddf.LoadBytes("Dockerfile", []byte(src), loaddf.Options{Target: target})
		rep := engine.Run(t.Context(), catalog.MustLoad(), []*check.Check{ExposeSSH}, scan, engine.Options{})
		if len(rep.Findings) != want {
			t.Errorf("--target %q: %d findings, want %d", target, len(rep.Findings), want)
		}
	}
}

// TestDistrolessBasesParam checks that the distrolessBases parameter extends the list.
func TestDistrolessBasesParam(t *testing.T) {
	t.Parallel()
	scan := loaddf.LoadBytes("Dockerfile", []byte("FROM contoso.azurecr.io/base/static:2026.11\n"), loaddf.Options{})
	for patterns, want := range map[string]int{"": 1, "contoso.azurecr.io/base/*": 0, "contoso.azurecr.io/base/static:2026.*": 0, "alpine": 1} {
		settings := check.Settings{}
		DistrolessBasesSetting.Set(settings, strings.Fields(patterns))
		rep := engine.Run(t.Context(), catalog.MustLoad(), []*check.Check{DistrolessBase}, scan, engine.Options{Settings: settings})
		if len(rep.Findings) != want {
			t.Errorf("distrolessBases %q: %d findings, want %d", patterns, len(rep.Findings), want)
		}
	}
}

// TestOwnDockerfile holds akscheck's own Dockerfile to every Dockerfile check.
func TestOwnDockerfile(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "..", "Dockerfile")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the repository's Dockerfile: %v", err)
	}
	scan := loaddf.LoadBytes(path, data, loaddf.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("the repository's Dockerfile does not load: %+v", scan.Errors)
	}
	env := &check.Env{Index: subject.NewIndexOf(scan)}
	for _, c := range Checks() {
		r := check.NewResult(&c.Meta, scan.Others[0])
		c.Run(t.Context(), env, scan.Others[0], r)
		for _, f := range r.Findings() {
			t.Errorf("%s: %s:%d: %s", c.ID, path, f.Location.Line, f.Message)
		}
	}
}
