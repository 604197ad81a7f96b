package azuretest

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

// The clusters of the two-region estate (AddRegions, testdata/regions/README.md).
const (
	RegionsWestID  = "/subscriptions/" + Subscription + "/resourceGroups/rg-shop-we/providers/Microsoft.ContainerService/managedClusters/aks-shop-we"
	RegionsNorthID = "/subscriptions/" + Subscription + "/resourceGroups/rg-shop-ne/providers/Microsoft.ContainerService/managedClusters/aks-shop-ne"
	// FrontDoorID is the estate's Front Door profile, whose origins ARM lists.
	FrontDoorID = "/subscriptions/" + Subscription + "/resourceGroups/rg-shop-global/providers/Microsoft.Cdn/profiles/afd-shop"
)

//go:embed testdata/regions/*.json
var regionFixtures embed.FS

// regionFile reads a file of the two-region estate.
func regionFile(name string) ([]byte, error) {
	return regionFixtures.ReadFile("testdata/regions/" + name)
}

// RegionFixtures returns the REST documents of the two-region estate by file name.
func RegionFixtures() (map[string][]byte, error) {
	entries, err := regionFixtures.ReadDir("testdata/regions")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := regionFile(e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = data
	}
	return out, nil
}

// AddRegions serves the two-region estate: its clusters and everything the reader reads
// around them, and the rows Resource Graph answers for its backup instances, routing
// profiles and WAF policies.
func (s *Server) AddRegions() error {
	docs := map[string]string{FrontDoorID + "/originGroups": "afd-origingroups.json",
		FrontDoorID + "/originGroups/og-shop/origins": "afd-origins.json"}
	for short, id := range map[string]string{"we": RegionsWestID, "ne": RegionsNorthID} {
		for path, file := range map[string]string{
			"": "managedcluster", "/agentPools": "agentpools", "/agentPools/system/upgradeProfiles/default": "poolupgrade",
			"/upgradeProfiles/default": "upgradeprofile", "/providers/Microsoft.KubernetesConfiguration/extensions": "extensions",
			"/providers/Microsoft.KubernetesConfiguration/fluxConfigurations": "fluxconfigurations",
		} {
			docs[id+path] = file + "-" + short + ".json"
		}
		docs[strings.Replace(id, "providers/Microsoft.ContainerService/managedClusters/aks-shop-"+short,
			"providers/Microsoft.Network/virtualNetworks/vnet-shop-"+short+"/subnets/snet-nodes", 1)] = "subnet-" + short + ".json"
	}
	docs[RegionsWestID+"/providers/Microsoft.KubernetesConfiguration/extensions?$skiptoken=page2"] = "extensions-we-page2.json"
	loaded := map[string][]byte{}
	for path, file := range docs {
		data, err := regionFile(file)
		if err != nil {
			return err
		}
		loaded[strings.ToLower(path)] = data
	}
	// Lists the estate has none of: the REST list shape with no value.
	for _, id := range []string{RegionsWestID, RegionsNorthID} {
		for _, path := range []string{"/maintenanceConfigurations", "/providers/Microsoft.Insights/diagnosticSettings",
			"/providers/Microsoft.Authorization/policyAssignments", policyStatesPath} {
			loaded[strings.ToLower(id+path)] = []byte(`{"value": []}`)
		}
	}
	rows := map[string][]map[string]any{}
	for kind, file := range map[string]string{graphBackups: "graph-backupinstances.json", graphRouting: "graph-routingprofiles.json", graphWAF: "graph-wafpolicies.json"} {
		data, err := regionFile(file)
		if err != nil {
			return err
		}
		var l struct {
			Value []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(data, &l); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		rows[kind] = l.Value
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range loaded {
		s.docs[k] = v
	}
	s.extraRows = rows
	return nil
}

// The queries of the reader's extras, by what they ask for.
const (
	graphBackups = "backup instances"
	graphRouting = "routing profiles"
	graphWAF     = "WAF policies"
)

// extrasQuery answers the reader's queries for the resources around a cluster: backup
// instances of a data source type (recoveryservicesresources), and the routing
// profiles or WAF policies of the subscriptions (resources). ok is false for other queries.
func (s *Server) extrasQuery(q string, subscriptions []string) (rows []map[string]any, ok bool) {
	var kind string
	switch {
	case strings.Contains(q, "microsoft.dataprotection/backupvaults/backupinstances"):
		kind = graphBackups
	case strings.Contains(q, "microsoft.network/trafficmanagerprofiles"):
		kind = graphRouting
	case strings.Contains(q, "firewallpolicies"):
		kind = graphWAF
	default:
		return nil, false
	}
	s.mu.Lock()
	all := s.extraRows[kind]
	s.mu.Unlock()
	for _, row := range all {
		id, _ := row["id"].(string)
		id = strings.ToLower(id)
		if kind == graphBackups {
			props, _ := row["properties"].(map[string]any)
			ds, _ := props["dataSourceInfo"].(map[string]any)
			typ, _ := ds["datasourceType"].(string)
			if !strings.Contains(q, "=~ '"+strings.ToLower(typ)+"'") {
				continue
			}
		}
		if inSubscriptions(id, subscriptions) {
			rows = append(rows, row)
		}
	}
	return rows, true
}
