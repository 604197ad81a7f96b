package dockerfile

import (
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestExamples holds the bundled examples to their promise: storefront.Dockerfile passes
// every Dockerfile check and orders.Dockerfile fails every one.
func TestExamples(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "..", "examples", "images")
	scan := load.Load(t.Context(), []string{dir}, load.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("examples do not load: %+v", scan.Errors)
	}
	env := &check.Env{Index: subject.NewIndexOf(scan)}
	byName := map[string]*subject.Dockerfile{}
	for _, s := range scan.Others {
		if df, ok := s.(*subject.Dockerfile); ok {
			byName[filepath.Base(df.File)] = df
		}
	}
	good, bad := byName["storefront.Dockerfile"], byName["orders.Dockerfile"]
	if good == nil || bad == nil {
		t.Fatalf("Dockerfiles found: %v", byName)
	}
	for _, c := range Checks() {
		r := check.NewResult(&c.Meta, good)
		c.Run(t.Context(), env, good, r)
		if len(r.Findings()) > 0 || !r.Applied() {
			t.Errorf("%s on storefront.Dockerfile: %d findings, applied %v; want a pass", c.ID, len(r.Findings()), r.Applied())
		}
		r = check.NewResult(&c.Meta, bad)
		c.Run(t.Context(), env, bad, r)
		if len(r.Findings()) == 0 {
			t.Errorf("%s on orders.Dockerfile: no finding; the bad example should show it", c.ID)
		}
	}
}
