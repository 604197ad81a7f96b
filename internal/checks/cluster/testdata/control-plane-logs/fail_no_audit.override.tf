resource "azurerm_monitor_diagnostic_setting" "aks" {
  # The categories of the base but kube-audit-admin.
  dynamic "enabled_log" {
    for_each = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler", "guard"]
    content {
      category = enabled_log.value
    }
  }
}
