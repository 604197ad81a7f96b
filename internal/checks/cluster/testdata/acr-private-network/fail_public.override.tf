resource "azurerm_container_registry" "acr" {
  public_network_access_enabled = null
  network_rule_set {
    default_action = "Allow"
  }
}
