# The shop of internal/load/azure/azuretest/testdata/regions as a Terraform module (azurerm v4).
locals {
  app = "shop"
}

resource "azurerm_virtual_network" "we" {
  name                = "vnet-shop-we"
  location            = "westeurope"
  resource_group_name = "rg-shop-we"
  address_space       = ["10.10.0.0/24"]
}

resource "azurerm_subnet" "we" {
  name                 = "snet-nodes"
  resource_group_name  = "rg-shop-we"
  virtual_network_name = azurerm_virtual_network.we.name
  address_prefixes     = ["10.10.0.0/24"]
}

resource "azurerm_kubernetes_cluster" "we" {
  name                              = "aks-shop-we"
  location                          = "westeurope"
  resource_group_name               = "rg-shop-we"
  dns_prefix                        = "aks-shop-we"
  kubernetes_version                = "1.35.3"
  sku_tier                          = "Standard"
  role_based_access_control_enabled = true
  azure_policy_enabled              = true
  tags                              = { app = local.app, env = "prod" }

  default_node_pool {
    name                 = "system"
    vm_size              = "Standard_D4s_v5"
    auto_scaling_enabled = true
    node_count           = 3
    min_count            = 3
    max_count            = 5
    max_pods             = 30
    zones                = ["1", "2", "3"]
    os_sku               = "AzureLinux"
    vnet_subnet_id       = azurerm_subnet.we.id

    upgrade_settings {
      max_surge = "1"
    }
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    pod_cidr            = "10.244.0.0/16"
    service_cidr        = "10.0.0.0/16"
    dns_service_ip      = "10.0.0.10"
    load_balancer_sku   = "standard"
    outbound_type       = "loadBalancer"
  }
}

resource "azurerm_kubernetes_cluster_extension" "flux_we" {
  name           = "flux"
  cluster_id     = azurerm_kubernetes_cluster.we.id
  extension_type = "microsoft.flux"
}

resource "azurerm_kubernetes_cluster_extension" "backup_we" {
  name              = "azure-aks-backup"
  cluster_id        = azurerm_kubernetes_cluster.we.id
  extension_type    = "microsoft.dataprotection.kubernetes"
  release_train     = "stable"
  release_namespace = "dataprotection-microsoft"
}

resource "azurerm_kubernetes_flux_configuration" "apps_we" {
  name       = "shop-apps"
  cluster_id = azurerm_kubernetes_cluster.we.id
  namespace  = "flux-system"

  git_repository {
    url             = "https://github.com/contoso/shop-gitops"
    reference_type  = "branch"
    reference_value = "main"
  }

  kustomizations {
    name = "apps"
    path = "./clusters/westeurope"
  }

  depends_on = [azurerm_kubernetes_cluster_extension.flux_we]
}

resource "azurerm_virtual_network" "ne" {
  name                = "vnet-shop-ne"
  location            = "northeurope"
  resource_group_name = "rg-shop-ne"
  address_space       = ["10.20.0.0/28"]
}

resource "azurerm_subnet" "ne" {
  name                 = "snet-nodes"
  resource_group_name  = "rg-shop-ne"
  virtual_network_name = azurerm_virtual_network.ne.name
  address_prefixes     = ["10.20.0.0/28"]
}

resource "azurerm_kubernetes_cluster" "ne" {
  name                              = "aks-shop-ne"
  location                          = "northeurope"
  resource_group_name               = "rg-shop-ne"
  dns_prefix                        = "aks-shop-ne"
  kubernetes_version                = "1.35.3"
  sku_tier                          = "Standard"
  role_based_access_control_enabled = true
  azure_policy_enabled              = true
  tags                              = { app = local.app, env = "prod" }

  default_node_pool {
    name                 = "system"
    vm_size              = "Standard_D4s_v5"
    auto_scaling_enabled = true
    node_count           = 3
    min_count            = 3
    max_count            = 12
    max_pods             = 30
    zones                = ["1", "2", "3"]
    os_sku               = "AzureLinux"
    vnet_subnet_id       = azurerm_subnet.ne.id

    upgrade_settings {
      max_surge = "1"
    }
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    pod_cidr            = "10.244.0.0/16"
    service_cidr        = "10.0.0.0/16"
    dns_service_ip      = "10.0.0.10"
    load_balancer_sku   = "standard"
    outbound_type       = "loadBalancer"
  }
}

resource "azurerm_kubernetes_cluster_extension" "flux_ne" {
  name           = "flux"
  cluster_id     = azurerm_kubernetes_cluster.ne.id
  extension_type = "microsoft.flux"
}

resource "azurerm_kubernetes_flux_configuration" "apps_ne" {
  name       = "shop-apps"
  cluster_id = azurerm_kubernetes_cluster.ne.id
  namespace  = "flux-system"

  git_repository {
    url             = "https://github.com/contoso/shop-gitops"
    reference_type  = "branch"
    reference_value = "main"
  }

  kustomizations {
    name = "apps"
    path = "./clusters/northeurope"
  }

  depends_on = [azurerm_kubernetes_cluster_extension.flux_ne]
}

resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "we" {
  name                         = "aks-shop-we-instance"
  location                     = "westeurope"
  vault_id                     = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-backup/providers/Microsoft.DataProtection/backupVaults/bv-shop"
  kubernetes_cluster_id        = azurerm_kubernetes_cluster.we.id
  snapshot_resource_group_name = "rg-backup-snapshots"
  backup_policy_id             = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-backup/providers/Microsoft.DataProtection/backupVaults/bv-shop/backupPolicies/aks-daily"
}

resource "azurerm_traffic_manager_profile" "shop" {
  name                   = "tm-shop"
  resource_group_name    = "rg-shop-global"
  traffic_routing_method = "Priority"
  tags                   = { app = local.app }

  dns_config {
    relative_name = "tm-shop"
    ttl           = 30
  }

  monitor_config {
    protocol = "HTTPS"
    port     = 443
    path     = "/healthz"
  }
}

resource "azurerm_traffic_manager_external_endpoint" "we" {
  name              = "we"
  profile_id        = azurerm_traffic_manager_profile.shop.id
  target            = "shop-ingress.westeurope.cloudapp.azure.com"
  endpoint_location = "westeurope"
  priority          = 1
}

resource "azurerm_traffic_manager_external_endpoint" "ne" {
  name              = "ne"
  profile_id        = azurerm_traffic_manager_profile.shop.id
  target            = "shop-ingress.northeurope.cloudapp.azure.com"
  endpoint_location = "northeurope"
  priority          = 2
}

resource "azurerm_cdn_frontdoor_profile" "shop" {
  name                = "afd-shop"
  resource_group_name = "rg-shop-global"
  sku_name            = "Premium_AzureFrontDoor"
  tags                = { app = local.app }
}

resource "azurerm_cdn_frontdoor_origin_group" "shop" {
  name                     = "og-shop"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.shop.id

  load_balancing {
    sample_size                 = 4
    successful_samples_required = 3
  }
}

resource "azurerm_cdn_frontdoor_origin" "we" {
  name                           = "we"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.shop.id
  host_name                      = "shop-ingress.westeurope.cloudapp.azure.com"
  origin_host_header             = "shop-ingress.westeurope.cloudapp.azure.com"
  certificate_name_check_enabled = true
}

resource "azurerm_cdn_frontdoor_origin" "ne" {
  name                           = "ne"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.shop.id
  host_name                      = "shop-ingress.northeurope.cloudapp.azure.com"
  origin_host_header             = "shop-ingress.northeurope.cloudapp.azure.com"
  certificate_name_check_enabled = true
}

resource "azurerm_cdn_frontdoor_firewall_policy" "shop" {
  name                = "wafshop"
  resource_group_name = "rg-shop-global"
  sku_name            = azurerm_cdn_frontdoor_profile.shop.sku_name
  mode                = "Prevention"

  managed_rule {
    type    = "Microsoft_DefaultRuleSet"
    version = "2.1"
    action  = "Block"
  }
}
