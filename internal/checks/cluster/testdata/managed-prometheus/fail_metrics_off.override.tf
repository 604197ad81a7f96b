resource "azurerm_kubernetes_cluster" "good" {
  dynamic "monitor_metrics" {
    for_each = []
    content {}
  }
}
