variable "sp_secret" {
  type      = string
  sensitive = true
}

resource "azurerm_kubernetes_cluster" "good" {
  service_principal {
    client_id     = "77777777-7777-7777-7777-777777777777"
    client_secret = var.sp_secret
  }
  dynamic "identity" {
    for_each = []
    content {}
  }
}
