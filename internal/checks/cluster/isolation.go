package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// smallClusterNodes is the most nodes a cluster counted as small may have: the checklist's
// threshold for a cluster that holds little more than one workload.
const smallClusterNodes = 3

var errNoTagKeys = errors.New("give at least one non-empty tag key")

// SmallClusterSprawl finds many small clusters of one owner or application.
var SmallClusterSprawl = check.New(check.Meta{
	ID:          "small-cluster-sprawl",
	CrossObject: true,
	Item:        "cluster.physical-isolation",
	Title:       "An owner or application does not spread over many small clusters",
	Severity:    check.Info,
	Description: fmt.Sprintf("Heuristic: when at least isolationMinClusters (default 3) clusters of the scan, each of at "+
		"most %d nodes (the pools' counts, or their maximum counts when they autoscale), carry the same value "+
		"of one of the tags of isolationTags (owner, team, app, application, workload, service), each of them "+
		"is reported: physical isolation by dedicated clusters costs a system pool and an upgrade per cluster, "+
		"and logical isolation (namespaces, policies) in fewer clusters usually serves as well. A cluster "+
		"described by two inputs (its Terraform and its az JSON) is counted once: the count is the largest of "+
		"any one kind of input. Whether a dedicated cluster is required (a regulation, a blast radius) stays a "+
		"manual review.", smallClusterNodes),
	Remediation: "Consolidate the small clusters into fewer, larger ones isolated by namespaces, network policies and RBAC, unless a regulation or blast radius demands dedicated clusters (then record why).",
	Evidence:    clusterEvidence,
	Settings:    []check.Setting{IsolationTagsSetting, IsolationMinClustersSetting},
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	keys := IsolationTagsSetting.Get(env)
	groups, st := tagGroups(c, keys)
	nodes, known, why := clusterNodes(c)
	switch {
	case st == tagKnown && len(groups) == 0:
		// No owner or application to group the cluster by (a cluster known by its Nodes).
		r.NotApplicable()
		return
	case known && nodes > smallClusterNodes:
		return
	case st == tagUnknown:
		undecided(r, c, "the owner and application tags", c.Tags.Attr)
		return
	}
	least := IsolationMinClustersSetting.Get(env)
	clusters := fleetClusters(env.Index)
	var undecidedOn []string
	for _, g := range groups {
		var small, maybe []*subject.Cluster
		for _, o := range clusters {
			og, ost := tagGroups(o, keys)
			if ost == tagUnknown {
				maybe = append(maybe, o)
				continue
			}
			if !containsString(og, g) {
				continue
			}
			switch n, ok, _ := clusterNodes(o); {
			case !ok:
				maybe = append(maybe, o)
			case n <= smallClusterNodes:
				small = append(small, o)
			}
		}
		count := distinctClusters(small)
		if known && count >= least {
			fail(r, c, c.Tags.Attr, "cluster of %d node(s) is one of %d clusters of at most %d nodes tagged %s (%s): consider consolidating them",
				nodes, count, smallClusterNodes, g, quoted(sortedNames(small)))
			return
		}
		if count+distinctClusters(maybe) >= least {
			undecidedOn = append(undecidedOn, g)
		}
	}
	if len(undecidedOn) > 0 {
		if !known {
			r.Undecided("the node count of cluster " + c.Identity().Name + " (" + why + ")")
			return
		}
		r.Undecided("the node counts or tags of the other clusters tagged " + strings.Join(undecidedOn, ", ") + " (unresolved in the input)")
	}
})

// tagGroups returns the key=value groups a cluster belongs to by the keys (lower-cased key,
// trimmed and lower-cased value), sorted.
func tagGroups(c *subject.Cluster, keys []string) ([]string, tagState) {
	if c.Tags.IsUnknown() {
		return nil, tagUnknown
	}
	var out []string
	for _, want := range keys {
		_, v, st := tagValue(c.Tags, []string{want})
		switch st {
		case tagUnknown:
			return nil, tagUnknown
		case tagKnown:
			out = append(out, strings.ToLower(strings.TrimSpace(want))+"="+v)
		}
	}
	sort.Strings(out)
	return out, tagKnown
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// clusterNodes sums the node counts of a cluster's pools (a pool that autoscales by its
// maximum). known is false when a count is unresolved or the input holds no pools; why then
// says which.
func clusterNodes(c *subject.Cluster) (nodes int64, known bool, why string) {
	if len(c.Pools) == 0 {
		return 0, false, "its node pools are not in the input"
	}
	for _, p := range c.Pools {
		n, ok := poolNodes(p)
		if !ok {
			return 0, false, "the node count of node pool " + p.Name + " is unresolved"
		}
		nodes += n
	}
	return nodes, true, ""
}

// poolNodes is the most nodes a pool runs: its count, or its maximum count when it
// autoscales.
func poolNodes(p *subject.NodePool) (int64, bool) {
	if p.EnableAutoScaling.IsUnknown() {
		return 0, false
	}
	if p.EnableAutoScaling.True() {
		if !p.MaxCount.IsKnown() {
			return 0, false
		}
		n := p.MaxCount.V
		if p.Count.IsKnown() {
			n = max(n, p.Count.V)
		}
		return n, true
	}
	if !p.Count.IsKnown() {
		return 0, false
	}
	return p.Count.V, true
}

// IsolationTagsSetting are the tag keys that name a cluster's owner or application.
var IsolationTagsSetting = check.NewParam[[]string]("isolationTags",
	"Azure tag keys that name a cluster's owner or application; small-cluster-sprawl groups clusters by each",
	[]string{"owner", "team", "app", "application", "workload", "service"}, nonEmptyKeys)

// IsolationMinClustersSetting is how many small clusters of one owner or application are
// reported.
var IsolationMinClustersSetting = check.NewParam[int]("isolationMinClusters",
	"how many clusters of at most 3 nodes carrying the same owner or application tag small-cluster-sprawl reports", 3,
	func(n int) error {
		if n < 2 {
			return errors.New("must be at least 2")
		}
		return nil
	})
