# Without kubernetes_version AKS picked the version when it created the cluster: only the
# running cluster tells which.
resource "azurerm_kubernetes_cluster" "good" {
  kubernetes_version = null
}
