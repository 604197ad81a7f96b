package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/render/dashboard"
)

// The fleet: several clusters' audits sharing one history database (PostgreSQL, or one
// SQLite file), each row carrying its cluster. The server reads its own cluster by default
// and any cluster of the history with ?cluster=NAME; the fleet's answers span them all.

// Limits of the fleet's lists.
const (
	FleetItems    = 200
	FleetFindings = 200
)

// MaxClusterName bounds a cluster's name: an ARM resource ID is at most a few hundred bytes.
const MaxClusterName = 1024

// ValidateClusterName accepts a cluster's name for the history: an ARM resource ID or a
// configured name, not empty, valid UTF-8 without control characters (it is shown in pages
// and terminals, and written in URLs), at most MaxClusterName bytes.
func ValidateClusterName(name string) error {
	switch {
	case name == "":
		return errors.New("cluster name: empty; give the cluster's ARM resource ID or a name")
	case len(name) > MaxClusterName:
		return fmt.Errorf("cluster name: %d bytes, more than %d", len(name), MaxClusterName)
	case !utf8.ValidString(name):
		return errors.New("cluster name: not valid UTF-8")
	case slices.ContainsFunc([]rune(name), unicode.IsControl):
		return fmt.Errorf("cluster name %q holds control characters", name)
	}
	return nil
}

// errUnknownCluster is a cluster the history holds no audit of.
type errUnknownCluster struct{ name string }

func (e *errUnknownCluster) Error() string {
	return fmt.Sprintf("no cluster %q in the history (see %s for the clusters)", e.name, fleetPath)
}

// clusterStore returns the store of cluster name ("": the server's own), and whether it is
// another cluster than the server's; an unknown cluster is an errUnknownCluster.
func (a *Auditor) clusterStore(ctx context.Context, name string) (*history.Store, bool, error) {
	store, err := a.db()
	if err != nil {
		return nil, false, err
	}
	if name == "" || name == store.Cluster() {
		return store, false, nil
	}
	clusters, err := store.Clusters(ctx)
	if err != nil {
		return nil, false, err
	}
	if !slices.Contains(clusters, name) {
		return nil, false, &errUnknownCluster{name}
	}
	return store.ForCluster(name), true, nil
}

func (a *Auditor) clusterError(w http.ResponseWriter, err error) {
	if u := (*errUnknownCluster)(nil); errors.As(err, &u) {
		apiError(w, http.StatusNotFound, err.Error())
		return
	}
	a.storeError(w, err)
}

func (a *Auditor) serveFleet(w http.ResponseWriter, r *http.Request) {
	serveFleetQuery(a, w, r, fleetPath, func(ctx context.Context, s *history.Store, _ Query) ([]history.ClusterScore, error) {
		return s.Fleet(ctx)
	})
}

func (a *Auditor) serveFleetItems(w http.ResponseWriter, r *http.Request) {
	serveFleetQuery(a, w, r, fleetItemsPath, func(ctx context.Context, s *history.Store, q Query) ([]history.FleetItem, error) {
		return s.FleetItems(ctx, q.Limit)
	})
}

func (a *Auditor) serveFleetFindings(w http.ResponseWriter, r *http.Request) {
	serveFleetQuery(a, w, r, fleetFindingsPath, func(ctx context.Context, s *history.Store, q Query) ([]history.Finding, error) {
		return s.FleetFindings(ctx, q.Limit)
	})
}

// serveFleetQuery answers one of the fleet's API paths: the query decoded for path, then
// read from the history across its clusters.
func serveFleetQuery[T any](a *Auditor, w http.ResponseWriter, r *http.Request, path string,
	read func(context.Context, *history.Store, Query) (T, error)) {
	q, err := DecodeQuery(path, r.URL.RawQuery)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	store, err := a.db()
	if err != nil {
		a.storeError(w, err)
		return
	}
	v, err := read(r.Context(), store, q)
	if err != nil {
		a.storeError(w, err)
		return
	}
	writeValue(w, v)
}

// serveFleetPage serves /fleet: the clusters ranked by score, the items failing across them
// and the worst open findings, each cluster linking to its dashboard (/?cluster=NAME).
func (a *Auditor) serveFleetPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		dashboardError(w, http.StatusBadRequest, "Bad request", "/fleet takes no parameters")
		return
	}
	store, err := a.db()
	if err != nil {
		a.dashboardStoreError(w, err)
		return
	}
	ctx := r.Context()
	d := dashboard.FleetData{Own: store.Cluster(), Catalog: a.opts.Scan.Catalog}
	if d.Clusters, err = store.Fleet(ctx); err != nil {
		a.dashboardStoreError(w, err)
		return
	}
	if d.Items, err = store.FleetItems(ctx, FleetItems); err != nil {
		a.dashboardStoreError(w, err)
		return
	}
	if d.Findings, err = store.FleetFindings(ctx, FleetFindings); err != nil {
		a.dashboardStoreError(w, err)
		return
	}
	d.ItemsTruncated, d.FindingsTruncated = len(d.Items) == FleetItems, len(d.Findings) == FleetFindings
	var buf bytes.Buffer
	if err := dashboard.RenderFleet(&buf, d); err != nil {
		dashboardError(w, http.StatusInternalServerError, "Internal error", err.Error())
		return
	}
	dashboardHeaders(w)
	_, _ = w.Write(buf.Bytes())
}

func writeValue(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, append(body, '\n'))
}
