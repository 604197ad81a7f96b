package live

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/cluster"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// observedNow is the date the fixtures' node image ages are measured from.
var observedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// apiserverLine sets the API server version of a fixture: "# apiserver: v1.31.2".
var apiserverLine = regexp.MustCompile(`(?m)^# apiserver: (\S+)$`)

// TestObservedFixtures runs the cluster checks that take live evidence on clusters built from
// Nodes, as a live scan builds them: testdata/observed/<check-id>/pass_*.yaml must give no
// finding and make the item pass; fail_*.yaml must give at least one, located at a Node;
// undecided_*.yaml none, and leave the item not evaluated, for a setting the nodes do not
// show. These are the fixtures of the live-* checks the cluster checks replaced.
func TestObservedFixtures(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	byID := map[string]*check.Check{}
	for _, c := range cluster.Checks() {
		byID[c.ID] = c
	}
	dirs, err := os.ReadDir(filepath.Join("testdata", "observed"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		c := byID[d.Name()]
		if c == nil {
			t.Errorf("testdata/observed/%s: no cluster check of that ID", d.Name())
			continue
		}
		files, _ := filepath.Glob(filepath.Join("testdata", "observed", d.Name(), "*.yaml"))
		for _, f := range files {
			t.Run(c.ID+"/"+filepath.Base(f), func(t *testing.T) {
				t.Parallel()
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				version := "v1.31.2"
				if m := apiserverLine.FindSubmatch(data); m != nil {
					version = string(m[1])
				}
				loaded := manifest.LoadBytes(f, data, manifest.Options{Input: subject.InputCluster})
				var nodes []*corev1.Node
				for _, o := range loaded.Objects {
					if n, ok := o.Typed.(*corev1.Node); ok {
						nodes = append(nodes, n)
					}
				}
				c := ClusterOf("fixture", version, nodes)
				if c == nil {
					t.Fatal("no cluster from the fixture's nodes")
				}
				scan := &subject.Scan{Others: []subject.Subject{c}, Evidence: map[catalog.Evidence]bool{catalog.Cluster: true}}
				rep := engine.Run(t.Context(), cat, []*check.Check{byID[d.Name()]}, scan, engine.Options{Now: func() time.Time { return observedNow }})
				if strings.HasPrefix(filepath.Base(f), "fail_") {
					if len(rep.Findings) == 0 {
						t.Errorf("want a finding of %s, got none", d.Name())
					}
					for _, fd := range rep.Findings {
						if fd.Object.Kind != "Node" || fd.Location.Path == "" {
							t.Errorf("finding not located at a Node's field: %+v %+v: %s", fd.Object, fd.Location, fd.Message)
						}
					}
					return
				}
				for _, fd := range rep.Findings {
					t.Errorf("want no finding, got %s", fd.Message)
				}
				if strings.HasPrefix(filepath.Base(f), "undecided_") {
					it := rep.Items[cat.ItemIndex(byID[d.Name()].Item)]
					if it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "the Kubernetes API does not show it") {
						t.Errorf("item is %s (%s), want not-evaluated for what the nodes do not show", it.Status, it.Reason)
					}
					return
				}
				if st := rep.Items[cat.ItemIndex(byID[d.Name()].Item)].Status; st != report.StatusPass {
					t.Errorf("item is %s, want pass (does the check apply to the fixture?)", st)
				}
			})
		}
	}
}
