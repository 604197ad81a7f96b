terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.40"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "shop" {
  name     = "rg-shop-prod"
  location = var.location
  tags     = local.tags
}

resource "azurerm_log_analytics_workspace" "shop" {
  name                = "log-shop-prod"
  location            = azurerm_resource_group.shop.location
  resource_group_name = azurerm_resource_group.shop.name
  sku                 = "PerGB2018"
  retention_in_days   = 90
  tags                = local.tags
}

resource "azurerm_kubernetes_cluster" "shop" {
  name                              = "aks-shop-prod"
  location                          = azurerm_resource_group.shop.location
  resource_group_name               = azurerm_resource_group.shop.name
  dns_prefix                        = "aks-shop-prod"
  kubernetes_version                = var.kubernetes_version
  sku_tier                          = "Standard"
  local_account_disabled            = true
  role_based_access_control_enabled = true
  automatic_upgrade_channel         = "patch"
  node_os_upgrade_channel           = "NodeImage"
  azure_policy_enabled              = true
  workload_identity_enabled         = true
  oidc_issuer_enabled               = true
  image_cleaner_enabled             = true
  image_cleaner_interval_hours      = 48
  tags                              = local.tags

  api_server_access_profile {
    authorized_ip_ranges = var.api_allowed_ranges
  }

  default_node_pool {
    name                    = "system"
    vm_size                 = "Standard_D4ds_v5"
    auto_scaling_enabled    = true
    node_count              = 3
    min_count               = 3
    max_count               = 5
    max_pods                = 50
    zones                   = ["1", "2", "3"]
    host_encryption_enabled = true
    os_disk_type            = "Ephemeral"
    os_sku                  = "AzureLinux"
    orchestrator_version    = var.kubernetes_version
    vnet_subnet_id          = azurerm_subnet.nodes.id
    tags                    = local.tags

    upgrade_settings {
      max_surge                = "33%"
      drain_timeout_in_minutes = 30
    }
  }

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = ["5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"]
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    load_balancer_sku   = "standard"
    pod_cidr            = "10.244.0.0/16"
    service_cidr        = "10.0.0.0/16"
    dns_service_ip      = "10.0.0.10"
  }

  windows_profile {
    admin_username = "azureuser"
    admin_password = var.windows_admin_password
  }

  microsoft_defender {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.shop.id
  }

  oms_agent {
    log_analytics_workspace_id      = azurerm_log_analytics_workspace.shop.id
    msi_auth_for_monitoring_enabled = true
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = false
  }

  monitor_metrics {}

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    duration    = 4
    day_of_week = "Sunday"
    start_time  = "02:00"
    utc_offset  = "+01:00"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  name                    = "apps"
  kubernetes_cluster_id   = azurerm_kubernetes_cluster.shop.id
  vm_size                 = "Standard_D8ds_v5"
  mode                    = "User"
  auto_scaling_enabled    = true
  node_count              = 3
  min_count               = 3
  max_count               = 12
  max_pods                = 50
  zones                   = ["1", "2", "3"]
  host_encryption_enabled = true
  os_disk_type            = "Ephemeral"
  os_sku                  = "AzureLinux"
  orchestrator_version    = var.kubernetes_version
  tags                    = local.tags

  upgrade_settings {
    max_surge = "33%"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "win19" {
  name                    = "win19"
  kubernetes_cluster_id   = azurerm_kubernetes_cluster.shop.id
  vm_size                 = "Standard_D4s_v5"
  os_type                 = "Windows"
  os_sku                  = "Windows2019"
  auto_scaling_enabled    = true
  node_count              = 2
  min_count               = 2
  max_count               = 4
  max_pods                = 30
  zones                   = ["1", "2", "3"]
  host_encryption_enabled = true
  os_disk_type            = "Managed"
  orchestrator_version    = var.kubernetes_version
  tags                    = local.tags

  upgrade_settings {
    max_surge = "33%"
  }
}

resource "azurerm_monitor_diagnostic_setting" "aks" {
  name                           = "aks-shop-prod-logs"
  target_resource_id             = azurerm_kubernetes_cluster.shop.id
  log_analytics_workspace_id     = azurerm_log_analytics_workspace.shop.id
  log_analytics_destination_type = "Dedicated"

  enabled_log {
    category = "kube-apiserver"
  }
  enabled_log {
    category = "kube-audit"
  }
  enabled_log {
    category = "kube-controller-manager"
  }
  enabled_log {
    category = "kube-scheduler"
  }
  enabled_log {
    category = "cluster-autoscaler"
  }

  enabled_metric {
    category = "AllMetrics"
  }
}

# GitOps: the Flux extension deploys the shop from its repository. Its version is pinned,
# which turns off its minor upgrades.
resource "azurerm_kubernetes_cluster_extension" "flux" {
  name           = "flux"
  cluster_id     = azurerm_kubernetes_cluster.shop.id
  extension_type = "microsoft.flux"
  version        = "1.13.3"
}

resource "azurerm_kubernetes_flux_configuration" "shop" {
  name       = "shop"
  cluster_id = azurerm_kubernetes_cluster.shop.id
  namespace  = "flux-system"

  git_repository {
    url             = "https://github.com/contoso/shop-deploy"
    reference_type  = "branch"
    reference_value = "main"
  }

  kustomizations {
    name = "shop"
    path = "./clusters/prod"
  }

  depends_on = [azurerm_kubernetes_cluster_extension.flux]
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"
}

resource "azurerm_container_registry" "contoso" {
  name                          = "contosoacr"
  resource_group_name           = azurerm_resource_group.shop.name
  location                      = azurerm_resource_group.shop.location
  sku                           = "Premium"
  admin_enabled                 = false
  public_network_access_enabled = true
  zone_redundancy_enabled       = true
  tags                          = local.tags
}

resource "azurerm_role_assignment" "aks_acr_pull" {
  scope                            = azurerm_container_registry.contoso.id
  role_definition_name             = "AcrPull"
  principal_id                     = azurerm_kubernetes_cluster.shop.kubelet_identity[0].object_id
  skip_service_principal_aad_check = true
}

# The VNet was laid out before the cluster: its node subnet sits inside the service CIDR the
# cluster uses (network_profile.service_cidr), a mistake akscheck reports (cidr-overlap).
resource "azurerm_virtual_network" "shop" {
  name                = "vnet-shop-prod"
  location            = azurerm_resource_group.shop.location
  resource_group_name = azurerm_resource_group.shop.name
  address_space       = ["10.0.0.0/16"]
  tags                = local.tags
}

resource "azurerm_subnet" "nodes" {
  name                 = "nodes"
  resource_group_name  = azurerm_resource_group.shop.name
  virtual_network_name = azurerm_virtual_network.shop.name
  address_prefixes     = ["10.0.0.0/22"]
}
