package terraform

import (
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// Pools reach the subnets of the module they reference (an azurerm_subnet, the single inline
// subnet of an azurerm_virtual_network), and the cluster carries its pod and service CIDRs.
func TestSubnetsAndCIDRs(t *testing.T) {
	t.Parallel()
	src := `
resource "azurerm_virtual_network" "hub" {
  name          = "vnet-hub"
  address_space = ["10.10.0.0/16"]
  subnet {
    name             = "pods"
    address_prefixes = ["10.10.0.0/20"]
  }
}
resource "azurerm_subnet" "nodes" {
  name                 = "nodes"
  virtual_network_name = "vnet-spoke"
  address_prefixes     = ["10.20.0.0/24", "10.20.1.0/24"]
}
resource "azurerm_kubernetes_cluster" "a" {
  name = "aks"
  default_node_pool {
    name           = "sys"
    vnet_subnet_id = azurerm_subnet.nodes.id
  }
  network_profile {
    network_plugin = "azure"
    pod_cidrs      = ["10.244.0.0/16", "fd00::/64"]
    service_cidr   = "10.0.0.0/16"
  }
}
resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  name                  = "apps"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.a.id
  vnet_subnet_id        = azurerm_virtual_network.hub.subnet.*.id[0]
}
`
	s := LoadModule([]File{{Path: "main.tf", Data: []byte(src)}}, Options{})
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	c, _ := parts(t, s)
	var subnets []*subject.Subnet
	for _, o := range s.Others {
		if sn, ok := o.(*subject.Subnet); ok {
			subnets = append(subnets, sn)
		}
	}
	if len(subnets) != 2 {
		t.Fatalf("want 2 subnets, got %d", len(subnets))
	}
	if len(c.Pools) != 2 {
		t.Fatalf("pools: %+v", c.Pools)
	}
	sys, apps := c.Pools[0], c.Pools[1]
	if sys.Subnet == nil || sys.Subnet.Name != "azurerm_subnet.nodes" || len(sys.Subnet.AddressPrefixes.V) != 2 || sys.Subnet.Source.Line != 10 {
		t.Errorf("default pool's subnet: %+v", sys.Subnet)
	}
	if apps.Subnet == nil || apps.Subnet.Name != "azurerm_virtual_network.hub.subnet[pods]" || apps.Subnet.AddressPrefixes.V[0] != "10.10.0.0/20" {
		t.Errorf("apps pool's subnet: %+v", apps.Subnet)
	}
	if sys.Subnet.IPConfigurations.IsKnown() {
		t.Error("Terraform does not know the addresses in use")
	}
	if len(c.PodCIDRs.V) != 2 || c.PodCIDRs.V[1] != "fd00::/64" || len(c.ServiceCIDRs.V) != 1 || c.ServiceCIDRs.V[0] != "10.0.0.0/16" || c.ServiceCIDRs.Loc.Path != "network_profile.service_cidr" {
		t.Errorf("CIDRs: pods %+v services %+v", c.PodCIDRs, c.ServiceCIDRs)
	}
}
