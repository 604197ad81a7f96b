locals {
  kubernetes_version = "1.31.8"
}
