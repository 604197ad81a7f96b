locals {
  kubernetes_version = "1.34.3"
}
