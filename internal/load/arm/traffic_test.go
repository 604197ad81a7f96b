package arm

import (
	"slices"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// Traffic Manager and Front Door profiles and endpoints, as az prints them, as REST returns
// them and as templates declare them: the endpoints' profile, target, location and state.
func TestTrafficProfiles(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		doc      string
		profiles []string
		// endpoints are profile|target|location|enabled of each endpoint, in order.
		endpoints []string
	}{
		"tm rest inline": {`{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/trafficManagerProfiles/tm-shop", "name": "tm-shop",
			"type": "Microsoft.Network/trafficManagerProfiles", "location": "global", "tags": {"app": "shop"},
			"properties": {"endpoints": [
			  {"name": "we", "type": "Microsoft.Network/trafficManagerProfiles/azureEndpoints", "properties": {"targetResourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip-shop-westeurope", "endpointLocation": "West Europe", "endpointStatus": "Enabled"}},
			  {"name": "ne", "type": "Microsoft.Network/trafficManagerProfiles/externalEndpoints", "properties": {"target": "shop.northeurope.cloudapp.azure.com", "endpointStatus": "Disabled"}}]}}`,
			[]string{"Traffic Manager tm-shop"},
			[]string{"tm-shop||West Europe|true", "tm-shop|shop.northeurope.cloudapp.azure.com||false"}},
		"tm az endpoint": {`{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/trafficManagerProfiles/tm-shop/externalEndpoints/we", "name": "we",
			"type": "Microsoft.Network/trafficManagerProfiles/externalEndpoints", "target": "shop-we.example.com", "endpointLocation": "westeurope"}`,
			nil, []string{"tm-shop|shop-we.example.com|westeurope|true"}},
		"front door az": {`[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/afd-shop", "name": "afd-shop", "type": "Microsoft.Cdn/profiles",
			"location": "Global", "sku": {"name": "Premium_AzureFrontDoor"}},
			{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/cdn-static", "name": "cdn-static", "type": "Microsoft.Cdn/profiles", "sku": {"name": "Standard_Microsoft"}},
			{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/afd-shop/originGroups/og/origins/eu", "name": "eu",
			"hostName": "shop.westeurope.cloudapp.azure.com", "enabledState": "Enabled"}]`,
			[]string{"Front Door afd-shop"}, []string{"afd-shop|shop.westeurope.cloudapp.azure.com||true"}},
		"template": {`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
			"parameters": {"region": {"type": "string", "defaultValue": "eastus2"}},
			"resources": [
			  {"type": "Microsoft.Network/trafficManagerProfiles", "apiVersion": "2022-04-01", "name": "tm", "location": "global",
			   "properties": {"trafficRoutingMethod": "Performance"},
			   "resources": [{"type": "externalEndpoints", "apiVersion": "2022-04-01", "name": "us", "properties": {"target": "shop-us.example.com", "endpointLocation": "[parameters('region')]"}}]},
			  {"type": "Microsoft.Cdn/profiles/originGroups/origins", "apiVersion": "2024-02-01", "name": "afd/og/we", "properties": {"hostName": "shop-westeurope.example.com", "enabledState": "Disabled"}}]}`,
			[]string{"Traffic Manager tm"},
			[]string{"tm|shop-us.example.com|eastus2|true", "afd|shop-westeurope.example.com||false"}},
	} {
		s := LoadBytes(name+".json", []byte(tc.doc), Options{})
		if len(s.Errors) > 0 {
			t.Fatalf("%s: %+v", name, s.Errors)
		}
		var profiles, endpoints []string
		for _, o := range s.Others {
			switch x := o.(type) {
			case *subject.TrafficProfile:
				profiles = append(profiles, x.Service+" "+x.Name)
				for _, e := range x.Endpoints {
					endpoints = append(endpoints, trafficEndpointDesc(e))
				}
			case *subject.TrafficEndpoint:
				endpoints = append(endpoints, trafficEndpointDesc(x))
			}
		}
		if !slices.Equal(profiles, tc.profiles) || !slices.Equal(endpoints, tc.endpoints) {
			t.Errorf("%s:\nprofiles  %q, want %q\nendpoints %q, want %q", name, profiles, tc.profiles, endpoints, tc.endpoints)
		}
	}
}

func trafficEndpointDesc(e *subject.TrafficEndpoint) string {
	target := e.Target.V
	return e.Profile + "|" + target + "|" + e.Location.V + "|" + map[bool]string{true: "true", false: "false"}[!e.Off()]
}
