package azure

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/kubernetesconfiguration/armkubernetesconfiguration/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"

	armload "github.com/akscheck/akscheck/internal/load/arm"
	"github.com/akscheck/akscheck/internal/subject"
)

// What lies around a cluster beyond AKS's own API, read by extras. Each answer goes through
// the ARM loader as the REST document it is (r.add), so that these resources read live and
// the same resources saved as files (az output, REST, templates) are one model:
//
//   - the cluster extensions and Flux configurations: ARM, Microsoft.KubernetesConfiguration
//     Extensions_List and FluxConfigurations_List under the managed cluster (api-version
//     2022-11-01, armkubernetesconfiguration/v2), following nextLink;
//   - the AKS Backup instances that protect it: Resource Graph, recoveryservicesresources
//     table, microsoft.dataprotection/backupvaults/backupinstances of AKS clusters (those whose
//     properties.dataSourceInfo.resourceID is the cluster are its), over every subscription
//     the identity sees (a Backup vault is often elsewhere);
//   - the subnets of its pools (vnetSubnetID, podSubnetID): ARM, Subnets_Get (api-version
//     2025-01-01, armnetwork/v7);
//   - the Traffic Manager and Front Door profiles of its subscription: Resource Graph,
//     resources table (a Traffic Manager profile's row carries its endpoints in
//     properties.endpoints), and for each Front Door profile its origin groups and origins
//     from ARM (AFDOriginGroups_ListByProfile, AFDOrigins_ListByOriginGroup, api-version
//     2021-06-01, armcdn), which Resource Graph does not hold;
//   - the Application Gateway and Front Door WAF policies of its subscription: Resource
//     Graph, resources table.
//
// A read the identity may not make (403) or that finds nothing to read at its scope (404) is
// an error entry naming the role that would allow it; the evidence stays unknown, so the
// checks that need it are not evaluated, never passed.

// readerRole is the built-in role that allows every read above: all are GETs or Resource
// Graph queries (which return only what the identity may read).
const readerRole = "give the identity the Reader role (*/read)"

// Resource types as Resource Graph stores them (lower-cased).
const (
	graphBackupType = "microsoft.dataprotection/backupvaults/backupinstances"
	graphTMType     = "microsoft.network/trafficmanagerprofiles"
	graphCdnType    = "microsoft.cdn/profiles"
	graphWAFAppGw   = "microsoft.network/applicationgatewaywebapplicationfirewallpolicies"
	graphWAFFD      = "microsoft.network/frontdoorwebapplicationfirewallpolicies"
	graphColumns    = "project id, name, type, location, tags, sku, properties | order by id asc"
)

// queryCache holds Resource Graph answers by query, each asked once: a fleet's clusters share
// the backup instances and their subscriptions' routing profiles and WAF policies, so that a
// fleet spends a few queries, not three a cluster, of Resource Graph's throttling budget.
type queryCache struct {
	mu sync.Mutex
	m  map[string]*shared
}

// query runs a Resource Graph query, through the cache when the reader has one.
func (r *reader) query(ctx context.Context, q string, subscriptions []string) ([]map[string]any, error) {
	if r.queries == nil {
		return r.c.graph(ctx, q, subscriptions, 0)
	}
	key := q + "\x00" + strings.Join(subscriptions, ",")
	r.queries.mu.Lock()
	if r.queries.m == nil {
		r.queries.m = map[string]*shared{}
	}
	s, ok := r.queries.m[key]
	if !ok {
		s = &shared{}
		r.queries.m[key] = s
	}
	r.queries.mu.Unlock()
	_, rows, err := s.get(func() (string, any, error) {
		rows, err := r.c.graph(ctx, q, subscriptions, 0)
		return "", rows, err
	})
	if err != nil {
		return nil, err
	}
	return rows.([]map[string]any), nil
}

// extras reads the cluster's extensions, Flux configurations, backup instances, pool
// subnets, and its subscription's routing profiles and WAF policies, after the cluster
// itself has been read and linked (finish), and ties them to it.
func (r *reader) extras(ctx context.Context) {
	if r.cluster() == nil {
		return
	}
	extensions := r.extensions(ctx)
	flux := r.fluxConfigurations(ctx)
	backups := r.backups(ctx)
	r.subnets(ctx)
	routing := r.routingProfiles(ctx)
	waf := r.wafPolicies(ctx)

	r.scan.Others = armload.Link(r.scan.Others)
	c := r.cluster()
	c.ExtensionsKnown = c.ExtensionsKnown || extensions
	c.FluxConfigsKnown = c.FluxConfigsKnown || flux
	c.BackupsKnown = c.BackupsKnown || backups
	c.Reads.RoutingProfiles = routing == ""
	c.Reads.WAFPolicies = waf == ""
	for what, why := range map[string]string{subject.UnreadRouting: routing, subject.UnreadWAF: waf} {
		if why == "" {
			continue
		}
		if c.Reads.Unread == nil {
			c.Reads.Unread = map[string]string{}
		}
		c.Reads.Unread[what] = why
	}
}

// cluster is the cluster the reader reads, as the scan holds it.
func (r *reader) cluster() *subject.Cluster {
	for _, s := range r.scan.Others {
		if c, ok := s.(*subject.Cluster); ok && strings.EqualFold(c.ID, r.clusterID) {
			return c
		}
	}
	return nil
}

// failRole records a failed read with what to do about it.
func (r *reader) failRole(source, what string, err error) string {
	why := describe(err) + " (" + readerRole + " on " + source + ")"
	r.scan.Errors = append(r.scan.Errors, subject.LoadError{Source: source, Message: what + ": " + why})
	return why
}

// extensions lists the cluster's extensions; it reports whether they were read in full.
func (r *reader) extensions(ctx context.Context) bool {
	src := r.clusterID + "/providers/Microsoft.KubernetesConfiguration/extensions"
	kc, err := armkubernetesconfiguration.NewExtensionsClient(r.id.SubscriptionID, r.c.cred, r.c.opts)
	if err != nil {
		r.fail(src, "Azure client", err)
		return false
	}
	all, err := collect(ctx, kc.NewListPager(r.id.ResourceGroupName, "Microsoft.ContainerService", "managedClusters", r.id.Name, nil),
		func(p armkubernetesconfiguration.ExtensionsClientListResponse) []*armkubernetesconfiguration.Extension {
			return p.Value
		})
	if err != nil {
		r.failRole(src, "listing the cluster extensions", err)
		return false
	}
	if len(all) > 0 {
		r.add(src, list[*armkubernetesconfiguration.Extension]{Value: all})
	}
	return true
}

// fluxConfigurations lists the cluster's Flux configurations; it reports whether they were
// read in full.
func (r *reader) fluxConfigurations(ctx context.Context) bool {
	src := r.clusterID + "/providers/Microsoft.KubernetesConfiguration/fluxConfigurations"
	fc, err := armkubernetesconfiguration.NewFluxConfigurationsClient(r.id.SubscriptionID, r.c.cred, r.c.opts)
	if err != nil {
		r.fail(src, "Azure client", err)
		return false
	}
	all, err := collect(ctx, fc.NewListPager(r.id.ResourceGroupName, "Microsoft.ContainerService", "managedClusters", r.id.Name, nil),
		func(p armkubernetesconfiguration.FluxConfigurationsClientListResponse) []*armkubernetesconfiguration.FluxConfiguration {
			return p.Value
		})
	if err != nil {
		r.failRole(src, "listing the Flux configurations", err)
		return false
	}
	if len(all) > 0 {
		r.add(src, list[*armkubernetesconfiguration.FluxConfiguration]{Value: all})
	}
	return true
}

// backups finds the AKS Backup instances whose data source is the cluster; it reports
// whether the query answered. The query asks for every AKS cluster's instances, so that a
// fleet asks once; the rows of this cluster are picked here.
func (r *reader) backups(ctx context.Context) bool {
	src := "Azure Resource Graph: " + graphBackupType + " of " + r.clusterID
	rows, err := r.query(ctx, "RecoveryServicesResources | where type =~ '"+graphBackupType+
		"' | where tostring(properties.dataSourceInfo.datasourceType) =~ 'Microsoft.ContainerService/managedClusters' | "+graphColumns, nil)
	if err != nil {
		r.failRole(src, "finding the backup instances", err)
		return false
	}
	var mine []map[string]any
	for _, row := range rows {
		props, _ := row["properties"].(map[string]any)
		ds, _ := props["dataSourceInfo"].(map[string]any)
		if target, _ := ds["resourceID"].(string); strings.EqualFold(strings.TrimRight(target, "/"), r.clusterID) {
			mine = append(mine, row)
		}
	}
	if len(mine) > 0 {
		r.add(src, list[map[string]any]{Value: mine})
	}
	return true
}

// subnets reads each subnet the cluster's pools name (nodes' and pods'), once.
func (r *reader) subnets(ctx context.Context) {
	seen := map[string]bool{}
	for _, p := range r.cluster().Pools {
		for _, s := range []subject.String{p.VnetSubnetID, p.PodSubnetID} {
			if !s.IsKnown() || s.V == "" || seen[strings.ToLower(s.V)] {
				continue
			}
			seen[strings.ToLower(s.V)] = true
			r.subnet(ctx, s.V)
		}
	}
}

func (r *reader) subnet(ctx context.Context, subnetID string) {
	id, err := arm.ParseResourceID(subnetID)
	if err != nil || id.Parent == nil || !strings.EqualFold(id.ResourceType.String(), "Microsoft.Network/virtualNetworks/subnets") {
		r.fail(subnetID, "reading the pool's subnet", fmt.Errorf("not the ARM ID of a subnet"))
		return
	}
	sc, err := armnetwork.NewSubnetsClient(id.SubscriptionID, r.c.cred, r.c.opts)
	if err != nil {
		r.fail(subnetID, "Azure client", err)
		return
	}
	sn, err := sc.Get(ctx, id.ResourceGroupName, id.Parent.Name, id.Name, nil)
	if err != nil {
		r.failRole(subnetID, "reading the pool's subnet", err)
		return
	}
	r.add(subnetID, sn.Subnet)
}

// routingProfiles reads the Traffic Manager and Front Door profiles of the cluster's
// subscription and the Front Door profiles' origins; it returns why they could not all be
// read ("" when they were).
func (r *reader) routingProfiles(ctx context.Context) string {
	sub := r.id.SubscriptionID
	src := "Azure Resource Graph: the Traffic Manager and Front Door profiles of subscription " + sub
	rows, err := r.query(ctx, "Resources | where type in~ ('"+graphTMType+"', '"+graphCdnType+"') | "+graphColumns, []string{sub})
	if err != nil {
		return r.failRole(src, "listing the routing profiles", err)
	}
	if len(rows) > 0 {
		r.add(src, list[map[string]any]{Value: rows})
	}
	why := ""
	for _, row := range rows {
		t, _ := row["type"].(string)
		sku, _ := row["sku"].(map[string]any)
		name, _ := sku["name"].(string)
		rid, _ := row["id"].(string)
		if !strings.EqualFold(t, graphCdnType) || !strings.Contains(strings.ToLower(name), "azurefrontdoor") {
			continue
		}
		if w := r.frontDoorOrigins(ctx, rid); w != "" && why == "" {
			why = w
		}
	}
	return why
}

// frontDoorOrigins lists the origins of every origin group of a Front Door profile.
func (r *reader) frontDoorOrigins(ctx context.Context, profileID string) string {
	id, err := arm.ParseResourceID(profileID)
	if err != nil {
		r.fail(profileID, "reading the Front Door profile", err)
		return "the ARM ID of Front Door profile " + profileID + " does not parse"
	}
	groups, err := armcdn.NewAFDOriginGroupsClient(id.SubscriptionID, r.c.cred, r.c.opts)
	if err != nil {
		r.fail(profileID, "Azure client", err)
		return describe(err)
	}
	origins, err := armcdn.NewAFDOriginsClient(id.SubscriptionID, r.c.cred, r.c.opts)
	if err != nil {
		r.fail(profileID, "Azure client", err)
		return describe(err)
	}
	src := profileID + "/originGroups"
	gs, err := collect(ctx, groups.NewListByProfilePager(id.ResourceGroupName, id.Name, nil),
		func(p armcdn.AFDOriginGroupsClientListByProfileResponse) []*armcdn.AFDOriginGroup { return p.Value })
	if err != nil {
		return r.failRole(src, "listing the Front Door origin groups", err)
	}
	for _, g := range gs {
		if g.Name == nil {
			continue
		}
		src := profileID + "/originGroups/" + *g.Name + "/origins"
		os, err := collect(ctx, origins.NewListByOriginGroupPager(id.ResourceGroupName, id.Name, *g.Name, nil),
			func(p armcdn.AFDOriginsClientListByOriginGroupResponse) []*armcdn.AFDOrigin { return p.Value })
		if err != nil {
			return r.failRole(src, "listing the Front Door origins", err)
		}
		if len(os) > 0 {
			r.add(src, list[*armcdn.AFDOrigin]{Value: os})
		}
	}
	return ""
}

// wafPolicies reads the Application Gateway and Front Door WAF policies of the cluster's
// subscription; it returns why they could not be read ("" when they were).
func (r *reader) wafPolicies(ctx context.Context) string {
	sub := r.id.SubscriptionID
	src := "Azure Resource Graph: the WAF policies of subscription " + sub
	rows, err := r.query(ctx, "Resources | where type in~ ('"+graphWAFAppGw+"', '"+graphWAFFD+"') | "+graphColumns, []string{sub})
	if err != nil {
		return r.failRole(src, "listing the WAF policies", err)
	}
	if len(rows) > 0 {
		r.add(src, list[map[string]any]{Value: rows})
	}
	return ""
}
