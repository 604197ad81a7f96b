resource "azurerm_kubernetes_cluster" "good" {
  api_server_authorized_ip_ranges = ["203.0.113.0/24"]
  private_cluster_enabled         = false
}
