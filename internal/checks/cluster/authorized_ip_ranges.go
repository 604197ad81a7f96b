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
	if c.PrivateCluster.IsUnknown() || c.AuthorizedIPRanges.IsUnknown() {
		r.NotApplicable()
		return
	}
	if len(c.AuthorizedIPRanges.V) == 0 {
		fail(r, c, c.AuthorizedIPRanges.Attr, "the API server is public and accepts connections from any address")
		return
	}
	for _, cidr := range c.AuthorizedIPRanges.V {
		if strings.TrimSpace(cidr) == "0.0.0.0/0" {
			fail(r, c, c.AuthorizedIPRanges.Attr, "the authorized IP ranges include 0.0.0.0/0 (any address)")
			return
		}
	}
})
