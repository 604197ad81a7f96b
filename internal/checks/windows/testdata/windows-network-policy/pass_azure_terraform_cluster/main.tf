resource "azurerm_kubernetes_cluster" "finance" {
  name                = "aks-finance"
  location            = "westeurope"
  resource_group_name = "rg-finance"
  dns_prefix          = "finance"

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4ds_v5"
    node_count = 3
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin = "azure"
    network_policy = "azure"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "win" {
  name                  = "win"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.finance.id
  vm_size               = "Standard_D4ds_v5"
  os_type               = "Windows"
  os_sku                = "Windows2022"
  node_count            = 2
}
