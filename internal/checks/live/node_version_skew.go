package live

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// maxKubeletSkew is how many minors a kubelet may be behind the API server in AKS: node
// pools must stay within two minors of the control plane.
const maxKubeletSkew = 2

// NodeVersionSkew compares the nodes' kubelet versions with the API server's.
var NodeVersionSkew = check.New(check.Meta{
	ID:       "live-node-version-skew",
	Item:     "ops.kubernetes-version",
	Title:    "Nodes run the control plane's Kubernetes minor version",
	Severity: check.High,
	Description: "Compares each node's kubelet version (status.nodeInfo.kubeletVersion) with the API " +
		"server's (/version). A kubelet newer than the API server, or more than two minors behind it, " +
		"is outside the skew Kubernetes and AKS support; a pool one or two minors behind is an upgrade " +
		"left half done (low).",
	Remediation: "Upgrade the node pools to the control plane's version (az aks nodepool upgrade --kubernetes-version <version>).",
	Evidence:    liveOnly,
}, func(_ context.Context, _ *check.Env, c *subject.LiveCluster, r *check.Result) {
	major, minor, ok := subject.MinorVersion(c.Version)
	if !ok || len(c.Nodes) == 0 {
		r.NotApplicable()
		return
	}
	type group struct {
		pool, version string
		nodes         []*corev1.Node
	}
	var groups []*group
	byKey := map[[2]string]*group{}
	for _, n := range c.Nodes {
		k := [2]string{subject.NodePoolOf(n), n.Status.NodeInfo.KubeletVersion}
		g := byKey[k]
		if g == nil {
			g = &group{pool: k[0], version: k[1]}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.nodes = append(g.nodes, n)
	}
	for _, g := range groups {
		nmajor, nminor, ok := subject.MinorVersion(g.version)
		if !ok {
			continue
		}
		sev, why := check.Severity(-1), ""
		switch behind := minor - nminor; {
		case nmajor != major:
			sev, why = check.High, "a different major version"
		case behind < 0:
			sev, why = check.High, fmt.Sprintf("%d minor(s) newer than the API server, which Kubernetes does not support", -behind)
		case behind > maxKubeletSkew:
			sev, why = check.High, fmt.Sprintf("%d minors behind, outside the supported skew of %d", behind, maxKubeletSkew)
		case behind > 0:
			sev, why = check.Low, fmt.Sprintf("%d minor(s) behind: the upgrade of the pool is not done", behind)
		}
		if sev < 0 {
			continue
		}
		r.Add(check.Finding{Severity: sev, Object: nodeRef(g.nodes[0]), Related: relatedNodes(g.nodes),
			Location: subject.Location{Path: "status.nodeInfo.kubeletVersion"},
			Message: fmt.Sprintf("%s (%d node(s): %s) runs kubelet %s while the API server is %s: %s (evidence: /version gitVersion, status.nodeInfo.kubeletVersion)",
				poolNoun(g.pool), len(g.nodes), nodeNames(g.nodes), g.version, c.Version, why)})
	}
})
