// Package biceptest builds the stand-in for the Bicep CLI that tests use (fakebicep): the
// real compiler cannot be installed where akscheck is built and tested, so its output for
// the test files is recorded in internal/load/bicep/testdata/recorded and replayed.
package biceptest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Recorded is the folder of the recorded compiler outputs.
func Recorded() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "testdata", "recorded")
}

// Compiler builds fakebicep into a temporary folder under name (bicep, or az to stand in
// for the Azure CLI) and returns its path.
func Compiler(t testing.TB, name string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building fakebicep needs the go command on PATH: %v", err)
	}
	out := filepath.Join(t.TempDir(), name)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	_, self, _, _ := runtime.Caller(0)
	cmd := exec.CommandContext(t.Context(), goTool, "build", "-o", out, "-ldflags", "-X main.recorded="+Recorded(), "./fakebicep")
	cmd.Dir = filepath.Dir(self)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building fakebicep: %v\n%s", err, b)
	}
	return out
}
