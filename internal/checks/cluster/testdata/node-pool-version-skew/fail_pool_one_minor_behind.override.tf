resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  orchestrator_version = "1.35.4"
}
