package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// PrivateCluster finds clusters whose API server has a public endpoint.
var PrivateCluster = check.New(check.Meta{
	ID:       "private-cluster",
	Item:     "cluster.private-cluster",
	Title:    "The API server has a private endpoint",
	Severity: check.High,
	Description: "apiServerAccessProfile.enablePrivateCluster (Terraform: private_cluster_enabled) must be true, so " +
		"the API server is reachable only from the virtual network. It can only be chosen when the cluster is " +
		"created; a public cluster should at least pass api-server-authorized-ip-ranges.",
	Remediation: "Create the cluster with --enable-private-cluster (it cannot be turned on later), or use API server VNet integration.",
	Evidence:    clusterEvidence,
	Fix:         "sets enablePrivateCluster (private_cluster_enabled) to true; AKS takes it only at creation (az aks create --enable-private-cluster)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	fix := atCreation(onCluster(c, az("aks", "create", "--enable-private-cluster"), set(c.PrivateCluster.Attr, true)), "a private API server")
	wantOnFix(r, c, c.PrivateCluster, fix, "whether the API server is private", "the API server has a public endpoint")
})
