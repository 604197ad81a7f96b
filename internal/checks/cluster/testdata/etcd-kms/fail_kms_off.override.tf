resource "azurerm_kubernetes_cluster" "good" {
  dynamic "key_management_service" {
    for_each = []
    content {}
  }
}
