resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  kubelet_config {
    container_log_max_size_mb = 50
    pod_max_pid               = 4096
  }
}
