package cluster

import (
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// NodePoolMaxSurge finds pools without an explicit max surge for upgrades.
var NodePoolMaxSurge = poolCheck(check.Meta{
	ID:       "node-pool-max-surge",
	Item:     "cluster.upgrade-channel",
	Title:    "Every node pool sets a max surge for upgrades",
	Severity: check.Low,
	Description: "upgradeSettings.maxSurge (Terraform: upgrade_settings.max_surge) is set on every pool, so that " +
		"upgrades add spare nodes before draining old ones at a pace chosen for the pool (33% is the usual " +
		"production value) rather than one node at a time.",
	Remediation: "Set the max surge of each pool (az aks nodepool update --max-surge 33%; Terraform upgrade_settings { max_surge = \"33%\" }).",
	Evidence:    clusterEvidence,
	Fix:         "sets the pool's max surge (upgradeSettings.maxSurge; upgrade_settings.max_surge) to 33% (az aks nodepool update --max-surge 33%)",
}, func(r *check.Result, c *subject.Cluster, p *subject.NodePool) bool {
	if p.MaxSurge.Empty() {
		fix := onPool(c, p, az("aks", "nodepool", "update", "--max-surge", "33%"), set(p.MaxSurge.Attr, "33%"))
		poolFailFix(r, c, p, p.MaxSurge.Attr, fix, "no max surge is set for upgrades")
	}
	return true
})

// NodePublicIP finds pools whose nodes have public IP addresses.
var NodePublicIP = poolCheck(check.Meta{
	ID:       "node-public-ip",
	Item:     "ops.bastion",
	Title:    "No node has a public IP address",
	Severity: check.High,
	Description: "enableNodePublicIP (Terraform: node_public_ip_enabled, v3 enable_node_public_ip) must not be true " +
		"on any pool: nodes with public addresses can be reached, and SSHed into, from the internet. Reach " +
		"nodes through Azure Bastion or a jump host in the virtual network instead.",
	Remediation: "Recreate the pool without node public IPs, and connect to nodes through Azure Bastion or kubectl debug.",
	Evidence:    clusterEvidence,
	Fix:         "sets enableNodePublicIP (node_public_ip_enabled) to false; AKS takes it only when the pool is created",
}, func(r *check.Result, c *subject.Cluster, p *subject.NodePool) bool {
	switch {
	case p.EnableNodePublicIP.IsUnknown():
		poolUndecided(r, c, p, "whether nodes get public IP addresses", p.EnableNodePublicIP.Attr)
	case p.EnableNodePublicIP.True():
		// A new pool has no public IPs unless --enable-node-public-ip asks: no flag to give.
		fix := atCreation(onPool(c, p, nil, set(p.EnableNodePublicIP.Attr, false)), "node public IPs")
		poolFailFix(r, c, p, p.EnableNodePublicIP.Attr, fix, "nodes get public IP addresses")
	}
	return true
})

// EphemeralOSDisk finds pools on managed OS disks.
var EphemeralOSDisk = poolCheck(check.Meta{
	ID:       "ephemeral-os-disk",
	Item:     "storage.node-storage-size",
	Title:    "Node pools use ephemeral OS disks",
	Severity: check.Low,
	Description: "osDiskType (Terraform: os_disk_type) Managed stores the node OS on a remote disk: slower image " +
		"pulls and node starts, and a cost. Ephemeral OS disks live on the VM's local storage (the VM size must " +
		"have room for them). An unset type is AKS's choice (ephemeral when the size allows) and passes.",
	Remediation: "Create pools with --node-osdisk-type Ephemeral on a VM size whose cache or temp disk holds the OS disk.",
	Evidence:    clusterEvidence,
	Fix:         "sets the OS disk type (osDiskType; os_disk_type) to Ephemeral; AKS takes it only when the pool is created (az aks nodepool add --node-osdisk-type Ephemeral)",
}, func(r *check.Result, c *subject.Cluster, p *subject.NodePool) bool {
	switch {
	case p.OSDiskType.IsUnknown():
		poolUndecided(r, c, p, "the OS disk type", p.OSDiskType.Attr)
	case p.OSDiskType.Is("Managed"):
		fix := atCreation(onPool(c, p, az("aks", "nodepool", "add", "--node-osdisk-type", "Ephemeral"), set(p.OSDiskType.Attr, "Ephemeral")), "the OS disk type")
		fix.Note += " The VM size's cache or temp disk must hold the OS disk."
		poolFailFix(r, c, p, p.OSDiskType.Attr, fix, "the OS disk is a managed (remote) disk")
	}
	return true
})

// KubeletConfig finds risky kubelet settings.
var KubeletConfig = poolCheck(check.Meta{
	ID:       "kubelet-config",
	Item:     "cluster.node-configuration",
	Title:    "Custom kubelet settings keep the node safeguards",
	Severity: check.Low,
	Description: "Node tuning (kubeletConfig; Terraform kubelet_config) must not allow unsafe sysctls " +
		"(allowedUnsafeSysctls), turn off CPU CFS quota enforcement (cpuCfsQuota false: CPU limits stop working) " +
		"or let nodes run with swap (failSwapOn false).",
	Remediation: "Remove allowedUnsafeSysctls, and keep cpuCfsQuota and failSwapOn at their defaults (true), unless a documented workload needs otherwise.",
	Evidence:    clusterEvidence,
	Fix:         "empties allowedUnsafeSysctls and sets cpuCfsQuota and failSwapOn to true (kubeletConfig; kubelet_config); AKS takes kubelet settings only when the pool is created",
}, func(r *check.Result, c *subject.Cluster, p *subject.NodePool) bool {
	// The CLI takes kubelet settings only as a file when a pool is created: no command.
	kubelet := func(a subject.Attr, v any) *check.Fix {
		return atCreation(onPool(c, p, nil, set(a, v)), "kubelet settings")
	}
	if p.AllowedUnsafeSysctls.IsKnown() && len(p.AllowedUnsafeSysctls.V) > 0 {
		poolFailFix(r, c, p, p.AllowedUnsafeSysctls.Attr, kubelet(p.AllowedUnsafeSysctls.Attr, []any{}), "unsafe sysctls are allowed: %s", quoted(p.AllowedUnsafeSysctls.V))
	}
	if p.CPUCfsQuota.IsKnown() && !p.CPUCfsQuota.V {
		poolFailFix(r, c, p, p.CPUCfsQuota.Attr, kubelet(p.CPUCfsQuota.Attr, true), "CPU CFS quota is off: CPU limits are not enforced")
	}
	if p.FailSwapOn.IsKnown() && !p.FailSwapOn.V {
		poolFailFix(r, c, p, p.FailSwapOn.Attr, kubelet(p.FailSwapOn.Attr, true), "the kubelet runs with swap on")
	}
	// Not written, each keeps the kubelet's safe default.
	for _, s := range []struct {
		what string
		a    subject.Attr
	}{{"the allowed unsafe sysctls", p.AllowedUnsafeSysctls.Attr}, {"CPU CFS quota enforcement", p.CPUCfsQuota.Attr}, {"failSwapOn", p.FailSwapOn.Attr}} {
		if s.a.IsUnknown() {
			poolUndecided(r, c, p, s.what, s.a)
		}
	}
	return true
})
