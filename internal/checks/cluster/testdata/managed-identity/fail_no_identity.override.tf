resource "azurerm_kubernetes_cluster" "good" {
  dynamic "identity" {
    for_each = []
    content {}
  }
}
