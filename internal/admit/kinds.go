package admit

import (
	"reflect"
	"slices"
	"sort"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/subject"
)

var objectType = reflect.TypeFor[*subject.Object]()

// neverReviewed are kinds the webhook is never sent: Secrets hold values it must not see,
// Nodes belong to the kubelet, and Pods and ReplicaSets are reviewed at their controllers
// when they have one (a bare Pod is still reviewed: Pod is in the rules).
var neverReviewed = []string{"Secret", "Node"}

// atAdmission reports whether a check can judge an object at admission: it reads objects
// as a manifest shows them (the live-only checks judge a whole cluster).
func atAdmission(c *check.Check) bool {
	return slices.Contains(c.EvidenceKinds(), catalog.Manifest) && (c.SubjectType() == objectType ||
		subject.KindsOf(c.SubjectType()) != nil && c.SubjectType() != reflect.TypeFor[*subject.LiveCluster]())
}

// ReviewedKinds returns the kinds the checks judge at admission, among those akscheck knows
// the API resource of (the live scan's kinds): the webhook's rules list them. Custom checks
// on other kinds (CRDs) need rules of their own.
func ReviewedKinds(checks []*check.Check) []live.Kind {
	want := map[string]bool{}
	all := false
	for _, c := range checks {
		if !atAdmission(c) {
			continue
		}
		switch {
		case len(c.Kinds) > 0:
			for _, k := range c.Kinds {
				want[k] = true
			}
		case c.SubjectType() == objectType:
			all = true
		default:
			for _, k := range subject.KindsOf(c.SubjectType()) {
				want[k] = true
			}
		}
	}
	var out []live.Kind
	for _, k := range live.Kinds() {
		if (all || want[k.Kind]) && !k.AddOn && !slices.Contains(neverReviewed, k.Kind) {
			out = append(out, k)
		}
	}
	return out
}

// CachedKinds returns the kinds the checks read at admission besides the object under review
// (their Requires) and Namespace (its labels turn the webhook off): the webhook's cluster
// cache watches them.
func CachedKinds(checks []*check.Check) []string {
	want := map[string]bool{"Namespace": true}
	for _, c := range checks {
		if !atAdmission(c) {
			continue
		}
		for _, k := range c.Requires {
			want[k] = true
		}
	}
	out := make([]string, 0, len(want))
	for k := range want {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// NeededKinds returns what a review of an object of kind takes from the cluster: the kinds
// the checks that judge that kind read (their Requires), and Namespace (its labels turn the
// webhook off). A large namespace's Pods are read only for the objects whose checks need them
// (a Service, a NetworkPolicy), not for every Deployment.
func NeededKinds(checks []*check.Check, kind string) []string {
	want := map[string]bool{"Namespace": true}
	for _, c := range checks {
		if atAdmission(c) && AppliesTo(c, kind) {
			for _, k := range c.Requires {
				want[k] = true
			}
		}
	}
	out := make([]string, 0, len(want))
	for k := range want {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CacheKinds returns CachedKinds as the live scan's kinds (with their API resources): every
// API that serves a kind of that name (Kubernetes's and Calico's NetworkPolicy), add-ons
// included, which the cache watches when the API server serves them.
func CacheKinds(checks []*check.Check) []live.Kind {
	var out []live.Kind
	for _, name := range CachedKinds(checks) {
		out = append(out, live.KindsNamed(name)...)
	}
	return out
}
