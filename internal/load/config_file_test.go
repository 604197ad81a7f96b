package load

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/config"
)

// akscheck's config beside the manifests it checks is not an input: a folder walk leaves it
// out instead of counting it as a skipped document.
func TestFolderWalkLeavesOutTheConfig(t *testing.T) {
	if configFileName != config.FileName {
		t.Fatalf("configFileName %q, config.FileName %q", configFileName, config.FileName)
	}
	dir := t.TempDir()
	files := map[string]string{
		config.FileName: "customChecks: []\n",
		"cm.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	scan := Load(t.Context(), []string{dir}, Options{})
	if len(scan.Errors) > 0 || scan.Skipped != 0 || len(scan.Objects) != 1 || len(scan.Inputs) != 1 {
		t.Errorf("errors %+v, skipped %d, objects %d, inputs %+v", scan.Errors, scan.Skipped, len(scan.Objects), scan.Inputs)
	}
}
