package audit

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
)

// unlistingCluster reads the manifests in dir as fileCluster does, and while blind is set it
// cannot list Deployments, as the cache when their informer is not synced or RBAC lost them.
type unlistingCluster struct {
	t     *testing.T
	dir   string
	mu    sync.Mutex
	blind bool
}

func (c *unlistingCluster) Synced() map[string]bool { return map[string]bool{"Deployment": true} }

func (c *unlistingCluster) ClusterScan(_, _, _ string) *subject.Scan {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := load.Load(c.t.Context(), []string{c.dir}, load.Options{})
	if c.blind {
		s.Objects = slices.DeleteFunc(s.Objects, func(o *subject.Object) bool { return o.Kind == "Deployment" })
		s.Unlisted = map[string]string{"Deployment": "forbidden"}
		s.Errors = append(s.Errors, subject.LoadError{Source: "test", Message: "cannot list Deployment: forbidden"})
	}
	return s
}

const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:17
        securityContext: {privileged: true}
`

// TestUnlistedKindKeepsFindingsOpen: an audit that cannot list Deployments, while a
// privileged StatefulSet keeps the item failing, leaves the privileged Deployment's finding
// open with its last-seen time; the next audit that lists Deployments and finds it fixed
// fixes it.
func TestUnlistedKindKeepsFindingsOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, true)
	if err := os.WriteFile(filepath.Join(dir, "db.yaml"), []byte(statefulSet), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := t0
	cluster := &unlistingCluster{t: t, dir: dir}
	a, err := New(Options{Scan: scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All(), Version: "test"},
		Cluster: cluster, Store: store, Now: func() time.Time { clock = clock.Add(time.Minute); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	web := func() *history.Finding {
		t.Helper()
		fs, err := store.FindingsNewSince(t.Context(), time.Time{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if f.Check == "privileged-container" && f.Object.Kind == "Deployment" {
				return &f
			}
		}
		return nil
	}
	if _, err := a.Audit(t.Context()); err != nil {
		t.Fatal(err)
	}
	seen := web()
	if seen == nil {
		t.Fatal("the privileged Deployment has no open finding")
	}

	cluster.blind = true
	rep, err := a.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var item report.Item
	for _, it := range rep.Items {
		if slices.Contains(it.Checks, "privileged-container") {
			item = it
		}
	}
	if item.Status != report.StatusFail || !hasFinding(rep.Findings, "privileged-container") {
		t.Fatalf("the blind audit: item %s %s (%s); the test needs it failing through the StatefulSet", item.ID, item.Status, item.Reason)
	}
	still := web()
	if still == nil || !still.LastSeen.Equal(seen.LastSeen) {
		t.Fatalf("after an audit that could not list Deployments: %+v, want it open, last seen %s", still, seen.LastSeen)
	}

	cluster.blind = false
	write(t, dir, false)
	if _, err := a.Audit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if f := web(); f != nil {
		t.Fatalf("still open after an audit that listed the fixed Deployment: %+v", f)
	}
	fixed, err := store.FindingsFixedSince(t.Context(), t0, 100)
	if err != nil || len(fixed) == 0 || !strings.Contains(fixed[0].Object.Kind, "Deployment") {
		t.Fatalf("fixed %+v (%v)", fixed, err)
	}
}
