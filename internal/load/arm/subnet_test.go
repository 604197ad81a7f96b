package arm

import (
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// A subnet in az network vnet subnet show's shape and in the REST shape: its prefixes and
// the addresses in use (upgrade-plan's surge capacity).
func TestSubnet(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"az": `{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes", "name": "nodes",
			"type": "Microsoft.Network/virtualNetworks/subnets", "addressPrefix": "10.0.0.0/24", "ipConfigurations": [{"id": "a"}, {"id": "b"}]}`,
		"rest": `{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes", "name": "nodes",
			"properties": {"addressPrefixes": ["10.0.0.0/24"], "ipConfigurations": [{"id": "a"}, {"id": "b"}]}}`,
	} {
		s := LoadBytes(name+".json", []byte(doc), Options{})
		var sn *subject.Subnet
		for _, o := range s.Others {
			if x, ok := o.(*subject.Subnet); ok {
				sn = x
			}
		}
		if sn == nil {
			t.Fatalf("%s: no subnet in %+v", name, s)
		}
		if len(sn.AddressPrefixes.V) != 1 || sn.AddressPrefixes.V[0] != "10.0.0.0/24" || !sn.IPConfigurations.IsKnown() || sn.IPConfigurations.V != 2 {
			t.Errorf("%s: %+v", name, sn)
		}
	}
}

// az network vnet show prints the subnets inline, with their IDs; a template declares them
// inline or as child resources, without IDs: they get the scope-less ID resourceId() gives,
// which is what a pool's vnetSubnetID of the same template holds.
func TestVNetSubnets(t *testing.T) {
	t.Parallel()
	az := `{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v", "name": "v",
		"type": "Microsoft.Network/virtualNetworks", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
		"subnets": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes", "name": "nodes",
			"addressPrefix": "10.0.1.0/24", "ipConfigurations": [{"id": "a"}]}]}`
	s := LoadBytes("vnet.json", []byte(az), Options{})
	sns := subnetsIn(s)
	if len(sns) != 1 || sns[0].Name != "nodes" || sns[0].AddressPrefixes.V[0] != "10.0.1.0/24" || sns[0].IPConfigurations.V != 1 ||
		!sns[0].HasID("/subscriptions/S/resourcegroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes") {
		t.Errorf("az vnet: %+v", sns)
	}

	tmpl := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet-a",
     "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
       "subnets": [{"name": "nodes", "properties": {"addressPrefix": "10.1.0.0/24"}}]}},
    {"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2024-05-01", "name": "vnet-a/extra",
     "properties": {"addressPrefixes": ["10.1.8.0/22"]}},
    {"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2025-05-01", "name": "aks", "location": "westeurope",
     "properties": {"networkProfile": {"networkPlugin": "azure", "podCidrs": ["10.244.0.0/16"], "serviceCidr": "10.0.0.0/16", "dockerBridgeCidr": "172.17.0.1/16"},
       "agentPoolProfiles": [{"name": "sys", "mode": "System", "count": 3,
         "vnetSubnetID": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-a', 'nodes')]"}]}}
  ]}`
	s = LoadBytes("main.json", []byte(tmpl), Options{})
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	sns = subnetsIn(s)
	if len(sns) != 2 {
		t.Fatalf("template: want 2 subnets, got %+v", sns)
	}
	var c *subject.Cluster
	for _, o := range s.Others {
		if x, ok := o.(*subject.Cluster); ok {
			c = x
		}
	}
	if c == nil || len(c.Pools) != 1 {
		t.Fatalf("template: no cluster with one pool: %+v", s.Others)
	}
	id := c.Pools[0].VnetSubnetID.V
	if !sns[0].HasID(id) || sns[1].HasID(id) || sns[1].Name != "vnet-a/extra" || sns[1].AddressPrefixes.V[0] != "10.1.8.0/22" {
		t.Errorf("template: pool subnet %q, subnets %+v %+v", id, sns[0], sns[1])
	}
	if c.PodCIDRs.V[0] != "10.244.0.0/16" || c.ServiceCIDRs.V[0] != "10.0.0.0/16" || c.DockerBridgeCIDR.V != "172.17.0.1/16" {
		t.Errorf("template: CIDRs %+v %+v %+v", c.PodCIDRs, c.ServiceCIDRs, c.DockerBridgeCIDR)
	}
}

func subnetsIn(s *subject.Scan) []*subject.Subnet {
	var out []*subject.Subnet
	for _, o := range s.Others {
		if x, ok := o.(*subject.Subnet); ok {
			out = append(out, x)
		}
	}
	return out
}
