terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

variable "location" {
  type        = string
  description = "Azure region of the estate."
}

variable "tags" {
  type = map(string)
  default = {
    env   = "prod"
    owner = "platform"
  }
}

locals {
  kubernetes_version = "1.36.2"
}

