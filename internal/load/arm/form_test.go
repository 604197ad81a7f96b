package arm

import (
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// TestForm: resource JSON is the deployed resource, a template or compiled Bicep a
// description to deploy; all are InputARM, and the form tells their remedies apart.
func TestForm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		files []string
		want  subject.Form
	}{
		{[]string{filepath.Join("testdata", "az", "aks-hardened.json"), filepath.Join("testdata", "az", "nodepool-list.json"), filepath.Join("testdata", "az", "acr-show.json")}, subject.FormDeployed},
		{[]string{filepath.Join("testdata", "templates", "aks.json")}, subject.FormTemplate},
		{[]string{filepath.Join("testdata", "bicep", "main.json")}, subject.FormBicep},
	} {
		s := load(t, Options{}, tc.files...)
		n := 0
		for _, o := range s.Others {
			switch x := o.(type) {
			case *subject.Cluster:
				n++
				if x.Form != tc.want || x.Provider != "" {
					t.Errorf("%s: cluster %s form %q provider %q, want %q", tc.files[0], x.Name, x.Form, x.Provider, tc.want)
				}
				for _, p := range x.Pools {
					if p.Form != tc.want {
						t.Errorf("%s: pool %s form %q, want %q", tc.files[0], p.Name, p.Form, tc.want)
					}
				}
			case *subject.Registry:
				n++
				if x.Form != tc.want {
					t.Errorf("%s: registry %s form %q, want %q", tc.files[0], x.Name, x.Form, tc.want)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no cluster or registry", tc.files[0])
		}
	}
}
