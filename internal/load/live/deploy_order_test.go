package live

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/akscheck/akscheck/internal/load/manifest"
)

// TestDeployAppliesInFileOrder: kubectl apply -f deploy/ applies the files in name order, so
// the Namespace must come in the first file, before anything namespaced in it.
func TestDeployAppliesInFileOrder(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../../deploy/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("deploy/: %v %v", files, err)
	}
	sort.Strings(files)
	created := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range manifest.LoadBytes(f, data, manifest.Options{}).Objects {
			if o.Kind == "Namespace" {
				created[o.Name()] = true
				continue
			}
			if ns := o.Namespace; ns != "" && !created[ns] {
				t.Errorf("%s: %s %s is applied before its Namespace %s", filepath.Base(f), o.Kind, o.Name(), ns)
			}
		}
	}
}
