# The same cluster as az/aks-demo.json, with its Kubernetes version a variable without a
# value: akscheck cannot know it.
variable "kubernetes_version" {
  type = string
}

resource "azurerm_kubernetes_cluster" "demo" {
  name                              = "aks-demo"
  location                          = "westeurope"
  resource_group_name               = "rg-demo"
  dns_prefix                        = "aks-demo"
  kubernetes_version                = var.kubernetes_version
  sku_tier                          = "Standard"
  role_based_access_control_enabled = true
  tags = {
    team = "platform"
  }

  default_node_pool {
    name            = "sys"
    vm_size         = "Standard_D4s_v5"
    node_count      = 3
    os_disk_type    = "Ephemeral"
    zones           = ["1", "2", "3"]
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = "cilium"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "work" {
  name                  = "work"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.demo.id
  vm_size               = "Standard_E8s_v5"
  mode                  = "User"
  auto_scaling_enabled  = true
  node_count            = 2
  min_count             = 2
  max_count             = 10
  os_disk_type          = "Managed"
}
