resource "azurerm_kubernetes_cluster" "data_a" {
  name                = "aks-data-a"
  location            = "westeurope"
  resource_group_name = "rg-data"
  dns_prefix          = "aks-data-a"
  tags                = var.tags

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 2
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster" "data_b" {
  name                = "aks-data-b"
  location            = "westeurope"
  resource_group_name = "rg-data"
  dns_prefix          = "aks-data-b"
  tags                = var.tags

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 3
  }

  identity {
    type = "SystemAssigned"
  }
}
