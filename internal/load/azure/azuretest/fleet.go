package azuretest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// fleetRegions are the regions generated clusters run in; every one answers with the same
// Kubernetes versions (isVersions).
var fleetRegions = []string{"westeurope", "northeurope", "swedencentral", "eastus2"}

// fleetVersions are control plane versions of the versions fixture (1.35.3 and 1.36.2 have a
// newer patch; 1.32.9 is LTS only).
var fleetVersions = []string{"1.35.3", "1.35.6", "1.36.2", "1.36.4", "1.37.1", "1.32.9"}

// AddClusters generates n clusters from seed (the same seed, the same fleet) and serves
// them as ARM does and as Resource Graph lists them: each cluster, its agent pools and their
// upgrade profiles, its maintenance configurations, upgrade profile and diagnostic settings,
// and the Defender plan of its subscription. Three quarters are in Subscription, the rest in
// Subscription2; settings vary (tiers, channels, private or not, pools of Linux and Windows,
// maintenance windows or none, logs or none). It returns their IDs.
func (s *Server) AddClusters(n int, seed uint64) ([]string, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	docs := map[string][]byte{}
	clusters := map[string][]byte{}
	put := func(m map[string][]byte, path string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		m[strings.ToLower(path)] = data
		return nil
	}
	pricing := map[string]string{Subscription: "Free", Subscription2: "Standard"}
	for sub, tier := range pricing {
		if err := put(docs, "/subscriptions/"+sub+"/providers/Microsoft.Security/pricings/Containers", map[string]any{
			"id": "/subscriptions/" + sub + "/providers/Microsoft.Security/pricings/Containers", "name": "Containers",
			"type": "Microsoft.Security/pricings", "properties": map[string]any{"pricingTier": tier},
		}); err != nil {
			return nil, err
		}
	}
	var ids []string
	for i := range n {
		sub := Subscription
		if i >= n*3/4 {
			sub = Subscription2
		}
		g := generateCluster(rng, sub, i)
		ids = append(ids, g.id)
		for _, d := range []struct {
			m    map[string][]byte
			path string
			v    any
		}{
			{clusters, g.id, g.cluster},
			{docs, g.id, g.cluster},
			{docs, g.id + "/agentPools", map[string]any{"value": g.pools}},
			{docs, g.id + "/maintenanceConfigurations", map[string]any{"value": g.maintenance}},
			{docs, g.id + "/upgradeProfiles/default", g.upgrade},
			{docs, g.id + "/providers/Microsoft.Insights/diagnosticSettings", map[string]any{"value": g.diagnostics}},
			// No policy assignment applies and Policy Insights reports nothing non-compliant.
			{docs, g.id + "/providers/Microsoft.Authorization/policyAssignments", map[string]any{"value": []any{}}},
			{docs, g.id + policyStatesPath, map[string]any{"value": []any{}}},
			// No extension, no Flux configuration: the REST list with an empty value.
			{docs, g.id + "/providers/Microsoft.KubernetesConfiguration/extensions", map[string]any{"value": []any{}}},
			{docs, g.id + "/providers/Microsoft.KubernetesConfiguration/fluxConfigurations", map[string]any{"value": []any{}}},
		} {
			if err := put(d.m, d.path, d.v); err != nil {
				return nil, err
			}
		}
		for name, up := range g.poolUpgrades {
			if err := put(docs, g.id+"/agentPools/"+name+"/upgradeProfiles/default", up); err != nil {
				return nil, err
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range docs {
		s.docs[k] = v
	}
	for k, v := range clusters {
		s.clusters[k] = v
	}
	s.Clusters = append(s.Clusters, ids...)
	return ids, nil
}

// generated is one generated cluster's documents, in ARM's REST shapes.
type generated struct {
	id           string
	cluster      map[string]any
	pools        []any
	poolUpgrades map[string]any
	maintenance  []any
	upgrade      map[string]any
	diagnostics  []any
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

func generateCluster(rng *rand.Rand, sub string, i int) generated {
	name := fmt.Sprintf("aks-%03d", i)
	rg := fmt.Sprintf("rg-fleet-%02d", i%12)
	id := "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/Microsoft.ContainerService/managedClusters/" + name
	region := pick(rng, fleetRegions...)
	version := pick(rng, fleetVersions...)
	props := map[string]any{
		"provisioningState":        "Succeeded",
		"kubernetesVersion":        version,
		"currentKubernetesVersion": version,
		"dnsPrefix":                name,
		"fqdn":                     fmt.Sprintf("%s-dns-%08x.hcp.%s.azmk8s.io", name, rng.Uint32(), region),
		"supportPlan":              pick(rng, "KubernetesOfficial", "KubernetesOfficial", "AKSLongTermSupport"),
		"enableRBAC":               true,
		"disableLocalAccounts":     rng.IntN(2) == 0,
		"aadProfile":               map[string]any{"managed": true, "enableAzureRBAC": rng.IntN(2) == 0},
		"apiServerAccessProfile":   map[string]any{"enablePrivateCluster": rng.IntN(3) == 0},
		"securityProfile":          map[string]any{"workloadIdentity": map[string]any{"enabled": rng.IntN(2) == 0}},
		"oidcIssuerProfile":        map[string]any{"enabled": true},
		"addonProfiles": map[string]any{
			"azurepolicy": map[string]any{"enabled": rng.IntN(2) == 0},
			"omsagent":    map[string]any{"enabled": rng.IntN(2) == 0},
		},
		"networkProfile": map[string]any{"networkPlugin": "azure", "networkPluginMode": "overlay",
			"networkPolicy": pick(rng, "cilium", "azure", "none"), "loadBalancerSku": "standard", "outboundType": "loadBalancer"},
		"nodeResourceGroup": "MC_" + rg + "_" + name + "_" + region,
	}
	auto := map[string]any{"nodeOSUpgradeChannel": pick(rng, "NodeImage", "SecurityPatch", "None", "Unmanaged")}
	if ch := pick(rng, "none", "patch", "stable", ""); ch != "" {
		auto["upgradeChannel"] = ch
	}
	props["autoUpgradeProfile"] = auto

	image := func(os string) (string, string) {
		current := pick(rng, "202601.10.0", "202603.02.0", "202605.04.0")
		if os == "Windows" {
			return "AKSWindows-2022-containerd-" + current, "AKSWindows-2022-containerd-202605.04.0"
		}
		return "AKSAzureLinux-V3gen2-" + current, "AKSAzureLinux-V3gen2-202605.04.0"
	}
	var profiles []any
	g := generated{id: id, poolUpgrades: map[string]any{}}
	poolNames := []string{"system", "apps", "batch", "win"}
	for p := range 1 + rng.IntN(3) {
		pool := poolNames[p]
		os := "Linux"
		if pool == "batch" && rng.IntN(2) == 0 {
			pool, os = "win", "Windows"
		}
		img, latest := image(os)
		prof := map[string]any{
			"name": pool, "count": 1 + rng.IntN(5), "vmSize": pick(rng, "Standard_D4s_v5", "Standard_D8s_v5", "Standard_B2s"),
			"osDiskType": pick(rng, "Ephemeral", "Managed"), "maxPods": pick(rng, 30, 50, 110), "type": "VirtualMachineScaleSets",
			"enableAutoScaling": false, "mode": "User", "orchestratorVersion": version, "currentOrchestratorVersion": version,
			"nodeImageVersion": img, "osType": os, "upgradeSettings": map[string]any{"maxSurge": pick(rng, "1", "33%")},
			"enableNodePublicIP": rng.IntN(8) == 0,
		}
		if os == "Linux" {
			prof["osSKU"] = "AzureLinux"
		}
		if p == 0 {
			prof["mode"] = "System"
			if rng.IntN(2) == 0 {
				prof["nodeTaints"] = []any{"CriticalAddonsOnly=true:NoSchedule"}
			}
		}
		if rng.IntN(2) == 0 {
			prof["availabilityZones"] = []any{"1", "2", "3"}
		}
		if rng.IntN(2) == 0 {
			prof["enableAutoScaling"], prof["minCount"], prof["maxCount"] = true, 1, 5
		}
		profiles = append(profiles, prof)
		// The pool as its own resource: the profile's properties without the name.
		pp := map[string]any{}
		for k, v := range prof {
			if k != "name" {
				pp[k] = v
			}
		}
		g.pools = append(g.pools, map[string]any{"id": id + "/agentPools/" + pool, "name": pool,
			"type": "Microsoft.ContainerService/managedClusters/agentPools", "properties": pp})
		g.poolUpgrades[pool] = map[string]any{"id": id + "/agentPools/" + pool + "/upgradeProfiles/default", "name": "default",
			"type":       "Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles",
			"properties": map[string]any{"kubernetesVersion": version, "osType": os, "latestNodeImageVersion": latest}}
	}
	props["agentPoolProfiles"] = profiles

	tier := pick(rng, "Free", "Standard", "Premium")
	g.cluster = map[string]any{"id": id, "name": name, "type": "Microsoft.ContainerService/ManagedClusters", "location": region,
		"tags":     map[string]any{"env": pick(rng, "prod", "dev", "test"), "team": fmt.Sprintf("team-%d", i%7)},
		"sku":      map[string]any{"name": "Base", "tier": tier},
		"identity": map[string]any{"type": "SystemAssigned"}, "properties": props}

	for _, m := range []string{"aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"} {
		if rng.IntN(2) == 0 {
			g.maintenance = append(g.maintenance, map[string]any{"id": id + "/maintenanceConfigurations/" + m, "name": m,
				"type": "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
				"properties": map[string]any{"maintenanceWindow": map[string]any{"schedule": map[string]any{"weekly": map[string]any{"intervalWeeks": 1, "dayOfWeek": "Sunday"}},
					"durationHours": 4, "utcOffset": "+00:00", "startTime": "01:00"}}})
		}
	}
	if g.maintenance == nil {
		g.maintenance = []any{}
	}

	// The control plane's upgrades are versions of the region's list (the fixture), newer
	// than its own.
	var upgrades []any
	for _, v := range []string{"1.35.6", "1.36.2", "1.36.4", "1.37.1"} {
		if newer(v, version) {
			upgrades = append(upgrades, map[string]any{"kubernetesVersion": v})
		}
	}
	g.upgrade = map[string]any{"id": id + "/upgradeProfiles/default", "name": "default",
		"type":       "Microsoft.ContainerService/managedClusters/upgradeProfiles",
		"properties": map[string]any{"controlPlaneProfile": map[string]any{"kubernetesVersion": version, "osType": "Linux", "upgrades": upgrades}}}

	g.diagnostics = []any{}
	if rng.IntN(3) != 0 {
		g.diagnostics = append(g.diagnostics, map[string]any{"id": id + "/providers/microsoft.insights/diagnosticSettings/aks-logs", "name": "aks-logs",
			"type": "Microsoft.Insights/diagnosticSettings",
			"properties": map[string]any{"workspaceId": "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/Microsoft.OperationalInsights/workspaces/log-fleet",
				"logs": []any{map[string]any{"category": "kube-apiserver", "enabled": true},
					map[string]any{"category": "kube-audit-admin", "enabled": rng.IntN(2) == 0},
					map[string]any{"category": "guard", "enabled": rng.IntN(2) == 0}},
				"metrics": []any{map[string]any{"category": "AllMetrics", "enabled": true}}}})
	}
	return g
}

// newer reports whether version a (major.minor.patch) is newer than b.
func newer(a, b string) bool {
	var a1, a2, a3, b1, b2, b3 int
	_, _ = fmt.Sscanf(a, "%d.%d.%d", &a1, &a2, &a3)
	_, _ = fmt.Sscanf(b, "%d.%d.%d", &b1, &b2, &b3)
	if a1 != b1 {
		return a1 > b1
	}
	if a2 != b2 {
		return a2 > b2
	}
	return a3 > b3
}
