package checktest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
)

// TestSettings: a fixture's settings come from beside it, from inside a folder fixture, or
// from its check's folder, nearest first, decoded by the check's declarations.
func TestSettings(t *testing.T) {
	t.Parallel()
	labels := check.NewParam("requiredLabels", "d", []string{"a"}, nil)
	c := &check.Check{Meta: check.Meta{ID: "x", Settings: []check.Setting{labels}}}
	dir := t.TempDir()
	write := func(path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "settings.yaml"), "requiredLabels: [dir]\n")
	write(filepath.Join(dir, "fail_own.yaml.settings.yaml"), "requiredLabels: [own]\n")
	write(filepath.Join(dir, "fail_folder", "settings.yaml"), "requiredLabels: [folder]\n")
	for fixture, want := range map[string]string{"fail_own.yaml": "own", "fail_folder": "folder", "pass_other.yaml": "dir"} {
		got := labels.Get(&check.Env{Settings: Settings(t, c, filepath.Join(dir, fixture))})
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: %v, want [%s]", fixture, got, want)
		}
	}
	if got := Settings(t, c, filepath.Join(t.TempDir(), "pass_x.yaml")); got != nil {
		t.Errorf("no settings file: %v", got)
	}
	if got := fixtures([]string{"a/pass_x.yaml", "a/pass_x.yaml.settings.yaml", "a/settings.yaml"}); len(got) != 1 {
		t.Errorf("fixtures = %v", got)
	}
}
