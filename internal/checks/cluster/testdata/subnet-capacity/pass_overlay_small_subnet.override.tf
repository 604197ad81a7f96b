resource "azurerm_virtual_network" "shop" {
  name                = "vnet-shop"
  location            = "westeurope"
  resource_group_name = "rg-shop"
  address_space       = ["10.240.0.0/16"]
}

resource "azurerm_subnet" "nodes" {
  name                 = "nodes"
  resource_group_name  = "rg-shop"
  virtual_network_name = azurerm_virtual_network.shop.name
  address_prefixes     = ["10.240.0.0/27"]
}

resource "azurerm_kubernetes_cluster" "good" {
  default_node_pool {
    vnet_subnet_id = azurerm_subnet.nodes.id
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  vnet_subnet_id = azurerm_subnet.nodes.id
}
