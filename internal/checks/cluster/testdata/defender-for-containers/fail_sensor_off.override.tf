resource "azurerm_kubernetes_cluster" "good" {
  dynamic "microsoft_defender" {
    for_each = []
    content {}
  }
}
