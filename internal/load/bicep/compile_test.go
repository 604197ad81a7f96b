package bicep

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiagnose: a failed compilation quotes the compiler's first errors (not its warnings)
// with the line of the first error in the file; without diagnostics, its first lines.
func TestDiagnose(t *testing.T) {
	t.Parallel()
	file := filepath.Join("infra", "main.bicep")
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	stderr := abs + "(2,7) : Warning no-unused-params: Parameter \"x\" is declared but never used. [https://aka.ms/bicep/linter-diagnostics#no-unused-params]\n" +
		filepath.Join(filepath.Dir(abs), "mod.bicep") + "(4,1) : Error BCP007: This declaration type is not recognized.\n" +
		abs + "(9,3) : Error BCP018: Expected the \":\" character at this location.\r\n" +
		abs + "(10,3) : Error BCP018: a\n" + abs + "(11,3) : Error BCP018: b\n"
	e := diagnose("bicep build --stdout "+file, file, []byte(stderr), errors.New("exit status 1"))
	want := "bicep build --stdout " + file + " failed: mod.bicep(4,1) : Error BCP007: This declaration type is not recognized.; main.bicep(9,3) : Error BCP018: Expected the \":\" character at this location.; main.bicep(10,3) : Error BCP018: a"
	if e.Line != 9 || e.Message != want {
		t.Errorf("got %d %q\nwant 9 %q", e.Line, e.Message, want)
	}
	e = diagnose("bicep build", file, []byte("\nUnhandled exception.\nat x\nat y\nat z\n"), errors.New("exit status 134"))
	if e.Line != 0 || e.Message != "bicep build failed: Unhandled exception.; at x; at y" {
		t.Errorf("no diagnostics: %q", e.Message)
	}
	if e := diagnose("bicep build", file, nil, errors.New("signal: killed")); !strings.HasSuffix(e.Message, "failed: signal: killed") {
		t.Errorf("nothing on stderr: %q", e.Message)
	}
	c := &Compiler{Path: "/usr/bin/bicep"}
	if got := strings.Join(c.args("-x.bicep"), " "); got != "build --stdout "+"."+string(filepath.Separator)+"-x.bicep" {
		t.Errorf("args = %q", got)
	}
	az := &Compiler{Path: "/usr/bin/az", Az: true}
	if got := az.Command("m.bicep"); got != "az bicep build --file m.bicep --stdout" {
		t.Errorf("az command = %q", got)
	}
}
