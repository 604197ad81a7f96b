resource "azurerm_monitor_diagnostic_setting" "aks" {
  # The allLogs category group for kube-apiserver, then the other categories of the base.
  enabled_log {
    category_group = "allLogs"
  }
  dynamic "enabled_log" {
    for_each = ["kube-audit-admin", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler", "guard"]
    content {
      category = enabled_log.value
    }
  }
}
