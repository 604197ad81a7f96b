resource "azurerm_kubernetes_cluster" "good" {
  dynamic "maintenance_window_node_os" {
    for_each = []
    content {}
  }
}
