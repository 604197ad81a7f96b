resource "azurerm_kubernetes_cluster" "billing" {
  name                = "aks-billing-ne"
  location            = "North Europe"
  resource_group_name = "rg-billing"
  dns_prefix          = "aks-billing-ne"
  tags = {
    app = "billing"
  }

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 3
  }

  identity {
    type = "SystemAssigned"
  }
}
