package bicep_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/bicep/biceptest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

// The compiler's output is recorded (testdata/recorded), not produced here: the tests run
// fakebicep, which replays it (see biceptest). TestRealCompiler runs the real one when it is
// on PATH.

func scan(t *testing.T, compiler string, paths ...string) *report.Report {
	t.Helper()
	s := load.Load(t.Context(), paths, load.Options{Bicep: load.BicepOptions{Compiler: compiler}})
	return engine.Run(t.Context(), catalog.MustLoad(), checks.All(), s, engine.Options{Now: testutil.Now})
}

// at lists the findings of a check as file:line (base names), with the fix's place.
func at(r *report.Report, check string) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Check != check {
			continue
		}
		s := filepath.ToSlash(rel(f.Location.File)) + ":" + strconv.Itoa(f.Location.Line)
		if f.Fix != nil {
			s += " fix " + filepath.ToSlash(rel(f.Fix.File)) + ":" + strconv.Itoa(f.Fix.Line)
		}
		out = append(out, s)
	}
	return out
}

func rel(p string) string {
	if r, err := filepath.Rel("testdata", p); err == nil {
		return r
	}
	return p
}

// TestFindingsAtBicepLines: a .bicep file compiled, its template read as compiled Bicep, and
// every finding (and its fix) at the .bicep line of the setting, a module's resources at the
// lines of the module's own file. The module, met in the walk too, is not compiled alone.
func TestFindingsAtBicepLines(t *testing.T) {
	t.Parallel()
	fake := biceptest.Compiler(t, "bicep")
	r := scan(t, fake, filepath.Join("testdata", "srcweak"))
	if len(r.Errors) != 0 {
		t.Fatalf("errors = %+v", r.Errors)
	}
	for check, want := range map[string][]string{
		"kubernetes-rbac-entra": {"srcweak/weak.bicep:37 fix srcweak/weak.bicep:37"},
		"ephemeral-os-disk":     {"srcweak/weak.bicep:145 fix srcweak/weak.bicep:145"},
		"acr-admin-user":        {"srcweak/modules/registry.bicep:14 fix srcweak/modules/registry.bicep:14"},
	} {
		if got := at(r, check); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", check, got, want)
		}
	}
	for _, f := range r.Findings {
		if strings.Contains(f.Location.File, "(compiled)") || !strings.HasSuffix(f.Location.File, ".bicep") || f.Location.Line < 1 {
			t.Errorf("%s: location %+v not in the .bicep source", f.Check, f.Location)
		}
		if f.Fix != nil && f.Fix.File != "" && !strings.Contains(f.Fix.Note, ".bicep") {
			t.Errorf("%s: fix note %q", f.Check, f.Fix.Note)
		}
	}
	if len(r.Inputs) != 1 || filepath.Base(r.Inputs[0].Source) != "weak.bicep" {
		t.Errorf("inputs = %+v, want weak.bicep alone (its module comes through it)", r.Inputs)
	}
	// The good cluster: nothing fails.
	good := scan(t, fake, filepath.Join("testdata", "src", "main.bicep"))
	if len(good.Errors) != 0 || len(good.Findings) != 0 {
		t.Errorf("main.bicep: errors %+v, findings %d", good.Errors, len(good.Findings))
	}
}

// TestCompileError: a file the compiler rejects is one error entry with the compiler's
// first diagnostic and its line.
func TestCompileError(t *testing.T) {
	t.Parallel()
	fake := biceptest.Compiler(t, "bicep")
	file := filepath.Join("testdata", "srcbroken", "broken.bicep")
	s := load.Load(t.Context(), []string{file}, load.Options{Bicep: load.BicepOptions{Compiler: fake}})
	if len(s.Errors) != 1 || s.Errors[0].Source != file || s.Errors[0].Line != 13 ||
		!strings.Contains(s.Errors[0].Message, `bicep build --stdout `+file+` failed: broken.bicep(13,9) : Error BCP018: Expected the "=" character at this location.`) {
		t.Errorf("errors = %+v", s.Errors)
	}
	if len(s.Others) != 0 {
		t.Errorf("subjects = %d", len(s.Others))
	}
}

// TestAzureCLICompiler: a compiler named az runs as az bicep build --file FILE --stdout.
func TestAzureCLICompiler(t *testing.T) {
	t.Parallel()
	az := biceptest.Compiler(t, "az")
	r := scan(t, az, filepath.Join("testdata", "srcweak", "weak.bicep"))
	if len(r.Errors) != 0 || len(at(r, "kubernetes-rbac-entra")) != 1 {
		t.Errorf("errors %+v, findings %v", r.Errors, at(r, "kubernetes-rbac-entra"))
	}
}

// TestCompiledBeside: main.json beside main.bicep (written by the compiler) is not read when
// the .bicep file is compiled; without a compiler the .bicep file's entry names it and it is
// read in its place.
func TestCompiledBeside(t *testing.T) {
	dir := t.TempDir()
	for src, dst := range map[string]string{"srcweak/weak.bicep": "weak.bicep", "srcweak/modules/registry.bicep": "modules/registry.bicep", "recorded/weak.json": "weak.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, dst)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fake := biceptest.Compiler(t, "bicep")
	r := scan(t, fake, dir)
	if len(r.Errors) != 0 || len(r.Inputs) != 1 || filepath.Base(r.Inputs[0].Source) != "weak.bicep" {
		t.Errorf("with a compiler: errors %+v, inputs %+v", r.Errors, r.Inputs)
	}
	if got := at(r, "kubernetes-rbac-entra"); len(got) != 1 {
		t.Errorf("with a compiler: %v", got)
	}

	t.Setenv("PATH", t.TempDir())
	r = scan(t, "", dir)
	if len(r.Errors) != 2 { // weak.bicep and modules/registry.bicep
		t.Fatalf("without a compiler: errors %+v", r.Errors)
	}
	for _, e := range r.Errors {
		if filepath.Base(e.Source) == "weak.bicep" && !strings.Contains(e.Message, "the compiled weak.json beside it is scanned in its place") {
			t.Errorf("without a compiler: %+v", e)
		}
	}
	if got := at(r, "kubernetes-rbac-entra"); len(got) != 1 || !strings.HasSuffix(got[0], "weak.json:74 fix "+filepath.ToSlash(rel(filepath.Join(dir, "weak.json")))+":74") {
		t.Errorf("without a compiler, the JSON is read: %v", got)
	}
}

// TestRealCompiler compiles the test sources with the real bicep CLI when it is on PATH: the
// recorded outputs the other tests replay must still be what it makes of them.
func TestRealCompiler(t *testing.T) {
	t.Parallel()
	compiler, err := exec.LookPath("bicep")
	if err != nil {
		t.Skip("bicep is not on PATH: the recorded compiler output is not checked against the real compiler here")
	}
	r := scan(t, compiler, filepath.Join("testdata", "srcweak"))
	if len(r.Errors) != 0 {
		t.Fatalf("errors = %+v", r.Errors)
	}
	if got := at(r, "kubernetes-rbac-entra"); strings.Join(got, ",") != "srcweak/weak.bicep:37 fix srcweak/weak.bicep:37" {
		t.Errorf("kubernetes-rbac-entra: %v", got)
	}
	s := load.Load(t.Context(), []string{filepath.Join("testdata", "srcbroken", "broken.bicep")}, load.Options{Bicep: load.BicepOptions{Compiler: compiler}})
	if len(s.Errors) != 1 || s.Errors[0].Line != 13 || !strings.Contains(s.Errors[0].Message, "BCP018") {
		t.Errorf("broken.bicep: %+v", s.Errors)
	}
}

// TestTimeout: a compiler that does not finish is stopped at the timeout, and the file is an
// error entry saying so.
func TestTimeout(t *testing.T) {
	t.Parallel()
	fake := biceptest.Compiler(t, "bicep")
	file := filepath.Join("testdata", "srchang", "hang.bicep")
	s := load.Load(t.Context(), []string{file}, load.Options{Bicep: load.BicepOptions{Compiler: fake, Timeout: 300 * time.Millisecond}})
	if len(s.Errors) != 1 || s.Errors[0].Source != file || !strings.Contains(s.Errors[0].Message, "did not finish within 300ms") {
		t.Errorf("errors = %+v", s.Errors)
	}
}
