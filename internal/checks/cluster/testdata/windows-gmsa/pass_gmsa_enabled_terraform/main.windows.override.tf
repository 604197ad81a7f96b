variable "windows_admin_password" {
  type      = string
  sensitive = true
}

resource "azurerm_kubernetes_cluster" "good" {
  windows_profile {
    admin_username = "azureuser"
    admin_password = var.windows_admin_password

    gmsa {
      dns_server  = ""
      root_domain = ""
    }
  }
}
