package azure

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v7"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// What a fleet read takes from where, and why (docs/azure.md has the request counts).
//
// Resource Graph's table reference ("Azure Resource Graph table and resource type
// reference", learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources)
// lists microsoft.containerservice/managedclusters in the resources table, with the
// resource's properties, and so its agentPoolProfiles: one paged query reads every cluster
// and its pools. It lists neither microsoft.containerservice/managedclusters/agentpools nor
// .../maintenanceconfigurations (maintenanceresources holds Microsoft.Maintenance's own
// configurations and managedclusters/scheduledevents), nor microsoft.insights/diagnosticsettings
// (resources has insights' guestdiagnosticsettings, not diagnosticsettings): those stay ARM
// calls, one list per cluster, because ARM documents no list of them across a subscription.
// ARM's POST /batch, which the portal uses, is not in Microsoft's REST API reference nor in
// azure-rest-api-specs (Azure/azure-rest-api-specs#39106 asks for it to be documented; the
// Go SDK does not offer it, Azure/azure-sdk-for-go#23799), so it is not used: this project
// replays documented shapes only.
//
// What clusters share is read once: the Kubernetes versions of each region (through the
// first subscription with a cluster there) and the Defender for Containers plan of each
// subscription. The cluster's upgrade profile is not read: the control plane's upgrades are
// among its region's versions, which kubernetes-version reads already (it takes the newest
// patch of the minor from either), and nothing else of a fleet reads it. The pools' upgrade
// profiles are read, one per pool: node-image-current and windows-node-patching compare each
// pool's node image with its latestNodeImageVersion, which nothing else carries.

// fleetQuery lists the clusters with the columns of their ARM document. Resource Graph pages
// by $skipToken and needs the id column to do so; order by id keeps the pages stable.
const fleetQuery = "resources | where type =~ '" + clusterType + "' | project id, name, type, location, tags, sku, identity, properties | order by id asc"

// fleetPageSize is the rows asked per Resource Graph page: $top's documented maximum.
const fleetPageSize = 1000

// Fleet is the AKS clusters of some subscriptions as Resource Graph listed them, with what
// they share read once. Load completes one cluster; it is safe for concurrent use.
type Fleet struct {
	c   *Client
	ids []string
	// docs are the clusters' ARM documents (Resource Graph rows mapped back), by lower-cased
	// ID.
	docs map[string]map[string]any
	// regionSub is, by lower-cased region, the subscription the region's versions are asked
	// through: the first cluster's there, in ID order, so that every run names the same.
	regionSub map[string]string

	mu       sync.Mutex
	versions map[string]*shared
	pricing  map[string]*shared
	// subs are the subscriptions the fleet was listed from; defender is their clusters'
	// Defender for Cloud assessments, read once (fleetDefender).
	subs     []string
	defender shared
	// queries are the Resource Graph queries of what lies around the clusters, asked once
	// for the fleet (extras.go): the backup instances, each subscription's routing profiles
	// and WAF policies.
	queries queryCache
}

// shared is a document several clusters take, read once, with the context of the first
// load that needs it (a fleet's loads share their run's).
type shared struct {
	once   sync.Once
	source string
	doc    any
	err    error
}

func (s *shared) get(read func() (string, any, error)) (string, any, error) {
	s.once.Do(func() { s.source, s.doc, s.err = read() })
	return s.source, s.doc, s.err
}

// ReadFleet lists every AKS cluster of the subscriptions (all the credential can see when
// none) with one paged Resource Graph query. An error means the query failed: nothing was
// listed.
func (c *Client) ReadFleet(ctx context.Context, subscriptions []string) (*Fleet, error) {
	rows, err := c.graph(ctx, fleetQuery, subscriptions, fleetPageSize)
	if err != nil {
		return nil, err
	}
	f := &Fleet{c: c, docs: map[string]map[string]any{}, regionSub: map[string]string{}, versions: map[string]*shared{}, pricing: map[string]*shared{},
		subs: subscriptions}
	for _, row := range rows {
		doc := clusterDocument(row)
		id, _ := doc["id"].(string)
		if id == "" {
			continue
		}
		if _, dup := f.docs[strings.ToLower(id)]; !dup {
			f.ids = append(f.ids, id)
		}
		f.docs[strings.ToLower(id)] = doc
	}
	sort.Slice(f.ids, func(i, j int) bool { return strings.ToLower(f.ids[i]) < strings.ToLower(f.ids[j]) })
	for _, id := range f.ids {
		loc, _ := f.docs[strings.ToLower(id)]["location"].(string)
		rid, err := arm.ParseResourceID(id)
		if loc == "" || err != nil {
			continue
		}
		if _, ok := f.regionSub[strings.ToLower(loc)]; !ok {
			f.regionSub[strings.ToLower(loc)] = rid.SubscriptionID
		}
	}
	return f, nil
}

// IDs returns the ARM IDs of the fleet's clusters, sorted.
func (f *Fleet) IDs() []string { return append([]string(nil), f.ids...) }

// regionVersions is the Kubernetes versions list of a region, read once for the fleet.
func (f *Fleet) regionVersions(ctx context.Context, location string) (string, any, error) {
	sub := f.regionSub[strings.ToLower(location)]
	f.mu.Lock()
	s, ok := f.versions[strings.ToLower(location)]
	if !ok {
		s = &shared{}
		f.versions[strings.ToLower(location)] = s
	}
	f.mu.Unlock()
	return s.get(func() (string, any, error) { return f.c.kubernetesVersions(ctx, sub, location) })
}

// subscriptionPricing is the Defender for Containers plan of a subscription, read once.
func (f *Fleet) subscriptionPricing(ctx context.Context, sub string) (string, any, error) {
	f.mu.Lock()
	s, ok := f.pricing[strings.ToLower(sub)]
	if !ok {
		s = &shared{}
		f.pricing[strings.ToLower(sub)] = s
	}
	f.mu.Unlock()
	return s.get(func() (string, any, error) { return f.c.pricing(ctx, sub) })
}

// Load reads one cluster of the fleet into the same model Client.Load makes of it: the
// cluster and its pools from the Resource Graph row (handed to the ARM loader as the ARM
// documents they are: the cluster, and its pools as the agentPools list), then through ARM
// its pools' upgrade profiles, maintenance configurations and diagnostic settings, with its
// region's versions and its subscription's Defender plan as the fleet read them, and the
// registries with the given login servers. What could not be read is an error entry naming
// the resource, and the settings it would have shown stay unknown.
func (f *Fleet) Load(ctx context.Context, clusterID string, registryHosts []string) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	id := parseCluster(clusterID, scan)
	if id == nil {
		return scan
	}
	doc, ok := f.docs[strings.ToLower(clusterID)]
	if !ok {
		scan.Inputs = append(scan.Inputs, subject.Input{Kind: subject.InputARM, Source: clusterID})
		scan.Errors = append(scan.Errors, subject.LoadError{Source: clusterID, Message: "not among the AKS clusters Azure Resource Graph listed"})
		return scan
	}
	r := &reader{c: f.c, id: id, clusterID: clusterID, scan: scan, queries: &f.queries}
	r.add(clusterID, doc)

	cs, err := armcontainerservice.NewClientFactory(id.SubscriptionID, f.c.cred, f.c.opts)
	if err != nil {
		r.fail(clusterID, "Azure client", err)
		r.finish(false, false)
		return scan
	}
	poolNames, ok := poolsOf(doc)
	if ok {
		r.add(clusterID+"/agentPools", list[map[string]any]{Value: agentPoolResources(clusterID, doc)})
	} else {
		// Resource Graph's copy has no agentPoolProfiles: ask ARM for the pools.
		poolNames = r.agentPools(ctx, cs)
	}
	r.poolUpgrades(ctx, cs, poolNames)
	maintenanceRead := r.maintenance(ctx, cs)
	if loc, _ := doc["location"].(string); loc != "" {
		src, kv, err := f.regionVersions(ctx, loc)
		if err != nil {
			r.fail(src, "listing the region's Kubernetes versions", err)
		} else {
			r.add(src, kv)
		}
	}
	diagnosticsRead := r.diagnostics(ctx)
	src, p, err := f.subscriptionPricing(ctx, id.SubscriptionID)
	if err != nil {
		r.fail(src, "reading the Defender for Containers plan", err)
	} else {
		r.add(src, p)
	}
	r.registries(ctx, registryHosts)
	r.fleetDefender(ctx, f, registryHosts)
	r.policy(ctx)
	r.finish(maintenanceRead, diagnosticsRead)
	r.extras(ctx)
	return scan
}

// clusterDocument maps a Resource Graph row of a managed cluster back to the ARM document
// Get returns: the same columns (Resource Graph's resources table keeps the resource's id,
// name, location, tags, sku, identity and properties), its type as ARM spells it (Resource
// Graph lower-cases it), and no nulls, as the SDK's models leave none.
func clusterDocument(row map[string]any) map[string]any {
	doc := map[string]any{"type": "Microsoft.ContainerService/ManagedClusters"}
	for _, k := range []string{"id", "name", "location", "tags", "sku", "identity", "properties"} {
		if v := dropNulls(row[k]); v != nil {
			doc[k] = v
		}
	}
	return doc
}

// dropNulls returns v without the null members of its objects, at every depth.
func dropNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if x = dropNulls(x); x != nil {
				out[k] = x
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(t))
		for _, x := range t {
			out = append(out, dropNulls(x))
		}
		return out
	}
	return v
}

// poolsOf returns the names of the cluster's agentPoolProfiles; false when the document has
// none to read (no array).
func poolsOf(doc map[string]any) ([]string, bool) {
	props, _ := doc["properties"].(map[string]any)
	profiles, ok := props["agentPoolProfiles"].([]any)
	if !ok {
		return nil, false
	}
	var names []string
	for _, p := range profiles {
		if m, ok := p.(map[string]any); ok {
			if name, _ := m["name"].(string); name != "" {
				names = append(names, name)
			}
		}
	}
	return names, true
}

// agentPoolResources are a cluster's agentPoolProfiles as the agentPools resources ARM lists:
// AKS's REST reference defines a profile as the pool's properties plus its name, and an
// agentPools resource as id, name, type and those properties.
func agentPoolResources(clusterID string, doc map[string]any) []map[string]any {
	props, _ := doc["properties"].(map[string]any)
	profiles, _ := props["agentPoolProfiles"].([]any)
	out := []map[string]any{}
	for _, p := range profiles {
		m, ok := p.(map[string]any)
		name, _ := m["name"].(string)
		if !ok || name == "" {
			continue
		}
		pp := make(map[string]any, len(m))
		for k, v := range m {
			if k != "name" {
				pp[k] = v
			}
		}
		out = append(out, map[string]any{"id": clusterID + "/agentPools/" + name, "name": name,
			"type": "Microsoft.ContainerService/managedClusters/agentPools", "properties": pp})
	}
	return out
}
