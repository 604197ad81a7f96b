resource "azurerm_kubernetes_cluster" "good" {
  dynamic "maintenance_window_auto_upgrade" {
    for_each = []
    content {}
  }
}
