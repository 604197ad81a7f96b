package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileFileNamesOnStderr: a scanned file's name with an escape sequence and a bidi
// override reaches stderr (progress at -vv, the --allow-errors warning, the error that ends a
// scan) escaped, never raw.
func TestHostileFileNamesOnStderr(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "x\x1b[31m\u202e.yaml")
	if err := os.WriteFile(name, []byte("apiVersion: v1\nkind: [\n"), 0o600); err != nil {
		t.Skipf("this file system does not take the name: %v", err)
	}
	for _, args := range [][]string{
		{"scan", "-vv", "--allow-errors", "-o", "json", dir},
		{"scan", "-o", "json", name},
	} {
		_, _, stderr := run(t, "", args...)
		if strings.ContainsAny(stderr, "\x1b\u202e") {
			t.Errorf("%v: raw escape or bidi character on stderr: %q", args, stderr)
		}
		if !strings.Contains(stderr, `\x1b[31m\u202e.yaml`) {
			t.Errorf("%v: stderr does not name the file escaped: %q", args, stderr)
		}
	}
}

// TestHostileReportForItems: items --report reads a report from anywhere; its strings reach
// the terminal escaped.
func TestHostileReportForItems(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "report.json")
	doc := `{"schemaVersion":"1","items":[{"id":"x\u001b[31m","section":"networking","title":"t","status":"not-evaluated\u202e","checks":[],"findings":0,"reason":"no input\u0007\u2066 here"}],"summary":{}}`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stdout, stderr := run(t, "", "items", "--report", path)
	if strings.ContainsAny(stdout+stderr, "\x1b\x07\u202e\u2066") {
		t.Errorf("raw escape, bell or bidi character: %q %q", stdout, stderr)
	}
	for _, want := range []string{`x\x1b[31m`, `not-evaluated\u202e`, `no input\x07\u2066 here`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %s: %q", want, stdout)
		}
	}
}
