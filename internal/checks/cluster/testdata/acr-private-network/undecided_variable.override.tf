variable "acr_public" {
  type = bool
}

resource "azurerm_container_registry" "acr" {
  public_network_access_enabled = var.acr_public

  dynamic "network_rule_set" {
    for_each = []
    content {}
  }
}
