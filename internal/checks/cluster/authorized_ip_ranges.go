package cluster

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// AuthorizedIPRanges finds public API servers that accept connections from anywhere.
var AuthorizedIPRanges = check.New(check.Meta{
	ID:       "api-server-authorized-ip-ranges",
	Item:     "cluster.authorized-ip-ranges",
	Title:    "The API server is private or limited to authorized IP ranges",
	Severity: check.High,
	Description: "A private cluster passes. Otherwise apiServerAccessProfile.authorizedIPRanges " +
		"(Terraform: api_server_access_profile.authorized_ip_ranges, v3 api_server_authorized_ip_ranges) " +
		"must be set and must not hold 0.0.0.0/0: a public API server open to the internet is one " +
		"leaked credential away from the whole cluster.",
	Remediation: "Set the authorized IP ranges to your networks (az aks update --api-server-authorized-ip-ranges), or make the cluster private.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if c.PrivateCluster.True() {
		return
	}
	ranges := c.AuthorizedIPRanges
	if ranges.IsUnknown() {
		undecided(r, c, "the API server's authorized IP ranges", ranges.Attr)
		return
	}
	open := len(ranges.V) == 0
	for _, cidr := range ranges.V {
		open = open || strings.TrimSpace(cidr) == "0.0.0.0/0"
	}
	switch {
	case !open:
	case c.PrivateCluster.IsUnknown():
		// Open ranges matter only on a public API server.
		undecided(r, c, "whether the API server is private", c.PrivateCluster.Attr)
	case len(ranges.V) == 0:
		fail(r, c, ranges.Attr, "the API server is public and accepts connections from any address")
	default:
		fail(r, c, ranges.Attr, "the authorized IP ranges include 0.0.0.0/0 (any address)")
	}
})
