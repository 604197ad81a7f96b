resource "azurerm_kubernetes_cluster" "good" {
  default_node_pool {
    name                         = "system"
    vm_size                      = "Standard_D4s_v5"
    auto_scaling_enabled         = true
    node_count                   = 1
    min_count                    = 1
    max_count                    = 2
    zones                        = ["1", "2", "3"]
    only_critical_addons_enabled = true
    fips_enabled                 = true
    host_encryption_enabled      = true
    os_disk_type                 = "Ephemeral"
    tags                         = var.tags

    upgrade_settings {
      max_surge = "33%"
    }
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  node_count = 1
  min_count  = 1
  max_count  = 1
}
