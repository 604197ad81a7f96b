resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  kubelet_config {
    allowed_unsafe_sysctls = ["net.core.*"]
    cpu_cfs_quota_enabled  = false
  }
}
