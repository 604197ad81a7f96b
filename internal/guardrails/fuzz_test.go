package guardrails

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzGenerate feeds any manifest to the generator as if the namespace lacked every
// guardrail: it must not panic, and what it writes must load back as the objects it wrote,
// with no load error.
func FuzzGenerate(f *testing.F) {
	seeds := []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 2147483647\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: x, resources: {requests: {cpu: \"9223372036854775807\", memory: 1e18}}}]}\n",
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  replicas: 3\n  selector: {matchExpressions: [{key: a, operator: In, values: [b]}]}\n  template: {metadata: {labels: {a: b}}}\n",
		"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: \"x\\ny\"}\nspec: {template: {spec: {containers: [{name: c, resources: {limits: {cpu: \"-1\"}}}]}}}\n",
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n",
	}
	testutil.AddSeeds(f, seeds, filepath.Join("..", "cli", "testdata", "guardrails", "*.yaml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			s := manifest.LoadBytes("fuzz.yaml", data, manifest.Options{Namespace: "app"})
			res, err := Generate(s, findingsFor(s, "app"), DefaultOptions("app"))
			if err != nil {
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("an error that is no InputError: %v", err)
				}
				return
			}
			var buf bytes.Buffer
			if err := Write(&buf, res.Objects); err != nil {
				t.Fatalf("writing: %v", err)
			}
			back := manifest.LoadBytes("out.yaml", buf.Bytes(), manifest.Options{})
			if len(back.Errors) > 0 {
				t.Fatalf("the output does not load: %+v\n%s", back.Errors, buf.Bytes())
			}
			if len(back.Objects) != len(res.Objects) {
				t.Fatalf("wrote %d objects, %d load back:\n%s", len(res.Objects), len(back.Objects), buf.Bytes())
			}
		})
	})
}
