package cluster

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const (
	// azureCNIDefaultMaxPods is Azure CNI's (node subnet) default pods per node.
	azureCNIDefaultMaxPods = 30
	// azureReserved is how many addresses Azure keeps of every subnet prefix (network,
	// gateway, two for DNS, broadcast).
	azureReserved = 5
)

// SubnetCapacity finds node subnets too small for the pools' largest size and an upgrade.
var SubnetCapacity = check.New(check.Meta{
	ID:          "subnet-capacity",
	CrossObject: true,
	Item:        "network.ip-planning",
	Title:       "Node subnets hold the pools at their largest, with an upgrade's surge",
	Severity:    check.High,
	Description: "For each subnet the pools' vnetSubnetID (Terraform vnet_subnet_id) names, the addresses the " +
		"pools take at their largest must fit in it: each pool's maxCount nodes (count without the " +
		"autoscaler) plus, for the one pool being upgraded at a time, its maxSurge nodes (unset counts as " +
		"1). With Azure CNI on the node subnet (networkPlugin azure, not overlay, no podSubnetID) each node " +
		"takes 1 + maxPods addresses (maxPods 30 when unset); with Azure CNI Overlay, kubenet, a pod subnet " +
		"or bring-your-own CNI only the node takes one. A subnet's size is its IPv4 prefixes' addresses less " +
		"the five Azure reserves in each. The subnet must be in the input (az network vnet subnet show or " +
		"az network vnet show output, a template's virtualNetworks or subnets, azurerm_subnet, or --azure, which reads each pool's subnet); when it is " +
		"not the item is not evaluated. A pool without vnetSubnetID is not counted: it runs in the VNet AKS creates and sizes.",
	Remediation: "Give the pools a subnet large enough for maxCount plus surge nodes (and their pods with Azure CNI), or move to Azure CNI Overlay, which takes only node addresses from the subnet.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	type use struct {
		subnet *subject.Subnet
		steady int
		surge  int
		detail []string
		first  *subject.NodePool
	}
	var order []*subject.Subnet
	uses := map[*subject.Subnet]*use{}
	for _, p := range c.Pools {
		id := p.VnetSubnetID
		switch {
		case p.Subnet == nil && id.IsUnknown():
			poolUndecided(r, c, p, "the subnet", id.Attr)
			continue
		case p.Subnet == nil && id.Empty():
			continue
		}
		sn := p.Subnet
		if sn == nil {
			sn = subnetNamed(env, id.V)
		}
		if sn == nil {
			r.Undecided("subnet " + id.V + " of node pool " + p.Name + " of " + noun(c) +
				" (not in the input: give az network vnet subnet show output, the template or Terraform that declares it, or read the cluster with --azure)")
			continue
		}
		per, how, ok := addressesPerNode(r, c, p)
		if !ok {
			continue
		}
		nodes, nodesHow, ok := maxNodes(r, c, p)
		if !ok {
			continue
		}
		surge, surgeHow := surgeOf(p.MaxSurge, nodes)
		u := uses[sn]
		if u == nil {
			u = &use{subnet: sn, first: p}
			uses[sn] = u
			order = append(order, sn)
		}
		u.steady += nodes * per
		u.surge = max(u.surge, surge*per)
		u.detail = append(u.detail, fmt.Sprintf("%s: %s + %s, %s", p.Name, nodesHow, surgeHow, how))
	}
	if len(order) == 0 && len(r.Missing()) == 0 {
		r.NotApplicable()
		return
	}
	for _, sn := range order {
		u := uses[sn]
		size, ok := subnetSize(sn)
		if !ok {
			r.Undecided("the address prefixes of subnet " + sn.Name + " (" + evidence(sn.Identity(), sn.AddressPrefixes.Attr) + ")")
			continue
		}
		need := u.steady + u.surge
		if need > size {
			poolFail(r, c, u.first, u.first.VnetSubnetID.Attr, "subnet %s (%s) has %d usable addresses, but its pools need %d at their largest (%s)",
				sn.Name, strings.Join(sn.AddressPrefixes.V, ", "), size, need, strings.Join(u.detail, "; "))
		}
	}
})

// subnetNamed returns the subnet of the scan an ARM ID names, or nil.
func subnetNamed(env *check.Env, id string) *subject.Subnet {
	for _, s := range env.Index.Subjects(subject.TypeOf[*subject.Subnet]()) {
		if sn, ok := s.(*subject.Subnet); ok && sn.HasID(id) {
			return sn
		}
	}
	return nil
}

// addressesPerNode is how many subnet addresses a node of the pool takes: 1 + maxPods with
// Azure CNI on the node subnet, else 1. ok is false (and the check undecided) when the network
// plugin is not known.
func addressesPerNode(r *check.Result, c *subject.Cluster, p *subject.NodePool) (int, string, bool) {
	plugin := c.NetworkPlugin
	switch {
	case plugin.IsUnknown() || plugin.IsAbsent():
		// Not written, the plugin is the default of the API version that created the cluster.
		undecided(r, c, "the network plugin", plugin.Attr)
		return 0, "", false
	case !plugin.Is("azure"):
		return 1, "one address per node (" + plugin.V + ")", true
	case c.NetworkPluginMode.IsUnknown():
		undecided(r, c, "the network plugin mode", c.NetworkPluginMode.Attr)
		return 0, "", false
	case c.NetworkPluginMode.Is("overlay"):
		return 1, "one address per node (Azure CNI Overlay)", true
	case p.PodSubnetID.IsUnknown():
		poolUndecided(r, c, p, "the pod subnet", p.PodSubnetID.Attr)
		return 0, "", false
	case !p.PodSubnetID.Empty():
		return 1, "one address per node (pods on subnet " + lastSeg(p.PodSubnetID.V) + ")", true
	}
	maxPods := azureCNIDefaultMaxPods
	switch {
	case p.MaxPods.IsUnknown():
		poolUndecided(r, c, p, "maxPods", p.MaxPods.Attr)
		return 0, "", false
	case p.MaxPods.IsKnown() && p.MaxPods.V > 0:
		maxPods = int(p.MaxPods.V)
	}
	return maxPods + 1, fmt.Sprintf("%d addresses per node (Azure CNI: %d pods + 1)", maxPods+1, maxPods), true
}

// maxNodes is the most nodes a pool runs: maxCount with the autoscaler, else count.
func maxNodes(r *check.Result, c *subject.Cluster, p *subject.NodePool) (int, string, bool) {
	n, what := p.Count, "count"
	if p.EnableAutoScaling.True() || (!p.EnableAutoScaling.IsKnown() && p.MaxCount.IsKnown()) {
		n, what = p.MaxCount, "maxCount"
	}
	if p.EnableAutoScaling.IsUnknown() {
		poolUndecided(r, c, p, "whether the autoscaler is on", p.EnableAutoScaling.Attr)
		return 0, "", false
	}
	if !n.IsKnown() {
		poolUndecided(r, c, p, what, n.Attr)
		return 0, "", false
	}
	return int(n.V), fmt.Sprintf("%s %d", what, n.V), true
}

// surgeOf is how many nodes maxSurge adds to a pool of n nodes (a percentage rounds up, at
// least one node).
func surgeOf(ms subject.String, n int) (int, string) {
	v := strings.TrimSpace(ms.V)
	if !ms.IsKnown() || v == "" {
		return 1, "surge 1 (maxSurge unset)"
	}
	if pct, ok := strings.CutSuffix(v, "%"); ok {
		f, err := strconv.ParseFloat(pct, 64)
		if err != nil || f < 0 {
			return 1, "surge 1 (maxSurge " + v + " unreadable)"
		}
		s := max(1, int(math.Ceil(float64(n)*f/100)))
		return s, fmt.Sprintf("surge %d (maxSurge %s)", s, v)
	}
	s, err := strconv.Atoi(v)
	if err != nil || s < 0 {
		return 1, "surge 1 (maxSurge " + v + " unreadable)"
	}
	return s, fmt.Sprintf("surge %d (maxSurge %s)", s, v)
}

// subnetSize is the usable addresses of a subnet's IPv4 prefixes: each prefix's size less
// the five Azure reserves. ok is false when the prefixes are not known or not readable.
func subnetSize(sn *subject.Subnet) (int, bool) {
	if !sn.AddressPrefixes.IsKnown() || len(sn.AddressPrefixes.V) == 0 {
		return 0, false
	}
	total := 0
	for _, cidr := range sn.AddressPrefixes.V {
		pfx, err := netip.ParsePrefix(strings.TrimSpace(cidr))
		if err != nil {
			return 0, false
		}
		if !pfx.Addr().Is4() {
			continue
		}
		total += max(0, (1<<(32-pfx.Bits()))-azureReserved)
	}
	return total, true
}

func lastSeg(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// CIDROverlap finds a cluster's address ranges that overlap.
var CIDROverlap = check.New(check.Meta{
	ID:          "cidr-overlap",
	CrossObject: true,
	Item:        "network.ip-planning",
	Title:       "Pod, service and node address ranges do not overlap",
	Severity:    check.High,
	Description: "The cluster's service CIDRs (networkProfile.serviceCidr(s), Terraform service_cidr(s); " +
		"10.0.0.0/16 when unset), its pod CIDRs when pods do not take VNet addresses (kubenet or Azure CNI " +
		"Overlay: podCidr(s), 10.244.0.0/16 when unset), the retired docker bridge CIDR when written, and " +
		"the address prefixes of the node subnets of its pools (when the subnets are in the input) are " +
		"pairwise disjoint. An overlap sends traffic for a pod or a node to a service, or the other way " +
		"round. A node subnet the input does not hold leaves the item not evaluated.",
	Remediation: "Choose pod and service CIDRs outside the VNet's address space and outside each other (they are set when the cluster is created).",
	Evidence:    clusterEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	type rng struct {
		what string
		pfx  netip.Prefix
		at   subject.Attr
	}
	var ranges []rng
	add := func(what string, l subject.List, def string) {
		switch {
		case l.IsUnknown():
			undecided(r, c, "the "+what, l.Attr)
			return
		case len(l.V) == 0 && def != "":
			l = subject.List{Attr: l.Attr, V: []string{def}}
		}
		for _, s := range l.V {
			pfx, err := netip.ParsePrefix(strings.TrimSpace(s))
			if err != nil {
				fail(r, c, l.Attr, "the %s %q is not a CIDR", what, s)
				continue
			}
			ranges = append(ranges, rng{what: what + " " + pfx.String(), pfx: pfx.Masked(), at: l.Attr})
		}
	}
	add("service CIDR", c.ServiceCIDRs, "10.0.0.0/16")
	podsOwnRange := c.NetworkPlugin.Is("kubenet") || (c.NetworkPlugin.Is("azure") && c.NetworkPluginMode.Is("overlay"))
	switch {
	case podsOwnRange:
		add("pod CIDR", c.PodCIDRs, "10.244.0.0/16")
	case c.NetworkPlugin.IsUnknown() || c.NetworkPluginMode.IsUnknown():
		if c.PodCIDRs.IsKnown() && len(c.PodCIDRs.V) > 0 {
			add("pod CIDR", c.PodCIDRs, "")
		}
	}
	if b := c.DockerBridgeCIDR; b.IsKnown() && b.V != "" {
		add("docker bridge CIDR", subject.List{Attr: b.Attr, V: []string{b.V}}, "")
	}
	seen := map[*subject.Subnet]bool{}
	for _, p := range c.Pools {
		sn := p.Subnet
		if sn == nil && p.VnetSubnetID.IsUnknown() {
			poolUndecided(r, c, p, "the subnet", p.VnetSubnetID.Attr)
			continue
		}
		if sn == nil && p.VnetSubnetID.IsKnown() && p.VnetSubnetID.V != "" {
			sn = subnetNamed(env, p.VnetSubnetID.V)
			if sn == nil {
				r.Undecided("subnet " + p.VnetSubnetID.V + " of node pool " + p.Name + " of " + noun(c) +
					" (not in the input: give az network vnet subnet show output, the template or Terraform that declares it, or read the cluster with --azure)")
				continue
			}
		}
		if sn == nil || seen[sn] {
			continue
		}
		seen[sn] = true
		if !sn.AddressPrefixes.IsKnown() {
			r.Undecided("the address prefixes of subnet " + sn.Name + " (" + evidence(sn.Identity(), sn.AddressPrefixes.Attr) + ")")
			continue
		}
		add("node subnet "+sn.Name, sn.AddressPrefixes, "")
	}
	for i := range ranges {
		for j := i + 1; j < len(ranges); j++ {
			a, b := ranges[i], ranges[j]
			if a.pfx.Addr().Is4() != b.pfx.Addr().Is4() || !a.pfx.Overlaps(b.pfx) {
				continue
			}
			at := a.at
			if strings.HasPrefix(b.what, "service") || strings.HasPrefix(b.what, "pod") {
				at = b.at
			}
			fail(r, c, at, "the %s overlaps the %s", a.what, b.what)
		}
	}
})
