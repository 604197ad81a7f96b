package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// regionsWithoutZones are Azure regions without availability zones, where the zone rule
// cannot hold. Heuristic: the list is bundled and may lag Azure.
var regionsWithoutZones = map[string]bool{
	"westus": true, "northcentralus": true, "westcentralus": true, "ukwest": true, "canadaeast": true,
	"australiasoutheast": true, "australiacentral": true, "australiacentral2": true, "francesouth": true,
	"germanynorth": true, "norwaywest": true, "switzerlandwest": true, "southindia": true, "westindia": true,
	"koreasouth": true, "brazilsoutheast": true, "southafricawest": true, "uaecentral": true,
	"jioindiawest": true, "jioindiacentral": true, "swedensouth": true,
}

// AvailabilityZones finds pools that live in a single zone.
var AvailabilityZones = check.New(check.Meta{
	ID:       "availability-zones",
	Aliases:  []string{"live-node-zones"},
	Item:     "dr.availability-zones",
	Title:    "Every node pool spans two or more availability zones",
	Severity: check.Medium,
	Description: "Each pool's availabilityZones (Terraform zones) lists at least two zones, and the load " +
		"balancer SKU is not basic, so a zone outage does not take the cluster down. On a running cluster the " +
		"zones are those of the pool's nodes (label topology.kubernetes.io/zone: westeurope-2 is zone 2; a bare " +
		"number is a fault domain of a pool without zones). Regions known to have " +
		"no zones are not judged (heuristic: a bundled region list).",
	Remediation: "Create pools across zones (--zones 1 2 3); zones cannot be added to an existing pool, so add a new pool and move the workloads.",
	Evidence:    observedEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if c.Location.IsKnown() && regionsWithoutZones[regionKey(c.Location.V)] {
		r.NotApplicable()
		return
	}
	if len(c.Pools) == 0 {
		missingFrom(r, c, "the node pools", "az aks show output (agentPoolProfiles) or az aks nodepool list output")
		return
	}
	for _, p := range c.Pools {
		if p.Zones.IsUnknown() {
			poolUndecided(r, c, p, "the availability zones", p.Zones.Attr)
			continue
		}
		if len(p.Zones.V) < 2 {
			poolFail(r, c, p, p.Zones.Attr, "runs in %d availability zone(s)", len(p.Zones.V))
		}
	}
	// An unknown load balancer SKU is not undecided: the basic SKU was retired on 30 September
	// 2025, so a running cluster's is standard.
	if c.LoadBalancerSKU.Is("basic") {
		fail(r, c, c.LoadBalancerSKU.Attr, "the basic load balancer is not zone-redundant")
	}
})

// UptimeSLA finds clusters on the Free tier.
var UptimeSLA = check.New(check.Meta{
	ID:       "uptime-sla",
	Item:     "dr.control-plane-sla",
	Title:    "The control plane has an uptime SLA (Standard or Premium tier)",
	Severity: check.Medium,
	Description: "sku.tier (Terraform sku_tier) is Standard or Premium (Paid on API versions before " +
		"2023-02-01). The Free tier (the default) has no SLA and fewer API server resources.",
	Remediation: "Move production clusters to the Standard tier (az aks update --tier standard).",
	Evidence:    clusterEvidence,
	Fix:         "sets the tier (sku.tier, sku_tier) to Standard (az aks update --tier standard)",
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	switch t := c.SKUTier; {
	case t.Is("Standard", "Premium", "Paid"):
	case t.IsUnknown():
		undecided(r, c, "the pricing tier (sku.tier)", t.Attr)
	default:
		v := t.V
		if t.Empty() {
			v = "Free (the default)"
		}
		failFix(r, c, t.Attr, onCluster(c, az("aks", "update", "--tier", "standard"), set(t.Attr, "Standard")), "the cluster is on the %s tier: no uptime SLA", v)
	}
})
