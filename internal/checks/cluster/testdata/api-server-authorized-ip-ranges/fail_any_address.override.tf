resource "azurerm_kubernetes_cluster" "good" {
  private_cluster_enabled = false
  api_server_access_profile {
    authorized_ip_ranges = ["0.0.0.0/0"]
  }
}
