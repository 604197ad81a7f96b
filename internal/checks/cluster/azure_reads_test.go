package cluster

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// Clusters read through Azure (--azure) tell what their reader listed: with their
// subscription's routing profiles listed in full and none there, an application of two
// regions fails the routing checks, as a template without a profile does; when the profiles
// could not be read, the checks are not evaluated, saying why; az output alone stays
// undecided (undecided_az_no_profile).
func TestTrafficRoutingFromAzureReads(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	dir := filepath.Join("testdata", "multi-region-traffic-routing", "undecided_az_no_profile")
	for name, tc := range map[string]struct {
		reads  subject.AzureReads
		status string
		reason string
	}{
		"listed, none":    {subject.AzureReads{RoutingProfiles: true, WAFPolicies: true}, report.StatusFail, ""},
		"forbidden":       {subject.AzureReads{Unread: map[string]string{subject.UnreadRouting: "forbidden (AuthorizationFailed)"}}, report.StatusNotEvaluated, "could not be read: aks-shop-"},
		"az output alone": {subject.AzureReads{}, report.StatusNotEvaluated, "or read the clusters with --azure"},
	} {
		scan := load.Load(t.Context(), []string{dir}, load.Options{})
		if len(scan.Errors) > 0 {
			t.Fatal(scan.Errors)
		}
		for _, s := range scan.Others {
			if c, ok := s.(*subject.Cluster); ok {
				c.Reads = tc.reads
			}
		}
		for _, ch := range []*check.Check{TrafficManagement, DRTrafficManager} {
			rep := engine.Run(t.Context(), cat, []*check.Check{ch}, scan, engine.Options{})
			it := rep.Items[cat.ItemIndex(ch.Item)]
			if it.Status != tc.status || !strings.Contains(it.Reason, tc.reason) {
				t.Errorf("%s: %s: item %s (%s), want %s (%s)", name, ch.ID, it.Status, it.Reason, tc.status, tc.reason)
			}
		}
	}
}
