resource "azurerm_kubernetes_cluster" "good" {
  dynamic "oms_agent" {
    for_each = []
    content {}
  }
}
