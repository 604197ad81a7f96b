resource "azurerm_kubernetes_cluster" "good" {
  workload_autoscaler_profile {
    keda_enabled = true
  }
}
